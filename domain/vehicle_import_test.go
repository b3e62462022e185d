package domain

import (
	"fmt"
	"strings"
	"testing"
)

// testVIN makes the i-th VIN of a Chinese-built series, check digit right.
func testVIN(i int) string {
	v := []byte(fmt.Sprintf("LSVAB2BR0NP%06d", i))
	v[8] = VINCheckDigit(string(v))
	return string(v)
}

func TestR3_1_ReadDispatchList(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for name, header := range map[string][]string{
			"zh": {"序号", "颜色", "车架号", "车型", "配置", "发动机号", "合格证号"},
			"en": {"No.", "Colour", "VIN (17)", "Model", "Trim", "Engine No", "Certificate No"},
		} {
			sheet := [][]string{{"发车清单 2026-12"}, header,
				{"1", "白", testVIN(1), "轩逸", "舒适版", "E1", "C1"},
				{},
				{"2", "黑", " " + strings.ToLower(testVIN(2)), "天籁", "", "", ""}}
			ok, bad, err := ReadDispatchList(sheet)
			if err != nil || len(bad) != 0 || len(ok) != 2 {
				t.Fatalf("%s: %v %v %v", name, ok, bad, err)
			}
			want := DispatchRow{Row: 3, Draft: VehicleDraft{VIN: testVIN(1), Model: "轩逸", Trim: "舒适版", Colour: "白", EngineNo: "E1", CertificateNo: "C1"}}
			if ok[0] != want || ok[1].Row != 5 || ok[1].Draft.VIN != testVIN(2) {
				t.Errorf("%s: %+v", name, ok)
			}
		}
	})
	t.Run("ErrRows", func(t *testing.T) {
		wrong := []byte(testVIN(3))
		wrong[8] = map[bool]byte{true: '1', false: '2'}[wrong[8] != '1']
		sheet := [][]string{{"VIN", "车型"},
			{testVIN(1), "轩逸"},
			{string(wrong), "轩逸"},
			{testVIN(1), "轩逸"},
			{testVIN(4), ""},
			{"ABC", "轩逸"}}
		ok, bad, err := ReadDispatchList(sheet)
		if err != nil || len(ok) != 1 {
			t.Fatalf("%v %v", ok, err)
		}
		var got []string
		for _, b := range bad {
			got = append(got, fmt.Sprintf("%d:%s", b.Row, b.Reason.Key))
		}
		if want := "3:err.vin_check 4:err.import_dup_in_file 5:err.vehicle_field_missing 6:err.vin_bad"; strings.Join(got, " ") != want {
			t.Errorf("rejects %v, want %s", got, want)
		}
	})
	t.Run("ErrHeader", func(t *testing.T) {
		for key, sheet := range map[string][][]string{
			"err.import_no_header":       {{"a", "b"}, {testVIN(1), "x"}},
			"err.import_columns_missing": {{"车架号", "颜色"}, {testVIN(1), "白"}},
			"err.import_empty":           {{"车架号", "车型"}, {"", ""}},
		} {
			if _, _, err := ReadDispatchList(sheet); err == nil || err.(*Error).Key != key {
				t.Errorf("%s: %v", key, err)
			}
		}
	})
}

func TestR3_1_FindVIN(t *testing.T) {
	v := testVIN(7)
	for in, want := range map[string]string{v: v, "合格证编号:WAB123;车辆识别代号:" + v + ";发动机号:E9": v} {
		if got, err := FindVIN(in); err != nil || got != want {
			t.Errorf("FindVIN(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := FindVIN("hello"); err == nil || err.(*Error).Key != "err.barcode_no_vin" {
		t.Errorf("no VIN: %v", err)
	}
}

func TestR3_1_PDIChecks(t *testing.T) {
	items := []string{"外观", "内饰", "灯光"}
	checks, err := PDIChecks(items, "ok", "", "")
	if res, _ := EvaluatePDI(items, checks); err != nil || !res.Passed {
		t.Fatalf("ok: %v %v", checks, err)
	}
	checks, err = PDIChecks(items, "fail", "1,3", "划痕")
	res, _ := EvaluatePDI(items, checks)
	if err != nil || res.Passed || len(res.Defects) != 2 || res.Defects[1].Item != "灯光" || res.Defects[1].Note != "划痕" {
		t.Fatalf("fail: %+v %v", res, err)
	}
	for _, c := range []struct{ verdict, nums, note, key string }{
		{"maybe", "", "", "err.pdi_verdict"},
		{"fail", "4", "x", "err.pdi_item_number"},
		{"fail", "2", "", "err.pdi_no_defect"},
	} {
		if _, err := PDIChecks(items, c.verdict, c.nums, c.note); err == nil || err.(*Error).Key != c.key {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

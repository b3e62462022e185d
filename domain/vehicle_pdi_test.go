package domain

import "testing"

func TestR3_1_PDI(t *testing.T) {
	items := DefaultRules().Vehicles.PDIItems
	all := func() []PDICheck {
		var cs []PDICheck
		for _, it := range items {
			cs = append(cs, PDICheck{Item: it, Pass: true})
		}
		return cs
	}
	t.Run("OK", func(t *testing.T) {
		res, err := EvaluatePDI(items, all())
		if err != nil || !res.Passed || len(res.Defects) != 0 {
			t.Fatalf("%+v %v", res, err)
		}
	})
	t.Run("FailedListsDefects", func(t *testing.T) {
		cs := all()
		cs[3] = PDICheck{Item: items[3], Note: "左前大灯不亮"}
		cs[0] = PDICheck{Item: items[0], Note: "右后门划痕 5cm"}
		res, err := EvaluatePDI(items, cs)
		if err != nil || res.Passed || len(res.Defects) != 2 || res.Defects[0].Item != items[0] || res.Defects[1].Note != "左前大灯不亮" {
			t.Fatalf("%+v %v", res, err)
		}
	})
	for name, c := range map[string]struct {
		checks []PDICheck
		key    string
	}{
		"ErrMissing":  {all()[1:], "err.pdi_missing"},
		"ErrUnknown":  {append(all(), PDICheck{Item: "天窗", Pass: true}), "err.pdi_unknown"},
		"ErrTwice":    {append(all(), PDICheck{Item: items[2], Pass: true}), "err.pdi_twice"},
		"ErrNoDefect": {append(all()[1:], PDICheck{Item: items[0], Note: "  "}), "err.pdi_no_defect"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := EvaluatePDI(items, c.checks); errKey(err) != c.key || ErrorCode(err) != EINVALID {
				t.Fatalf("got %v, want %s", err, c.key)
			}
		})
	}
	if _, err := EvaluatePDI(items, all()[2:]); err.(*Error).Args[0] != items[0]+", "+items[1] {
		t.Errorf("missing lists %v", err.(*Error).Args)
	}
}

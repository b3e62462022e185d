package printlayout_test

import (
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dealerbot/dealerbot/bot/printlayout"
	"github.com/dealerbot/dealerbot/bot/printlayout/printlayouttest"
)

func TestWidth_ChineseCountsDouble(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{
		{"", 0}, {"abc", 3}, {"客户姓名", 8}, {"来店(电)", 8}, {"王石 13800000000", 16}, {"（全角）", 8},
		{"短\n更长的一行", 10},
	} {
		if got := printlayout.Width(tc.in); got != tc.want {
			t.Errorf("Width(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// readBack writes f and opens what was written, as a spreadsheet
// application would.
func readBack(t *testing.T, f *excelize.File) *excelize.File {
	t.Helper()
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return printlayouttest.Open(t, buf.Bytes())
}

func TestApply_A4LandscapeOnePageWideHeaderRepeatedBordersWidths(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "2026-W48"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	// A title row, then a table with a one-row header.
	must(t, f.SetCellValue(sheet, "A1", "附件1 来店(电)客户登记表（一个很长的标题，不应把 A 列撑宽）"))
	must(t, f.SetSheetRow(sheet, "A2", &[]any{"客户姓名", "电话", "经过情形", "金额"}))
	long := "客户初次购车，品牌对比中，约好周六再来试驾并带家人一起看车，重点关心油耗与保养费用以及置换旧车的评估价格"
	must(t, f.SetSheetRow(sheet, "A3", &[]any{"王石", "13800000000", long, 123456.5}))
	must(t, f.SetSheetRow(sheet, "A4", &[]any{"欧阳娜娜", "", "B", 7}))
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4})
	must(t, err)
	must(t, f.SetCellStyle(sheet, "D3", "D4", money))

	must(t, printlayout.Apply(f, sheet, printlayout.Header{Row: 2}))
	g := readBack(t, f)
	printlayouttest.Check(t, g, sheet, printlayout.Header{Row: 2}, 4, 4)

	for col, want := range map[string]float64{
		"A": 10,                   // 欧阳娜娜: 4 wide characters + 2
		"B": 13,                   // 11 digits + 2
		"C": printlayout.MaxWidth, // long text is capped (and wraps)
		"D": 12,                   // "123,456.50" as shown (10 + 2): the formatted value is measured, not the raw 123456.5
	} {
		got, err := g.GetColWidth(sheet, col)
		must(t, err)
		if got != want {
			t.Errorf("column %s width %v, want %v", col, got, want)
		}
	}
	// The money cell keeps its number format under the border.
	id, err := g.GetCellStyle(sheet, "D3")
	must(t, err)
	st, err := g.GetStyle(id)
	must(t, err)
	if st.NumFmt != 4 || len(st.Border) != 4 {
		t.Errorf("D3 style numfmt %d borders %d, want 4 and 4 (own format kept, border added)", st.NumFmt, len(st.Border))
	}
	// The header is bold; the body is not; the title has no border.
	id, _ = g.GetCellStyle(sheet, "A2")
	if st, _ := g.GetStyle(id); st.Font == nil || !st.Font.Bold {
		t.Error("header A2 is not bold")
	}
	id, _ = g.GetCellStyle(sheet, "A3")
	if st, _ := g.GetStyle(id); st.Font != nil && st.Font.Bold {
		t.Error("body A3 is bold")
	}
	if printlayouttest.Borders(t, g, sheet, "A1") != 0 {
		t.Error("title A1 has borders")
	}
	// B4 was never written and is still bordered: the table has no holes.
	if printlayouttest.Borders(t, g, sheet, "B4") != 4 {
		t.Error("empty B4 has no border")
	}
}

func TestApply_TwoRowHeaderMergedAcrossColumns(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	must(t, f.SetSheetRow(sheet, "A1", &[]any{"姓名", "来店信息来源", "", "离去时间"}))
	must(t, f.SetSheetRow(sheet, "A2", &[]any{"", "电话", "报纸", ""}))
	must(t, f.MergeCell(sheet, "B1", "C1"))
	must(t, f.MergeCell(sheet, "A1", "A2"))
	must(t, f.SetSheetRow(sheet, "A3", &[]any{"王石", "√", "", "12:30"}))
	must(t, printlayout.Apply(f, sheet, printlayout.Header{Row: 1, Rows: 2}))
	g := readBack(t, f)
	printlayouttest.Check(t, g, sheet, printlayout.Header{Row: 1, Rows: 2}, 3, 4)
	// 来店信息来源 spans B:C, so it does not make B 14 wide on its own.
	if w, _ := g.GetColWidth(sheet, "B"); w != 6 {
		t.Errorf("column B width %v, want 6 (电话 + 2)", w)
	}
}

func TestApply_SheetNameWithQuote(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must(t, f.SetSheetName("Sheet1", "O'Brien"))
	must(t, f.SetSheetRow("O'Brien", "A1", &[]any{"a"}))
	must(t, printlayout.Apply(f, "O'Brien", printlayout.Header{}))
	g := readBack(t, f)
	for _, dn := range g.GetDefinedName() {
		if dn.Name == printlayout.PrintTitlesName && dn.RefersTo != "'O''Brien'!$1:$1" {
			t.Errorf("print titles %q", dn.RefersTo)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

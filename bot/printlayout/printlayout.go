// Package printlayout lays out a worksheet the bot makes so that it prints
// as a form: A4 landscape, as wide as one page (as many pages down as it
// takes), the table's header repeated on every printed page, thin borders
// round every cell of the table, and columns as wide as their contents,
// Chinese characters counting double.
//
// Every workbook the bot sends (the complaint register, a stocktake's
// result, the regulation's forms, the reports) goes through Apply after its
// cells are written, so they all print alike.
package printlayout

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Paper and fitting, as Excel stores them.
const (
	// PaperA4 is the OOXML paper size code of A4 (210 mm × 297 mm).
	PaperA4 = 9
	// Landscape is the page orientation Apply sets.
	Landscape = "landscape"
	// MaxWidth caps a column's width (in Excel's character units): longer
	// text wraps inside the cell rather than pushing the page narrower.
	MaxWidth = 50.0
	// MinWidth is the narrowest column Apply sets (a tick column).
	MinWidth = 4.0
)

// PrintTitlesName is the defined name Excel reads for the rows repeated at
// the top of every printed page.
const PrintTitlesName = "_xlnm.Print_Titles"

// Header says where a sheet's table starts: its header's first row
// (1-based; rows above it are a title, left unbordered and out of the
// width sums) and how many rows the header has. The zero value is a
// one-row header in row 1.
type Header struct {
	Row  int
	Rows int
}

func (h Header) first() int {
	if h.Row < 1 {
		return 1
	}
	return h.Row
}

func (h Header) last() int {
	if h.Rows < 1 {
		return h.first()
	}
	return h.first() + h.Rows - 1
}

// Apply lays out sheet of f for print (see the package comment). Call it
// once, after the sheet's cells are written: widths are measured from the
// table's cells (header included), and the cells keep their own style
// (number formats, fonts) with a thin border added; header cells are made
// bold and centred.
func Apply(f *excelize.File, sheet string, h Header) error {
	fail := func(err error) error { return fmt.Errorf("print layout of sheet %q: %w", sheet, err) }
	size, orient, one, zero, yes := PaperA4, Landscape, 1, 0, true
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return fail(err)
	}
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &yes}); err != nil {
		return fail(err)
	}
	first, last := h.first(), h.last()
	if err := f.SetDefinedName(&excelize.DefinedName{
		Name: PrintTitlesName, RefersTo: fmt.Sprintf("%s!$%d:$%d", quoteSheet(sheet), first, last), Scope: sheet,
	}); err != nil {
		return fail(err)
	}
	top, err := excelize.CoordinatesToCellName(1, last+1)
	if err != nil {
		return fail(err)
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: last, TopLeftCell: top, ActivePane: "bottomLeft"}); err != nil {
		return fail(err)
	}

	spanned, err := multiColumnCells(f, sheet)
	if err != nil {
		return fail(err)
	}
	widths, rows, err := measure(f, sheet, first, spanned)
	if err != nil {
		return fail(err)
	}
	for i, w := range widths {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return fail(err)
		}
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return fail(err)
		}
	}
	if len(widths) == 0 || rows < first {
		return nil
	}
	b := &borderer{f: f, styles: map[[2]int]int{}}
	for row := first; row <= rows; row++ {
		if err := b.borderRow(sheet, row, len(widths), row <= last); err != nil {
			return fail(err)
		}
	}
	return nil
}

// quoteSheet is a sheet name as a formula refers to it: 'name', with
// quotes doubled.
func quoteSheet(sheet string) string {
	return "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
}

// multiColumnCells are the top-left cells ("B2") of merged ranges that span
// more than one column: their text is shared by the columns, so it does
// not widen the first of them.
func multiColumnCells(f *excelize.File, sheet string) (map[string]bool, error) {
	merged, err := f.GetMergeCells(sheet)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, m := range merged {
		c1, _, err := excelize.CellNameToCoordinates(m.GetStartAxis())
		if err != nil {
			return nil, err
		}
		c2, _, err := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err != nil {
			return nil, err
		}
		if c2 > c1 {
			out[m.GetStartAxis()] = true
		}
	}
	return out, nil
}

// measure walks the sheet's rows once (excelize's row iterator) and
// returns each column's width from row first down, and the last row.
func measure(f *excelize.File, sheet string, first int, spanned map[string]bool) ([]float64, int, error) {
	it, err := f.Rows(sheet)
	if err != nil {
		return nil, 0, err
	}
	defer it.Close()
	var widths []float64
	row := 0
	for it.Next() {
		row++
		cells, err := it.Columns()
		if err != nil {
			return nil, 0, err
		}
		if row < first {
			continue
		}
		for i, v := range cells {
			for len(widths) <= i {
				widths = append(widths, MinWidth)
			}
			if v == "" {
				continue
			}
			if spanned[cellName(i+1, row)] {
				continue
			}
			widths[i] = max(widths[i], min(Width(v)+2, MaxWidth))
		}
	}
	if err := it.Error(); err != nil {
		return nil, 0, err
	}
	return widths, row, nil
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// Width is how many of Excel's character units s needs: its longest line,
// a wide (Chinese, Japanese, Korean, full-width) character counting 2 and
// any other 1.
func Width(s string) float64 {
	widest := 0
	for line := range strings.SplitSeq(s, "\n") {
		n := 0
		for _, r := range line {
			if wide(r) {
				n += 2
			} else if r != '\r' && r != utf8.RuneError {
				n++
			}
		}
		widest = max(widest, n)
	}
	return float64(widest)
}

// wide reports whether r takes two columns in a CJK font: the ideographs,
// kana, hangul, CJK punctuation and full-width forms.
func wide(r rune) bool {
	switch {
	case unicode.Is(unicode.Han, r), unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r), unicode.Is(unicode.Hangul, r):
		return true
	case r >= 0x2E80 && r <= 0x303F: // CJK radicals, ideographic description, CJK symbols and punctuation
		return true
	case r >= 0x3200 && r <= 0x33FF: // enclosed CJK letters, CJK compatibility
		return true
	case r >= 0xFE30 && r <= 0xFE4F: // CJK compatibility forms
		return true
	case r >= 0xFF01 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6: // full-width forms
		return true
	}
	return false
}

// borderer adds a thin border (and, in the header, bold centred text) to
// cells, keeping each cell's own style: one new style per distinct
// (old style, header or not).
type borderer struct {
	f      *excelize.File
	styles map[[2]int]int
}

var thinBorder = []excelize.Border{
	{Type: "left", Color: "000000", Style: 1},
	{Type: "top", Color: "000000", Style: 1},
	{Type: "right", Color: "000000", Style: 1},
	{Type: "bottom", Color: "000000", Style: 1},
}

// borderRow borders cells 1..cols of row, setting each run of cells that
// end up with the same style at once.
func (b *borderer) borderRow(sheet string, row, cols int, header bool) error {
	start, id := 0, -1
	flush := func(end int) error {
		if id < 0 {
			return nil
		}
		from, err := excelize.CoordinatesToCellName(start, row)
		if err != nil {
			return err
		}
		to, err := excelize.CoordinatesToCellName(end, row)
		if err != nil {
			return err
		}
		return b.f.SetCellStyle(sheet, from, to, id)
	}
	for col := 1; col <= cols; col++ {
		next, err := b.style(sheet, col, row, header)
		if err != nil {
			return err
		}
		if next != id {
			if err := flush(col - 1); err != nil {
				return err
			}
			start, id = col, next
		}
	}
	return flush(cols)
}

// style is the bordered style for the cell at col, row.
func (b *borderer) style(sheet string, col, row int, header bool) (int, error) {
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return 0, err
	}
	old, err := b.f.GetCellStyle(sheet, cell)
	if err != nil {
		return 0, err
	}
	key := [2]int{old, 0}
	if header {
		key[1] = 1
	}
	if id, ok := b.styles[key]; ok {
		return id, nil
	}
	st, err := b.f.GetStyle(old)
	if err != nil {
		return 0, err
	}
	st.Border = thinBorder
	if st.Alignment == nil {
		st.Alignment = &excelize.Alignment{}
	}
	st.Alignment.WrapText = true
	st.Alignment.Vertical = "center"
	if header {
		if st.Font == nil {
			st.Font = &excelize.Font{}
		}
		st.Font.Bold = true
		st.Alignment.Horizontal = "center"
	}
	id, err := b.f.NewStyle(st)
	if err != nil {
		return 0, err
	}
	b.styles[key] = id
	return id, nil
}

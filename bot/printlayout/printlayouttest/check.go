// Package printlayouttest checks, in tests, that a workbook the bot made
// prints as printlayout.Apply lays it out, by reading the written file back
// with excelize as a spreadsheet application would.
package printlayouttest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dealerbot/dealerbot/bot/printlayout"
)

// Open opens the bytes of a workbook, closed when the test ends.
func Open(tb testing.TB, data []byte) *excelize.File {
	tb.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("open workbook: %v", err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// Check fails tb unless sheet of f is A4 landscape, fit to one page wide
// and any number tall, repeats rows h.Row..h.Row+h.Rows-1 on every page,
// and has a thin border on the corners of its table (header's first row
// down to lastRow, columns 1..cols).
func Check(tb testing.TB, f *excelize.File, sheet string, h printlayout.Header, lastRow, cols int) {
	tb.Helper()
	first := max(h.Row, 1)
	last := first + max(h.Rows, 1) - 1
	pl, err := f.GetPageLayout(sheet)
	if err != nil {
		tb.Fatal(err)
	}
	if pl.Size == nil || *pl.Size != printlayout.PaperA4 || pl.Orientation == nil || *pl.Orientation != printlayout.Landscape {
		tb.Errorf("sheet %q page: size %v orientation %v, want A4 (9) landscape", sheet, deref(pl.Size), deref(pl.Orientation))
	}
	if pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
		tb.Errorf("sheet %q fit to %v wide × %v tall, want 1 × 0", sheet, deref(pl.FitToWidth), deref(pl.FitToHeight))
	}
	props, err := f.GetSheetProps(sheet)
	if err != nil {
		tb.Fatal(err)
	}
	if props.FitToPage == nil || !*props.FitToPage {
		tb.Errorf("sheet %q: fitToPage is off (a spreadsheet ignores fitToWidth without it)", sheet)
	}
	want := fmt.Sprintf("'%s'!$%d:$%d", sheet, first, last)
	var got []string
	for _, dn := range f.GetDefinedName() {
		if dn.Name == printlayout.PrintTitlesName && dn.Scope == sheet {
			got = append(got, dn.RefersTo)
		}
	}
	if len(got) != 1 || got[0] != want {
		tb.Errorf("sheet %q print titles %q, want [%s]", sheet, got, want)
	}
	for _, cell := range []string{name(1, first), name(cols, first), name(1, lastRow), name(cols, lastRow)} {
		if b := Borders(tb, f, sheet, cell); b != 4 {
			tb.Errorf("sheet %q cell %s has %d thin borders, want 4", sheet, cell, b)
		}
	}
}

// Borders is how many sides of cell have a thin border.
func Borders(tb testing.TB, f *excelize.File, sheet, cell string) int {
	tb.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, b := range st.Border {
		if b.Style == 1 {
			n++
		}
	}
	return n
}

func name(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

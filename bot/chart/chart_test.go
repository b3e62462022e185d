package chart

import (
	"github.com/go-analyze/charts"

	"errors"
	"fmt"
	"image"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func funnel(labels ...string) Bars {
	vals := make([]float64, len(labels))
	for i := range vals {
		vals[i] = float64(10 * (len(labels) - i))
	}
	return Bars{Title: "漏斗", Labels: labels, Series: []Series{{Name: "人数", Values: vals}}}
}

func TestRender_PNGDecodesToTheExpectedSize(t *testing.T) {
	panels := []Bars{
		funnel("线索", "24小时内首次联系", "到店", "试驾", "订单", "交车"),
		{Title: "回访纪律", Labels: []string{"张伟", "王芳"}, Series: []Series{{Name: "应回访", Values: []float64{30, 22}}, {Name: "按时", Values: []float64{28, 15}}}},
		{Title: "empty panel, not drawn"},
	}
	data, err := Render("南京店 2026-11", panels)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	// title + funnel (6 rows of one bar) + discipline (2 rows of two bars)
	wantH := titleHeight + (panelHeader + panelFooter + 6*(barHeight+rowGap)) + (panelHeader + panelFooter + 2*(2*groupBar+rowGap))
	if b := img.Bounds(); b.Dx() != Width || b.Dy() != wantH {
		t.Fatalf("size %v, want %d×%d", b.Size(), Width, wantH)
	}
	if w, h := Size(panels); w != Width || h != wantH {
		t.Fatalf("Size = %d×%d", w, h)
	}
}

func TestRender_Refusals(t *testing.T) {
	if _, err := Render("x", []Bars{{Title: "none"}}); !errors.Is(err, ErrEmpty) {
		t.Fatalf("no rows: %v", err)
	}
	bad := funnel("a", "b")
	bad.Series[0].Values = bad.Series[0].Values[:1]
	if _, err := Render("x", []Bars{bad}); err == nil || !strings.Contains(err.Error(), "1 values for 2 rows") {
		t.Fatalf("short series: %v", err)
	}
	// One panel taller than a photo shows even at its fewest rows.
	wide := Bars{Title: "wide", Labels: []string{"a", "b", "c"}}
	for i := range 30 {
		wide.Series = append(wide.Series, Series{Name: strconv.Itoa(i), Values: []float64{1, 2, 3}})
	}
	if _, err := Render("x", []Bars{wide}); err == nil || !strings.Contains(err.Error(), "taller than 2560 px") {
		t.Fatalf("too tall: %v", err)
	}
	if _, h := Size([]Bars{funnel(make([]string, MaxRows+5)...)}); h != titleHeight+panelHeader+panelFooter+MaxRows*(barHeight+rowGap) {
		t.Fatalf("rows past MaxRows drawn: height %d", h)
	}
}

// TestRender_FitsOnePhoto: panels taller together than Telegram shows a
// photo (2560 px) show fewer rows, the tallest panel first and never below
// three; past that the last panels are left out.
func TestRender_FitsOnePhoto(t *testing.T) {
	labels := make([]string, MaxRows)
	for i := range labels {
		labels[i] = "顾问" + strconv.Itoa(i)
	}
	short := funnel("线索", "到店", "订单")
	long := funnel(labels...)
	two := Bars{Title: "纪律", Labels: labels[:12], Series: []Series{{Name: "应", Values: make([]float64, 12)}, {Name: "按时", Values: make([]float64, 12)}}}
	got := fit([]Bars{short, long, two})
	var rows []int
	h := titleHeight
	for _, p := range got {
		rows = append(rows, p.Rows())
		h += p.height()
		for _, s := range p.Series {
			if len(s.Values) != p.Rows() {
				t.Fatalf("panel %q: %d values for %d rows", p.Title, len(s.Values), p.Rows())
			}
		}
	}
	// 80 + (150+3·56) + (150+20·56) + (150+12·74) = 2706: 146 px too tall.
	// Rows come off the tallest panel: three rows of the long funnel (56 px
	// each) make it fit, at 2538 px; the short summary keeps all three.
	if fmt.Sprint(rows) != "[3 17 12]" || h != 2538 {
		t.Fatalf("rows %v, height %d", rows, h)
	}
	data, err := Render("x", []Bars{short, long, two})
	if err != nil {
		t.Fatal(err)
	}
	img, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if w, wantH := Size([]Bars{short, long, two}); img.Bounds().Dx() != w || img.Bounds().Dy() != wantH || wantH != h {
		t.Fatalf("picture %v, Size %d×%d, fitted %d", img.Bounds().Size(), w, wantH, h)
	}
	// Too many panels even at three rows each: the last ones go.
	many := make([]Bars, 12)
	for i := range many {
		many[i] = long
	}
	if got := fit(many); len(got) == 0 || len(got) >= 12 || got[0].Rows() != minRows {
		t.Fatalf("%d panels kept, the first with %d rows", len(got), got[0].Rows())
	}
}

// TestFont_CoversTheCommonChineseSet: every GB2312 hanzi (the 6763 of
// levels 1 and 2: names, places, car words), ASCII and the punctuation the
// texts use has a glyph, so no label shows as boxes.
func TestFont_CoversTheCommonChineseSet(t *testing.T) {
	var sb strings.Builder
	dec := simplifiedchinese.GBK.NewDecoder()
	n := 0
	for hi := 0xB0; hi <= 0xF7; hi++ {
		for lo := 0xA1; lo <= 0xFE; lo++ {
			s, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if err != nil || string(s) == "\uFFFD" {
				continue
			}
			sb.Write(s)
			n++
		}
	}
	if n != 6763 {
		t.Fatalf("GB2312 has 6763 hanzi, decoded %d", n)
	}
	for r := rune(0x21); r < 0x7F; r++ {
		sb.WriteRune(r)
	}
	sb.WriteString("，。、；：？！“”‘’（）《》【】…—·％≤≥→–×")
	if miss := Missing(sb.String()); len(miss) != 0 {
		t.Fatalf("no glyph for %q", string(miss))
	}
	// The check can fail: a character outside the subset is reported.
	if miss := Missing("张𠀀"); string(miss) != "𠀀" {
		t.Fatalf("Missing(张𠀀) = %q", string(miss))
	}
}

// TestRender_ChineseLabelsAreDrawnAsChinese renders the same chart with two
// different Chinese names: the pixels of the name's box differ and are
// inked. Two characters the font lacks would draw the same box (or
// nothing): the control shows the comparison can tell.
func TestRender_ChineseLabelsAreDrawnAsChinese(t *testing.T) {
	render := func(name string) *image.RGBA {
		t.Helper()
		data, err := Render("", []Bars{{Title: "", Labels: []string{name}, Series: []Series{{Name: "n", Values: []float64{5}}}}})
		if err != nil {
			t.Fatal(err)
		}
		img, err := Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	// The category label sits left of the bars, in the panel's middle.
	box := image.Rect(0, titleHeight, 200, titleHeight+minPanel)
	ink := func(img *image.RGBA) int {
		n := 0
		for y := box.Min.Y; y < box.Max.Y; y++ {
			for x := box.Min.X; x < box.Max.X; x++ {
				c := img.RGBAAt(x, y)
				if c.R < 128 && c.G < 128 && c.B < 128 {
					n++
				}
			}
		}
		return n
	}
	diff := func(a, b *image.RGBA) int {
		n := 0
		for y := box.Min.Y; y < box.Max.Y; y++ {
			for x := box.Min.X; x < box.Max.X; x++ {
				if a.RGBAAt(x, y) != b.RGBAAt(x, y) {
					n++
				}
			}
		}
		return n
	}
	a, b := render("张伟"), render("王芳")
	if ink(a) < 100 || ink(b) < 100 {
		t.Fatalf("label not inked: %d, %d dark pixels", ink(a), ink(b))
	}
	if d := diff(a, b); d < 100 {
		t.Fatalf("张伟 and 王芳 draw alike (%d pixels differ): not glyphs", d)
	}
	x, y := render("𠀀𠀁"), render("𠀂𠀃")
	if d := diff(x, y); d != 0 {
		t.Fatalf("control: two missing characters differ by %d pixels", d)
	}
}

// TestCountAxis_WholeTicks: counts get whole-number ticks with room above
// the largest bar; an axis with a fraction keeps the library's ticks.
func TestCountAxis_WholeTicks(t *testing.T) {
	for _, tc := range []struct {
		values     [][]float64
		top, step  float64
		labelCount int
	}{
		{[][]float64{{1, 0}}, 2, 1, 3},
		{[][]float64{{3}, {2}}, 4, 1, 5},
		{[][]float64{{0}}, 1, 1, 2},
		{[][]float64{{100, 7}}, 150, 50, 4},
		{[][]float64{{19}}, 30, 10, 4},
	} {
		a := countAxis(charts.ValueAxisOption{}, tc.values)
		if a.Max == nil || *a.Max != tc.top || a.Unit != tc.step || a.LabelCount != tc.labelCount {
			t.Errorf("%v: max %v step %v labels %d, want %v %v %d", tc.values, a.Max, a.Unit, a.LabelCount, tc.top, tc.step, tc.labelCount)
		}
	}
	if a := countAxis(charts.ValueAxisOption{}, [][]float64{{0.5, 2}}); a.Max != nil || a.Unit != 0 {
		t.Errorf("a share's axis was set: %+v", a)
	}
}

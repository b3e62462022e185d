package chart

import (
	"errors"
	"image"
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
	wantH := titleHeight + (panelHeader + panelFooter + 6*(barHeight+rowGap)) + (panelHeader + panelFooter + 2*(2*barHeight+rowGap))
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
	// Many long panels: taller than Telegram's width + height ≤ 10000.
	many := make([]Bars, 12)
	labels := make([]string, MaxRows+5)
	for i := range labels {
		labels[i] = "x"
	}
	for i := range many {
		many[i] = funnel(labels...)
	}
	if _, err := Render("x", many); err == nil || !strings.Contains(err.Error(), "more than Telegram takes") {
		t.Fatalf("too tall: %v", err)
	}
	if _, h := Size(many[:1]); h != titleHeight+panelHeader+panelFooter+MaxRows*(barHeight+rowGap) {
		t.Fatalf("rows past MaxRows drawn: height %d", h)
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

// Package chart draws the report's pictures: panels of horizontal bars,
// stacked one under the other in a PNG sized for a phone (Width pixels
// wide), with labels in Chinese or English.
//
// The bars are go-analyze/charts'; the labels use an embedded subset of
// WenQuanYi Micro Hei (every GB2312 character, ASCII and the usual
// punctuation; LICENSE-wqy-microhei.txt), so a fresh machine renders
// Chinese with nothing but `go build`.
package chart

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/go-analyze/charts"
	"github.com/golang/freetype/truetype"
)

// Width is the picture's width in pixels: a phone shows 1080 px across
// without scaling.
const Width = 1080

// MaxHeight is the tallest picture Render makes. Telegram accepts photos
// up to width + height 10000, but shows them scaled to 2560 px on the
// longest side: a taller chart would be shrunk until its labels cannot be
// read.
const MaxHeight = 2560

// MaxRows is how many rows one panel shows at most; when the panels
// together are taller than MaxHeight, the longest show fewer (down to
// minRows). The caller puts the rows that matter first: the workbook holds
// them all.
const MaxRows = 20

// minRows is how few rows fitting leaves a panel before it drops panels
// from the end.
const minRows = 3

// Layout, in pixels at Width.
const (
	titleHeight  = 80
	panelHeader  = 90  // the panel's title and legend
	panelFooter  = 60  // the value axis
	barHeight    = 34  // the bar of a one-series panel's row
	groupBar     = 26  // each bar of a row with several series
	rowGap       = 22  // between rows
	minPanel     = 260 // a panel of one row still reads as a chart
	labelSize    = 22.0
	titleSize    = 30.0
	subTitleSize = 26.0
)

//go:embed wqy-microhei-gb2312.ttf
var fontData []byte

var loadFont = sync.OnceValues(func() (*truetype.Font, error) {
	return truetype.Parse(fontData)
})

// Missing returns the characters of s the embedded font cannot draw (they
// would show as boxes), in order, each once. Spaces and line breaks are
// not characters here.
func Missing(s string) []rune {
	f, err := loadFont()
	if err != nil {
		return []rune(s)
	}
	var out []rune
	seen := map[rune]bool{}
	for _, r := range s {
		if r == ' ' || r == '\n' || seen[r] {
			continue
		}
		seen[r] = true
		if f.Index(r) == 0 {
			out = append(out, r)
		}
	}
	return out
}

// Series is one bar per row, e.g. "due" or "done on time".
type Series struct {
	Name   string
	Values []float64 // one per row
}

// Bars is one panel: a row per label, a bar per series in each row, the
// value written at the bar's end.
type Bars struct {
	Title  string
	Labels []string
	Series []Series
}

// Rows is how many rows the panel draws on its own (at most MaxRows).
func (b Bars) Rows() int { return min(len(b.Labels), MaxRows) }

// keep is b with only its first n rows.
func (b Bars) keep(n int) Bars {
	if n >= len(b.Labels) {
		return b
	}
	out := Bars{Title: b.Title, Labels: b.Labels[:n]}
	for _, s := range b.Series {
		out.Series = append(out.Series, Series{Name: s.Name, Values: s.Values[:n]})
	}
	return out
}

// fit leaves out the panels without rows and keeps the rest within
// MaxHeight: it takes a row from the tallest panel (but none below
// minRows) until they fit, so a short summary keeps its rows while a long
// list per person gives up its last; and it drops panels from the end if
// that is not enough.
func fit(panels []Bars) []Bars {
	var out []Bars
	for _, p := range panels {
		if p.Rows() > 0 {
			out = append(out, p.keep(p.Rows()))
		}
	}
	height := func() int {
		h := titleHeight
		for _, p := range out {
			h += p.height()
		}
		return h
	}
	for len(out) > 0 && height() > MaxHeight {
		most := -1
		for i, p := range out {
			if p.Rows() > minRows && (most < 0 || p.height() > out[most].height()) {
				most = i
			}
		}
		if most < 0 {
			out = out[:len(out)-1]
			continue
		}
		out[most] = out[most].keep(out[most].Rows() - 1)
	}
	return out
}

func (b Bars) height() int {
	return max(panelHeader+panelFooter+b.Rows()*b.rowHeight(), minPanel)
}

// rowHeight is one row's bars and the gap after them.
func (b Bars) rowHeight() int {
	if len(b.Series) < 2 {
		return barHeight + rowGap
	}
	return len(b.Series)*groupBar + rowGap
}

// ErrEmpty is returned for a picture with no rows to draw.
var ErrEmpty = errors.New("chart: nothing to draw")

// Size is the width and height Render makes for these panels.
func Size(panels []Bars) (int, int) {
	h := titleHeight
	for _, p := range fit(panels) {
		h += p.height()
	}
	return Width, h
}

// Render draws the panels that have rows under title into one PNG Width
// wide and at most MaxHeight tall (fit says which rows and panels show).
// A picture with no rows at all is ErrEmpty; a panel whose series do not
// match its rows, or one too tall on its own, is an error.
func Render(title string, panels []Bars) ([]byte, error) {
	font, err := loadFont()
	if err != nil {
		return nil, fmt.Errorf("chart font: %w", err)
	}
	for _, p := range panels {
		for _, s := range p.Series {
			if len(s.Values) != len(p.Labels) {
				return nil, fmt.Errorf("chart %q: series %q has %d values for %d rows", p.Title, s.Name, len(s.Values), len(p.Labels))
			}
		}
	}
	drawn := fit(panels)
	if len(drawn) == 0 {
		if slices.ContainsFunc(panels, func(p Bars) bool { return p.Rows() > 0 }) {
			return nil, fmt.Errorf("chart %q: the first panel alone is taller than %d px", title, MaxHeight)
		}
		return nil, ErrEmpty
	}
	w, h := Size(drawn)
	theme := charts.GetTheme(charts.ThemeLight)
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputPNG, Width: w, Height: h, Font: font, Theme: theme})
	p.FilledRect(0, 0, w, h, charts.ColorWhite, charts.ColorWhite, 0)
	p.Text(title, 30, titleHeight-28, 0, charts.FontStyle{Font: font, FontSize: titleSize, FontColor: charts.ColorBlack})
	top := titleHeight
	for _, panel := range drawn {
		ph := panel.height()
		child := p.Child(charts.PainterBoxOption(charts.NewBox(0, top, w, top+ph)))
		if err := child.BarChart(barOption(panel, font, theme)); err != nil {
			return nil, fmt.Errorf("chart %q panel %q: %w", title, panel.Title, err)
		}
		top += ph
	}
	return p.Bytes()
}

// barOption maps a panel onto go-analyze's horizontal bar chart. Its
// category axis runs bottom-up, so the rows are reversed to read top-down.
func barOption(b Bars, font *truetype.Font, theme charts.ColorPalette) charts.BarChartOption {
	n := b.Rows()
	labels := make([]string, n)
	for i := range n {
		labels[n-1-i] = b.Labels[i]
	}
	values := make([][]float64, len(b.Series))
	names := make([]string, len(b.Series))
	for s, series := range b.Series {
		names[s] = series.Name
		values[s] = make([]float64, n)
		for i := range n {
			values[s][n-1-i] = series.Values[i]
		}
	}
	show := true
	style := charts.FontStyle{Font: font, FontSize: labelSize, FontColor: charts.ColorBlack}
	list := charts.NewSeriesListBar(values)
	for i := range list {
		list[i].Name = names[i]
		list[i].Label = charts.SeriesLabel{Show: &show, FontStyle: style, ValueFormatter: whole}
	}
	hideLegend := len(b.Series) < 2
	return charts.BarChartOption{
		Theme:               theme,
		Padding:             charts.NewBox(30, 20, 60, 20),
		Horizontal:          true,
		SeriesList:          list,
		SeriesLabelPosition: "right",
		Title:               charts.TitleOption{Text: b.Title, FontStyle: charts.FontStyle{Font: font, FontSize: subTitleSize, FontColor: charts.ColorBlack}},
		Legend: charts.LegendOption{
			Show: boolPtr(!hideLegend), SeriesNames: names, FontStyle: style,
			Offset: charts.OffsetStr{Left: charts.PositionRight},
		},
		CategoryAxis: charts.CategoryAxisOption{Labels: labels, LabelFontStyle: style},
		ValueAxis:    []charts.ValueAxisOption{countAxis(charts.ValueAxisOption{LabelFontStyle: style, ValueFormatter: whole, Min: floatPtr(0)}, values)},
		BarSize:      0.8,
	}
}

// countAxis gives an axis of counts (every value whole) whole-number
// ticks: a step of 1, 2 or 5 times a power of ten for about four
// intervals, and a top a little above the largest bar, so that its value
// label fits beside it. An axis of 0–1 people otherwise reads 0, 0.4,
// 0.8, 1.2. Fractions keep the library's own ticks.
func countAxis(a charts.ValueAxisOption, values [][]float64) charts.ValueAxisOption {
	top := 0.0
	for _, vs := range values {
		for _, v := range vs {
			if v != math.Trunc(v) || v < 0 {
				return a
			}
			top = max(top, v)
		}
	}
	want := max(1, top*1.15/4)
	step := 1.0
	for step < want {
		switch m := step / math.Pow(10, math.Floor(math.Log10(step))); m {
		case 1:
			step *= 2
		case 2:
			step *= 2.5
		default:
			step *= 2
		}
	}
	n := max(1, math.Ceil(top*1.15/step))
	a.Max, a.Unit, a.LabelCount = floatPtr(n*step), step, int(n)+1
	return a
}

// whole writes counts without decimals; fractions (a share) keep one.
func whole(f float64) string {
	if f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

func boolPtr(b bool) *bool        { return &b }
func floatPtr(f float64) *float64 { return &f }

// Decode reads a PNG back (tests and the emulator's checks): its size and
// pixels.
func Decode(data []byte) (*image.RGBA, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba, nil
}

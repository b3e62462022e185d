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
	"strconv"
	"sync"

	"github.com/go-analyze/charts"
	"github.com/golang/freetype/truetype"
)

// Width is the picture's width in pixels: a phone shows 1080 px across
// without scaling.
const Width = 1080

// Telegram's photo limits (width + height, and the side ratio).
const (
	maxSides = 10000
	maxRatio = 20
)

// MaxRows is how many rows one panel shows; the caller keeps the rows that
// matter (the workbook holds them all).
const MaxRows = 20

// Layout, in pixels at Width.
const (
	titleHeight  = 80
	panelHeader  = 90  // the panel's title and legend
	panelFooter  = 60  // the value axis
	barHeight    = 34  // one series' bar in one row
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

// Rows is how many rows the panel draws (at most MaxRows).
func (b Bars) Rows() int { return min(len(b.Labels), MaxRows) }

func (b Bars) height() int {
	n := max(len(b.Series), 1)
	h := panelHeader + panelFooter + b.Rows()*(n*barHeight+rowGap)
	return max(h, minPanel)
}

// ErrEmpty is returned for a picture with no rows to draw.
var ErrEmpty = errors.New("chart: nothing to draw")

// Size is the width and height Render makes for these panels.
func Size(panels []Bars) (int, int) {
	h := titleHeight
	for _, p := range panels {
		if p.Rows() > 0 {
			h += p.height()
		}
	}
	return Width, h
}

// Render draws the panels that have rows under title into one PNG of
// Width × the panels' height. A picture Telegram would refuse (too tall)
// is an error, as is one with no rows at all (ErrEmpty).
func Render(title string, panels []Bars) ([]byte, error) {
	font, err := loadFont()
	if err != nil {
		return nil, fmt.Errorf("chart font: %w", err)
	}
	var drawn []Bars
	for _, p := range panels {
		if p.Rows() == 0 {
			continue
		}
		for _, s := range p.Series {
			if len(s.Values) != len(p.Labels) {
				return nil, fmt.Errorf("chart %q: series %q has %d values for %d rows", p.Title, s.Name, len(s.Values), len(p.Labels))
			}
		}
		drawn = append(drawn, p)
	}
	if len(drawn) == 0 {
		return nil, ErrEmpty
	}
	w, h := Size(drawn)
	if w+h > maxSides || h > maxRatio*w {
		return nil, fmt.Errorf("chart %q: %d×%d is more than Telegram takes", title, w, h)
	}
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
		ValueAxis:    []charts.ValueAxisOption{{LabelFontStyle: style, ValueFormatter: whole, Min: floatPtr(0)}},
		BarSize:      0.8,
	}
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

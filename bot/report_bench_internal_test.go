package bot

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dealerbot/dealerbot/bot/chart"
	"github.com/dealerbot/dealerbot/domain"
)

// BenchmarkReportMessages: what one reader's report costs to show — a
// store of 20 people drawn (chart fitted to one photo), captioned and
// written out (workbook) — against the floor of encoding a blank picture
// of the same size and writing an empty workbook.
func BenchmarkReportMessages(b *testing.B) {
	rep := goldenStoreReport()
	s := &rep.Stores[0]
	base := s.Staff[1]
	s.Staff = nil
	for i := range 20 {
		p := base
		p.StaffID, p.Name = int64(i+1), fmt.Sprintf("顾问%d号", i+1)
		p.Funnel.Leads += i
		p.Telesales = domain.TelesalesFigures{Invitations: i + 1, Shows: i}
		s.Staff = append(s.Staff, p)
	}
	v := reportView{lang: domain.LangZH, rules: domain.DefaultRules(), rep: rep}
	w, h := chart.Size(v.Panels())
	b.Run("report", func(b *testing.B) {
		size := 0
		for b.Loop() {
			msgs, err := reportMessagesFor(1, 1, domain.LangZH, domain.DefaultRules(), rep)
			if err != nil {
				b.Fatal(err)
			}
			size = len(msgs[0].File)
		}
		b.ReportMetric(float64(size), "png-bytes")
		b.ReportMetric(float64(h), "px-tall")
	})
	b.Run("floor", func(b *testing.B) {
		for b.Loop() {
			var buf bytes.Buffer
			if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
				b.Fatal(err)
			}
			f := excelize.NewFile()
			if _, err := f.WriteToBuffer(); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
}

package bot_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// BenchmarkR1_11_ExportVisits5000 exports a month of 5,000 visits (500
// customers, ten visits each) on SQLite: /export visits end to end through
// the emulator (the form read in batches, written, laid out to print,
// queued, sent), and the workbook alone, against the floor, the service
// streaming the same rows into nothing.
func BenchmarkR1_11_ExportVisits5000(b *testing.B) {
	const customers, visits = 500, 10
	ctx := context.Background()
	h := newHarnessWith(b, harnessOptions{})
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	seller, err := h.db.StaffByTelegramID(ctx, chen.ID)
	if err != nil {
		b.Fatal(err)
	}
	boss, err := h.db.StaffByTelegramID(ctx, sup.ID)
	if err != nil {
		b.Fatal(err)
	}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, shanghai())
	if err := h.db.InTx(ctx, func(ctx context.Context) error {
		for i := range customers {
			l := &domain.Lead{StoreID: seller.StoreID, Name: fmt.Sprintf("客户%03d", i), Phone: fmt.Sprintf("139%08d", i), Model: benchModels[i%len(benchModels)],
				Source: domain.SourceWalkIn, Grade: domain.GradeA, OwnerID: seller.ID, Pool: domain.PoolShowroom, CreatedAt: month,
				Notes: "初次购车，品牌对比中，周末带家人再来"}
			if err := h.db.CreateLead(ctx, l); err != nil {
				return err
			}
			for j := range visits {
				at := month.Add(time.Duration(j*customers+i) * 5 * time.Minute)
				left := at.Add(40 * time.Minute)
				if err := h.db.CreateVisit(ctx, &domain.Visit{LeadID: l.ID, RegisteredBy: seller.ID, ConsultantID: seller.ID, First: j == 0, ArrivedAt: at, LeftAt: &left}); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.Run("rows", func(b *testing.B) {
		for b.Loop() {
			n := 0
			if _, err := h.db.VisitForm(ctx, boss.ID, month, func(*domain.VisitFormRow) error { n++; return nil }); err != nil || n != customers*visits {
				b.Fatalf("%d rows, %v", n, err)
			}
		}
	})
	b.Run("xlsx", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			data, out, err := h.bot.VisitFormXLSX(ctx, boss.ID, month)
			if err != nil || out.Rows != customers*visits {
				b.Fatalf("%v %v", out, err)
			}
			b.ReportMetric(float64(len(data))/1024, "KB/file")
		}
	})
	b.Run("export", func(b *testing.B) {
		for b.Loop() {
			doc := documentIn(b, h.sayAll(sup, "/export visits 2026-11"))
			if len(doc.Document.Data) == 0 {
				b.Fatal("no file")
			}
		}
	})
}

package storage_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// BenchmarkDueCounts measures the morning push's query on a large dealer
// group — a million leads of 10,000 staff in 200 stores, in SQLite, each
// store counted on its own — against its floor:
// the plainest grouped count of the same leads, which a query that also
// splits them by grade and by day cannot beat. The store is seeded once,
// before the sub-benchmarks (b.Loop runs the function once).
func BenchmarkDueCounts(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds a million leads")
	}
	const stores, staff, leads = 200, 10_000, 1_000_000
	db, err := storage.Open(storage.Config{Path: filepath.Join(b.TempDir(), "group.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	info := storagetest.SeedGroup(b, db, stores, staff, leads, now)
	b.Logf("seeded %d stores, %d staff and %d leads in %s (%d overdue, %d due today)",
		stores, staff, leads, time.Since(start).Round(time.Millisecond), info.Overdue, info.DueToday)

	var dueMS, floorMS float64
	b.Run("DueCounts", func(b *testing.B) {
		for b.Loop() {
			overdue, today := 0, 0
			for _, st := range info.Stores { // every store's, one query each
				err := db.DueCounts(ctx, st.ID, info.TodayStart, info.TomorrowStart, func(c domain.DueCount) error {
					overdue, today = overdue+c.Overdue, today+c.Today
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			if overdue != info.Overdue || today != info.DueToday {
				b.Fatalf("counted %d overdue and %d today, seeded %d and %d", overdue, today, info.Overdue, info.DueToday)
			}
		}
		dueMS = msPerOp(b)
	})
	b.Run("Floor", func(b *testing.B) {
		for b.Loop() {
			n, err := db.QueryCount(ctx, "SELECT owner_id, COUNT(*) FROM leads WHERE next_due_at < ? GROUP BY owner_id", info.TomorrowStart)
			if err != nil {
				b.Fatal(err)
			}
			if n != int64(info.Overdue+info.DueToday) {
				b.Fatalf("counted %d due, seeded %d", n, info.Overdue+info.DueToday)
			}
		}
		floorMS = msPerOp(b)
	})
	b.Run("OverdueCounts", func(b *testing.B) {
		for b.Loop() {
			for _, st := range info.Stores {
				if _, err := db.OverdueCounts(ctx, st.ID, info.TodayStart.AddDate(0, 0, -info.Rules.OverdueAlertDays)); err != nil {
					b.Fatal(err)
				}
			}
		}
		msPerOp(b)
	})
	b.Run("UngradedCounts", func(b *testing.B) {
		for b.Loop() {
			for _, st := range info.Stores {
				if _, err := db.UngradedCounts(ctx, st.ID, now.AddDate(0, 0, -info.Rules.GradeAfterDays)); err != nil {
					b.Fatal(err)
				}
			}
		}
		msPerOp(b)
	})
	b.Logf("DueCounts %.1f ms, floor %.1f ms (%.2f×)", dueMS, floorMS, dueMS/floorMS)
}

// msPerOp reports and returns how many milliseconds an iteration of b took.
func msPerOp(b *testing.B) float64 {
	ms := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N)
	b.ReportMetric(ms, "ms/op")
	return ms
}

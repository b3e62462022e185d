package storage_test

import (
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestDueCounts counts a small store by hand. The store's day (CST) runs
// from 16:00 UTC to 16:00 UTC.
func TestDueCounts(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		today := time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC)
		tomorrow := today.AddDate(0, 0, 1)
		a := MustCreateStaff(t, db, "Owner A")
		b := MustCreateStaff(t, db, "Owner B")
		n := 0
		lead := func(owner *domain.Staff, g domain.Grade, due time.Time, age time.Duration) *domain.Lead {
			n++
			l := newLead(owner, fmt.Sprint("Lead ", n), fmt.Sprintf("135%08d", n))
			l.CreatedAt = now.Add(-age)
			if !due.IsZero() {
				l.NextDueAt = &due
			}
			MustCreateLead(t, db, l)
			if g != domain.GradeN {
				l.Grade = g
				MustUpdateLead(t, db, l)
			}
			return l
		}
		const day = 24 * time.Hour
		var never time.Time
		first := lead(a, domain.GradeN, today.Add(-time.Microsecond), 8*day) // overdue, ungraded after a week
		lead(a, domain.GradeN, today, 6*day)                                 // today
		lead(a, domain.GradeH, today.Add(-3*day), 30*day)                    // overdue by 3 days
		lead(a, domain.GradeH, tomorrow.Add(-time.Microsecond), 30*day)      // today
		lead(a, domain.GradeH, tomorrow, 30*day)                             // tomorrow
		lead(a, domain.GradeB, never, 30*day)                                // not due
		lead(a, domain.GradeO, never, 30*day)                                // ordered
		lead(b, domain.GradeA, today.Add(-10*day), 30*day)                   // overdue
		lead(b, domain.GradeA, today.Add(-time.Hour), 30*day)                // overdue
		lead(b, domain.GradeC, today.Add(2*time.Hour), 30*day)               // today
		lead(b, domain.GradeN, tomorrow.Add(day), 10*day)                    // later, ungraded after a week

		t.Run("DueCounts", func(t *testing.T) {
			var got []domain.DueCount
			err := db.DueCounts(ctx, 1, today.In(time.FixedZone("CST", 8*3600)), tomorrow, func(c domain.DueCount) error {
				got = append(got, c)
				// The walk leaves the store free for the caller's writes.
				_, err := db.Enqueue(ctx, domain.OutboxMessage{Key: fmt.Sprintf("due:%d:%s", c.OwnerID, c.Grade), ChatID: c.OwnerID, Text: "due"})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			want := []domain.DueCount{
				{OwnerID: a.ID, Grade: domain.GradeH, Overdue: 1, Today: 1},
				{OwnerID: a.ID, Grade: domain.GradeN, Overdue: 1, Today: 1},
				{OwnerID: b.ID, Grade: domain.GradeA, Overdue: 2, Today: 0},
				{OwnerID: b.ID, Grade: domain.GradeC, Overdue: 0, Today: 1},
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("got  %v\nwant %v", got, want)
			}
		})
		t.Run("ErrStops", func(t *testing.T) {
			calls := 0
			err := db.DueCounts(ctx, 1, today, tomorrow, func(domain.DueCount) error { calls++; return errBoom })
			if !errors.Is(err, errBoom) || calls != 1 {
				t.Fatalf("%d calls, %v", calls, err)
			}
			err = db.DueCounts(ctx, 1, tomorrow, today, func(domain.DueCount) error { return nil })
			AssertError(t, err, domain.EINVALID, "")
		})
		t.Run("OverdueCounts", func(t *testing.T) {
			for _, c := range []struct {
				before time.Time
				want   map[int64]int
			}{
				{today, map[int64]int{a.ID: 2, b.ID: 2}},
				{today.AddDate(0, 0, -3), map[int64]int{b.ID: 1}},
				{today.AddDate(0, 0, -3).Add(time.Microsecond), map[int64]int{a.ID: 1, b.ID: 1}},
				{today.AddDate(0, 0, -30), map[int64]int{}},
			} {
				got, err := db.OverdueCounts(ctx, 1, c.before)
				if err != nil || !maps.Equal(got, c.want) {
					t.Fatalf("before %v: %v, %v; want %v", c.before, got, err, c.want)
				}
			}
		})
		t.Run("UngradedCounts", func(t *testing.T) {
			got, err := db.UngradedCounts(ctx, 1, now.Add(-7*day))
			if want := map[int64]int{a.ID: 1, b.ID: 1}; err != nil || !maps.Equal(got, want) {
				t.Fatalf("got %v, %v; want %v", got, err, want)
			}
			first.Grade = domain.GradeA
			MustUpdateLead(t, db, first)
			got, err = db.UngradedCounts(ctx, 1, now.Add(-7*day))
			if want := map[int64]int{b.ID: 1}; err != nil || !maps.Equal(got, want) {
				t.Fatalf("got %v, %v; want %v", got, err, want)
			}
		})
	})
}

package storage_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// visitIDs returns the visits' ids in order.
func visitIDs(list []domain.Visit) []int64 {
	out := make([]int64, len(list))
	for i, v := range list {
		out[i] = v.ID
	}
	return out
}

// MustCreateVisit registers v, which must be accepted, and returns its id.
func MustCreateVisit(tb testing.TB, db *storage.DB, v domain.Visit) int64 {
	tb.Helper()
	if err := db.CreateVisit(ctx, &v); err != nil {
		tb.Fatal(err)
	}
	return v.ID
}

func TestVisits(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		reception := MustCreateStaff(t, db, "Reception", domain.RoleReception)
		consultant := MustCreateStaff(t, db, "Consultant")
		l := MustCreateLead(t, db, newLead(consultant, "Visitor", "13400000001"))
		other := MustCreateLead(t, db, newLead(consultant, "Other", "13400000002"))
		t.Run("OK", func(t *testing.T) {
			v := &domain.Visit{LeadID: l.ID, RegisteredBy: reception.ID, ConsultantID: consultant.ID, First: true}
			if err := db.CreateVisit(ctx, v); err != nil {
				t.Fatal(err)
			}
			if v.ID == 0 || !v.ArrivedAt.Equal(now) {
				t.Fatalf("created %+v", v)
			}
			got, err := db.VisitByID(ctx, v.ID)
			if err != nil || fmt.Sprint(*got) != fmt.Sprint(*v) || got.ArrivedAt.Location() != time.UTC {
				t.Fatalf("got %+v, %v; want %+v", got, err, v)
			}
		})
		t.Run("Left", func(t *testing.T) {
			id := MustCreateVisit(t, db, domain.Visit{LeadID: l.ID, RegisteredBy: reception.ID})
			left := now.Add(90 * time.Minute)
			if set, err := db.SetVisitLeft(ctx, id, left.In(time.FixedZone("CST", 8*3600))); err != nil || !set {
				t.Fatalf("set %v, %v", set, err)
			}
			if set, err := db.SetVisitLeft(ctx, id, left.Add(time.Hour)); err != nil || set {
				t.Fatalf("set again %v, %v", set, err)
			}
			if got, err := db.VisitByID(ctx, id); err != nil || got.LeftAt == nil || !got.LeftAt.Equal(left) {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
		t.Run("LeftOnce", func(t *testing.T) {
			id := MustCreateVisit(t, db, domain.Visit{LeadID: l.ID, RegisteredBy: reception.ID})
			var wg sync.WaitGroup
			sets := make([]bool, 5)
			for i := range sets {
				wg.Go(func() {
					set, err := db.SetVisitLeft(ctx, id, now.Add(time.Duration(i)*time.Minute))
					if err != nil {
						t.Error(err)
					}
					sets[i] = set
				})
			}
			wg.Wait()
			if n := len(slices.DeleteFunc(sets, func(b bool) bool { return !b })); n != 1 {
				t.Fatalf("%d departures recorded", n)
			}
		})
		t.Run("Lists", func(t *testing.T) {
			first := MustCreateVisit(t, db, domain.Visit{LeadID: other.ID, ArrivedAt: now.Add(-48 * time.Hour)})
			second := MustCreateVisit(t, db, domain.Visit{LeadID: other.ID, ArrivedAt: now.Add(-25 * time.Hour)})
			third := MustCreateVisit(t, db, domain.Visit{LeadID: other.ID, ArrivedAt: now.Add(-time.Hour)})
			prompted := MustCreateVisit(t, db, domain.Visit{LeadID: other.ID, ArrivedAt: now.Add(-72 * time.Hour)})
			if err := db.MarkVisitPrompted(ctx, prompted); err != nil {
				t.Fatal(err)
			}
			if got, err := db.Visits(ctx, other.ID, 0); err != nil || !slices.Equal(visitIDs(got), []int64{third, second, first, prompted}) {
				t.Fatalf("visits %v, %v", visitIDs(got), err)
			}
			if got, err := db.Visits(ctx, other.ID, 2); err != nil || !slices.Equal(visitIDs(got), []int64{third, second}) {
				t.Fatalf("visits %v, %v", visitIDs(got), err)
			}
			// Visits of the other tests arrived now: not yet a day ago.
			got, err := db.VisitsToPrompt(ctx, now.Add(-24*time.Hour), 0)
			if err != nil || !slices.Equal(visitIDs(got), []int64{first, second}) {
				t.Fatalf("to prompt %v, %v", visitIDs(got), err)
			}
			if got, err := db.VisitsToPrompt(ctx, now.Add(-25*time.Hour), 1); err != nil || !slices.Equal(visitIDs(got), []int64{first}) {
				t.Fatalf("to prompt %v, %v", visitIDs(got), err)
			}
			if err := db.MarkVisitPrompted(ctx, first); err != nil {
				t.Fatal(err)
			}
			if got, err := db.VisitsToPrompt(ctx, now.Add(-24*time.Hour), 0); err != nil || !slices.Equal(visitIDs(got), []int64{second}) {
				t.Fatalf("to prompt %v, %v", visitIDs(got), err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := db.VisitByID(ctx, 999999)
			AssertError(t, err, domain.ENOTFOUND, "err.visit_not_found")
			_, err = db.SetVisitLeft(ctx, 999999, now)
			AssertError(t, err, domain.ENOTFOUND, "err.visit_not_found")
			AssertError(t, db.MarkVisitPrompted(ctx, 999999), domain.ENOTFOUND, "err.visit_not_found")
			err = db.CreateVisit(ctx, &domain.Visit{LeadID: 999999})
			AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		})
	})
}

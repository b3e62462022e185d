package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR1_6_LostRequest walks a request to mark a lead lost through its
// life: one pending request per lead, decided once.
func TestR1_6_LostRequest(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		seller := MustCreateStaff(t, db, "Seller")
		boss := MustCreateStaff(t, db, "Boss", domain.RoleSupervisor)
		l := MustCreateLead(t, db, newLead(seller, "Customer", "13300000001"))
		t.Run("Lifecycle", func(t *testing.T) {
			r := &domain.LostRequest{LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostCompetitor,
				Note: "bought a <Golf> & 🚗", Status: domain.LostApproved, DeciderID: 9}
			if err := db.CreateLostRequest(ctx, r); err != nil {
				t.Fatal(err)
			}
			want := domain.LostRequest{ID: r.ID, LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostCompetitor,
				Note: "bought a <Golf> & 🚗", Status: domain.LostPending, CreatedAt: now}
			if r.ID == 0 || fmt.Sprint(*r) != fmt.Sprint(want) {
				t.Fatalf("created %+v", r)
			}
			if got, err := db.LostRequestByID(ctx, r.ID); err != nil || fmt.Sprint(*got) != fmt.Sprint(want) {
				t.Fatalf("got %+v, %v", got, err)
			}

			second := &domain.LostRequest{LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostBudget}
			AssertError(t, db.CreateLostRequest(ctx, second), domain.ECONFLICT, "err.lost_pending")

			db.Now = func() time.Time { return now.Add(time.Hour) }
			defer fixClock(db)
			if ok, err := db.DecideLostRequest(ctx, r.ID, domain.LostRejected, boss.ID, "call again <b>first</b>"); err != nil || !ok {
				t.Fatalf("decided %v, %v", ok, err)
			}
			if ok, err := db.DecideLostRequest(ctx, r.ID, domain.LostApproved, seller.ID, ""); err != nil || ok {
				t.Fatalf("decided twice: %v, %v", ok, err)
			}
			decided := now.Add(time.Hour)
			want.Status, want.DeciderID, want.DecidedAt, want.Answer = domain.LostRejected, boss.ID, &decided, "call again <b>first</b>"
			if got, err := db.LostRequestByID(ctx, r.ID); err != nil || fmt.Sprint(*got) != fmt.Sprint(want) ||
				got.DecidedAt == nil || !got.DecidedAt.Equal(decided) {
				t.Fatalf("got %+v, %v\nwant %+v", got, err, want)
			}
			// Once decided, the lead may be asked about again.
			if err := db.CreateLostRequest(ctx, second); err != nil {
				t.Fatal(err)
			}
			if ok, err := db.DecideLostRequest(ctx, second.ID, domain.LostApproved, boss.ID, ""); err != nil || !ok {
				t.Fatalf("decided %v, %v", ok, err)
			}
		})
		t.Run("OnePendingOfConcurrent", func(t *testing.T) {
			l := MustCreateLead(t, db, newLead(seller, "Race", "13300000002"))
			var wg sync.WaitGroup
			errs := make([]error, 5)
			for i := range errs {
				wg.Go(func() {
					errs[i] = db.CreateLostRequest(ctx, &domain.LostRequest{LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostOther})
				})
			}
			wg.Wait()
			created := 0
			for _, err := range errs {
				if err == nil {
					created++
				} else {
					AssertError(t, err, domain.ECONFLICT, "err.lost_pending")
				}
			}
			if created != 1 {
				t.Fatalf("%d pending requests created", created)
			}
		})
		t.Run("ErrConflictKeepsOuterTx", func(t *testing.T) {
			l := MustCreateLead(t, db, newLead(seller, "Tx", "13300000003"))
			err := db.InTx(ctx, func(ctx context.Context) error {
				r := &domain.LostRequest{LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostPostponed}
				if err := db.CreateLostRequest(ctx, r); err != nil {
					return err
				}
				AssertError(t, db.CreateLostRequest(ctx, r), domain.ECONFLICT, "err.lost_pending")
				_, err := db.DecideLostRequest(ctx, r.ID, domain.LostApproved, boss.ID, "")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			err := db.CreateLostRequest(ctx, &domain.LostRequest{LeadID: l.ID, Reason: "bored"})
			AssertError(t, err, domain.EINVALID, "err.invalid")
			_, err = db.DecideLostRequest(ctx, 1, domain.LostPending, boss.ID, "")
			AssertError(t, err, domain.EINVALID, "err.invalid")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := db.LostRequestByID(ctx, 999999)
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
			_, err = db.DecideLostRequest(ctx, 999999, domain.LostApproved, boss.ID, "")
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
			err = db.CreateLostRequest(ctx, &domain.LostRequest{LeadID: 999999, Reason: domain.LostBudget})
			AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		})
	})
}

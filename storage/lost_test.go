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

// MustEnrolStaff stores an active member bound to Telegram account tgID:
// approvals go only to people the bot can reach.
func MustEnrolStaff(tb testing.TB, db *storage.DB, name string, tgID int64, roles ...domain.Role) *domain.Staff {
	tb.Helper()
	s := &domain.Staff{Name: name, Roles: roles, TelegramID: tgID}
	if err := db.CreateStaff(ctx, s); err != nil {
		tb.Fatalf("create staff %q: %v", name, err)
	}
	return s
}

// TestR1_6_LostService walks requests to mark a lead lost through the
// service, without Telegram: one pending request per lead, the requester's
// approvers rule, once, and an approval marks the lead F.
func TestR1_6_LostService(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		seller := MustEnrolStaff(t, db, "Seller", 101, domain.RoleConsultant)
		other := MustEnrolStaff(t, db, "Other", 102, domain.RoleConsultant)
		boss := MustEnrolStaff(t, db, "Boss", 103, domain.RoleSupervisor)
		newLostLead := func(t *testing.T, owner *domain.Staff, name, phone string) *domain.Lead {
			t.Helper()
			l := newLead(owner, name, phone)
			l.Grade = domain.GradeA
			return MustCreateLead(t, db, l)
		}
		t.Run("ErrNoApprover", func(t *testing.T) { // before any manager exists
			l := newLostLead(t, boss, "Boss's own", "13300000009")
			_, err := db.RequestLost(ctx, domain.LostRequest{LeadID: l.ID, RequesterID: boss.ID, Reason: domain.LostBudget})
			AssertError(t, err, domain.ENOTFOUND, "err.no_supervisor")
			// Nothing was filed: the lead may be asked about once a manager is there.
			AssertError(t, db.InTx(ctx, func(ctx context.Context) error {
				_, err := db.LostRequestByID(ctx, 1)
				return err
			}), domain.ENOTFOUND, "callback.stale")
		})
		boss2 := MustEnrolStaff(t, db, "Boss Two", 104, domain.RoleSupervisor)
		mgr := MustEnrolStaff(t, db, "Manager", 105, domain.RoleManager)
		l := newLostLead(t, seller, "Customer", "13300000001")

		t.Run("Lifecycle", func(t *testing.T) {
			out, err := db.RequestLost(ctx, domain.LostRequest{LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostCompetitor,
				Note: "bought a <Golf> & 🚗", Decision: &domain.Decision{Verdict: domain.Approved, DeciderID: 9}})
			if err != nil {
				t.Fatal(err)
			}
			r := out.Request
			want := domain.LostRequest{ID: r.ID, StoreID: l.StoreID, LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostCompetitor,
				Note: "bought a <Golf> & 🚗", CreatedAt: now}
			if r.ID == 0 || fmt.Sprint(*r) != fmt.Sprint(want) || r.Status() != domain.LostPending {
				t.Fatalf("created %+v", r)
			}
			if out.Requester.ID != seller.ID || out.Lead.ID != l.ID || out.Lead.Grade != domain.GradeA ||
				fmt.Sprint(names(out.Approvers)) != "[Boss Boss Two]" {
				t.Fatalf("requested %+v, approvers %v", out, names(out.Approvers))
			}
			if got, err := db.LostRequestByID(ctx, r.ID); err != nil || fmt.Sprint(*got) != fmt.Sprint(want) {
				t.Fatalf("got %+v, %v", got, err)
			}

			second := domain.LostRequest{LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostBudget}
			_, err = db.RequestLost(ctx, second)
			AssertError(t, err, domain.ECONFLICT, "err.lost_pending")

			db.Now = func() time.Time { return now.Add(time.Hour) }
			defer fixClock(db)
			if got, err := db.LostToDecide(ctx, r.ID, boss.ID); err != nil || got.ID != r.ID {
				t.Fatalf("to decide %+v, %v", got, err)
			}
			decided, err := db.DecideLost(ctx, r.ID, domain.Decision{DeciderID: boss.ID, Verdict: domain.Rejected, Reason: "call again <b>first</b>"})
			if err != nil {
				t.Fatal(err)
			}
			at := now.Add(time.Hour)
			wantDecision := domain.Decision{DeciderID: boss.ID, At: at, Verdict: domain.Rejected, Reason: "call again <b>first</b>"}
			if d := decided.Request.Decision; d == nil || !d.At.Equal(at) || d.DeciderID != boss.ID || d.Verdict != domain.Rejected || d.Reason != wantDecision.Reason ||
				decided.Decider.ID != boss.ID || decided.Requester.ID != seller.ID || decided.Asked != domain.GradeA ||
				decided.Lead.Grade != domain.GradeA || fmt.Sprint(names(decided.Approvers)) != "[Boss Boss Two]" {
				t.Fatalf("decided %+v (%+v)", decided, decided.Request.Decision)
			}
			// Decided once: a second ruling, either way, is refused.
			_, err = db.DecideLost(ctx, r.ID, domain.Decision{DeciderID: boss2.ID, Verdict: domain.Approved})
			AssertError(t, err, domain.ECONFLICT, "lost.already")
			_, err = db.LostToDecide(ctx, r.ID, boss2.ID)
			AssertError(t, err, domain.ECONFLICT, "lost.already")
			got, err := db.LostRequestByID(ctx, r.ID)
			if err != nil || got.Decision == nil || got.Status() != string(domain.Rejected) ||
				fmt.Sprint(*got.Decision) != fmt.Sprint(wantDecision) || !got.Decision.At.Equal(at) {
				t.Fatalf("got %+v (%+v), %v", got, got.Decision, err)
			}
			if l, _ := db.LeadByID(ctx, l.ID); l.Grade != domain.GradeA {
				t.Fatalf("rejected lead graded %s", l.Grade)
			}

			// Once decided, the lead may be asked about again; an approval marks it F.
			out, err = db.RequestLost(ctx, second)
			if err != nil {
				t.Fatal(err)
			}
			decided, err = db.DecideLost(ctx, out.Request.ID, domain.Decision{DeciderID: boss2.ID, Verdict: domain.Approved})
			if err != nil {
				t.Fatal(err)
			}
			if decided.Lead.Grade != domain.GradeF || decided.Asked != domain.GradeA || !decided.Request.Decision.Approved() {
				t.Fatalf("approved %+v", decided)
			}
			stored, err := db.LeadByID(ctx, l.ID)
			if err != nil || stored.Grade != domain.GradeF || stored.NextDueAt != nil || stored.GradedAt == nil || !stored.GradedAt.Equal(at) {
				t.Fatalf("approved lead %+v, %v", stored, err)
			}
			events, err := db.LeadEvents(ctx, l.ID, 10)
			if err != nil || len(events) == 0 {
				t.Fatalf("events %v, %v", events, err)
			}
			if e := events[0]; e.Kind != domain.EventGrade || e.From != "A" || e.To != "F" || e.Why != domain.WhyLost || e.StaffID != boss2.ID {
				t.Fatalf("event %+v", e)
			}
			// A lost lead is closed: no more requests.
			_, err = db.RequestLost(ctx, domain.LostRequest{LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostOther})
			AssertError(t, err, domain.EINVALID, "err.lead_closed")
		})
		t.Run("OnePendingOfConcurrent", func(t *testing.T) {
			l := newLostLead(t, seller, "Race", "13300000002")
			var wg sync.WaitGroup
			errs := make([]error, 5)
			for i := range errs {
				wg.Go(func() {
					_, errs[i] = db.RequestLost(ctx, domain.LostRequest{LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostOther})
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
		t.Run("OneRulingOfConcurrent", func(t *testing.T) {
			l := newLostLead(t, seller, "Ruling race", "13300000004")
			out, err := db.RequestLost(ctx, domain.LostRequest{LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostBudget})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, who := range []*domain.Staff{boss, boss2} {
				wg.Go(func() {
					_, errs[i] = db.DecideLost(ctx, out.Request.ID, domain.Decision{DeciderID: who.ID, Verdict: domain.Approved})
				})
			}
			wg.Wait()
			decided := 0
			for _, err := range errs {
				if err == nil {
					decided++
				} else {
					AssertError(t, err, domain.ECONFLICT, "lost.already")
				}
			}
			if decided != 1 {
				t.Fatalf("%d rulings stood", decided)
			}
		})
		t.Run("ErrConflictKeepsOuterTx", func(t *testing.T) {
			l := newLostLead(t, seller, "Tx", "13300000003")
			err := db.InTx(ctx, func(ctx context.Context) error {
				r := domain.LostRequest{LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostPostponed}
				out, err := db.RequestLost(ctx, r)
				if err != nil {
					return err
				}
				_, err = db.RequestLost(ctx, r)
				AssertError(t, err, domain.ECONFLICT, "err.lost_pending")
				_, err = db.DecideLost(ctx, out.Request.ID, domain.Decision{DeciderID: boss.ID, Verdict: domain.Approved})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			l := newLostLead(t, seller, "Forbidden", "13300000005")
			_, err := db.RequestLost(ctx, domain.LostRequest{LeadID: l.ID, RequesterID: other.ID, Reason: domain.LostBudget})
			AssertError(t, err, domain.EFORBIDDEN, "err.lead_not_yours")
			out, err := db.RequestLost(ctx, domain.LostRequest{LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostBudget})
			if err != nil {
				t.Fatal(err)
			}
			for _, who := range []*domain.Staff{seller, other, mgr} { // the manager is not a consultant's approver
				_, err = db.DecideLost(ctx, out.Request.ID, domain.Decision{DeciderID: who.ID, Verdict: domain.Approved})
				AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
				_, err = db.LostToDecide(ctx, out.Request.ID, who.ID)
				AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			}
			// A supervisor's own request goes to the managers, not to the other supervisor.
			own := newLostLead(t, boss, "Boss's lead", "13300000006")
			out, err = db.RequestLost(ctx, domain.LostRequest{LeadID: own.ID, RequesterID: boss.ID, Reason: domain.LostBudget})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(names(out.Approvers)) != "[Manager]" {
				t.Fatalf("approvers %v", names(out.Approvers))
			}
			for _, who := range []*domain.Staff{boss, boss2} {
				_, err = db.DecideLost(ctx, out.Request.ID, domain.Decision{DeciderID: who.ID, Verdict: domain.Approved})
				AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			}
			if _, err := db.DecideLost(ctx, out.Request.ID, domain.Decision{DeciderID: mgr.ID, Verdict: domain.Approved}); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			_, err := db.RequestLost(ctx, domain.LostRequest{LeadID: l.ID, RequesterID: seller.ID, Reason: "bored"})
			AssertError(t, err, domain.EINVALID, "err.invalid")
			l := newLostLead(t, seller, "Invalid", "13300000007")
			out, err := db.RequestLost(ctx, domain.LostRequest{LeadID: l.ID, RequesterID: seller.ID, Reason: domain.LostOther})
			if err != nil {
				t.Fatal(err)
			}
			id := out.Request.ID
			_, err = db.DecideLost(ctx, id, domain.Decision{DeciderID: boss.ID, Verdict: domain.Verdict(domain.LostPending)})
			AssertError(t, err, domain.EINVALID, "err.invalid")
			_, err = db.DecideLost(ctx, id, domain.Decision{DeciderID: boss.ID, Verdict: domain.Rejected})
			AssertError(t, err, domain.EINVALID, "err.note_empty")
			// Ordered since it was asked: F would overwrite that.
			l.Grade = domain.GradeO
			if err := db.UpdateLead(ctx, l); err != nil {
				t.Fatal(err)
			}
			_, err = db.DecideLost(ctx, id, domain.Decision{DeciderID: boss.ID, Verdict: domain.Approved})
			AssertError(t, err, domain.EINVALID, "err.lead_closed")
			if got, err := db.LostRequestByID(ctx, id); err != nil || got.Status() != domain.LostPending {
				t.Fatalf("request %+v, %v", got, err)
			}
			if got, _ := db.LeadByID(ctx, l.ID); got.Grade != domain.GradeO {
				t.Fatalf("ordered lead became %s", got.Grade)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := db.LostRequestByID(ctx, 999999)
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
			_, err = db.LostToDecide(ctx, 999999, boss.ID)
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
			_, err = db.DecideLost(ctx, 999999, domain.Decision{DeciderID: boss.ID, Verdict: domain.Approved})
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
			_, err = db.RequestLost(ctx, domain.LostRequest{LeadID: 999999, RequesterID: seller.ID, Reason: domain.LostBudget})
			AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
			_, err = db.RequestLost(ctx, domain.LostRequest{LeadID: l.ID, RequesterID: 999999, Reason: domain.LostBudget})
			AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		})
	})
}

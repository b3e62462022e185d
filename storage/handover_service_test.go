package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR1_10_HandoverService walks the handover form through the service,
// without Telegram: telesales send a telesales lead to an active
// consultant, who alone answers it, once; an acceptance moves the lead to
// the showroom with the invitation credit kept, a decline gives a reason.
func TestR1_10_HandoverService(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		tele := MustEnrolStaff(t, db, "Tele", 301, domain.RoleTelesales)
		cons := MustEnrolStaff(t, db, "Cons", 302, domain.RoleConsultant)
		other := MustEnrolStaff(t, db, "Other", 303, domain.RoleConsultant)
		MustEnrolStaff(t, db, "Tele2", 304, domain.RoleTelesales)
		mk := func(phone string) *domain.Lead {
			l := newLead(tele, "Customer "+phone, phone)
			l.Grade = domain.GradeH
			return MustCreateLead(t, db, l)
		}
		l := mk("13700000001")

		t.Run("ErrSend", func(t *testing.T) {
			_, err := db.SendHandover(ctx, domain.Handover{LeadID: l.ID, FromID: tele.ID}, "Tele2")
			AssertError(t, err, domain.EINVALID, "err.handover_not_consultant")
			_, err = db.SendHandover(ctx, domain.Handover{LeadID: l.ID, FromID: tele.ID}, "Nobody")
			AssertError(t, err, domain.ENOTFOUND, "")
			_, err = db.SendHandover(ctx, domain.Handover{LeadID: l.ID, FromID: other.ID}, "Cons")
			AssertError(t, err, domain.EFORBIDDEN, "err.lead_not_yours")
			shown := mk("13700000009")
			shown.Pool = domain.PoolShowroom
			MustUpdateLead(t, db, shown)
			_, err = db.SendHandover(ctx, domain.Handover{LeadID: shown.ID, FromID: tele.ID}, "Cons")
			AssertError(t, err, domain.EINVALID, "err.handover_not_telesales")
			// The expected purchase date the chat read is checked here: not
			// past (yesterday, or the midnight of today), not over a year ahead.
			for _, tc := range []struct {
				by  time.Time
				key string
			}{
				{now.AddDate(0, 0, -1), "err.when_past"},
				{db.Stores.Default().Calendar.StartOfDay(now), "err.when_past"},
				{now.AddDate(1, 0, 1), "err.when_far"},
			} {
				_, err = db.SendHandover(ctx, domain.Handover{LeadID: l.ID, FromID: tele.ID, ExpectedBuyBy: tc.by}, "Cons")
				AssertError(t, err, domain.EINVALID, tc.key)
			}
		})

		var h *domain.Handover
		t.Run("Send", func(t *testing.T) {
			out, err := db.SendHandover(ctx, domain.Handover{LeadID: l.ID, FromID: tele.ID}, "Cons")
			if err != nil {
				t.Fatal(err)
			}
			h = out.Handover
			want := domain.Handover{ID: h.ID, StoreID: 1, LeadID: l.ID, FromID: tele.ID, ToID: cons.ID, Channel: l.Source,
				ExpectedBuyBy: domain.ExpectedBuyBy(domain.GradeH, now), Grade: domain.GradeH, Status: domain.HandoverPending, CreatedAt: now}
			if fmt.Sprint(*h) != fmt.Sprint(want) || out.To.ID != cons.ID || out.From.ID != tele.ID || out.Lead.ID != l.ID {
				t.Fatalf("sent %+v\nwant %+v", *h, want)
			}
			if out.Notify == nil || out.Notify.ID != cons.ID {
				t.Errorf("notify %+v: want the consultant to get the form", out.Notify)
			}
			_, err = db.SendHandover(ctx, domain.Handover{LeadID: l.ID, FromID: tele.ID}, "Other")
			AssertError(t, err, domain.ECONFLICT, "err.handover_pending")
		})

		t.Run("Answer", func(t *testing.T) {
			_, err := db.HandoverToAnswer(ctx, h.ID, other.ID)
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.AcceptHandover(ctx, h.ID, tele.ID)
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.HandoverToAnswer(ctx, 999999, cons.ID)
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
			if got, err := db.HandoverToAnswer(ctx, h.ID, cons.ID); err != nil || got.ID != h.ID {
				t.Fatalf("to answer %+v, %v", got, err)
			}
			db.Now = func() time.Time { return now.Add(time.Hour) }
			defer fixClock(db)
			out, err := db.AcceptHandover(ctx, h.ID, cons.ID)
			if err != nil {
				t.Fatal(err)
			}
			if out.Handover.Status != domain.HandoverAccepted || out.From.ID != tele.ID || out.To.ID != cons.ID ||
				out.Lead.OwnerID != cons.ID || out.Lead.Pool != domain.PoolShowroom || out.Lead.InvitedBy != tele.ID || out.Lead.NextDueAt == nil {
				t.Fatalf("accepted %+v %+v", out, out.Lead)
			}
			if out.Notify == nil || out.Notify.ID != tele.ID {
				t.Errorf("notify %+v: want the telesales told", out.Notify)
			}
			if got, _ := db.LeadByID(ctx, l.ID); got.OwnerID != cons.ID || got.InvitedBy != tele.ID {
				t.Fatalf("lead %+v", got)
			}
			events, err := db.Transfers(ctx, cons.ID, now, now.Add(2*time.Hour))
			if err != nil || len(events) != 1 || events[0].Why != domain.WhyHandover || events[0].StaffID != cons.ID {
				t.Fatalf("transfers %+v, %v", events, err)
			}
			_, err = db.AcceptHandover(ctx, h.ID, cons.ID)
			AssertError(t, err, domain.ECONFLICT, "handover.already")
			_, err = db.DeclineHandover(ctx, h.ID, cons.ID, "no")
			AssertError(t, err, domain.ECONFLICT, "handover.already")
		})

		t.Run("Decline", func(t *testing.T) {
			l2 := mk("13700000002")
			out, err := db.SendHandover(ctx, domain.Handover{LeadID: l2.ID, FromID: tele.ID, ExpectedBuyBy: now.AddDate(0, 1, 0)}, "Other")
			if err != nil || !out.Handover.ExpectedBuyBy.Equal(now.AddDate(0, 1, 0)) {
				t.Fatalf("sent %+v, %v", out, err)
			}
			_, err = db.DeclineHandover(ctx, out.Handover.ID, other.ID, " ")
			AssertError(t, err, domain.EINVALID, "err.note_empty")
			got, err := db.DeclineHandover(ctx, out.Handover.ID, other.ID, " too busy ")
			if err != nil || got.Handover.Status != domain.HandoverDeclined || got.Handover.Reason != "too busy" ||
				got.Lead.OwnerID != tele.ID || got.From.ID != tele.ID {
				t.Fatalf("declined %+v, %v", got, err)
			}
			if got.Notify == nil || got.Notify.ID != tele.ID {
				t.Errorf("notify %+v: want the telesales told", got.Notify)
			}
			// The lead moved since: a late acceptance of a new form is stale.
			again, err := db.SendHandover(ctx, domain.Handover{LeadID: l2.ID, FromID: tele.ID}, "Cons")
			if err != nil {
				t.Fatal(err)
			}
			l2.Pool = domain.PoolShowroom
			MustUpdateLead(t, db, l2)
			_, err = db.AcceptHandover(ctx, again.Handover.ID, cons.ID)
			AssertError(t, err, domain.ECONFLICT, "handover.stale")
		})

		t.Run("NotifyNobody", func(t *testing.T) {
			// A telesales not on Telegram (a form filed by another caller
			// than the chat) is not told of the answer: Notify is nil,
			// From still says whose form it was.
			quiet := MustCreateStaff(t, db, "Quiet", domain.RoleTelesales)
			lq := newLead(quiet, "Customer quiet", "13700000003")
			lq.Grade = domain.GradeH
			MustCreateLead(t, db, lq)
			sent, err := db.SendHandover(ctx, domain.Handover{LeadID: lq.ID, FromID: quiet.ID}, "Cons")
			if err != nil || sent.Notify == nil || sent.Notify.ID != cons.ID {
				t.Fatalf("sent %+v, %v", sent, err)
			}
			got, err := db.DeclineHandover(ctx, sent.Handover.ID, cons.ID, "busy")
			if err != nil || got.From == nil || got.From.ID != quiet.ID || got.Notify != nil {
				t.Fatalf("declined %+v, %v: want nobody told", got, err)
			}
		})
	})
}

// mustEnrolIn stores an active member of store st, enrolled with
// Telegram id tg.
func mustEnrolIn(tb testing.TB, db *storage.DB, st *domain.Store, name string, tg int64, roles ...domain.Role) *domain.Staff {
	tb.Helper()
	s := &domain.Staff{StoreID: st.ID, Name: name, Roles: roles, TelegramID: tg}
	if err := db.CreateStaff(ctx, s); err != nil {
		tb.Fatalf("create staff %q of %s: %v", name, st.Code, err)
	}
	return s
}

// leadIn is newLead of owner, in the owner's store.
func leadIn(owner *domain.Staff, name, phone string) *domain.Lead {
	l := newLead(owner, name, phone)
	l.StoreID = owner.StoreID
	return l
}

// TestStores_R1_10_HandoverInsideAStore: a handover is filed in its lead's
// store, to a consultant of that store (a namesake in another store is not
// the one; a name only another store has is not found); another store's
// consultant cannot see or answer it, nor a sender of another store file
// one on the lead; escalated, the lead's store's supervisors are told.
func TestStores_R1_10_HandoverInsideAStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		xj := storagetest.AddStore(t, db, "xj", "Asia/Urumqi")
		main := db.Stores.Default()
		tele := mustEnrolIn(t, db, main, "Tele", 301, domain.RoleTelesales)
		cons := mustEnrolIn(t, db, main, "Cons", 302, domain.RoleConsultant)
		sup := mustEnrolIn(t, db, main, "Sup", 303, domain.RoleSupervisor)
		xTele := mustEnrolIn(t, db, xj, "XTele", 401, domain.RoleTelesales)
		xCons := mustEnrolIn(t, db, xj, "Cons", 402, domain.RoleConsultant) // the same name, in xj
		mustEnrolIn(t, db, xj, "Only", 403, domain.RoleConsultant)
		mustEnrolIn(t, db, xj, "XSup", 404, domain.RoleSupervisor)
		l := leadIn(tele, "Customer", "13700000001")
		l.Grade = domain.GradeH
		MustCreateLead(t, db, l)

		_, err := db.SendHandover(ctx, domain.Handover{LeadID: l.ID, FromID: xTele.ID}, "Cons")
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		_, err = db.SendHandover(ctx, domain.Handover{LeadID: l.ID, FromID: tele.ID}, "Only")
		AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		out, err := db.SendHandover(ctx, domain.Handover{LeadID: l.ID, FromID: tele.ID}, "Cons")
		if err != nil {
			t.Fatal(err)
		}
		h := out.Handover
		if out.To.ID != cons.ID || h.StoreID != main.ID {
			t.Fatalf("handed to %d in store %d, want %d in %d", out.To.ID, h.StoreID, cons.ID, main.ID)
		}

		_, err = db.HandoverToAnswer(ctx, h.ID, xCons.ID)
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		_, err = db.AcceptHandover(ctx, h.ID, xCons.ID)
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		_, err = db.DeclineHandover(ctx, h.ID, xCons.ID, "busy")
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")

		r, err := db.RemindHandover(ctx, *h, true)
		must(t, err)
		if got := fmt.Sprint(names(r.Recipients)); got != "[Sup]" || r.Recipients[0].ID != sup.ID {
			t.Errorf("escalated to %s, want the lead's store's supervisor only", got)
		}
		list, err := db.UnchasedHandovers(ctx)
		if err != nil || len(list) != 1 || list[0].StoreID != main.ID {
			t.Errorf("unchased %+v, %v: want store main's only", list, err)
		}
		if _, err := db.AcceptHandover(ctx, h.ID, cons.ID); err != nil {
			t.Fatal(err)
		}
	})
}

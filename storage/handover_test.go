package storage_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

func TestLeadInvitedBy(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		tele := MustCreateStaff(t, db, "Tele", domain.RoleTelesales)
		cons := MustCreateStaff(t, db, "Cons")
		l := newLead(tele, "Invited", "13500000001")
		l.InvitedBy = tele.ID
		MustCreateLead(t, db, l)
		assertLead(t, db, l)
		l.OwnerID, l.Pool, l.InvitedBy = cons.ID, domain.PoolShowroom, cons.ID
		MustUpdateLead(t, db, l)
		assertLead(t, db, l)
		if got, err := db.LeadByPhone(ctx, l.Phone); err != nil || got.InvitedBy != cons.ID {
			t.Fatalf("by phone %+v, %v", got, err)
		}
		if got, _, err := db.LeadsByOwner(ctx, cons.ID, 0, 0); err != nil || len(got) != 1 || got[0].InvitedBy != cons.ID {
			t.Fatalf("by owner %+v, %v", got, err)
		}
		if got, err := db.FindLeads(ctx, cons.StoreID, "Invited", 0, 0, 0); err != nil || len(got) != 1 || got[0].InvitedBy != cons.ID {
			t.Fatalf("find %+v, %v", got, err)
		}
	})
}

func TestR1_8_Appointments(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		tele := MustCreateStaff(t, db, "Tele", domain.RoleTelesales)
		l := MustCreateLead(t, db, newLead(tele, "Customer", "13500000002"))
		mk := func(d time.Duration) *domain.Appointment {
			a := &domain.Appointment{LeadID: l.ID, TelesalesID: tele.ID, At: now.Add(d), Status: domain.ApptMissed, Reminded: true}
			must(t, db.CreateAppointment(ctx, a))
			return a
		}
		a := mk(2 * time.Hour)
		want := domain.Appointment{ID: a.ID, StoreID: 1, LeadID: l.ID, TelesalesID: tele.ID, At: now.Add(2 * time.Hour),
			Status: domain.ApptBooked, CreatedAt: now}
		if a.ID == 0 || fmt.Sprint(*a) != fmt.Sprint(want) {
			t.Fatalf("created %+v", a)
		}
		past := mk(-30 * time.Minute)
		old := mk(-2 * time.Hour)
		later := mk(48 * time.Hour)
		AssertError(t, db.CreateAppointment(ctx, &domain.Appointment{LeadID: 999999, At: now}), domain.ENOTFOUND, "err.lead_not_found")

		got, err := db.AppointmentsBetween(ctx, 1, now.Add(-2*time.Hour), now.Add(48*time.Hour), "")
		if err != nil || len(got) != 3 || got[0].ID != old.ID || got[1].ID != past.ID || fmt.Sprint(got[2]) != fmt.Sprint(want) {
			t.Fatalf("between %+v, %v", got, err)
		}
		b, err := db.BookedAppointment(ctx, l.ID, now, now.Add(72*time.Hour))
		if err != nil || b.ID != a.ID {
			t.Fatalf("booked %+v, %v", b, err)
		}
		_, err = db.BookedAppointment(ctx, l.ID, now.Add(3*time.Hour), now.Add(48*time.Hour))
		AssertError(t, err, domain.ENOTFOUND, "")

		// Reminders: booked, not reminded, due by before and not over an hour past.
		rem, err := db.AppointmentsToRemind(ctx, now.Add(3*time.Hour), 0)
		if err != nil || len(rem) != 2 || rem[0].ID != past.ID || rem[1].ID != a.ID {
			t.Fatalf("to remind %+v, %v", rem, err)
		}
		must(t, db.MarkAppointmentReminded(ctx, past.ID))
		AssertError(t, db.MarkAppointmentReminded(ctx, 999999), domain.ENOTFOUND, "callback.stale")
		if rem, err := db.AppointmentsToRemind(ctx, now.Add(3*time.Hour), 1); err != nil || len(rem) != 1 || rem[0].ID != a.ID {
			t.Fatalf("to remind %+v, %v", rem, err)
		}

		// Conditional status changes.
		if ok, err := db.SetAppointmentStatus(ctx, a.ID, domain.ApptBooked, domain.ApptArrived); err != nil || !ok {
			t.Fatalf("arrive %v, %v", ok, err)
		}
		if ok, err := db.SetAppointmentStatus(ctx, a.ID, domain.ApptBooked, domain.ApptMissed); err != nil || ok {
			t.Fatalf("miss after arrival %v, %v", ok, err)
		}
		_, err = db.SetAppointmentStatus(ctx, 999999, domain.ApptBooked, domain.ApptMissed)
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		_, err = db.SetAppointmentStatus(ctx, a.ID, domain.ApptArrived, "gone")
		AssertError(t, err, domain.EINVALID, "")
		if got, err := db.AppointmentsBetween(ctx, 1, now.Add(-24*time.Hour), now.Add(72*time.Hour), domain.ApptBooked); err != nil ||
			len(got) != 3 || got[2].ID != later.ID {
			t.Fatalf("booked between %+v, %v", got, err)
		}
		if got, err := db.AppointmentsBetween(ctx, 1, now.Add(-24*time.Hour), now.Add(72*time.Hour), domain.ApptArrived); err != nil ||
			len(got) != 1 || got[0].ID != a.ID || got[0].Status != domain.ApptArrived || got[0].Reminded {
			t.Fatalf("arrived between %+v, %v", got, err)
		}
	})
}

func TestR1_10_Handover(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		tele := MustCreateStaff(t, db, "Tele", domain.RoleTelesales)
		cons := MustCreateStaff(t, db, "Cons")
		l := MustCreateLead(t, db, newLead(tele, "Customer", "13500000003"))
		l2 := MustCreateLead(t, db, newLead(tele, "Other", "13500000004"))
		buy := now.Add(10 * 24 * time.Hour)
		h := &domain.Handover{LeadID: l.ID, FromID: tele.ID, ToID: cons.ID, Channel: domain.SourceWeb, ExpectedBuyBy: buy,
			Grade: domain.GradeA, Status: domain.HandoverAccepted, Escalated: true}
		must(t, db.CreateHandover(ctx, h))
		want := domain.Handover{ID: h.ID, StoreID: 1, LeadID: l.ID, FromID: tele.ID, ToID: cons.ID, Channel: domain.SourceWeb,
			ExpectedBuyBy: buy, Grade: domain.GradeA, Status: domain.HandoverPending, CreatedAt: now}
		if h.ID == 0 || fmt.Sprint(*h) != fmt.Sprint(want) {
			t.Fatalf("created %+v", h)
		}
		if got, err := db.HandoverByID(ctx, h.ID); err != nil || fmt.Sprint(*got) != fmt.Sprint(want) {
			t.Fatalf("got %+v, %v", got, err)
		}
		_, err := db.HandoverByID(ctx, 999999)
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		AssertError(t, db.CreateHandover(ctx, &domain.Handover{LeadID: l.ID, FromID: tele.ID, ToID: cons.ID}),
			domain.ECONFLICT, "err.handover_pending")
		AssertError(t, db.CreateHandover(ctx, &domain.Handover{LeadID: 999999}), domain.ENOTFOUND, "err.lead_not_found")

		db.Now = func() time.Time { return now.Add(time.Hour) }
		h2 := &domain.Handover{LeadID: l2.ID, FromID: tele.ID, ToID: cons.ID}
		must(t, db.CreateHandover(ctx, h2))
		if got, err := db.PendingHandovers(ctx, now.Add(time.Hour), 0); err != nil || len(got) != 2 || got[0].ID != h.ID || got[1].ID != h2.ID {
			t.Fatalf("pending %+v, %v", got, err)
		}
		if got, err := db.PendingHandovers(ctx, now, 0); err != nil || len(got) != 1 || got[0].ID != h.ID {
			t.Fatalf("pending before %+v, %v", got, err)
		}
		must(t, db.MarkHandoverReminded(ctx, h.ID))
		must(t, db.MarkHandoverEscalated(ctx, h.ID))
		AssertError(t, db.MarkHandoverEscalated(ctx, 999999), domain.ENOTFOUND, "callback.stale")

		_, err = db.DecideHandover(ctx, h.ID, domain.HandoverPending, "")
		AssertError(t, err, domain.EINVALID, "")
		if ok, err := db.DecideHandover(ctx, h.ID, domain.HandoverDeclined, "busy"); err != nil || !ok {
			t.Fatalf("decline %v, %v", ok, err)
		}
		if ok, err := db.DecideHandover(ctx, h.ID, domain.HandoverAccepted, ""); err != nil || ok {
			t.Fatalf("second decision %v, %v", ok, err)
		}
		_, err = db.DecideHandover(ctx, 999999, domain.HandoverAccepted, "")
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		later := now.Add(time.Hour)
		want.Status, want.Reason, want.RemindedAt, want.Escalated, want.DecidedAt = domain.HandoverDeclined, "busy", &later, true, &later
		if got, err := db.HandoverByID(ctx, h.ID); err != nil || fmt.Sprintf("%+v %v %v", *got, *got.RemindedAt, *got.DecidedAt) !=
			fmt.Sprintf("%+v %v %v", want, later, later) {
			t.Fatalf("decided %+v, %v", got, err)
		}
		// Declined, the lead may be handed over again.
		must(t, db.CreateHandover(ctx, &domain.Handover{LeadID: l.ID, FromID: tele.ID, ToID: cons.ID}))
		if got, err := db.PendingHandovers(ctx, later, 0); err != nil || len(got) != 2 || got[0].ID != h2.ID {
			t.Fatalf("pending after %+v, %v", got, err)
		}
	})
}

func TestR1_14_Collision(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		a := MustCreateStaff(t, db, "A")
		b := MustCreateStaff(t, db, "B")
		boss := MustCreateStaff(t, db, "Boss", domain.RoleSupervisor)
		l := MustCreateLead(t, db, newLead(a, "Customer", "13500000005"))
		c := &domain.Collision{LeadID: l.ID, OwnerID: a.ID, ClaimantID: b.ID, Phone: l.Phone, Source: domain.SourceWalkIn,
			Status: domain.CollisionRuled, WinnerID: 5}
		if ok, err := db.CreateCollision(ctx, c); err != nil || !ok {
			t.Fatalf("create %v, %v", ok, err)
		}
		want := domain.Collision{ID: c.ID, StoreID: l.StoreID, LeadID: l.ID, OwnerID: a.ID, ClaimantID: b.ID, Phone: l.Phone,
			Source: domain.SourceWalkIn, ClaimedAt: now, Status: domain.CollisionOpen}
		if c.ID == 0 || fmt.Sprint(*c) != fmt.Sprint(want) {
			t.Fatalf("created %+v", c)
		}
		if got, err := db.CollisionByID(ctx, c.ID); err != nil || fmt.Sprint(*got) != fmt.Sprint(want) {
			t.Fatalf("got %+v, %v", got, err)
		}
		_, err := db.CollisionByID(ctx, 999999)
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")

		// The same claim again is the same collision.
		dup := &domain.Collision{LeadID: l.ID, OwnerID: a.ID, ClaimantID: b.ID, Phone: l.Phone, ClaimedAt: now.Add(time.Hour)}
		if ok, err := db.CreateCollision(ctx, dup); err != nil || ok || dup.ID != c.ID {
			t.Fatalf("duplicate %v %+v, %v", ok, dup, err)
		}
		other := &domain.Collision{LeadID: l.ID, OwnerID: a.ID, ClaimantID: boss.ID, Phone: l.Phone, ClaimedAt: now.Add(time.Hour)}
		if ok, err := db.CreateCollision(ctx, other); err != nil || !ok || other.ID == c.ID {
			t.Fatalf("other claimant %v %+v, %v", ok, other, err)
		}
		if _, err := db.CreateCollision(ctx, &domain.Collision{LeadID: 999999, ClaimantID: 1}); err == nil {
			t.Fatal("collision of no lead")
		} else {
			AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		}

		if got, err := db.OpenCollisions(ctx, now.Add(time.Hour), 0); err != nil || len(got) != 2 || got[0].ID != c.ID || got[1].ID != other.ID {
			t.Fatalf("open %+v, %v", got, err)
		}
		if got, err := db.OpenCollisions(ctx, now, 0); err != nil || len(got) != 1 || got[0].ID != c.ID {
			t.Fatalf("open before %+v, %v", got, err)
		}

		must(t, db.SetCollisionNote(ctx, c.ID, "a", "met first at the show"))
		must(t, db.SetCollisionNote(ctx, c.ID, "b", "walked in"))
		AssertError(t, db.SetCollisionNote(ctx, c.ID, "c", "x"), domain.EINVALID, "")
		AssertError(t, db.SetCollisionNote(ctx, 999999, "a", "x"), domain.ENOTFOUND, "callback.stale")
		must(t, db.MarkCollisionReminded(ctx, c.ID))
		must(t, db.MarkCollisionEscalated(ctx, c.ID))
		AssertError(t, db.MarkCollisionReminded(ctx, 999999), domain.ENOTFOUND, "callback.stale")

		if ok, err := db.RuleCollision(ctx, c.ID, b.ID, boss.ID); err != nil || !ok {
			t.Fatalf("rule %v, %v", ok, err)
		}
		if ok, err := db.RuleCollision(ctx, c.ID, a.ID, boss.ID); err != nil || ok {
			t.Fatalf("second ruling %v, %v", ok, err)
		}
		_, err = db.RuleCollision(ctx, 999999, a.ID, boss.ID)
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		AssertError(t, db.SetCollisionNote(ctx, c.ID, "a", "late"), domain.ECONFLICT, "collision.ruled")
		want.NoteA, want.NoteB, want.Status, want.WinnerID, want.DeciderID = "met first at the show", "walked in", domain.CollisionRuled, b.ID, boss.ID
		want.Reminded, want.Escalated = true, true
		got, err := db.CollisionByID(ctx, c.ID)
		if err != nil || got.DecidedAt == nil || !got.DecidedAt.Equal(now) || got.DecidedAt.Location() != time.UTC {
			t.Fatalf("ruled %+v, %v", got, err)
		}
		got.DecidedAt = nil
		if fmt.Sprint(*got) != fmt.Sprint(want) {
			t.Fatalf("ruled %+v\nwant %+v", *got, want)
		}

		// Ruled, the claim may be raised again.
		again := &domain.Collision{LeadID: l.ID, OwnerID: b.ID, ClaimantID: b.ID, Phone: l.Phone}
		if ok, err := db.CreateCollision(ctx, again); err != nil || !ok || again.ID == c.ID {
			t.Fatalf("again %v %+v, %v", ok, again, err)
		}
	})
}

func TestLeadEvents(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		s := MustCreateStaff(t, db, "S")
		l := MustCreateLead(t, db, newLead(s, "Customer", "13500000006"))
		l2 := MustCreateLead(t, db, newLead(s, "Other", "13500000007"))
		add := func(lead *domain.Lead, d time.Duration, why string) domain.LeadEvent {
			e := domain.LeadEvent{LeadID: lead.ID, StaffID: s.ID, Kind: domain.EventGrade, From: "N", To: "H", Why: why}
			if d != 0 {
				e.At = now.Add(d)
			}
			must(t, db.AddLeadEvent(ctx, &e))
			return e
		}
		e0 := add(l, 0, domain.WhyManual)
		if e0.ID == 0 || !e0.At.Equal(now) {
			t.Fatalf("added %+v", e0)
		}
		e1 := add(l, time.Hour, domain.WhyHandover)
		e2 := add(l2, 2*time.Hour, domain.WhyRuling)
		e3 := add(l, 3*time.Hour, domain.WhyCleanup)
		AssertError(t, db.AddLeadEvent(ctx, &domain.LeadEvent{LeadID: 999999, Kind: domain.EventPool}), domain.ENOTFOUND, "err.lead_not_found")

		evIDs := func(list []domain.LeadEvent) []int64 {
			out := make([]int64, len(list))
			for i, e := range list {
				out[i] = e.ID
			}
			return out
		}
		got, err := db.LeadEvents(ctx, l.ID, 0)
		if err != nil || !slices.Equal(evIDs(got), []int64{e3.ID, e1.ID, e0.ID}) || fmt.Sprint(got[2]) != fmt.Sprint(e0) {
			t.Fatalf("events %+v, %v", got, err)
		}
		if got, err := db.LeadEvents(ctx, l.ID, 1); err != nil || !slices.Equal(evIDs(got), []int64{e3.ID}) {
			t.Fatalf("latest %+v, %v", got, err)
		}
		for _, c := range []struct {
			from, to time.Duration
			whys     []string
			limit    int
			want     []int64
		}{
			{0, 4 * time.Hour, nil, 0, []int64{e0.ID, e1.ID, e2.ID, e3.ID}},
			{time.Hour, 3 * time.Hour, nil, 0, []int64{e1.ID, e2.ID}}, // [from, to)
			{0, 4 * time.Hour, []string{domain.WhyHandover, domain.WhyCleanup}, 0, []int64{e1.ID, e3.ID}},
			{0, 4 * time.Hour, []string{domain.WhyLost}, 0, []int64{}},
			{0, 4 * time.Hour, nil, 2, []int64{e0.ID, e1.ID}},
		} {
			got, err := db.EventsBetween(ctx, db.Stores.Default().ID, now.Add(c.from), now.Add(c.to), c.whys, c.limit)
			if err != nil || !slices.Equal(evIDs(got), c.want) {
				t.Fatalf("between %v %v %v: %v, %v", c.from, c.to, c.whys, evIDs(got), err)
			}
		}
	})
}

// TestR1_10_UnchasedHandovers: the reminder job's timers start from the
// oldest pending handover not yet reminded, and not yet escalated.
func TestR1_10_UnchasedHandovers(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		tele := MustCreateStaff(t, db, "Tele", domain.RoleTelesales)
		cons := MustCreateStaff(t, db, "Cons")
		check := func(wantReminded, wantEscalated time.Time) {
			t.Helper()
			list, err := db.UnchasedHandovers(ctx)
			var r, e time.Time
			for _, u := range list {
				if u.StoreID == 1 {
					r, e = u.Unreminded, u.Unescalated
				}
			}
			if err != nil || !r.Equal(wantReminded) || !e.Equal(wantEscalated) {
				t.Fatalf("unchased %s %s, %v; want %s %s", r, e, err, wantReminded, wantEscalated)
			}
		}
		check(time.Time{}, time.Time{})
		l := MustCreateLead(t, db, newLead(tele, "Customer", "13500000013"))
		l2 := MustCreateLead(t, db, newLead(tele, "Other", "13500000014"))
		h := &domain.Handover{LeadID: l.ID, FromID: tele.ID, ToID: cons.ID}
		must(t, db.CreateHandover(ctx, h))
		later := now.Add(90 * time.Second)
		db.Now = func() time.Time { return later }
		must(t, db.CreateHandover(ctx, &domain.Handover{LeadID: l2.ID, FromID: tele.ID, ToID: cons.ID}))
		check(now, now)
		must(t, db.MarkHandoverReminded(ctx, h.ID))
		check(later, now)
		must(t, db.MarkHandoverEscalated(ctx, h.ID))
		check(later, later)
		if _, err := db.DecideHandover(ctx, h.ID, domain.HandoverAccepted, ""); err != nil {
			t.Fatal(err)
		}
		check(later, later)
	})
}

// TestR1_14_UnchasedCollisions: the same for open collisions.
func TestR1_14_UnchasedCollisions(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		a := MustCreateStaff(t, db, "A")
		b := MustCreateStaff(t, db, "B")
		boss := MustCreateStaff(t, db, "Boss", domain.RoleSupervisor)
		l := MustCreateLead(t, db, newLead(a, "Customer", "13500000015"))
		check := func(wantReminded, wantEscalated time.Time) {
			t.Helper()
			got, err := db.UnchasedCollisions(ctx)
			var r, e time.Time
			if len(got) == 1 && got[0].StoreID == l.StoreID {
				r, e = got[0].Unreminded, got[0].Unescalated
			} else if len(got) != 0 || err != nil {
				t.Fatalf("unchased %+v, %v", got, err)
			}
			if !r.Equal(wantReminded) || !e.Equal(wantEscalated) {
				t.Fatalf("unchased %s %s; want %s %s", r, e, wantReminded, wantEscalated)
			}
		}
		check(time.Time{}, time.Time{})
		c := &domain.Collision{LeadID: l.ID, OwnerID: a.ID, ClaimantID: b.ID, Phone: l.Phone, ClaimedAt: now}
		if _, err := db.CreateCollision(ctx, c); err != nil {
			t.Fatal(err)
		}
		later := now.Add(90 * time.Second)
		if _, err := db.CreateCollision(ctx, &domain.Collision{LeadID: l.ID, OwnerID: a.ID, ClaimantID: boss.ID, Phone: l.Phone, ClaimedAt: later}); err != nil {
			t.Fatal(err)
		}
		check(now, now)
		must(t, db.MarkCollisionReminded(ctx, c.ID))
		check(later, now)
		must(t, db.MarkCollisionEscalated(ctx, c.ID))
		check(later, later)
	})
}

package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// serviceDB is a DB with the clock fixed and the default regulation.
func serviceDB(db *storage.DB) *storage.DB {
	fixClock(db)
	db.Stores.Default().Rules = domain.DefaultRules()
	db.Stores.Default().Calendar = &domain.Calendar{Location: time.UTC, Open: 0, Close: 24*60 - 1, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	return db
}

// TestR1_LeadService walks the daily work on a lead through the service,
// without Telegram: logging (duplicate, someone else's customer, a closed
// one), who sees it, a follow-up with an L to confirm, a grade, reopening.
func TestR1_LeadService(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		serviceDB(db)
		chen := MustEnrolStaff(t, db, "Chen", 201, domain.RoleConsultant)
		liu := MustEnrolStaff(t, db, "Liu", 202, domain.RoleConsultant)
		sup := MustEnrolStaff(t, db, "Sup", 203, domain.RoleSupervisor)
		draft := domain.LeadDraft{Name: "王石", Phone: "13800138000", Model: "轩逸", Grade: "H", Source: "来电"}

		out, err := db.AddLead(ctx, chen.ID, draft)
		if err != nil || out.Lead == nil || out.Lead.OwnerID != chen.ID || out.Lead.NextDueAt == nil {
			t.Fatalf("created %+v, %v", out, err)
		}
		l := out.Lead
		_, err = db.AddLead(ctx, chen.ID, draft)
		AssertError(t, err, domain.ECONFLICT, "err.lead_exists")
		out, err = db.AddLead(ctx, liu.ID, draft)
		if err != nil || out.Collision == nil || !out.Collision.Created || out.Lead != nil {
			t.Fatalf("someone else's customer: %+v, %v", out, err)
		}

		_, err = db.ShowLead(ctx, liu.ID, domain.LeadRef{ID: l.ID})
		AssertError(t, err, domain.EFORBIDDEN, "err.lead_not_yours")
		if got, err := db.ShowLead(ctx, sup.ID, domain.LeadRef{Phone: "13800138000"}); err != nil || got.ID != l.ID {
			t.Fatalf("supervisor sees %v, %v", got, err)
		}
		if found, err := db.SearchLeads(ctx, liu.ID, "王", 20); err != nil || len(found.Leads) != 0 || len(found.Elsewhere) != 0 {
			t.Fatalf("liu finds %+v, %v", found, err)
		}

		_, err = db.LogFollowUp(ctx, chen.ID, domain.LeadRef{ID: l.ID}, domain.ChannelPhone, " ", "")
		AssertError(t, err, domain.EINVALID, "err.note_empty")
		fu, err := db.LogFollowUp(ctx, chen.ID, domain.LeadRef{ID: l.ID}, domain.ChannelPhone, "打不通", domain.GradeL)
		if err != nil || fu.Confirm != domain.GradeL || fu.Lead.Grade != domain.GradeH || fu.Lead.FollowUps != 1 {
			t.Fatalf("follow-up with L: %+v, %v", fu, err)
		}
		g, err := db.ChangeGrade(ctx, chen.ID, domain.LeadRef{ID: l.ID}, "l", false)
		if err != nil || g.Confirm != domain.GradeL || g.Lead.Grade != domain.GradeH {
			t.Fatalf("L unconfirmed: %+v, %v", g, err)
		}
		if g, err = db.ChangeGrade(ctx, chen.ID, domain.LeadRef{ID: l.ID}, "L", true); err != nil || g.Lead.Grade != domain.GradeL || g.Before != domain.GradeH {
			t.Fatalf("L confirmed: %+v, %v", g, err)
		}
		_, err = db.ChangeGrade(ctx, chen.ID, domain.LeadRef{ID: l.ID}, "A", false)
		AssertError(t, err, domain.EINVALID, "err.lead_closed")

		// Logged again: pointed to the closed lead, not doubled.
		if out, err = db.AddLead(ctx, liu.ID, draft); err != nil || out.Closed == nil || out.Closed.ID != l.ID {
			t.Fatalf("closed customer: %+v, %v", out, err)
		}
		_, err = db.ReopenLead(ctx, chen.ID, domain.LeadRef{ID: l.ID}, domain.GradeA)
		AssertError(t, err, domain.EFORBIDDEN, "err.reopen_forbidden")
		ro, err := db.ReopenLead(ctx, sup.ID, domain.LeadRef{ID: l.ID}, "")
		if err != nil || ro.Reopened {
			t.Fatalf("check only: %+v, %v", ro, err)
		}
		ro, err = db.ReopenLead(ctx, sup.ID, domain.LeadRef{ID: l.ID}, domain.GradeA)
		if err != nil || !ro.Reopened || ro.Lead.Grade != domain.GradeA || ro.Owner.ID != chen.ID || len(ro.Supervisors) != 0 ||
			ro.Notify == nil || ro.Notify.ID != chen.ID {
			t.Fatalf("reopened: %+v, %v", ro, err)
		}
		h, err := db.LeadHistory(ctx, l.ID, 10)
		if err != nil || len(h.FollowUps) != 1 || len(h.Events) != 2 {
			t.Fatalf("history %+v, %v", h, err)
		}
		if mine, n, err := db.MyLeads(ctx, chen.ID, 0, 10); err != nil || n != 1 || mine[0].ID != l.ID {
			t.Fatalf("my leads %v %d %v", mine, n, err)
		}
	})
}

// TestR1_LeadService_ReopenNotify: reopening a lead names whom to tell —
// the owner only when someone else reopened it and they can be told, the
// supervisors but neither the reopener nor the owner.
func TestR1_LeadService_ReopenNotify(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		serviceDB(db)
		chen := MustEnrolStaff(t, db, "Chen", 201, domain.RoleConsultant)
		offline := MustCreateStaff(t, db, "Offline", domain.RoleConsultant)
		gone := MustEnrolStaff(t, db, "Gone", 202, domain.RoleConsultant)
		if err := db.DeactivateStaff(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		sup := MustEnrolStaff(t, db, "Sup", 203, domain.RoleSupervisor)
		MustEnrolStaff(t, db, "Sup2", 204, domain.RoleSupervisor)
		mgr := MustEnrolStaff(t, db, "Mgr", 205, domain.RoleManager)
		for i, tc := range []struct {
			name         string
			owner, by    *domain.Staff
			notify, sups string
		}{
			{"OwnerTold", chen, sup, "Chen", "[Sup2]"},
			{"ByManager", chen, mgr, "Chen", "[Sup Sup2]"},
			{"OwnerNotEnrolled", offline, sup, "", "[Sup2]"},
			{"OwnerDeactivated", gone, sup, "", "[Sup2]"},
			{"OwnersOwnAct", sup, sup, "", "[Sup2]"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				l := newLead(tc.owner, "王石", fmt.Sprintf("1380013810%d", i))
				l.Grade = domain.GradeL
				MustCreateLead(t, db, l)
				ro, err := db.ReopenLead(ctx, tc.by.ID, domain.LeadRef{ID: l.ID}, domain.GradeA)
				if err != nil || !ro.Reopened || ro.Owner.ID != tc.owner.ID {
					t.Fatalf("reopened %+v, %v", ro, err)
				}
				notify := ""
				if ro.Notify != nil {
					notify = ro.Notify.Name
				}
				if notify != tc.notify || fmt.Sprint(names(ro.Supervisors)) != tc.sups {
					t.Errorf("told %q and %v; want %q and %s", notify, names(ro.Supervisors), tc.notify, tc.sups)
				}
			})
		}
	})
}

// TestR1_11_VisitService registers visits through the service: a lost
// customer's visit reopens the lead, a departure is recorded once, and
// the grade prompt comes a day later, once.
func TestR1_11_VisitService(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		serviceDB(db)
		chen := MustEnrolStaff(t, db, "Chen", 301, domain.RoleConsultant)
		sup := MustEnrolStaff(t, db, "Sup", 302, domain.RoleSupervisor)
		l := newLead(chen, "王石", "13800138001")
		l.Pool, l.Grade = domain.PoolShowroom, domain.GradeL
		MustCreateLead(t, db, l)

		out, err := db.RegisterVisit(ctx, chen.ID, domain.LeadRef{Phone: l.Phone}, "")
		if err != nil || out.Reopened == nil || out.Reopened.Was != domain.GradeL || out.Lead.Grade != domain.GradeN ||
			!out.Visit.First || out.Collision != nil || len(out.Reopened.Supervisors) != 1 || out.Reopened.Supervisors[0].ID != sup.ID {
			t.Fatalf("visit: %+v, %v", out, err)
		}
		if _, err := db.DepartVisit(ctx, chen.ID, out.Visit.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.DepartVisit(ctx, chen.ID, out.Visit.ID)
		AssertError(t, err, domain.ECONFLICT, "visit.already_left")

		next, ok, err := db.NextGradePrompt(ctx)
		if err != nil || !ok || !next.Equal(out.Visit.ArrivedAt) {
			t.Fatalf("next prompt %v %v %v", next, ok, err)
		}
		p, err := db.GradePrompts(ctx, now.Add(time.Second), 100)
		if err != nil || p.Visits != 1 || len(p.Prompts) != 1 || p.Prompts[0].Consultant.ID != chen.ID {
			t.Fatalf("prompts %+v, %v", p, err)
		}
		if p, err = db.GradePrompts(ctx, now.Add(time.Second), 100); err != nil || p.Visits != 0 {
			t.Fatalf("prompted twice: %+v, %v", p, err)
		}
		_, err = db.RegisterVisit(ctx, chen.ID, domain.LeadRef{Phone: "13900000000"}, "")
		AssertError(t, err, domain.ENOTFOUND, "err.lead_phone_not_found")
	})
}

// TestR1_2_LeadPhoneSaysWhatLoggingWouldMeet: the phone is the customer's
// identity; before a lead is logged the dialogue learns whether the
// caller has the customer open already (Mine) or the customer has a lost
// or unreachable lead to reopen (Closed, whoever owns it); another's open
// lead, a delivered one or an unknown phone is neither.
func TestR1_2_LeadPhoneSaysWhatLoggingWouldMeet(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		serviceDB(db)
		chen := MustEnrolStaff(t, db, "Chen", 701, domain.RoleConsultant)
		liu := MustEnrolStaff(t, db, "Liu", 702, domain.RoleConsultant)
		lead := func(owner *domain.Staff, phone string, g domain.Grade) *domain.Lead {
			t.Helper()
			l := MustCreateLead(t, db, newLead(owner, "Customer "+phone, phone))
			l.Grade = g
			MustUpdateLead(t, db, l)
			return l
		}
		open := lead(chen, "13800000701", domain.GradeA)
		lost := lead(liu, "13800000702", domain.GradeF)
		unreachable := lead(liu, "13800000703", domain.GradeL)
		lead(chen, "13800000704", domain.GradeD)

		for _, c := range []struct {
			name         string
			by           *domain.Staff
			phone        string
			mine, closed *domain.Lead
		}{
			{"Mine", chen, open.Phone, open, nil},
			{"AnothersOpen", liu, open.Phone, nil, nil},
			{"Lost", chen, lost.Phone, nil, lost},
			{"Unreachable", liu, unreachable.Phone, nil, unreachable},
			{"Delivered", chen, "13800000704", nil, nil},
			{"Unknown", chen, "13800000799", nil, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				out, err := db.LeadPhone(ctx, c.by.ID, c.phone)
				if err != nil {
					t.Fatal(err)
				}
				id := func(l *domain.Lead) int64 {
					if l == nil {
						return 0
					}
					return l.ID
				}
				if id(out.Mine) != id(c.mine) || id(out.Closed) != id(c.closed) {
					t.Fatalf("mine #%d closed #%d, want #%d and #%d", id(out.Mine), id(out.Closed), id(c.mine), id(c.closed))
				}
			})
		}
	})
}

// TestR1_5_WorkLeadByItsOwnerOrAboveWhileOpen: a follow-up or a grade
// change (R1.5) is for the lead's owner and the supervisors above, on an
// open lead; found by id or phone.
func TestR1_5_WorkLeadByItsOwnerOrAboveWhileOpen(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		serviceDB(db)
		chen := MustEnrolStaff(t, db, "Chen", 711, domain.RoleConsultant)
		liu := MustEnrolStaff(t, db, "Liu", 712, domain.RoleConsultant)
		sup := MustEnrolStaff(t, db, "Sup", 713, domain.RoleSupervisor)
		svc := MustEnrolStaff(t, db, "Service", 714, domain.RoleService) // sees leads, works none
		l := MustCreateLead(t, db, newLead(chen, "王石", "13800000711"))
		closed := newLead(chen, "李四", "13800000712")
		closed.Grade = domain.GradeL
		MustCreateLead(t, db, closed)

		for _, who := range []*domain.Staff{chen, sup} {
			for _, ref := range []domain.LeadRef{{ID: l.ID}, {Phone: l.Phone}} {
				if got, err := db.WorkLead(ctx, who.ID, ref); err != nil || got.ID != l.ID {
					t.Fatalf("%s works %+v: %v, %v", who.Name, ref, got, err)
				}
			}
		}
		_, err := db.WorkLead(ctx, liu.ID, domain.LeadRef{ID: l.ID})
		AssertError(t, err, domain.EFORBIDDEN, "err.lead_not_yours")
		if _, err := db.ShowLead(ctx, svc.ID, domain.LeadRef{ID: l.ID}); err != nil {
			t.Fatalf("service sees the lead: %v", err)
		}
		_, err = db.WorkLead(ctx, svc.ID, domain.LeadRef{ID: l.ID})
		AssertError(t, err, domain.EFORBIDDEN, "err.lead_not_yours")
		_, err = db.WorkLead(ctx, chen.ID, domain.LeadRef{ID: closed.ID})
		AssertError(t, err, domain.EINVALID, "err.lead_closed")
		_, err = db.WorkLead(ctx, chen.ID, domain.LeadRef{ID: 999999})
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		_, err = db.WorkLead(ctx, chen.ID, domain.LeadRef{Phone: "13800000799"})
		AssertError(t, err, domain.ENOTFOUND, "err.lead_phone_not_found")
	})
}

// TestR1_11_CustomerLeadForWhoeverMeetsTheCustomer: whoever deals with
// the customer in person (reception registering a visit, R1.11; a
// complaint) finds their lead, anyone's, open or closed.
func TestR1_11_CustomerLeadForWhoeverMeetsTheCustomer(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		serviceDB(db)
		chen := MustEnrolStaff(t, db, "Chen", 721, domain.RoleConsultant)
		l := MustCreateLead(t, db, newLead(chen, "王石", "13800000721"))
		closed := newLead(chen, "李四", "13800000722")
		closed.Grade = domain.GradeL
		MustCreateLead(t, db, closed)

		for _, c := range []struct {
			ref  domain.LeadRef
			want int64
		}{
			{domain.LeadRef{ID: l.ID}, l.ID},
			{domain.LeadRef{Phone: l.Phone}, l.ID},
			{domain.LeadRef{Phone: closed.Phone}, closed.ID},
		} {
			if got, err := db.CustomerLead(ctx, chen.ID, c.ref); err != nil || got.ID != c.want {
				t.Fatalf("%+v: %v, %v; want #%d", c.ref, got, err, c.want)
			}
		}
		_, err := db.CustomerLead(ctx, chen.ID, domain.LeadRef{ID: 999999})
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		_, err = db.CustomerLead(ctx, chen.ID, domain.LeadRef{Phone: "13800000799"})
		AssertError(t, err, domain.ENOTFOUND, "err.lead_phone_not_found")
	})
}

// TestR1_5_TodayLeadsKeepTheOverdue: /today lists the caller's leads due
// by the end of the store's day, the longest due first: overdue ones stay
// on it every day until logged; tomorrow's and others' do not show.
func TestR1_5_TodayLeadsKeepTheOverdue(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		serviceDB(db)
		chen := MustEnrolStaff(t, db, "Chen", 731, domain.RoleConsultant)
		liu := MustEnrolStaff(t, db, "Liu", 732, domain.RoleConsultant)
		day, h := 24*time.Hour, time.Hour
		var never time.Time
		mustDueLead(t, db, chen, "Today", "13800000731", domain.GradeH, morningToday.Add(23*h))
		mustDueLead(t, db, chen, "Week", "13800000732", domain.GradeA, morningToday.Add(-7*day))
		mustDueLead(t, db, chen, "Tomorrow", "13800000733", domain.GradeH, morningToday.Add(day))
		mustDueLead(t, db, chen, "Never", "13800000734", domain.GradeC, never)
		mustDueLead(t, db, chen, "Morning", "13800000735", domain.GradeB, morningToday.Add(h))
		mustDueLead(t, db, liu, "Liu's", "13800000736", domain.GradeA, morningToday.Add(-day))

		for _, c := range []struct {
			by    *domain.Staff
			limit int
			want  string
		}{
			{chen, 10, "[Week Morning Today]"},
			{chen, 2, "[Week Morning]"},
			{liu, 10, "[Liu's]"},
		} {
			got, err := db.TodayLeads(ctx, c.by.ID, c.limit)
			if err != nil || fmt.Sprint(leadNames(got)) != c.want {
				t.Errorf("%s's today (limit %d): %v, %v; want %s", c.by.Name, c.limit, leadNames(got), err, c.want)
			}
		}
	})
}

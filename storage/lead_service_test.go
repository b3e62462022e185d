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
	db.Rules = domain.DefaultRules()
	db.Calendar = &domain.Calendar{Location: time.UTC, Open: 0, Close: 24*60 - 1, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
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
		if found, err := db.SearchLeads(ctx, liu.ID, "王", 20); err != nil || len(found) != 0 {
			t.Fatalf("liu finds %d, %v", len(found), err)
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

package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR2_ComplaintService walks a complaint through the service without
// Telegram: registration and its owner, who sees and lists it, the acts
// and their permissions, take-over and reassignment, the close and the
// service centre's survey, and the weekly register.
func TestR2_ComplaintService(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		clerk := MustEnrolStaff(t, db, "Clerk", 201, domain.RoleReception)
		sup := &domain.Staff{Name: "Sup", Roles: domain.Roles{domain.RoleSupervisor}, TelegramID: 202, Department: "销售部"}
		if err := db.CreateStaff(ctx, sup); err != nil {
			t.Fatal(err)
		}
		mgr := MustEnrolStaff(t, db, "Mgr", 203, domain.RoleManager)
		seller := MustEnrolStaff(t, db, "Seller", 204, domain.RoleConsultant)
		offline := MustCreateStaff(t, db, "Offline", domain.RoleConsultant)
		draft := domain.Complaint{Customer: "李娜", Phone: "13900000001", Channel: domain.ChannelCall,
			Subject: domain.SubjectService, Department: "销售部", Description: "等了两个小时", RegisteredBy: clerk.ID}

		var id int64
		t.Run("Register", func(t *testing.T) {
			out, err := db.RegisterComplaint(ctx, draft, "")
			if err != nil {
				t.Fatal(err)
			}
			c := out.View.Complaint
			id = c.ID
			if out.Owner.ID != sup.ID || out.Notify == nil || out.Notify.ID != sup.ID || c.OwnerID != sup.ID || c.Status != domain.ComplaintOpen || !c.OpenedAt.Equal(now) {
				t.Fatalf("registered %+v owner %s: want open, owned by the department's supervisor", c, out.Owner.Name)
			}
			if len(out.View.Actions) != 1 || out.View.Actions[0].Kind != domain.ActionRegistered || out.View.Actions[0].StaffID != clerk.ID {
				t.Errorf("actions %+v", out.View.Actions)
			}
			// A service complaint by phone owes the manager's opinion.
			if !out.OpinionAsked || out.Opinion.Kind != domain.DeadlineOpinion || len(out.View.OpinionGivers) != 1 || out.View.OpinionGivers[0].ID != mgr.ID {
				t.Errorf("opinion %v %+v givers %v", out.OpinionAsked, out.Opinion, names(out.View.OpinionGivers))
			}
		})
		t.Run("ErrRegister", func(t *testing.T) {
			_, err := db.RegisterComplaint(ctx, draft, "Offline")
			AssertError(t, err, domain.EINVALID, "err.staff_not_found")
			bad := draft
			bad.Department = "无此部门"
			_, err = db.RegisterComplaint(ctx, bad, "")
			AssertError(t, err, domain.EINVALID, "err.department_bad")
		})
		t.Run("SeeAndList", func(t *testing.T) {
			if _, err := db.ComplaintFor(ctx, id, clerk.ID); err != nil {
				t.Errorf("the registrar may see it: %v", err)
			}
			_, err := db.ComplaintFor(ctx, id, seller.ID)
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.ComplaintFor(ctx, 999, clerk.ID)
			AssertError(t, err, domain.ENOTFOUND, "err.complaint_not_found")
			for _, tc := range []struct {
				who  *domain.Staff
				want int
			}{{sup, 1}, {seller, 0}, {mgr, 1}} {
				list, err := db.ListComplaints(ctx, tc.who.ID, domain.ComplaintFilter{})
				if err != nil || len(list) != tc.want {
					t.Errorf("%s lists %d (%v), want %d", tc.who.Name, len(list), err, tc.want)
				}
			}
		})
		t.Run("ErrAct", func(t *testing.T) {
			_, err := db.CheckComplaintAct(ctx, id, seller.ID, domain.ActReply)
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.CheckComplaintAct(ctx, id, sup.ID, domain.ActClose)
			AssertError(t, err, domain.EINVALID, "err.close_no_reply")
			_, err = db.CheckComplaintAct(ctx, id, sup.ID, domain.ActOpinion)
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.CheckComplaintAct(ctx, id, sup.ID, "dance")
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
			_, err = db.ActOnComplaint(ctx, domain.ComplaintAct{ComplaintID: id, StaffID: sup.ID, Act: domain.ActReply, Note: "  "})
			AssertError(t, err, domain.EINVALID, "err.note_empty")
		})
		t.Run("Act", func(t *testing.T) {
			out, err := db.ActOnComplaint(ctx, domain.ComplaintAct{ComplaintID: id, StaffID: sup.ID, Act: domain.ActReply, Note: " 已回复 "})
			if err != nil {
				t.Fatal(err)
			}
			if c := out.View.Complaint; c.FirstReplyAt == nil || !c.FirstReplyAt.Equal(now) {
				t.Errorf("first reply %v", c.FirstReplyAt)
			}
			if last := out.View.Actions[len(out.View.Actions)-1]; last.Kind != domain.ActReply || last.Note != "已回复" || out.View.Version() != last.ID {
				t.Errorf("last action %+v version %d", last, out.View.Version())
			}
			if _, err := db.ActOnComplaint(ctx, domain.ComplaintAct{ComplaintID: id, StaffID: mgr.ID, Act: domain.ActOpinion, Note: "同意"}); err != nil {
				t.Errorf("the department's manager gives the opinion: %v", err)
			}
		})
		t.Run("TakeOverAndReassign", func(t *testing.T) {
			_, err := db.TakeOverComplaint(ctx, id, seller.ID)
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			out, err := db.TakeOverComplaint(ctx, id, mgr.ID)
			if err != nil {
				t.Fatal(err)
			}
			if out.To.ID != mgr.ID || out.Notify != nil || out.Former == nil || out.Former.ID != sup.ID || out.View.Complaint.OwnerID != mgr.ID {
				t.Errorf("take-over %+v", out)
			}
			_, err = db.ReassignComplaint(ctx, id, mgr.ID, "Offline")
			AssertError(t, err, domain.EINVALID, "err.staff_not_found")
			_, err = db.ReassignComplaint(ctx, id, mgr.ID, "Nobody")
			AssertError(t, err, domain.ENOTFOUND, "")
			out, err = db.ReassignComplaint(ctx, id, mgr.ID, " Sup ")
			if err != nil {
				t.Fatal(err)
			}
			// The former owner reassigned it: they are not told.
			if out.To.ID != sup.ID || out.Former != nil || out.Notify == nil || out.Notify.ID != sup.ID {
				t.Errorf("reassign %+v", out)
			}
			if last := out.View.Actions[len(out.View.Actions)-1]; last.Kind != domain.ActionOwner || last.Note != "Mgr → Sup" {
				t.Errorf("owner action %+v", last)
			}
			_ = offline
		})
		t.Run("ErrCloseNoService", func(t *testing.T) {
			valid := true
			_, err := db.ActOnComplaint(ctx, domain.ComplaintAct{ComplaintID: id, StaffID: sup.ID, Act: domain.ActClose, Note: "结案", Valid: &valid})
			AssertError(t, err, domain.ENOTFOUND, "err.no_service")
			assertStatus(t, db, id, domain.ComplaintOpen)
		})
		svc := MustEnrolStaff(t, db, "Svc", 205, domain.RoleService)
		t.Run("CloseAndReopen", func(t *testing.T) {
			valid := true
			out, err := db.ActOnComplaint(ctx, domain.ComplaintAct{ComplaintID: id, StaffID: sup.ID, Act: domain.ActClose, Note: "结案", Valid: &valid})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Surveyors) != 1 || out.Surveyors[0].ID != svc.ID || out.View.Complaint.Status != domain.ComplaintClosing {
				t.Fatalf("close %+v", out)
			}
			if err := db.RememberComplaintCard(ctx, domain.ComplaintCard{ComplaintID: id, StaffID: svc.ID, Kind: domain.CardSurvey, Key: "survey-1"}); err != nil {
				t.Fatal(err)
			}
			_, err = db.SurveyComplaint(ctx, id, sup.ID, "d", "")
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.SurveyComplaint(ctx, id, svc.ID, "x", "")
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
			got, err := db.SurveyComplaint(ctx, id, svc.ID, "d", " 不满意 ")
			if err != nil {
				t.Fatal(err)
			}
			c := got.View.Complaint
			if !got.Reopened() || c.Status != domain.ComplaintOpen || c.FirstReplyAt != nil || got.Notify == nil || got.Notify.ID != sup.ID || !got.OpinionAsked {
				t.Errorf("reopened %+v", got)
			}
			// The survey card is rewritten once more from the outcome, then forgotten.
			if len(got.View.Cards) != 1 {
				t.Errorf("cards in the outcome %+v", got.View.Cards)
			}
			if v, _ := db.ComplaintView(ctx, id); len(v.Cards) != 0 {
				t.Errorf("survey cards left %+v", v.Cards)
			}
			_, err = db.SurveyComplaint(ctx, id, svc.ID, "s", "")
			AssertError(t, err, domain.ECONFLICT, "cmp.not_closing")
		})
		t.Run("WeeklyRegister", func(t *testing.T) {
			reg, err := db.WeeklyRegister(ctx, svc.ID, svc.StoreID, now)
			if err != nil {
				t.Fatal(err)
			}
			if len(reg.To) != 1 || reg.To[0].ID != svc.ID || len(reg.Sheets) != len(db.Stores.Default().Rules.Complaints.Departments) {
				t.Fatalf("register %+v", reg)
			}
			rows := reg.Sheets[0].Rows
			if reg.Sheets[0].Department != "销售部" || len(rows) != 1 || rows[0].ID != id || rows[0].Owner != "Sup" {
				t.Fatalf("rows %+v", rows)
			}
			// The first round's reply was met and is kept after the reopening.
			if d := rows[0].Deadlines; len(d) == 0 || d[0] != (domain.RegisterDeadline{Kind: domain.DeadlineReply, State: domain.DeadlineMet}) {
				t.Errorf("deadlines %+v", d)
			}
			rem, err := db.RegisterReminder(ctx, svc.ID, svc.StoreID, now.Add(24*time.Hour)) // any instant of the week
			if err != nil {
				t.Fatal(err)
			}
			if rem.Total != 1 || rem.Open != 1 || len(rem.To) != 1 {
				t.Errorf("reminder %+v", rem)
			}
		})
	})
}

// TestR2_ComplaintService_Notify: the outcomes name whom to tell of a
// registration, a take-over or reassignment and a survey — never the one
// who acted, nobody who cannot be reached.
func TestR2_ComplaintService_Notify(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		clerk := MustEnrolStaff(t, db, "Clerk", 301, domain.RoleReception)
		mgr := MustEnrolStaff(t, db, "Mgr", 302, domain.RoleManager)
		gm := MustEnrolStaff(t, db, "GM", 303, domain.RoleGM)
		svc := MustEnrolStaff(t, db, "Svc", 304, domain.RoleService)
		draft := domain.Complaint{Customer: "李娜", Phone: "13900000002", Channel: domain.ChannelCall,
			Subject: domain.SubjectService, Department: "销售部", Description: "等了两个小时", RegisteredBy: clerk.ID}
		name := func(s *domain.Staff) string {
			if s == nil {
				return ""
			}
			return s.Name
		}
		closeIt := func(t *testing.T, id int64, by *domain.Staff) {
			t.Helper()
			valid := true
			for _, a := range []domain.ComplaintAct{{ComplaintID: id, StaffID: by.ID, Act: domain.ActReply, Note: "已回复"},
				{ComplaintID: id, StaffID: by.ID, Act: domain.ActClose, Note: "结案", Valid: &valid}} {
				if _, err := db.ActOnComplaint(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
		}

		var id int64
		t.Run("RegistrarOwnsIt", func(t *testing.T) {
			// No supervisor: the registrar owns it, and is not told.
			out, err := db.RegisterComplaint(ctx, draft, "")
			if err != nil || out.Owner.ID != clerk.ID || out.Notify != nil {
				t.Fatalf("registered %+v, %v: want owned by the clerk, nobody told", out, err)
			}
			id = out.View.Complaint.ID
		})
		for _, tc := range []struct {
			name           string
			by             *domain.Staff
			to             string // "" takes it over
			notify, former string
		}{
			{"ReassignedByAThird", gm, "Mgr", "Mgr", "Clerk"},
			{"TakenOver", gm, "", "", "Mgr"},
			{"ReassignedByTheFormer", gm, "Svc", "Svc", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var out *domain.ComplaintReassigned
				var err error
				if tc.to == "" {
					out, err = db.TakeOverComplaint(ctx, id, tc.by.ID)
				} else {
					out, err = db.ReassignComplaint(ctx, id, tc.by.ID, tc.to)
				}
				if err != nil || name(out.Notify) != tc.notify || name(out.Former) != tc.former {
					t.Fatalf("got %+v, %v: want %q given the card, %q told", out, err, tc.notify, tc.former)
				}
			})
		}
		t.Run("SurveyedByTheOwner", func(t *testing.T) {
			closeIt(t, id, gm)
			out, err := db.SurveyComplaint(ctx, id, svc.ID, "d", "")
			if err != nil || out.View.Complaint.OwnerID != svc.ID || out.Notify != nil {
				t.Fatalf("surveyed %+v, %v: the owner surveyed it, nobody to tell", out, err)
			}
		})
		t.Run("OwnerDeactivated", func(t *testing.T) {
			out, err := db.RegisterComplaint(ctx, draft, "Mgr")
			if err != nil || out.Notify == nil || out.Notify.ID != mgr.ID {
				t.Fatalf("registered %+v, %v: want the named owner told", out, err)
			}
			cid := out.View.Complaint.ID
			closeIt(t, cid, gm)
			if err := db.DeactivateStaff(ctx, mgr.ID); err != nil {
				t.Fatal(err)
			}
			got, err := db.SurveyComplaint(ctx, cid, svc.ID, "s", "")
			if err != nil || got.Notify != nil {
				t.Fatalf("surveyed %+v, %v: a deactivated owner is not told", got, err)
			}
		})
	})
}

// assertStatus fails unless complaint id has status.
func assertStatus(tb testing.TB, db *storage.DB, id int64, status string) {
	tb.Helper()
	err := db.InTx(ctx, func(ctx context.Context) error {
		c, err := db.ComplaintByID(ctx, id)
		if err == nil && c.Status != status {
			tb.Errorf("complaint %d is %s, want %s", id, c.Status, status)
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

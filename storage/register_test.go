package storage_test

import (
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR2_8_RegisterService: the register and its reminder are read by the
// roles of /register and by the server (domain.Console, the job); a
// consultant, a deactivated reader and an unknown id are refused inside
// the service. The week is any instant of it; the rows are the week's
// complaints, the recipients the reachable service centre.
func TestR2_8_RegisterService(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		svc := MustEnrolStaff(t, db, "Svc", 301, domain.RoleService)
		sup := MustEnrolStaff(t, db, "Sup", 302, domain.RoleSupervisor)
		mgr := MustEnrolStaff(t, db, "Mgr", 303, domain.RoleManager)
		gm := MustEnrolStaff(t, db, "GM", 304, domain.RoleGM)
		seller := MustEnrolStaff(t, db, "Seller", 305, domain.RoleConsultant)
		gone := MustEnrolStaff(t, db, "Gone", 306, domain.RoleService)
		if _, err := db.Deactivate(ctx, domain.Console, "Gone"); err != nil {
			t.Fatal(err)
		}
		dept := db.Stores.Default().Rules.Complaints.Departments[0]
		if _, err := db.RegisterComplaint(ctx, domain.Complaint{Customer: "李娜", Phone: "13900000001", Channel: domain.ChannelCall,
			Subject: domain.SubjectService, Department: dept, Description: "等了两个小时", RegisteredBy: svc.ID}, ""); err != nil {
			t.Fatal(err)
		}
		week := domain.WeekStart(now, db.Stores.Default().Calendar.Location)
		store := db.Stores.Default().ID

		t.Run("OK", func(t *testing.T) {
			for _, by := range []int64{svc.ID, sup.ID, mgr.ID, gm.ID, domain.Console} {
				reg, err := db.WeeklyRegister(ctx, by, store, now.Add(48*time.Hour))
				if err != nil {
					t.Fatalf("register read by %d: %v", by, err)
				}
				if !reg.Start.Equal(week) || len(reg.Sheets) != len(db.Stores.Default().Rules.Complaints.Departments) || reg.Sheets[0].Department != dept {
					t.Fatalf("register %+v", reg)
				}
				if len(reg.Sheets[0].Rows) != 1 || reg.Sheets[0].Rows[0].Customer != "李娜" {
					t.Errorf("rows %+v", reg.Sheets[0].Rows)
				}
				if got := names(reg.To); len(got) != 1 || got[0] != "Svc" {
					t.Errorf("to %v, want the reachable service centre", got)
				}
				rem, err := db.RegisterReminder(ctx, by, store, now)
				if err != nil {
					t.Fatalf("reminder read by %d: %v", by, err)
				}
				if !rem.Start.Equal(week) || rem.Total != 1 || rem.Open != 1 || len(rem.To) != 1 {
					t.Errorf("reminder %+v", rem)
				}
			}
			// Last week had none.
			reg, err := db.WeeklyRegister(ctx, svc.ID, store, week.Add(-time.Hour))
			if err != nil || len(reg.Sheets[0].Rows) != 0 {
				t.Errorf("last week %+v, %v", reg, err)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			for _, by := range []int64{seller.ID, gone.ID, 9999} {
				_, err := db.WeeklyRegister(ctx, by, store, now)
				AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
				_, err = db.RegisterReminder(ctx, by, store, now)
				AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			}
		})
	})
}

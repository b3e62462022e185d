package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// newStaffStore is a migrated store on the fixed clock with the default
// rules (a 48-hour invite, the default departments).
func newStaffStore(db *storage.DB) *storage.DB {
	fixClock(db)
	db.Stores.Default().Rules = domain.DefaultRules()
	return db
}

// TestStaffService_Invite invites through the service, as /invite and
// `dealerbot staff add` do: only an admin (or the console) may, and the
// invite lives rules.staff.invite_ttl.
func TestStaffService_Invite(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		newStaffStore(db)
		admin := MustEnrolStaff(t, db, "Admin", 201, domain.RoleManager, domain.RoleAdmin)
		mgr := MustEnrolStaff(t, db, "Manager", 202, domain.RoleManager)

		t.Run("OK", func(t *testing.T) {
			out, err := db.Invite(ctx, admin.ID, "  Chen  Gu ", domain.Roles{domain.RoleConsultant})
			if err != nil {
				t.Fatal(err)
			}
			if out.Staff.Name != "Chen Gu" || out.Staff.Enrolled() || !out.Staff.Active || out.By.ID != admin.ID ||
				out.Invite.StaffID != out.Staff.ID || !out.Invite.ExpiresAt.Equal(now.Add(48*time.Hour)) {
				t.Fatalf("invited %+v, staff %+v, invite %+v", out, out.Staff, out.Invite)
			}
			got, err := db.RedeemInvite(ctx, out.Invite.Code, 301, domain.LangEN)
			if err != nil || got.ID != out.Staff.ID || got.Lang != domain.LangEN {
				t.Fatalf("redeemed %+v, %v", got, err)
			}
		})
		t.Run("OKFromConsole", func(t *testing.T) {
			out, err := db.Invite(ctx, domain.Console, "Boss", domain.Roles{domain.RoleAdmin})
			if err != nil || out.By.ID != domain.Console || out.Staff.Roles.String() != "admin" {
				t.Fatalf("invited %+v, %v", out, err)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			for _, by := range []int64{mgr.ID, admin.ID + 1000, 0} {
				_, err := db.Invite(ctx, by, "Li Si", domain.Roles{domain.RoleAdmin})
				AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			}
			_, err := db.StaffByName(ctx, 1, "Li Si")
			AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			_, err := db.Invite(ctx, admin.ID, "", domain.Roles{domain.RoleConsultant})
			AssertError(t, err, domain.EINVALID, "err.name_empty")
			_, err = db.Invite(ctx, admin.ID, "Nobody", nil)
			AssertError(t, err, domain.EINVALID, "err.role_none")
		})
		t.Run("ErrEnrolled", func(t *testing.T) {
			_, err := db.Invite(ctx, admin.ID, "Manager", domain.Roles{domain.RoleGM})
			AssertError(t, err, domain.ECONFLICT, "err.staff_enrolled")
		})
		t.Run("ErrNoLifetime", func(t *testing.T) {
			db.Stores.Default().Rules.Staff.InviteTTL = 0
			defer func() { db.Stores.Default().Rules.Staff.InviteTTL = 48 * time.Hour }()
			_, err := db.Invite(ctx, admin.ID, "Zhao", domain.Roles{domain.RoleConsultant})
			AssertError(t, err, domain.EINVALID, "err.invalid")
		})
	})
}

// TestStaffService_Deactivate blocks a member through the service, as
// /deactivate does, and brings them back by a new invite.
func TestStaffService_Deactivate(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		newStaffStore(db)
		admin := MustEnrolStaff(t, db, "Admin", 201, domain.RoleManager, domain.RoleAdmin)
		mgr := MustEnrolStaff(t, db, "Manager", 202, domain.RoleManager)
		chen := MustEnrolStaff(t, db, "Chen", 203, domain.RoleConsultant)

		t.Run("ErrForbidden", func(t *testing.T) {
			_, err := db.Deactivate(ctx, mgr.ID, "Chen")
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			if got, err := db.StaffByID(ctx, chen.ID); err != nil || !got.Active {
				t.Fatalf("refused deactivation changed %+v, %v", got, err)
			}
		})
		t.Run("OK", func(t *testing.T) {
			out, err := db.Deactivate(ctx, admin.ID, " Chen ")
			if err != nil {
				t.Fatal(err)
			}
			if out.Already || out.Staff.ID != chen.ID || out.Staff.Active || !out.Staff.Enrolled() || out.By.ID != admin.ID {
				t.Fatalf("deactivated %+v, staff %+v", out, out.Staff)
			}
			if got, err := db.StaffByID(ctx, chen.ID); err != nil || got.Active {
				t.Fatalf("stored %+v, %v", got, err)
			}
		})
		t.Run("Already", func(t *testing.T) {
			out, err := db.Deactivate(ctx, domain.Console, "Chen")
			if err != nil || !out.Already || out.Staff.ID != chen.ID {
				t.Fatalf("deactivated again %+v, %v", out, err)
			}
		})
		t.Run("ErrSelf", func(t *testing.T) {
			_, err := db.Deactivate(ctx, admin.ID, "Admin")
			AssertError(t, err, domain.EINVALID, "err.self_deactivate")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := db.Deactivate(ctx, admin.ID, "Nobody")
			AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		})
		t.Run("ErrDeactivatedAdmin", func(t *testing.T) {
			other := MustEnrolStaff(t, db, "Other Admin", 204, domain.RoleAdmin)
			if _, err := db.Deactivate(ctx, admin.ID, other.Name); err != nil {
				t.Fatal(err)
			}
			_, err := db.Deactivate(ctx, other.ID, "Manager")
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		})
		t.Run("BackByInvite", func(t *testing.T) {
			out, err := db.Invite(ctx, admin.ID, "Chen", domain.Roles{domain.RoleConsultant})
			if err != nil || !out.Staff.Active || out.Staff.Enrolled() || out.Staff.ID != chen.ID {
				t.Fatalf("re-invited %+v, %v", out, err)
			}
		})
	})
}

// TestStaffService_SetDepartment puts members in departments (R2.3), as
// /dept does: admins and managers may, and only configured departments.
func TestStaffService_SetDepartment(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		newStaffStore(db)
		mgr := MustEnrolStaff(t, db, "Manager", 202, domain.RoleManager)
		sup := MustEnrolStaff(t, db, "Li", 203, domain.RoleSupervisor)

		t.Run("OK", func(t *testing.T) {
			got, err := db.SetDepartment(ctx, mgr.ID, "Li", "销售部")
			if err != nil || got.ID != sup.ID || got.Department != "销售部" {
				t.Fatalf("set %+v, %v", got, err)
			}
			if s, _ := db.StaffByID(ctx, sup.ID); s.Department != "销售部" {
				t.Fatalf("stored %+v", s)
			}
			if got, err = db.SetDepartment(ctx, domain.Console, "Li", ""); err != nil || got.Department != "" {
				t.Fatalf("cleared %+v, %v", got, err)
			}
		})
		t.Run("ErrDepartment", func(t *testing.T) {
			_, err := db.SetDepartment(ctx, mgr.ID, "Li", "财务部")
			AssertError(t, err, domain.EINVALID, "err.department_bad")
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			_, err := db.SetDepartment(ctx, sup.ID, "Manager", "销售部")
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			if s, _ := db.StaffByID(ctx, mgr.ID); s.Department != "" {
				t.Fatalf("refused /dept stored %+v", s)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := db.SetDepartment(ctx, mgr.ID, "Nobody", "销售部")
			AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		})
	})
}

// TestStaffService_VisibleStaff lists the staff as /staff and `dealerbot
// staff list` do: admins (and the console) see the deactivated too.
func TestStaffService_VisibleStaff(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		newStaffStore(db)
		admin := MustEnrolStaff(t, db, "Admin", 201, domain.RoleAdmin)
		sup := MustEnrolStaff(t, db, "Boss", 202, domain.RoleSupervisor)
		chen := MustEnrolStaff(t, db, "Chen", 203, domain.RoleConsultant)
		MustCreateStaff(t, db, "Pending")
		gone := MustCreateStaff(t, db, "Gone")
		if err := db.DeactivateStaff(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			by   int64
			want string
		}{
			{"Admin", admin.ID, "[Admin Boss Chen Gone Pending]"},
			{"Console", domain.Console, "[Admin Boss Chen Gone Pending]"},
			{"Supervisor", sup.ID, "[Admin Boss Chen Pending]"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := db.VisibleStaff(ctx, tc.by)
				if err != nil || fmt.Sprint(names(got)) != tc.want {
					t.Fatalf("got %v, %v; want %s", names(got), err, tc.want)
				}
			})
		}
		t.Run("ErrForbidden", func(t *testing.T) {
			_, err := db.VisibleStaff(ctx, chen.ID)
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		})
	})
}

// TestStaffService_MemberBlocked names who hears that a member blocked the
// bot: a consultant's supervisors, a supervisor's managers, the reachable
// ones only, never the member themselves.
func TestStaffService_MemberBlocked(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		newStaffStore(db)
		chen := MustEnrolStaff(t, db, "Chen", 201, domain.RoleConsultant)
		sup := MustEnrolStaff(t, db, "Sup", 202, domain.RoleSupervisor)
		MustCreateStaff(t, db, "Unenrolled", domain.RoleSupervisor)
		gone := MustEnrolStaff(t, db, "Gone", 203, domain.RoleSupervisor)
		if err := db.DeactivateStaff(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		MustEnrolStaff(t, db, "Mgr", 204, domain.RoleManager)
		both := MustEnrolStaff(t, db, "Both", 205, domain.RoleSupervisor, domain.RoleManager)
		for _, tc := range []struct {
			name string
			who  *domain.Staff
			want string
		}{
			{"Consultant", chen, "[Both Sup]"},
			{"Supervisor", sup, "[Both Mgr]"},
			{"NotTheirOwn", both, "[Mgr]"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				out, err := db.MemberBlocked(ctx, tc.who.ID)
				if err != nil || out.Staff.ID != tc.who.ID || fmt.Sprint(names(out.Tell)) != tc.want {
					t.Fatalf("got %+v, %v; want %s told", out, err, tc.want)
				}
			})
		}
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := db.MemberBlocked(ctx, 999)
			AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		})
	})
}

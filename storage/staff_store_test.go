package storage_test

import (
	"slices"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// mustEnrolIn is MustEnrolStaff in store.
func mustEnrolInStore(tb testing.TB, db *storage.DB, store int64, name string, tgID int64, roles ...domain.Role) *domain.Staff {
	tb.Helper()
	s := &domain.Staff{StoreID: store, Name: name, Roles: roles, TelegramID: tgID}
	if err := db.CreateStaff(ctx, s); err != nil {
		tb.Fatalf("create staff %q in store %d: %v", name, store, err)
	}
	return s
}

// TestStores_StaffBelongToOneStore: a person is of one store; names are
// unique inside a store only, and every look-up by name, by role and the
// staff list stay inside the asker's store (a member of another store is
// not found, as if they did not exist).
func TestStores_StaffBelongToOneStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		newStaffStore(db)
		a := db.Stores.Default()
		b := storagetest.AddStore(t, db, "east", "Asia/Urumqi")
		adminA := mustEnrolInStore(t, db, a.ID, "Admin A", 201, domain.RoleAdmin, domain.RoleManager)
		adminB := mustEnrolInStore(t, db, b.ID, "Admin B", 202, domain.RoleAdmin, domain.RoleManager)
		supA := mustEnrolInStore(t, db, a.ID, "Wang", 203, domain.RoleSupervisor)
		supB := mustEnrolInStore(t, db, b.ID, "Wang", 204, domain.RoleSupervisor) // a namesake in the other store
		mustEnrolInStore(t, db, b.ID, "Only B", 205, domain.RoleConsultant)
		mustEnrolInStore(t, db, a.ID, "Group GM", 206, domain.RoleGroupGM)

		t.Run("NameLookupInsideTheStore", func(t *testing.T) {
			if got, err := db.StaffByName(ctx, b.ID, "Wang"); err != nil || got.ID != supB.ID || got.StoreID != b.ID {
				t.Fatalf("Wang of %s: %+v, %v", b.Code, got, err)
			}
			_, err := db.StaffByName(ctx, a.ID, "Only B")
			AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		})
		t.Run("RoleQueryInsideTheStore", func(t *testing.T) {
			sups, err := db.StaffWithRole(ctx, a.ID, domain.RoleSupervisor)
			if err != nil || len(sups) != 1 || sups[0].ID != supA.ID {
				t.Fatalf("supervisors of %s: %v, %v", a.Code, names(sups), err)
			}
			// A group GM acts as gm where it chose, but is not the store's gm
			// to escalate to.
			if gms, err := db.StaffWithRole(ctx, a.ID, domain.RoleGM); err != nil || len(gms) != 0 {
				t.Fatalf("gm of %s: %v, %v", a.Code, names(gms), err)
			}
		})
		t.Run("ListInsideTheStore", func(t *testing.T) {
			list, err := db.VisibleStaff(ctx, adminB.ID)
			if err != nil || !slices.Equal(names(list), []string{"Admin B", "Only B", "Wang"}) {
				t.Fatalf("staff of %s: %v, %v", b.Code, names(list), err)
			}
		})
		t.Run("InviteIntoTheInvitersStore", func(t *testing.T) {
			out, err := db.Invite(ctx, adminB.ID, "Wang", domain.Roles{domain.RoleConsultant})
			AssertError(t, err, domain.ECONFLICT, "err.staff_enrolled") // B's Wang, enrolled
			out, err = db.Invite(ctx, adminB.ID, "New B", domain.Roles{domain.RoleConsultant})
			if err != nil || out.Staff.StoreID != b.ID {
				t.Fatalf("invited %+v, %v", out, err)
			}
			if _, err := db.StaffByName(ctx, a.ID, "New B"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("B's invitee found in %s: %v", a.Code, err)
			}
			// The same name in A is another person.
			out, err = db.Invite(ctx, adminA.ID, "New B", domain.Roles{domain.RoleConsultant})
			if err != nil || out.Staff.StoreID != a.ID {
				t.Fatalf("invited in A %+v, %v", out, err)
			}
		})
		t.Run("ConsoleInAStore", func(t *testing.T) {
			out, err := db.Invite(ctx, domain.ConsoleIn(b.ID), "Console B", domain.Roles{domain.RoleAdmin})
			if err != nil || out.Staff.StoreID != b.ID {
				t.Fatalf("console invited %+v, %v", out, err)
			}
			out, err = db.Invite(ctx, domain.Console, "Console A", domain.Roles{domain.RoleAdmin})
			if err != nil || out.Staff.StoreID != a.ID {
				t.Fatalf("console (default store) invited %+v, %v", out, err)
			}
			_, err = db.Invite(ctx, domain.ConsoleIn(b.ID+100), "Nowhere", domain.Roles{domain.RoleAdmin})
			AssertError(t, err, domain.EINVALID, "err.store_unknown")
		})
		t.Run("ErrNotFoundAcrossStores", func(t *testing.T) {
			_, err := db.Deactivate(ctx, adminA.ID, "Only B")
			AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
			_, err = db.SetDepartment(ctx, adminA.ID, "Only B", "")
			AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		})
		t.Run("ErrUnknownStore", func(t *testing.T) {
			err := db.CreateStaff(ctx, &domain.Staff{StoreID: b.ID + 100, Name: "Ghost", Roles: domain.Roles{domain.RoleConsultant}})
			AssertError(t, err, domain.EINVALID, "err.store_unknown")
		})
	})
}

// TestStores_BlockedMemberToldToTheirStoresBosses: who hears that a
// member blocked the bot are the supervisors of the member's store.
func TestStores_BlockedMemberToldToTheirStoresBosses(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		newStaffStore(db)
		a := db.Stores.Default()
		b := storagetest.AddStore(t, db, "east", "Asia/Urumqi")
		mustEnrolInStore(t, db, a.ID, "Sup A", 301, domain.RoleSupervisor)
		supB := mustEnrolInStore(t, db, b.ID, "Sup B", 302, domain.RoleSupervisor)
		seller := mustEnrolInStore(t, db, b.ID, "Seller B", 303, domain.RoleConsultant)
		out, err := db.MemberBlocked(ctx, seller.ID)
		if err != nil || len(out.Tell) != 1 || out.Tell[0].ID != supB.ID {
			t.Fatalf("told %v, %v", out, err)
		}
	})
}

// TestStores_GroupRoleChoosesItsStore: /store makes a group role act in
// the store it chooses (its StoreID), and its lists follow; an unknown
// code names the known ones; a store's own people may not choose.
func TestStores_GroupRoleChoosesItsStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		newStaffStore(db)
		a := db.Stores.Default()
		b := storagetest.AddStore(t, db, "east", "Asia/Urumqi")
		ggm := mustEnrolInStore(t, db, a.ID, "Group GM", 401, domain.RoleGroupGM)
		gm := mustEnrolInStore(t, db, a.ID, "GM A", 402, domain.RoleGM)
		mustEnrolInStore(t, db, b.ID, "Seller B", 403, domain.RoleConsultant)

		t.Run("OK", func(t *testing.T) {
			out, err := db.ChooseStore(ctx, ggm.ID, " EAST ")
			if err != nil || out.Already || out.Store.ID != b.ID || out.Staff.StoreID != b.ID {
				t.Fatalf("chose %+v, %v", out, err)
			}
			if s, err := db.StaffByID(ctx, ggm.ID); err != nil || s.StoreID != b.ID {
				t.Fatalf("stored %+v, %v", s, err)
			}
			list, err := db.VisibleStaff(ctx, ggm.ID)
			if err != nil || !slices.Equal(names(list), []string{"Group GM", "Seller B"}) {
				t.Fatalf("group gm's list in %s: %v, %v", b.Code, names(list), err)
			}
		})
		t.Run("Already", func(t *testing.T) {
			out, err := db.ChooseStore(ctx, ggm.ID, b.Code)
			if err != nil || !out.Already {
				t.Fatalf("chose again %+v, %v", out, err)
			}
		})
		t.Run("ErrUnknownCode", func(t *testing.T) {
			_, err := db.ChooseStore(ctx, ggm.ID, "west")
			AssertError(t, err, domain.EINVALID, "err.store_unknown")
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			for _, by := range []int64{gm.ID, domain.Console, 0} {
				_, err := db.ChooseStore(ctx, by, b.Code)
				AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			}
			if s, _ := db.StaffByID(ctx, gm.ID); s.StoreID != a.ID {
				t.Fatalf("gm moved to %d", s.StoreID)
			}
		})
	})
}

// TestStores_HealthBacklogPerStore: the outbox backlog is split by the
// store of whom each message is for: the staff member (by the row's
// staff id, or the member whose private chat it is), or the store whose
// group chat it is; the rest is no store's.
func TestStores_HealthBacklogPerStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		newStaffStore(db)
		a := db.Stores.Default()
		b := storagetest.AddStore(t, db, "east", "Asia/Urumqi")
		b.GroupChatID = -1001
		mustEnrolInStore(t, db, a.ID, "Seller A", 501, domain.RoleConsultant)
		sb := mustEnrolInStore(t, db, b.ID, "Seller B", 502, domain.RoleConsultant)
		if _, err := db.Enqueue(ctx,
			domain.OutboxMessage{Key: "a1", ChatID: 501, Text: "x"},
			domain.OutboxMessage{Key: "a2", ChatID: 501, Text: "y"},
			domain.OutboxMessage{Key: "b1", ChatID: 502, StaffID: sb.ID, Text: "x"},
			domain.OutboxMessage{Key: "b2", ChatID: -1001, Text: "roster"},
			domain.OutboxMessage{Key: "s1", ChatID: 999, Text: "stranger"},
		); err != nil {
			t.Fatal(err)
		}
		st, err := db.OutboxStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []domain.StoreBacklog{{StoreID: a.ID, Pending: 2}, {StoreID: b.ID, Pending: 2}, {StoreID: 0, Pending: 1}}
		if st.Pending != 5 || !slices.Equal(st.ByStore, want) {
			t.Fatalf("backlog %d by store %+v, want %+v", st.Pending, st.ByStore, want)
		}
	})
}

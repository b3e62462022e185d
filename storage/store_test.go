package storage_test

import (
	"strings"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestStores_Register checks UseStores: a new code gets a store, a known
// one keeps its id, and a store with records that the config drops is
// refused by its code.
func TestStores_Register(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		main := db.Stores.Default()
		if main.ID != 1 || main.Code != domain.DefaultStoreCode {
			t.Fatalf("default store %d %q", main.ID, main.Code)
		}
		bj := storagetest.AddStore(t, db, "bj01", "Asia/Shanghai")
		if bj.ID == 0 || bj.ID == main.ID || db.Stores.ByID(bj.ID) != bj {
			t.Fatalf("second store id %d", bj.ID)
		}
		MustCreateStaff(t, db, "In bj01")
		s := &domain.Staff{Name: "Wang", Roles: domain.Roles{domain.RoleConsultant}, StoreID: bj.ID}
		if err := db.CreateStaff(ctx, s); err != nil {
			t.Fatal(err)
		}
		again := *bj
		again.ID = 0
		stores, err := domain.NewStores(main, &again)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.UseStores(ctx, stores); err != nil || again.ID != bj.ID {
			t.Fatalf("again: id %d, %v", again.ID, err)
		}
		only, _ := domain.NewStores(main)
		err = db.UseStores(ctx, only)
		if err == nil || !strings.Contains(err.Error(), `"bj01" (1 staff, 0 leads)`) {
			t.Fatalf("dropped store: %v", err)
		}
	})
}

// TestStores_InsertWithoutStoreRefused: a store-owned row written without
// its store is refused, never filed under store 1 by the column default.
func TestStores_InsertWithoutStoreRefused(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		owner := MustCreateStaff(t, db, "Owner")
		l := newLead(owner, "No store", "13900000077")
		l.StoreID = 0
		err := db.CreateLead(ctx, l)
		if err == nil {
			t.Fatal("a lead without a store was stored")
		}
		if n, _ := db.QueryCount(ctx, `SELECT COUNT(*) FROM leads`); n != 0 {
			t.Fatalf("%d leads stored", n)
		}
	})
}

package storage_test

import (
	"fmt"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestStores_R3_2_AgingInTheStoresMorning: a store's supervisors and
// managers get its cars past the alert and overdue ages in their morning
// digest, capped with how many more; a consultant does not, nor another
// store's supervisor.
func TestStores_R3_2_AgingInTheStoresMorning(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		clock := vehicleClock(db)
		keeper := MustCreateStaff(t, db, "库管", domain.RoleStockKeeper)
		for i, p := range []struct {
			name string
			role domain.Role
		}{{"主管", domain.RoleSupervisor}, {"经理", domain.RoleManager}, {"顾问", domain.RoleConsultant}} {
			s := &domain.Staff{StoreID: db.Stores.Default().ID, Name: p.name, Roles: domain.Roles{p.role}, TelegramID: int64(98001 + i)}
			if err := db.CreateStaff(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		b := storagetest.AddStore(t, db, "b", "Asia/Shanghai")
		bSup := &domain.Staff{StoreID: b.ID, Name: "B主管", Roles: domain.Roles{domain.RoleSupervisor}, TelegramID: 99001}
		if err := db.CreateStaff(ctx, bSup); err != nil {
			t.Fatal(err)
		}
		const old = storage.MorningStockTop + 2 // more overdue cars than a message names
		ok, _ := domain.PDIChecks(db.Stores.Default().Rules.Vehicles.PDIItems, "ok", "", "")
		stock := func(from, to int) {
			arriveCars(t, db, keeper.ID, from, to)
			for i := from; i < to; i++ {
				if _, err := db.RecordPDI(ctx, keeper.ID, storagetest.VIN(i), ok,
					domain.PDIConfirm{EngineNo: fmt.Sprintf("E%d", i), CertificateNo: fmt.Sprintf("C%d", i)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		stock(0, old)
		*clock = clock.AddDate(0, 0, 45) // the last arrives 45 days later
		stock(old, old+1)
		digests, err := db.MorningDigests(ctx, db.Stores.Default().ID, clock.AddDate(0, 0, 50))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]*domain.MorningDigest{}
		for _, d := range digests {
			got[d.Staff.Name] = d
		}
		if len(got) != 2 || got["主管"] == nil || got["经理"] == nil {
			t.Fatalf("digests for %v", got)
		}
		for _, d := range got {
			o, a := d.StockOverdue, d.StockAlert
			if len(o.Cars) != storage.MorningStockTop || o.More != old-storage.MorningStockTop || o.Cars[0].Days != 95 ||
				len(a.Cars) != 1 || a.More != 0 || a.Cars[0].Days != 50 || a.Cars[0].Vehicle.VIN != storagetest.VIN(old) {
				t.Fatalf("%s: overdue %d+%d, alert %+v", d.Staff.Name, len(o.Cars), o.More, a)
			}
		}
		other, err := db.MorningDigests(ctx, b.ID, clock.AddDate(0, 0, 50))
		if err != nil || len(other) != 0 {
			t.Fatalf("store b's digests %+v %v", other, err)
		}
	})
}

package storage_test

import (
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR3_1_ExpireReservations: a lapsed reservation puts its car back in
// stock once, with the system's event at the expiry, and names the seller
// who reserved it and the store's supervisors; one not lapsed yet, or
// released meanwhile, is left alone.
func TestR3_1_ExpireReservations(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		clock := vehicleClock(db)
		keeper := MustCreateStaff(t, db, "库管", domain.RoleStockKeeper, domain.RoleManager)
		seller := &domain.Staff{Name: "顾问", Roles: domain.Roles{domain.RoleConsultant}, TelegramID: 9001, Active: true}
		sup := &domain.Staff{Name: "主管", Roles: domain.Roles{domain.RoleSupervisor}, TelegramID: 9002, Active: true}
		for _, s := range []*domain.Staff{seller, sup} {
			if err := db.CreateStaff(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		mustImport(t, db, keeper.ID, storagetest.DispatchSheet(0, 2))
		var ids []int64
		for i := 0; i < 2; i++ {
			c, err := db.VehicleCard(ctx, keeper.ID, storagetest.VIN(i))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.Vehicle.ID)
			if err := db.ExecRaw(ctx, "UPDATE vehicles SET state = 'in_stock', arrived_at = ? WHERE id = ?", *clock, c.Vehicle.ID); err != nil {
				t.Fatal(err)
			}
		}
		*clock = clock.Add(17 * time.Second)
		until := clock.Add(time.Hour)
		for i, id := range ids {
			if _, err := db.MoveVehicle(ctx, seller.ID, id, domain.VehicleMove{To: domain.VehicleReserved, ReservedUntil: until.Add(time.Duration(i) * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		if at, ok, err := db.NextReservationExpiry(ctx); err != nil || !ok || !at.Equal(until) {
			t.Fatalf("next %s %v %v, want %s", at, ok, err, until)
		}
		if out, err := db.ExpireReservations(ctx, until.Add(-time.Second), 10); err != nil || len(out) != 0 {
			t.Fatalf("a second early: %+v %v", out, err)
		}
		*clock = until.Add(5 * time.Minute)
		out, err := db.ExpireReservations(ctx, *clock, 10)
		if err != nil || len(out) != 1 {
			t.Fatalf("at the expiry: %+v %v", out, err)
		}
		e := out[0]
		if e.Vehicle.ID != ids[0] || e.Vehicle.State != domain.VehicleInStock || e.Event.By != domain.SystemActor ||
			!e.Event.At.Equal(until) || e.Event.From != domain.VehicleReserved {
			t.Fatalf("outcome %+v", e)
		}
		if e.Reserver == nil || e.Reserver.ID != seller.ID || len(e.Supervisors) != 1 || e.Supervisors[0].ID != sup.ID {
			t.Fatalf("told %+v and %+v", e.Reserver, e.Supervisors)
		}
		if out, err := db.ExpireReservations(ctx, *clock, 10); err != nil || len(out) != 0 {
			t.Fatalf("again: %+v %v", out, err)
		}
		c, err := db.VehicleCardByID(ctx, keeper.ID, ids[0])
		if err != nil || c.Vehicle.State != domain.VehicleInStock || !c.Vehicle.ReservedUntil.IsZero() || c.Vehicle.ReservedBy != 0 {
			t.Fatalf("card %+v %v", c, err)
		}
		// The second car's order released it before its expiry.
		if _, err := db.MoveVehicle(ctx, seller.ID, ids[1], domain.VehicleMove{To: domain.VehicleInStock}); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := db.NextReservationExpiry(ctx); err != nil || ok {
			t.Fatalf("next after the release: %v %v", ok, err)
		}
		if out, err := db.ExpireReservations(ctx, until.Add(2*time.Hour), 10); err != nil || len(out) != 0 {
			t.Fatalf("released car expired: %+v %v", out, err)
		}
	})
}

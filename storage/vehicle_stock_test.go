package storage_test

import (
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// stockDrift counts the groups where vehicle_stock disagrees with the
// cars themselves: a count or an earliest arrival that differs, a group
// missing, or a row left for a group that has no car.
func stockDrift(t *testing.T, db *storage.DB) int64 {
	t.Helper()
	const groups = `SELECT store_id, state, model, trim, colour, COUNT(*) AS n, MIN(arrived_at) AS o
		FROM vehicles GROUP BY store_id, state, model, trim, colour`
	wrong, err := db.QueryCount(ctx, `SELECT COUNT(*) FROM (`+groups+`) g
		LEFT JOIN vehicle_stock s ON s.store_id = g.store_id AND s.state = g.state AND s.model = g.model
			AND s.trim = g.trim AND s.colour = g.colour
		WHERE s.cars IS NULL OR s.cars <> g.n OR (g.o IS NULL) <> (s.oldest IS NULL) OR g.o <> s.oldest`)
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.QueryCount(ctx, `SELECT COUNT(*) FROM (`+groups+`) g`)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := db.QueryCount(ctx, `SELECT COUNT(*) FROM vehicle_stock`)
	if err != nil {
		t.Fatal(err)
	}
	return wrong + kept - all
}

// TestR3_2_StockSummaryKeptWithEveryChange: /stock's per-store counts
// (vehicle_stock) agree with the cars after every kind of change — an
// import, a tap, the inspection, a reservation and its expiry, a change of
// arrival, a transfer to another store, a car deleted, and statements that
// move many cars at once — on both databases, and /stock reads them.
func TestR3_2_StockSummaryKeptWithEveryChange(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		clock := vehicleClock(db)
		keeper := MustCreateStaff(t, db, "库管", domain.RoleStockKeeper, domain.RoleManager)
		seller := MustCreateStaff(t, db, "顾问")
		step := func(what string) {
			t.Helper()
			if n := stockDrift(t, db); n != 0 {
				t.Fatalf("after %s: %d groups drift", what, n)
			}
		}
		mustImport(t, db, keeper.ID, storagetest.DispatchSheet(0, 40))
		step("the import")
		card := func(i int) *domain.VehicleCard {
			t.Helper()
			c, err := db.VehicleCard(ctx, keeper.ID, storagetest.VIN(i))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		for i := 0; i < 6; i++ {
			*clock = clock.Add(time.Duration(i) * time.Hour)
			if _, err := db.MoveVehicle(ctx, keeper.ID, card(i).Vehicle.ID, domain.VehicleMove{To: domain.VehicleArrived}); err != nil {
				t.Fatal(err)
			}
		}
		step("arrivals")
		items := db.Stores.Default().Rules.Vehicles.PDIItems
		checks, _ := domain.PDIChecks(items, "ok", "", "")
		for i := 0; i < 4; i++ {
			v := card(i).Vehicle
			if _, err := db.RecordPDI(ctx, keeper.ID, v.VIN, checks, domain.PDIConfirm{EngineNo: v.EngineNo, CertificateNo: v.CertificateNo}); err != nil {
				t.Fatal(err)
			}
		}
		step("inspections")
		until := clock.Add(time.Hour)
		for i := 0; i < 2; i++ {
			if _, err := db.MoveVehicle(ctx, seller.ID, card(i).Vehicle.ID, domain.VehicleMove{To: domain.VehicleReserved, ReservedUntil: until}); err != nil {
				t.Fatal(err)
			}
		}
		step("reservations")
		if _, err := db.MoveVehicle(ctx, seller.ID, card(1).Vehicle.ID, domain.VehicleMove{To: domain.VehicleSold}); err != nil {
			t.Fatal(err)
		}
		if out, err := db.ExpireReservations(ctx, until, 10); err != nil || len(out) != 1 {
			t.Fatal(out, err)
		}
		step("a sale and an expiry")
		other := storagetest.AddStore(t, db, "b", "Asia/Shanghai")
		for _, u := range []struct {
			sql  string
			args []any
		}{
			{"UPDATE vehicles SET store_id = ? WHERE id = ?", []any{other.ID, card(3).Vehicle.ID}},
			{"UPDATE vehicles SET state = 'in_stock', arrived_at = ? WHERE id % 3 = 0", []any{now.AddDate(0, 0, -3)}},
			{"UPDATE vehicles SET arrived_at = ? WHERE id = ?", []any{now.AddDate(0, 0, -30), card(2).Vehicle.ID}},
			{"UPDATE vehicles SET colour = '黑' WHERE id % 4 = 1", nil},
			{"DELETE FROM vehicle_events WHERE vehicle_id = ?", []any{card(39).Vehicle.ID}},
			{"DELETE FROM vehicle_pdis WHERE vehicle_id = ?", []any{card(39).Vehicle.ID}},
			{"DELETE FROM vehicles WHERE id = ?", []any{card(39).Vehicle.ID}},
		} {
			if err := db.ExecRaw(ctx, u.sql, u.args...); err != nil {
				t.Fatal(err)
			}
			step(u.sql)
		}
		r, err := db.Stock(ctx, keeper.ID, "", 3)
		if err != nil {
			t.Fatal(err)
		}
		inStock, err := db.QueryCount(ctx, "SELECT COUNT(*) FROM vehicles WHERE store_id = ? AND state IN ('in_stock', 'reserved')", keeper.StoreID)
		if err != nil {
			t.Fatal(err)
		}
		transit, err := db.QueryCount(ctx, "SELECT COUNT(*) FROM vehicles WHERE store_id = ? AND state = 'in_transit'", keeper.StoreID)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, g := range r.Groups {
			total += g.InStock + g.Reserved
		}
		if int64(total) != inStock || int64(r.InTransit) != transit || len(r.Cars) != 3 || !r.Groups[0].Oldest.Equal(now.AddDate(0, 0, -30)) {
			t.Fatalf("stock %d (want %d), in transit %d (want %d), %d cars, oldest %s", total, inStock, r.InTransit, transit, len(r.Cars), r.Groups[0].Oldest)
		}
	})
}

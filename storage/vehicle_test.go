package storage_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// vehicleClock gives db a clock the test moves.
func vehicleClock(db *storage.DB) *time.Time {
	t := now
	db.Now = func() time.Time { return t }
	return &t
}

// mustImport previews and imports a dispatch sheet as keeper.
func mustImport(t *testing.T, db *storage.DB, keeper int64, sheet [][]string) *domain.ImportPreview {
	t.Helper()
	p, err := db.PreviewImport(ctx, keeper, "list.xlsx", sheet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportVehicles(ctx, keeper, p.ID); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestR3_1_ImportAllOrNothing(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		vehicleClock(db)
		keeper := MustCreateStaff(t, db, "库管", domain.RoleStockKeeper)
		seller := MustCreateStaff(t, db, "顾问")
		mustImport(t, db, keeper.ID, storagetest.DispatchSheet(0, 2))

		t.Run("Preview", func(t *testing.T) {
			sheet := storagetest.DispatchSheet(1, 5) // VIN(1) is in the ledger already
			sheet = append(sheet, []string{"9", storagetest.WrongVIN(9), "轩逸", "", "白", "", ""}, []string{"10", storagetest.VIN(3), "轩逸"})
			p, err := db.PreviewImport(ctx, keeper.ID, "list.xlsx", sheet)
			if err != nil {
				t.Fatal(err)
			}
			var rej []string
			for _, r := range p.Rejected {
				rej = append(rej, fmt.Sprintf("%d:%s", r.Row, r.Reason.Key))
			}
			if len(p.Accepted) != 3 || strings.Join(rej, " ") != "2:err.vin_taken 6:err.vin_check 7:err.import_dup_in_file" {
				t.Fatalf("accepted %d, rejected %v", len(p.Accepted), rej)
			}
			// Someone adds one of the accepted cars meanwhile: nothing is imported.
			if _, err := db.AddVehicle(ctx, keeper.ID, domain.VehicleDraft{VIN: storagetest.VIN(4), Model: "轩逸"}); err != nil {
				t.Fatal(err)
			}
			_, err = db.ImportVehicles(ctx, keeper.ID, p.ID)
			AssertError(t, err, domain.ECONFLICT, "err.import_stale")
			for _, i := range []int{2, 3} {
				_, err := db.VehicleCard(ctx, keeper.ID, storagetest.VIN(i))
				AssertError(t, err, domain.ENOTFOUND, "err.vehicle_not_found")
			}
		})
		t.Run("Once", func(t *testing.T) {
			p, err := db.PreviewImport(ctx, keeper.ID, "list2.xlsx", storagetest.DispatchSheet(10, 20))
			if err != nil || len(p.Accepted) != 10 {
				t.Fatal(p, err)
			}
			out, err := db.ImportVehicles(ctx, keeper.ID, p.ID)
			if err != nil || out.Count != 10 {
				t.Fatal(out, err)
			}
			_, err = db.ImportVehicles(ctx, keeper.ID, p.ID)
			AssertError(t, err, domain.ECONFLICT, "err.import_done")
			c, err := db.VehicleCard(ctx, keeper.ID, storagetest.VIN(15)[11:])
			if err != nil || c.Vehicle.State != domain.VehicleInTransit || c.Vehicle.EngineNo != "E15" || len(c.Events) != 1 || c.Events[0].By != keeper.ID {
				t.Fatalf("%+v %v", c, err)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			_, err := db.PreviewImport(ctx, seller.ID, "x.xlsx", storagetest.DispatchSheet(30, 31))
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		})
		t.Run("ErrExpired", func(t *testing.T) {
			clock := vehicleClock(db)
			p, err := db.PreviewImport(ctx, keeper.ID, "late.xlsx", storagetest.DispatchSheet(40, 41))
			if err != nil {
				t.Fatal(err)
			}
			*clock = clock.Add(domain.ImportPreviewTTL)
			_, err = db.ImportVehicles(ctx, keeper.ID, p.ID)
			AssertError(t, err, domain.EINVALID, "err.import_expired")
		})
	})
}

func TestR3_1_DuplicateVIN(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		vehicleClock(db)
		keeper := MustCreateStaff(t, db, "库管", domain.RoleStockKeeper)
		d := domain.VehicleDraft{VIN: strings.ToLower(storagetest.VIN(1)), Model: "轩逸", Trim: "舒适版", Colour: "白"}
		v, err := db.AddVehicle(ctx, keeper.ID, d)
		if err != nil || v.VIN != storagetest.VIN(1) || v.State != domain.VehicleInTransit {
			t.Fatal(v, err)
		}
		_, err = db.AddVehicle(ctx, keeper.ID, d)
		AssertError(t, err, domain.ECONFLICT, "err.vin_taken")
		_, err = db.AddVehicle(ctx, keeper.ID, domain.VehicleDraft{VIN: storagetest.WrongVIN(2), Model: "轩逸"})
		AssertError(t, err, domain.EINVALID, "err.vin_check")

		// The VIN is unique across the group: another store cannot enter it.
		b := storagetest.AddStore(t, db, "b", "Asia/Shanghai")
		other := &domain.Staff{StoreID: b.ID, Name: "B库管", Roles: domain.Roles{domain.RoleStockKeeper}}
		if err := db.CreateStaff(ctx, other); err != nil {
			t.Fatal(err)
		}
		_, err = db.AddVehicle(ctx, other.ID, d)
		AssertError(t, err, domain.ECONFLICT, "err.vin_other_store")
	})
}

func TestR3_1_StateMachineWhoWhen(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		clock := vehicleClock(db)
		keeper := MustCreateStaff(t, db, "库管", domain.RoleStockKeeper)
		seller := MustCreateStaff(t, db, "顾问")
		boss := &domain.Staff{Name: "经理", Roles: domain.Roles{domain.RoleManager}, TelegramID: 777}
		if err := db.CreateStaff(ctx, boss); err != nil {
			t.Fatal(err)
		}
		mustImport(t, db, keeper.ID, storagetest.DispatchSheet(0, 1))
		c, _ := db.VehicleCard(ctx, keeper.ID, storagetest.VIN(0))
		id := c.Vehicle.ID
		if fmt.Sprint(c.Next) != "[arrived]" {
			t.Fatalf("next %v", c.Next)
		}
		_, err := db.MoveVehicle(ctx, seller.ID, id, domain.VehicleMove{To: domain.VehicleArrived})
		AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		*clock = clock.Add(time.Hour)
		moved, err := db.MoveVehicle(ctx, keeper.ID, id, domain.VehicleMove{To: domain.VehicleArrived})
		if err != nil || !moved.Vehicle.ArrivedAt.Equal(*clock) || moved.Event.By != keeper.ID || !moved.Event.At.Equal(*clock) {
			t.Fatal(moved, err)
		}
		// The same tap twice moves once.
		_, err = db.MoveVehicle(ctx, keeper.ID, id, domain.VehicleMove{To: domain.VehicleArrived})
		AssertError(t, err, domain.EINVALID, "err.vehicle_move")
		// Stock only through a passed inspection.
		_, err = db.MoveVehicle(ctx, keeper.ID, id, domain.VehicleMove{To: domain.VehicleInStock})
		AssertError(t, err, domain.EINVALID, "err.vehicle_pdi")

		items := db.Stores.Default().Rules.Vehicles.PDIItems
		fail, _ := domain.PDIChecks(items, "fail", "3,7", "缺随车工具")
		out, err := db.RecordPDI(ctx, keeper.ID, storagetest.VIN(0)[11:], fail, domain.PDIConfirm{})
		if err != nil || out.PDI.Passed || len(out.PDI.Defects) != 2 || out.Vehicle.State != domain.VehicleArrived ||
			len(out.Managers) != 1 || out.Managers[0].ID != boss.ID {
			t.Fatalf("failed pdi %+v %v", out, err)
		}
		ok, _ := domain.PDIChecks(items, "ok", "", "")
		_, err = db.RecordPDI(ctx, keeper.ID, storagetest.VIN(0), ok, domain.PDIConfirm{EngineNo: "E0", CertificateNo: "C9"})
		AssertError(t, err, domain.EINVALID, "err.vehicle_mismatch")
		out, err = db.RecordPDI(ctx, keeper.ID, storagetest.VIN(0), ok, domain.PDIConfirm{EngineNo: "e0", CertificateNo: "C0"})
		if err != nil || !out.PDI.Passed || out.Vehicle.State != domain.VehicleInStock || len(out.Managers) != 0 {
			t.Fatalf("passed pdi %+v %v", out, err)
		}

		_, err = db.MoveVehicle(ctx, seller.ID, id, domain.VehicleMove{To: domain.VehicleReserved, ReservedUntil: clock.Add(-time.Minute)})
		AssertError(t, err, domain.EINVALID, "err.vehicle_reserve_expiry")
		if _, err = db.MoveVehicle(ctx, seller.ID, id, domain.VehicleMove{To: domain.VehicleReserved, ReservedUntil: clock.Add(72 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err = db.MoveVehicle(ctx, seller.ID, id, domain.VehicleMove{To: domain.VehicleSold}); err != nil {
			t.Fatal(err)
		}
		_, err = db.MoveVehicle(ctx, seller.ID, id, domain.VehicleMove{To: domain.VehicleDelivered})
		AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		if _, err = db.MoveVehicle(ctx, keeper.ID, id, domain.VehicleMove{To: domain.VehicleDelivered}); err != nil {
			t.Fatal(err)
		}
		c, err = db.VehicleCardByID(ctx, keeper.ID, id)
		var hist []string
		for _, e := range c.Events {
			hist = append(hist, fmt.Sprintf("%s>%s@%d", e.From, e.To, e.By))
		}
		want := fmt.Sprintf(">in_transit@%[1]d in_transit>arrived@%[1]d arrived>in_stock@%[1]d in_stock>reserved@%[2]d reserved>sold@%[2]d sold>delivered@%[1]d", keeper.ID, seller.ID)
		if err != nil || strings.Join(hist, " ") != want || len(c.Next) != 0 || c.LastPDI == nil || !c.LastPDI.Passed {
			t.Fatalf("history %v, want %s; %+v %v", hist, want, c, err)
		}
	})
}

func TestStores_R3_1_AnotherStoresCarNotFound(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		vehicleClock(db)
		keeper := MustCreateStaff(t, db, "库管", domain.RoleStockKeeper)
		mustImport(t, db, keeper.ID, storagetest.DispatchSheet(0, 1))
		c, _ := db.VehicleCard(ctx, keeper.ID, storagetest.VIN(0))
		b := storagetest.AddStore(t, db, "b", "Asia/Shanghai")
		other := &domain.Staff{StoreID: b.ID, Name: "B经理", Roles: domain.Roles{domain.RoleManager}}
		if err := db.CreateStaff(ctx, other); err != nil {
			t.Fatal(err)
		}
		_, err := db.VehicleCard(ctx, other.ID, storagetest.VIN(0))
		AssertError(t, err, domain.ENOTFOUND, "err.vehicle_not_found")
		_, err = db.VehicleCard(ctx, other.ID, storagetest.VIN(0)[11:])
		AssertError(t, err, domain.ENOTFOUND, "err.vin_suffix_unknown")
		_, err = db.VehicleCardByID(ctx, other.ID, c.Vehicle.ID)
		AssertError(t, err, domain.ENOTFOUND, "err.vehicle_not_found")
		_, err = db.MoveVehicle(ctx, other.ID, c.Vehicle.ID, domain.VehicleMove{To: domain.VehicleArrived})
		AssertError(t, err, domain.ENOTFOUND, "err.vehicle_not_found")
		p, err := db.PreviewImport(ctx, keeper.ID, "x.xlsx", storagetest.DispatchSheet(5, 6))
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.ImportVehicles(ctx, other.ID, p.ID)
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		if s, err := db.Stock(ctx, other.ID, "", 10); err != nil || s.InTransit != 0 || len(s.Groups) != 0 {
			t.Fatalf("other store's stock %+v %v", s, err)
		}
	})
}

func TestR3_2_StockFIFO(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		clock := vehicleClock(db)
		keeper := MustCreateStaff(t, db, "库管", domain.RoleStockKeeper)
		mustImport(t, db, keeper.ID, storagetest.DispatchSheet(0, 6))
		items := db.Stores.Default().Rules.Vehicles.PDIItems
		ok, _ := domain.PDIChecks(items, "ok", "", "")
		// Cars arrive 100, 50, 10 … days before the end: 5 is first in.
		for k, i := range []int{5, 1, 3, 0, 4} {
			c, _ := db.VehicleCard(ctx, keeper.ID, storagetest.VIN(i))
			if _, err := db.MoveVehicle(ctx, keeper.ID, c.Vehicle.ID, domain.VehicleMove{To: domain.VehicleArrived}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.RecordPDI(ctx, keeper.ID, storagetest.VIN(i), ok,
				domain.PDIConfirm{EngineNo: fmt.Sprintf("E%d", i), CertificateNo: fmt.Sprintf("C%d", i)}); err != nil {
				t.Fatal(err)
			}
			*clock = clock.AddDate(0, 0, []int{50, 40, 9, 1, 0}[k])
		}
		s, err := db.Stock(ctx, keeper.ID, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var cars, groups []string
		for _, a := range s.Cars {
			cars = append(cars, fmt.Sprintf("%s:%d:%s", a.Vehicle.VIN[11:], a.Days, a.Class))
		}
		for _, g := range s.Groups {
			groups = append(groups, fmt.Sprintf("%s:%d:%d", g.Model, g.InStock, g.OldestDays))
		}
		v := func(i int) string { return storagetest.VIN(i)[11:] }
		want := fmt.Sprintf("%s:100:overdue %s:50:alert %s:10:ok %s:1:ok %s:0:ok", v(5), v(1), v(3), v(0), v(4))
		if strings.Join(cars, " ") != want || strings.Join(groups, " ") != "奇骏:1:100 天籁:2:50 轩逸:2:10" || s.InTransit != 1 {
			t.Fatalf("cars %v\nwant %s\ngroups %v, in transit %d", cars, want, groups, s.InTransit)
		}
		s, err = db.Stock(ctx, keeper.ID, "天", 10)
		if err != nil || len(s.Cars) != 2 || len(s.Groups) != 1 {
			t.Fatalf("天: %+v %v", s, err)
		}
		aging, err := db.StockAging(ctx, db.Stores.Default().ID, *clock)
		if err != nil || len(aging) != 2 || aging[0].Class != domain.StockAgeOverdue || aging[1].Vehicle.VIN != storagetest.VIN(1) {
			t.Fatalf("aging %+v %v", aging, err)
		}
	})
}

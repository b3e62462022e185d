package storage_test

import (
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// driveStart is the test drives' clock: a Monday 10:00 in the store
// (Asia/Shanghai, open 09:00–18:00 every day).
var driveStart = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

// fleetFixture is a store with a manager, a keeper, a consultant with a
// lead, a supervisor and n demo cars (VIN(0)..VIN(n-1)).
type fleetFixture struct {
	clock                   *time.Time
	boss, keeper, chen, sup *domain.Staff
	lead                    *domain.Lead
	cars                    []domain.Vehicle
	stockKeeper             *domain.Staff
}

// mustStockCars brings cars from..to-1 of VIN's series into stock.
func mustStockCars(t *testing.T, db *storage.DB, keeper *domain.Staff, from, to int) []domain.Vehicle {
	t.Helper()
	mustImport(t, db, keeper.ID, storagetest.DispatchSheet(from, to))
	ok, _ := domain.PDIChecks(db.Stores.Default().Rules.Vehicles.PDIItems, "ok", "", "")
	var out []domain.Vehicle
	for i := from; i < to; i++ {
		c, err := db.VehicleCard(ctx, keeper.ID, storagetest.VIN(i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveVehicle(ctx, keeper.ID, c.Vehicle.ID, domain.VehicleMove{To: domain.VehicleArrived}); err != nil {
			t.Fatal(err)
		}
		p, err := db.RecordPDI(ctx, keeper.ID, storagetest.VIN(i), ok, domain.PDIConfirm{EngineNo: c.Vehicle.EngineNo, CertificateNo: c.Vehicle.CertificateNo})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Vehicle)
	}
	return out
}

func newFleet(t *testing.T, db *storage.DB, n int) *fleetFixture {
	t.Helper()
	f := &fleetFixture{}
	t0 := driveStart
	f.clock = &t0
	db.Now = func() time.Time { return *f.clock }
	f.stockKeeper = MustEnrolStaff(t, db, "库管", 301, domain.RoleStockKeeper)
	f.boss = MustEnrolStaff(t, db, "王经理", 302, domain.RoleManager)
	f.keeper = MustEnrolStaff(t, db, "赵保管", 303, domain.RoleConsultant)
	f.chen = MustEnrolStaff(t, db, "陈顾问", 304, domain.RoleConsultant)
	f.sup = MustEnrolStaff(t, db, "李主管", 305, domain.RoleSupervisor)
	out, err := db.AddLead(ctx, f.chen.ID, domain.LeadDraft{Name: "王石", Phone: "13800138000", Model: "轩逸", Grade: "H", Source: "来电"})
	if err != nil {
		t.Fatal(err)
	}
	f.lead = out.Lead
	stock := mustStockCars(t, db, f.stockKeeper, 0, n)
	for i, v := range stock {
		d := domain.DemoDraft{Car: v.VIN, Keeper: "赵保管", Km: 100 * i}
		if i == 0 {
			d.InsuranceDue = driveStart.AddDate(0, 0, 20)
			d.ServiceDue = driveStart.AddDate(0, 3, 0)
		}
		c, err := db.MoveToDemo(ctx, f.boss.ID, d)
		if err != nil {
			t.Fatal(err)
		}
		f.cars = append(f.cars, c.Car.Vehicle)
	}
	return f
}

// driveAt is the store's local time on the test's Monday.
func driveAt(h, m int) time.Time {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return time.Date(2026, 3, 2, h, m, 0, 0, loc)
}

func TestR3_4_DemoFleetMoveAndOtherUse(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newFleet(t, db, 1)
		stock := mustStockCars(t, db, f.stockKeeper, 5, 6)
		_, err := db.MoveToDemo(ctx, f.chen.ID, domain.DemoDraft{Car: stock[0].VIN, Keeper: "赵保管"})
		AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		_, err = db.MoveToDemo(ctx, f.boss.ID, domain.DemoDraft{Car: stock[0].VIN, Keeper: "无此人"})
		AssertError(t, err, domain.ENOTFOUND, "")
		_, err = db.MoveToDemo(ctx, f.boss.ID, domain.DemoDraft{Car: f.cars[0].VIN, Keeper: "赵保管"})
		AssertError(t, err, domain.EINVALID, "err.vehicle_move")

		fleet, err := db.DemoFleet(ctx, f.chen.ID)
		if err != nil || len(fleet) != 1 || fleet[0].Keeper.ID != f.keeper.ID || fleet[0].Car.Vehicle.State != domain.VehicleDemo ||
			len(fleet[0].Upkeep) != 1 || fleet[0].Upkeep[0].Kind != domain.UpkeepInsurance {
			t.Fatalf("fleet %+v %v", fleet, err)
		}

		_, err = db.RequestDemoUse(ctx, f.chen.ID, stock[0].VIN, "车展")
		AssertError(t, err, domain.EINVALID, "err.vehicle_not_demo")
		req, err := db.RequestDemoUse(ctx, f.chen.ID, f.cars[0].VIN, "车展")
		if err != nil || len(req.Approvers) != 1 || req.Approvers[0].ID != f.boss.ID {
			t.Fatalf("request %+v %v", req, err)
		}
		_, err = db.DecideDemoUse(ctx, f.sup.ID, req.Request.ID, domain.Approved)
		AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		dec, err := db.DecideDemoUse(ctx, f.boss.ID, req.Request.ID, domain.Approved)
		if err != nil || !dec.Request.Decision.Approved() {
			t.Fatalf("decided %+v %v", dec, err)
		}
		_, err = db.DecideDemoUse(ctx, f.boss.ID, req.Request.ID, domain.Rejected)
		AssertError(t, err, domain.ECONFLICT, "demouse.already")
	})
}

func TestR3_5_BookingSlots(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newFleet(t, db, 2)
		lead := domain.LeadByIDRef(f.lead.ID)
		// No car named: the first free demo car.
		b1, err := db.BookTestDrive(ctx, f.chen.ID, domain.TestDriveBooking{Lead: lead, Start: driveAt(14, 0)})
		if err != nil || b1.Drive == nil || b1.Drive.VehicleID != f.cars[0].ID || !b1.Drive.End.Equal(driveAt(14, 30)) {
			t.Fatalf("book %+v %v", b1, err)
		}
		b2, err := db.BookTestDrive(ctx, f.chen.ID, domain.TestDriveBooking{Lead: lead, Start: driveAt(14, 15)})
		if err != nil || b2.Drive == nil || b2.Drive.VehicleID != f.cars[1].ID {
			t.Fatalf("second car %+v %v", b2, err)
		}
		// The same car overlapping: a clash with the nearest free slots.
		clash, err := db.BookTestDrive(ctx, f.chen.ID, domain.TestDriveBooking{Lead: lead, Start: driveAt(14, 10), Car: f.cars[0].VIN})
		if err != nil || clash.Drive != nil || clash.Clash == nil || clash.Clash.Key != "err.drive_overlap" || len(clash.Free) != 3 ||
			!clash.Free[0].Start.Equal(driveAt(14, 30)) {
			t.Fatalf("clash %+v %v", clash, err)
		}
		_, err = db.BookTestDrive(ctx, f.chen.ID, domain.TestDriveBooking{Lead: lead, Start: driveAt(17, 45), Car: f.cars[0].VIN})
		AssertError(t, err, domain.EINVALID, "err.drive_closed")
		_, err = db.BookTestDrive(ctx, f.chen.ID, domain.TestDriveBooking{Lead: domain.LeadByIDRef(9999), Start: driveAt(15, 0)})
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		_, err = db.BookTestDrive(ctx, f.chen.ID, domain.TestDriveBooking{Lead: lead, Start: driveAt(15, 0), Car: storagetest.VIN(77)})
		AssertError(t, err, domain.ENOTFOUND, "err.vehicle_not_found")

		// Another store's people see none of it.
		b := storagetest.AddStore(t, db, "b", "Asia/Shanghai")
		other := &domain.Staff{StoreID: b.ID, Name: "B顾问", Roles: domain.Roles{domain.RoleConsultant, domain.RoleManager}, TelegramID: 999}
		if err := db.CreateStaff(ctx, other); err != nil {
			t.Fatal(err)
		}
		_, err = db.BookTestDrive(ctx, other.ID, domain.TestDriveBooking{Lead: lead, Start: driveAt(15, 0)})
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		_, err = db.TestDrive(ctx, other.ID, b1.Drive.ID)
		AssertError(t, err, domain.ENOTFOUND, "err.drive_not_found")
		_, err = db.RequestDemoUse(ctx, other.ID, f.cars[0].VIN, "车展")
		AssertError(t, err, domain.ENOTFOUND, "err.vehicle_not_found")
		_, err = db.MoveToDemo(ctx, other.ID, domain.DemoDraft{Car: f.cars[1].VIN, Keeper: "B顾问"})
		AssertError(t, err, domain.ENOTFOUND, "err.vehicle_not_found")
		theirs, err := db.AddLead(ctx, other.ID, domain.LeadDraft{Name: "李四", Phone: "13900139000", Model: "天籁", Grade: "H", Source: "来电"})
		if err != nil {
			t.Fatal(err)
		}
		// Their own lead, our car: not found; without a car, their store has none.
		_, err = db.BookTestDrive(ctx, other.ID, domain.TestDriveBooking{Lead: domain.LeadByIDRef(theirs.Lead.ID), Start: driveAt(15, 0), Car: f.cars[0].VIN})
		AssertError(t, err, domain.ENOTFOUND, "err.vehicle_not_found")
		_, err = db.BookTestDrive(ctx, other.ID, domain.TestDriveBooking{Lead: domain.LeadByIDRef(theirs.Lead.ID), Start: driveAt(15, 0), VehicleID: f.cars[0].ID})
		AssertError(t, err, domain.ENOTFOUND, "err.vehicle_not_found")
		_, err = db.BookTestDrive(ctx, other.ID, domain.TestDriveBooking{Lead: domain.LeadByIDRef(theirs.Lead.ID), Start: driveAt(15, 0)})
		AssertError(t, err, domain.ECONFLICT, "err.demo_none")
		_, err = db.CheckOutTestDrive(ctx, other.ID, b1.Drive.ID, domain.TestDriveCheckout{})
		AssertError(t, err, domain.ENOTFOUND, "err.drive_not_found")
		_, err = db.ReturnTestDrive(ctx, other.ID, b1.Drive.ID, domain.DriveReading{})
		AssertError(t, err, domain.ENOTFOUND, "err.drive_not_found")
	})
}

func TestR3_5_CheckoutReturnAndLateAlarms(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newFleet(t, db, 1)
		bk, err := db.BookTestDrive(ctx, f.chen.ID, domain.TestDriveBooking{Lead: domain.LeadByIDRef(f.lead.ID), Start: driveAt(10, 30)})
		if err != nil || bk.Drive == nil {
			t.Fatal(bk, err)
		}
		id := bk.Drive.ID
		good := domain.TestDriveCheckout{LicenceIssued: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC), Reading: domain.DriveReading{Km: 1200, Fuel: 75}, AgreementFileID: "F1"}
		young := good
		young.LicenceIssued = driveStart.AddDate(0, -6, 0)
		_, err = db.CheckOutTestDrive(ctx, f.chen.ID, id, young)
		AssertError(t, err, domain.EINVALID, "err.licence_new")
		noPhoto := good
		noPhoto.AgreementFileID = ""
		if _, err := db.CheckTestDriveCheckout(ctx, f.chen.ID, id, noPhoto); err != nil {
			t.Fatal(err)
		}
		_, err = db.CheckOutTestDrive(ctx, f.chen.ID, id, noPhoto)
		AssertError(t, err, domain.EINVALID, "err.drive_agreement")
		if d, _ := db.TestDrive(ctx, f.chen.ID, id); d.State != domain.DriveBooked {
			t.Fatalf("half-written checkout: %+v", d)
		}
		out, err := db.CheckOutTestDrive(ctx, f.chen.ID, id, good)
		if err != nil || out.State != domain.DriveOut || out.AgreementFileID != "F1" || out.Out.Km != 1200 {
			t.Fatalf("out %+v %v", out, err)
		}

		// Late: the consultant at end+30m, the supervisor at end+60m, once each.
		end := driveAt(11, 0)
		for _, c := range []struct {
			at    time.Time
			steps []domain.LateStep
		}{
			{end.Add(30*time.Minute - time.Second), nil},
			{end.Add(30 * time.Minute), []domain.LateStep{domain.LateConsultant}},
			{end.Add(40 * time.Minute), nil},
			{end.Add(time.Hour), []domain.LateStep{domain.LateSupervisor}},
			{end.Add(2 * time.Hour), nil},
		} {
			alarms, err := db.TestDriveAlarms(ctx, c.at)
			if err != nil || len(alarms) != len(c.steps) {
				t.Fatalf("at %s: %+v %v", c.at, alarms, err)
			}
			for i, a := range alarms {
				if a.Step != c.steps[i] {
					t.Fatalf("at %s: step %v", c.at, a.Step)
				}
				if a.Step == domain.LateSupervisor && (len(a.Recipients) != 1 || a.Recipients[0].ID != f.sup.ID) {
					t.Fatalf("supervisors %+v", a.Recipients)
				}
			}
		}

		_, err = db.ReturnTestDrive(ctx, f.chen.ID, id, domain.DriveReading{Km: 1100, Fuel: 50})
		AssertError(t, err, domain.EINVALID, "err.odometer_down")
		*f.clock = driveAt(12, 5)
		ret, err := db.ReturnTestDrive(ctx, f.chen.ID, id, domain.DriveReading{Km: 1235, Fuel: 50})
		if err != nil || ret.Drive.State != domain.DriveReturned || ret.Drive.In.Km != 1235 {
			t.Fatalf("return %+v %v", ret, err)
		}
		h, err := db.LeadHistory(ctx, f.lead.ID, 5)
		if err != nil || len(h.FollowUps) == 0 || h.FollowUps[0].Channel != domain.ChannelVisit {
			t.Fatalf("lead history %+v %v", h, err)
		}
		drives, _ := db.LeadTestDrives(ctx, f.lead.ID)
		if len(drives) != 1 || drives[0].State != domain.DriveReturned {
			t.Fatalf("lead drives %+v", drives)
		}
		// The next checkout reads from the returned mileage.
		bk2, _ := db.BookTestDrive(ctx, f.chen.ID, domain.TestDriveBooking{Lead: domain.LeadByIDRef(f.lead.ID), Start: driveAt(15, 0)})
		good.Reading.Km = 1234
		_, err = db.CheckOutTestDrive(ctx, f.chen.ID, bk2.Drive.ID, good)
		AssertError(t, err, domain.EINVALID, "err.odometer_down")
	})
}

func TestR3_6_UpkeepAndRetirement(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newFleet(t, db, 2)
		store := db.Stores.Default().ID
		notes, err := db.DemoUpkeep(ctx, store, driveStart)
		if err != nil || len(notes) != 1 || notes[0].Car.Car.Vehicle.ID != f.cars[0].ID || len(notes[0].Recipients) != 2 ||
			notes[0].Day != "2026-03-02" {
			t.Fatalf("upkeep %+v %v", notes, err)
		}
		later := driveStart.AddDate(2, 0, 1)
		notes, err = db.DemoUpkeep(ctx, store, later)
		if err != nil || len(notes) != 2 || !notes[1].Car.Retirement.ByAge {
			t.Fatalf("retirement %+v %v", notes, err)
		}
	})
}

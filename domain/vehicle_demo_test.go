package domain

import "testing"

func TestR3_6_DemoUpkeepReminders(t *testing.T) {
	cal, r := testCalendar(t), DefaultRules().Vehicles // remind 30 days ahead
	now := at(cal, "2026-10-09 08:00")
	c := DemoCar{InsuranceDue: at(cal, "2026-11-08 00:00"), ServiceDue: at(cal, "2026-11-09 00:00")}
	got := DemoUpkeep(c, now, cal.Location, r)
	if len(got) != 1 || got[0].Kind != UpkeepInsurance || got[0].DaysLeft != 30 || got[0].Overdue() {
		t.Fatalf("%+v", got)
	}
	c.ServiceDue = at(cal, "2026-10-08 17:00")
	got = DemoUpkeep(c, now, cal.Location, r)
	if len(got) != 2 || got[1].Kind != UpkeepService || got[1].DaysLeft != -1 || !got[1].Overdue() {
		t.Fatalf("%+v", got)
	}
	if got := DemoUpkeep(DemoCar{}, now, cal.Location, r); len(got) != 0 {
		t.Fatalf("no dates: %+v", got)
	}
}

func TestR3_6_DemoRetirement(t *testing.T) {
	cal, r := testCalendar(t), DefaultRules().Vehicles // 24 months or 50 000 km
	since := at(cal, "2024-10-10 10:00")
	for _, c := range []struct {
		now       string
		km        int
		due, age  bool
		byKm      bool
		ageMonths int
	}{
		{"2026-10-09 10:00", 49999, false, false, false, 23},
		{"2026-10-10 09:00", 10000, true, true, false, 24},
		{"2025-05-01 09:00", 50000, true, false, true, 6},
	} {
		got := ProposeRetirement(DemoCar{Vehicle: Vehicle{State: VehicleDemo}, InFleetSince: since, Km: c.km}, at(cal, c.now), cal.Location, r)
		if got.Due != c.due || got.ByAge != c.age || got.ByKm != c.byKm || got.AgeMonths != c.ageMonths {
			t.Errorf("%s %d km: %+v", c.now, c.km, got)
		}
	}
	old := DemoCar{Vehicle: Vehicle{State: VehicleRetired}, InFleetSince: since, Km: 90000}
	if ProposeRetirement(old, at(cal, "2027-01-01 09:00"), cal.Location, r).Due {
		t.Error("a retired car proposed again")
	}
	if m := WholeMonths(at(cal, "2026-01-31 10:00"), at(cal, "2026-02-28 10:00"), cal.Location); m != 0 {
		t.Errorf("Jan 31 to Feb 28: %d", m)
	}
}

func TestR3_4_DemoUse(t *testing.T) {
	demo := Vehicle{VIN: "1HGCM82633A004352", State: VehicleDemo}
	if err := CheckDemoUse(demo, DemoUseTestDrive, false); err != nil {
		t.Errorf("test drive: %v", err)
	}
	if err := CheckDemoUse(demo, DemoUseOther, false); ErrorCode(err) != EFORBIDDEN || errKey(err) != "err.demo_use" {
		t.Errorf("other use: %v", err)
	}
	if err := CheckDemoUse(demo, DemoUseOther, true); err != nil {
		t.Errorf("approved: %v", err)
	}
	if err := CheckDemoUse(Vehicle{State: VehicleInStock}, DemoUseTestDrive, false); errKey(err) != "err.vehicle_not_demo" {
		t.Errorf("stock car: %v", err)
	}
}

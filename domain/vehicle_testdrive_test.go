package domain

import (
	"testing"
	"time"
)

func TestR3_5_TestDriveSlot(t *testing.T) {
	cal := testCalendar(t) // Mon–Fri 09:00–18:00, 2026-10-01 a holiday
	now := at(cal, "2026-10-09 08:00")
	slot := func(car int64, from, to string) TestDriveSlot {
		return TestDriveSlot{VehicleID: car, Start: at(cal, from), End: at(cal, to)}
	}
	booked := []TestDriveSlot{
		{ID: 1, VehicleID: 7, Start: at(cal, "2026-10-09 10:00"), End: at(cal, "2026-10-09 10:30")},
		{ID: 2, VehicleID: 8, Start: at(cal, "2026-10-09 11:00"), End: at(cal, "2026-10-09 11:30")},
	}
	for _, c := range []struct {
		name string
		s    TestDriveSlot
		key  string
	}{
		{"OK", slot(7, "2026-10-09 10:30", "2026-10-09 11:00"), ""},
		{"OK other car same time", slot(8, "2026-10-09 10:00", "2026-10-09 10:30"), ""},
		{"OK last slot of the day", slot(7, "2026-10-09 17:30", "2026-10-09 18:00"), ""},
		{"OK make-up Sunday", slot(7, "2026-10-11 09:00", "2026-10-11 09:30"), ""},
		{"ErrOverlap", slot(7, "2026-10-09 10:15", "2026-10-09 10:45"), "err.drive_overlap"},
		{"ErrOverlapInside", slot(8, "2026-10-09 10:45", "2026-10-09 11:45"), "err.drive_overlap"},
		{"ErrBeforeOpening", slot(7, "2026-10-09 08:30", "2026-10-09 09:00"), "err.drive_closed"},
		{"ErrPastClosing", slot(7, "2026-10-09 17:45", "2026-10-09 18:15"), "err.drive_closed"},
		{"ErrSaturday", slot(7, "2026-10-10 10:00", "2026-10-10 10:30"), "err.drive_closed"},
		{"ErrPast", slot(7, "2026-10-08 10:00", "2026-10-08 10:30"), "err.drive_past"},
		{"ErrEmpty", slot(7, "2026-10-09 12:00", "2026-10-09 12:00"), "err.drive_past"},
	} {
		if err := CheckTestDriveSlot(c.s, booked, now, cal); errKey(err) != c.key {
			t.Errorf("%s: %v, want %q", c.name, err, c.key)
		}
	}
	// Moving booking 1 within its own time does not clash with itself.
	if err := CheckTestDriveSlot(TestDriveSlot{ID: 1, VehicleID: 7, Start: at(cal, "2026-10-09 10:10"), End: at(cal, "2026-10-09 10:40")}, booked, now, cal); err != nil {
		t.Errorf("rebooking itself: %v", err)
	}
	err := CheckTestDriveSlot(slot(7, "2026-10-09 10:15", "2026-10-09 10:45"), booked, now, cal)
	if ErrorCode(err) != ECONFLICT || err.(*Error).Args[0] != "2026-10-09 10:00" || err.(*Error).Args[1] != "10:30" {
		t.Errorf("overlap: %#v", err)
	}
}

func TestR3_5_FreeTestDriveSlotsNearest(t *testing.T) {
	cal := testCalendar(t)
	d := 30 * time.Minute
	booked := []TestDriveSlot{
		{VehicleID: 7, Start: at(cal, "2026-10-09 10:00"), End: at(cal, "2026-10-09 10:30")},
		{VehicleID: 7, Start: at(cal, "2026-10-09 10:40"), End: at(cal, "2026-10-09 11:30")},
		{VehicleID: 9, Start: at(cal, "2026-10-09 09:00"), End: at(cal, "2026-10-09 18:00")}, // another car
	}
	starts := func(ss []TestDriveSlot) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Start.In(cal.Location).Format(MinuteLayout))
			if s.End.Sub(s.Start) != d || s.VehicleID != 7 {
				t.Errorf("slot %+v", s)
			}
		}
		return out
	}
	got := starts(FreeTestDriveSlots(7, at(cal, "2026-10-09 10:15"), d, booked, at(cal, "2026-10-09 08:00"), cal, 3))
	// 10:30 cannot take 30 minutes before 10:40; 11:30 (a booking's end) is
	// 75 minutes away, 09:30 is 45, 09:00 is 75 and earlier.
	if want := []string{"2026-10-09 09:30", "2026-10-09 09:00", "2026-10-09 11:30"}; !equalStrings(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// Late on Friday: the nearest free slots run into the make-up Sunday;
	// slots before now are not offered.
	got = starts(FreeTestDriveSlots(7, at(cal, "2026-10-09 17:30"), d, booked, at(cal, "2026-10-09 17:10"), cal, 3))
	if want := []string{"2026-10-09 17:30", "2026-10-11 09:00", "2026-10-11 09:30"}; !equalStrings(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestR3_5_LicenceHeldOneYear(t *testing.T) {
	cal := testCalendar(t)
	drive := at(cal, "2026-10-09 10:00")
	for _, c := range []struct {
		name string
		l    Licence
		key  string
	}{
		{"OK exactly a year", Licence{Issued: at(cal, "2025-10-09 00:00")}, ""},
		{"OK with validity", Licence{Issued: at(cal, "2015-03-01 00:00"), Expires: at(cal, "2026-10-09 00:00")}, ""},
		{"ErrNew", Licence{Issued: at(cal, "2025-10-10 00:00")}, "err.licence_new"},
		{"ErrExpired", Licence{Issued: at(cal, "2015-03-01 00:00"), Expires: at(cal, "2026-10-08 00:00")}, "err.licence_expired"},
	} {
		if err := CheckLicence(c.l, drive, 1, cal.Location); errKey(err) != c.key {
			t.Errorf("%s: %v, want %q", c.name, err, c.key)
		}
	}
	err := CheckLicence(Licence{Issued: at(cal, "2025-12-01 00:00")}, drive, 1, cal.Location)
	if e := err.(*Error); e.Args[1] != "2026-12-01" {
		t.Errorf("eligible from %v", e.Args)
	}
	if err := CheckLicence(Licence{Issued: drive}, drive, 0, cal.Location); err != nil {
		t.Errorf("no minimum: %v", err)
	}
}

func TestR3_5_OdometerNeverDown(t *testing.T) {
	out := DriveReading{Km: 12000, Fuel: 80}
	for _, c := range []struct {
		r   DriveReading
		key string
	}{
		{DriveReading{Km: 12000, Fuel: 80}, ""},
		{DriveReading{Km: 12015, Fuel: 70}, ""},
		{DriveReading{Km: 11999, Fuel: 70}, "err.odometer_down"},
		{DriveReading{Km: 12015, Fuel: 101}, "err.fuel_bad"},
		{DriveReading{Km: 12015, Fuel: -1}, "err.fuel_bad"},
	} {
		if err := CheckDriveReading(out, c.r); errKey(err) != c.key {
			t.Errorf("%+v: %v, want %q", c.r, err, c.key)
		}
	}
}

func TestR3_5_LateReturnEscalates(t *testing.T) {
	r := DefaultRules().Vehicles // late after 30m, supervisor 30m later
	end := time.Date(2026, 10, 9, 3, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		after    time.Duration
		returned bool
		step     LateStep
		next     time.Duration // after end; -1 = none
	}{
		{-time.Hour, false, LateNone, 30 * time.Minute},
		{29 * time.Minute, false, LateNone, 30 * time.Minute},
		{30 * time.Minute, false, LateConsultant, time.Hour},
		{59 * time.Minute, false, LateConsultant, time.Hour},
		{time.Hour, false, LateSupervisor, -1},
		{5 * time.Hour, true, LateNone, -1},
	} {
		step, next := TestDriveLateness(end, c.returned, end.Add(c.after), r)
		wantNext := time.Time{}
		if c.next >= 0 {
			wantNext = end.Add(c.next)
		}
		if step != c.step || !next.Equal(wantNext) {
			t.Errorf("%v returned=%v: %v %v, want %v %v", c.after, c.returned, step, next, c.step, wantNext)
		}
	}
}

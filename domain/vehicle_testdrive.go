package domain

import (
	"sort"
	"time"
)

// TestDriveSlot is a booking of one car for a test drive (R3.5), from
// Start up to End (End itself free again).
type TestDriveSlot struct {
	ID         int64
	VehicleID  int64
	Consultant int64
	Start, End time.Time
}

// Overlaps reports whether two slots share an instant.
func (s TestDriveSlot) Overlaps(o TestDriveSlot) bool {
	return s.Start.Before(o.End) && o.Start.Before(s.End)
}

// CheckTestDriveSlot checks a new booking of a car (R3.5) against the
// store's calendar and the car's other bookings: it starts after now, lies
// within one day's opening hours on a working day, and overlaps none of
// them. It answers EINVALID with err.drive_past, err.drive_closed (with the
// opening hours), and ECONFLICT with err.drive_overlap (with the clashing
// slot); for a clash the caller offers FreeTestDriveSlots.
func CheckTestDriveSlot(slot TestDriveSlot, others []TestDriveSlot, now time.Time, cal *Calendar) error {
	start, end := slot.Start.In(cal.Location), slot.End.In(cal.Location)
	if !end.After(start) || !start.After(now) {
		return Errorkf(EINVALID, "err.drive_past", []any{start.Format(MinuteLayout)}, "a test drive at %s is in the past", start.Format(MinuteLayout))
	}
	if !fitsOpeningHours(start, end, cal) {
		return Errorkf(EINVALID, "err.drive_closed", []any{start.Format(MinuteLayout), cal.Open.String(), cal.Close.String()},
			"a test drive at %s is outside opening hours %s–%s", start.Format(MinuteLayout), cal.Open, cal.Close)
	}
	for _, o := range others {
		if o.ID != slot.ID && o.VehicleID == slot.VehicleID && slot.Overlaps(o) {
			a, b := o.Start.In(cal.Location).Format(MinuteLayout), o.End.In(cal.Location).Format("15:04")
			return Errorkf(ECONFLICT, "err.drive_overlap", []any{a, b}, "the car is booked %s–%s", a, b)
		}
	}
	return nil
}

func fitsOpeningHours(start, end time.Time, cal *Calendar) bool {
	open, close := cal.Open.On(start, cal.Location), cal.Close.On(start, cal.Location)
	return cal.IsWorkingDay(start) && !start.Before(open) && !end.After(close)
}

// testDriveSearchDays bounds FreeTestDriveSlots' search on each side of the
// wanted time.
const testDriveSearchDays = 14

// FreeTestDriveSlots suggests up to n free slots of length d for the car
// nearest to want (R3.5), for when the wanted one clashes: slots on the
// grid of d from opening time, and slots starting where another booking
// ends, within opening hours, after now, overlapping no booking of the
// car. Nearest first; of two as near, the earlier.
func FreeTestDriveSlots(vehicleID int64, want time.Time, d time.Duration, others []TestDriveSlot, now time.Time, cal *Calendar, n int) []TestDriveSlot {
	if d <= 0 || n <= 0 {
		return nil
	}
	var mine []TestDriveSlot
	for _, o := range others {
		if o.VehicleID == vehicleID {
			mine = append(mine, o)
		}
	}
	seen := map[int64]bool{}
	var cands []TestDriveSlot
	try := func(start time.Time) {
		s := TestDriveSlot{VehicleID: vehicleID, Start: start, End: start.Add(d)}
		if seen[start.Unix()] || !start.After(now) || !fitsOpeningHours(start, s.End, cal) {
			return
		}
		seen[start.Unix()] = true
		for _, o := range mine {
			if s.Overlaps(o) {
				return
			}
		}
		cands = append(cands, s)
	}
	day := cal.StartOfDay(want)
	for i := -testDriveSearchDays; i <= testDriveSearchDays; i++ {
		dd := day.AddDate(0, 0, i)
		if !cal.IsWorkingDay(dd) {
			continue
		}
		close := cal.Close.On(dd, cal.Location)
		for t := cal.Open.On(dd, cal.Location); !t.Add(d).After(close); t = t.Add(d) {
			try(t)
		}
	}
	for _, o := range mine {
		try(o.End.In(cal.Location))
	}
	dist := func(s TestDriveSlot) time.Duration {
		if x := s.Start.Sub(want); x >= 0 {
			return x
		} else {
			return -x
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if di, dj := dist(cands[i]), dist(cands[j]); di != dj {
			return di < dj
		}
		return cands[i].Start.Before(cands[j].Start)
	})
	return cands[:min(n, len(cands))]
}

// Licence is a test driver's driving licence as shown at the desk.
type Licence struct {
	Issued  time.Time // first issue: the years held count from it
	Expires time.Time // end of validity; zero when not recorded
}

// CheckLicence checks the driver's licence for a drive on the given day
// (R3.5): valid that day and held at least minYears by then. It answers
// EINVALID with err.licence_expired or err.licence_new (with the first day
// the driver may drive).
func CheckLicence(l Licence, drive time.Time, minYears int, loc *time.Location) error {
	day := func(t time.Time) string { return t.In(loc).Format(DateLayout) }
	if !l.Expires.IsZero() && day(l.Expires) < day(drive) {
		return Errorkf(EINVALID, "err.licence_expired", []any{day(l.Expires)}, "the licence expired on %s", day(l.Expires))
	}
	if ok := l.Issued.In(loc).AddDate(minYears, 0, 0); day(ok) > day(drive) {
		return Errorkf(EINVALID, "err.licence_new", []any{minYears, day(ok)},
			"the licence is held less than %d years; the driver may drive from %s", minYears, day(ok))
	}
	return nil
}

// DriveReading is what checkout and return record (R3.5).
type DriveReading struct {
	Km   int // odometer
	Fuel int // fuel or charge, percent
}

// CheckDriveReading checks a reading at checkout (prev is the car's last
// known reading) or at return (prev is the checkout's): fuel is a percent,
// and the odometer never goes down. It answers EINVALID with err.fuel_bad
// or err.odometer_down (with the previous reading).
func CheckDriveReading(prev, r DriveReading) error {
	if r.Fuel < 0 || r.Fuel > 100 {
		return Errorkf(EINVALID, "err.fuel_bad", []any{r.Fuel}, "fuel %d%% is not a percent from 0 to 100", r.Fuel)
	}
	if r.Km < prev.Km {
		return Errorkf(EINVALID, "err.odometer_down", []any{r.Km, prev.Km}, "odometer %d km is below the last reading %d km", r.Km, prev.Km)
	}
	return nil
}

// LateStep is how far a late test-drive car's alarm has gone (R3.5).
type LateStep int

// The late steps: on time, the consultant alerted, the supervisor alerted.
const (
	LateNone LateStep = iota
	LateConsultant
	LateSupervisor
)

// TestDriveLateness says which alarm step a test drive that ended at end
// and is not back has reached at now: the consultant after TestDriveLate,
// the supervisor TestDriveEscalate after that. Next is the instant of the
// following step, zero when none is left, so a deadline job knows when to
// wake. A car back (returned) is never late.
func TestDriveLateness(end time.Time, returned bool, now time.Time, r VehicleRules) (step LateStep, next time.Time) {
	if returned {
		return LateNone, time.Time{}
	}
	toConsultant := end.Add(r.TestDriveLate)
	toSupervisor := toConsultant.Add(r.TestDriveEscalate)
	switch {
	case now.Before(toConsultant):
		return LateNone, toConsultant
	case now.Before(toSupervisor):
		return LateConsultant, toSupervisor
	}
	return LateSupervisor, time.Time{}
}

package domain

import "time"

// DemoCar is a demo vehicle's upkeep record (R3.4, R3.6).
type DemoCar struct {
	Vehicle Vehicle
	// InFleetSince is when the car joined the demo fleet (its registration
	// as a demo car); its age counts from it.
	InFleetSince time.Time
	Km           int       // last odometer reading
	InsuranceDue time.Time // the policy's end; zero when not recorded
	ServiceDue   time.Time // the next service's date; zero when not recorded
}

// UpkeepKind names what a demo car is due for.
type UpkeepKind string

// The upkeep kinds of R3.6.
const (
	UpkeepInsurance UpkeepKind = "insurance"
	UpkeepService   UpkeepKind = "service"
)

// UpkeepReminder says a demo car is due (or overdue) for renewal of its
// insurance or for its service (R3.6).
type UpkeepReminder struct {
	Kind     UpkeepKind
	Due      time.Time
	DaysLeft int // calendar days from now to Due in the store's zone; negative when overdue
}

// Overdue reports whether the due date has passed.
func (u UpkeepReminder) Overdue() bool { return u.DaysLeft < 0 }

// DemoUpkeep lists what the keeper must be reminded of at now (R3.6): each
// due date within DemoUpkeepRemindDays ahead, or already past. A date not
// recorded is never reminded.
func DemoUpkeep(c DemoCar, now time.Time, loc *time.Location, r VehicleRules) []UpkeepReminder {
	var out []UpkeepReminder
	for _, u := range []struct {
		kind UpkeepKind
		due  time.Time
	}{{UpkeepInsurance, c.InsuranceDue}, {UpkeepService, c.ServiceDue}} {
		if u.due.IsZero() {
			continue
		}
		if left := CalendarDays(now, u.due, loc); left <= r.DemoUpkeepRemindDays {
			out = append(out, UpkeepReminder{Kind: u.kind, Due: u.due, DaysLeft: left})
		}
	}
	return out
}

// Retirement is a proposal to retire a demo car (R3.6).
type Retirement struct {
	Due       bool // old enough or driven far enough
	ByAge     bool
	ByKm      bool
	AgeMonths int // whole months in the fleet
	Km        int
}

// ProposeRetirement says whether a demo car is due for retirement at now:
// DemoRetireMonths in the fleet, or DemoRetireKm driven, whichever first.
// A retired car is never proposed again.
func ProposeRetirement(c DemoCar, now time.Time, loc *time.Location, r VehicleRules) Retirement {
	months := WholeMonths(c.InFleetSince, now, loc)
	res := Retirement{AgeMonths: months, Km: c.Km}
	if c.Vehicle.State == VehicleRetired {
		return res
	}
	res.ByAge = months >= r.DemoRetireMonths
	res.ByKm = c.Km >= r.DemoRetireKm
	res.Due = res.ByAge || res.ByKm
	return res
}

// WholeMonths counts the whole calendar months from since to now in loc:
// 2026-01-31 to 2026-02-28 is 0, to 2026-03-01 is 1.
func WholeMonths(since, now time.Time, loc *time.Location) int {
	a, b := since.In(loc), now.In(loc)
	m := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	if b.Day() < a.Day() {
		m--
	}
	return max(m, 0)
}

// DemoUse is why a demo car leaves the lot (R3.4).
type DemoUse string

// The demo uses: test drives are the car's purpose; anything else (an
// event, a staff errand) needs the manager's approval.
const (
	DemoUseTestDrive DemoUse = "test_drive"
	DemoUseOther     DemoUse = "other"
)

// CheckDemoUse checks a use of a demo car (R3.4): a test drive is always
// allowed, any other use only with a manager's approval. It answers
// EFORBIDDEN with err.demo_use and EINVALID with err.vehicle_not_demo.
func CheckDemoUse(v Vehicle, use DemoUse, managerApproved bool) error {
	switch {
	case v.State != VehicleDemo:
		return Errorkf(EINVALID, "err.vehicle_not_demo", []any{v.VIN}, "car %s is not in the demo fleet", v.VIN)
	case use == DemoUseTestDrive || managerApproved:
		return nil
	}
	return Errorkf(EFORBIDDEN, "err.demo_use", nil, "a demo car is for test drives; other use needs the manager's approval")
}

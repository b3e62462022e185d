package domain

import (
	"regexp"
	"strings"
	"time"
)

// Rest days (R5.1). A consultant asks for a rest day; the limits of
// RotaRules are checked by CheckRest before the supervisor sees the request.

// The states of a rest day.
const (
	RestPending   = "pending"   // asked for, waiting for the supervisor
	RestApproved  = "approved"  // granted (or set by a supervisor's plan)
	RestRejected  = "rejected"  // refused by the supervisor
	RestCancelled = "cancelled" // replaced by a supervisor's plan
)

// RestDay is one person's rest day: a store date written 2006-01-02. While a
// swap is being agreed, SwapWith is the colleague who would take the day and
// SwapDay the colleague's day given in return ("" for none).
type RestDay struct {
	ID        int64
	StaffID   int64
	Day       string
	Status    string
	SwapWith  int64
	SwapDay   string
	DecidedBy int64
	CreatedAt time.Time
}

// Holds reports whether the rest day counts against the limits (pending or
// approved).
func (d RestDay) Holds() bool { return d.Status == RestPending || d.Status == RestApproved }

// RestWindow is the range of dates CheckRest needs a person's rest days
// for, for any day of day's month: the month widened to whole ISO weeks
// (a week may reach into the months either side).
func RestWindow(day time.Time) (from, to string) {
	y, m, _ := day.Date()
	first := time.Date(y, m, 1, 0, 0, 0, 0, day.Location())
	last := first.AddDate(0, 1, -1)
	return weekStart(first).Format(DateLayout), weekStart(last).AddDate(0, 0, 6).Format(DateLayout)
}

// weekStart returns the Monday of day's ISO week, at day's clock.
func weekStart(day time.Time) time.Time {
	off := (int(day.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	return day.AddDate(0, 0, -off)
}

// CheckRest checks a rest day for staffID on day's date against the limits
// (R5.1). mine are the person's rest days (those not pending or approved,
// and any on other dates than the window of RestWindow, are ignored);
// offThatDay is how many others are off (approved or pending) that day.
// now is the moment of the request: the day must be after today and at
// least r.RequestDaysAhead days ahead (a swap or a plan passes rules with
// RequestDaysAhead 0).
//
// The error is an EINVALID whose Key names the broken limit: rest.past,
// rest.ahead, rest.holiday, rest.weekend, rest.duplicate, rest.month,
// rest.week or rest.day_full. A public holiday is never a rest day (the
// store is closed anyway). Saturdays and Sundays are refused, except a
// make-up working day (调休) that falls on one: the store works that day
// like any weekday, so resting on it is allowed.
func CheckRest(staffID int64, day time.Time, mine []RestDay, offThatDay int, r RotaRules, cal *Calendar, now time.Time) error {
	day = cal.StartOfDay(day)
	d := day.Format(DateLayout)
	today := cal.StartOfDay(now)
	if !day.After(today) {
		return Errorkf(EINVALID, "rest.past", []any{d}, "staff %d: rest day %s is not after today", staffID, d)
	}
	if ahead := today.AddDate(0, 0, r.RequestDaysAhead); day.Before(ahead) {
		return Errorkf(EINVALID, "rest.ahead", []any{d, r.RequestDaysAhead},
			"staff %d: rest day %s is less than %d days ahead", staffID, d, r.RequestDaysAhead)
	}
	if r.NoRestOnHolidays && cal.IsHoliday(day) {
		return Errorkf(EINVALID, "rest.holiday", []any{d}, "staff %d: %s is a public holiday", staffID, d)
	}
	makeup := false
	for _, m := range cal.MakeupDays {
		makeup = makeup || m == d
	}
	if wd := day.Weekday(); r.NoRestOnWeekends && (wd == time.Saturday || wd == time.Sunday) && !makeup {
		return Errorkf(EINVALID, "rest.weekend", []any{d}, "staff %d: %s is a weekend day", staffID, d)
	}
	month := d[:7]
	mon := weekStart(day).Format(DateLayout)
	sun := weekStart(day).AddDate(0, 0, 6).Format(DateLayout)
	inMonth, inWeek := 0, 0
	for _, x := range mine {
		if !x.Holds() {
			continue
		}
		if x.Day == d {
			return Errorkf(EINVALID, "rest.duplicate", []any{d}, "staff %d has rest day %s already", staffID, d)
		}
		if strings.HasPrefix(x.Day, month) {
			inMonth++
		}
		if x.Day >= mon && x.Day <= sun {
			inWeek++
		}
	}
	switch {
	case inMonth >= r.RestDaysPerMonth:
		return Errorkf(EINVALID, "rest.month", []any{month, r.RestDaysPerMonth},
			"staff %d has %d rest days in %s already", staffID, inMonth, month)
	case inWeek >= r.RestDaysPerWeek:
		return Errorkf(EINVALID, "rest.week", []any{d, r.RestDaysPerWeek},
			"staff %d has %d rest days in the week of %s already", staffID, inWeek, d)
	case offThatDay >= r.MaxOffPerDay:
		return Errorkf(EINVALID, "rest.day_full", []any{d, r.MaxOffPerDay},
			"%d people are off on %s already", offThatDay, d)
	}
	return nil
}

var dayZHRE = regexp.MustCompile(`^(\d{1,2})月(\d{1,2})[日号]?$`)

// ParseDay reads a date as staff type it: 2026-12-03, 12-03, 12/3, 12月3日,
// 今天/明天/后天 (today, tomorrow). A month and day without a year mean the
// next such date from today. It returns midnight of the date in the store's
// zone; whether the date is allowed is CheckRest's. An unreadable date is
// an EINVALID with Key err.day_bad.
func ParseDay(s string, now time.Time, cal *Calendar) (time.Time, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	bad := Errorkf(EINVALID, "err.day_bad", []any{s}, "%q is not a date like 2026-12-03 or 12-03", s)
	now = now.In(cal.Location)
	var y, m, d int
	if n, ok := relativeDays[s]; ok {
		t := now.AddDate(0, 0, n)
		y, m, d = t.Year(), int(t.Month()), t.Day()
	} else if p := whenFullRE.FindStringSubmatch(s); p != nil {
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	} else if p := firstMatch(s, whenShortRE, dayZHRE); p != nil {
		y, m, d = now.Year(), atoi(p[1]), atoi(p[2])
		if time.Date(y, time.Month(m), d, 0, 0, 0, 0, cal.Location).Before(cal.StartOfDay(now)) {
			y++
		}
	} else {
		return time.Time{}, bad
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, cal.Location)
	if m < 1 || m > 12 || t.Month() != time.Month(m) || t.Day() != d {
		return time.Time{}, bad
	}
	return t, nil
}

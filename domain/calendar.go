package domain

import (
	"fmt"
	"slices"
	"time"
)

// DateLayout is how dates are written in config and commands.
const DateLayout = "2006-01-02"

// ClockTime is a time of day, minutes after midnight, written "09:00".
type ClockTime int

// ParseClockTime reads "HH:MM" (24-hour).
func ParseClockTime(s string) (ClockTime, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day like 09:00", s)
	}
	return ClockTime(t.Hour()*60 + t.Minute()), nil
}

// String writes the time as "HH:MM".
func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// On returns the instant at this time of day on day's date in loc.
func (c ClockTime) On(day time.Time, loc *time.Location) time.Time {
	y, m, d := day.In(loc).Date()
	return time.Date(y, m, d, int(c)/60, int(c)%60, 0, 0, loc)
}

// Calendar is the store's calendar: its time zone, opening hours, the
// weekdays it works, public holidays and make-up working days (调休). Every
// "working day" deadline counts on it.
type Calendar struct {
	Location    *time.Location
	Open, Close ClockTime
	WorkingDays []time.Weekday
	// Holidays are dates the store is closed although the weekday works.
	Holidays []string
	// MakeupDays are dates the store works although the weekday does not.
	MakeupDays []string
}

// Validate checks the calendar; key prefixes the names in its messages.
func (c *Calendar) Validate(key string) error {
	if c.Location == nil {
		return fmt.Errorf("%s.time_zone: missing", key)
	}
	if c.Close <= c.Open {
		return fmt.Errorf("%s.opening_hours: closing time %s is not after opening time %s", key, c.Close, c.Open)
	}
	if len(c.WorkingDays) == 0 {
		return fmt.Errorf("%s.working_days: at least one working day is required", key)
	}
	for _, set := range []struct {
		name  string
		dates []string
	}{{"public_holidays", c.Holidays}, {"makeup_working_days", c.MakeupDays}} {
		for _, d := range set.dates {
			if _, err := time.Parse(DateLayout, d); err != nil {
				return fmt.Errorf("%s.%s: %q is not a date like 2026-10-01", key, set.name, d)
			}
		}
	}
	for _, d := range c.Holidays {
		if slices.Contains(c.MakeupDays, d) {
			return fmt.Errorf("%s.makeup_working_days: %s is also a public holiday", key, d)
		}
	}
	return nil
}

// IsWorkingDay reports whether the store works on t's date (in the store's zone).
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	d := t.In(c.Location).Format(DateLayout)
	switch {
	case slices.Contains(c.MakeupDays, d):
		return true
	case slices.Contains(c.Holidays, d):
		return false
	}
	return slices.Contains(c.WorkingDays, t.In(c.Location).Weekday())
}

// IsHoliday reports whether t's date is a public holiday.
func (c *Calendar) IsHoliday(t time.Time) bool {
	return slices.Contains(c.Holidays, t.In(c.Location).Format(DateLayout))
}

// IsOpen reports whether the store is open at t: a working day, within hours.
func (c *Calendar) IsOpen(t time.Time) bool {
	if !c.IsWorkingDay(t) {
		return false
	}
	t = t.In(c.Location)
	return !t.Before(c.Open.On(t, c.Location)) && t.Before(c.Close.On(t, c.Location))
}

// StartOfDay returns midnight of t's date in the store's zone.
func (c *Calendar) StartOfDay(t time.Time) time.Time {
	y, m, d := t.In(c.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.Location)
}

// AddWorkingDays returns t moved n working days later, at the same time of
// day: the result is on a working day. With n == 0 it returns t.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	t = t.In(c.Location)
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if c.IsWorkingDay(t) {
			n--
		}
	}
	return t
}

// UnmarshalText reads "HH:MM", so config files can hold times of day.
func (c *ClockTime) UnmarshalText(b []byte) error {
	v, err := ParseClockTime(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// MarshalText writes "HH:MM".
func (c ClockTime) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// AddWorkingTime returns t moved d of opening hours later: time outside
// opening hours and on closed days does not count (a handover's "2 working
// hours", R1.10).
func (c *Calendar) AddWorkingTime(t time.Time, d time.Duration) time.Time {
	t = t.In(c.Location)
	for i := 0; d > 0 && i < 400; i++ {
		open, close := c.Open.On(t, c.Location), c.Close.On(t, c.Location)
		switch {
		case !c.IsWorkingDay(t) || !t.Before(close):
			t = c.Open.On(t.AddDate(0, 0, 1), c.Location)
			continue
		case t.Before(open):
			t = open
		}
		left := close.Sub(t)
		if d <= left {
			return t.Add(d)
		}
		d -= left
		t = c.Open.On(t.AddDate(0, 0, 1), c.Location)
	}
	return t
}

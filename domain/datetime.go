package domain

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Dates and times as staff type them: ReadWhen for an appointment time (the
// service checks it, CheckWhen), ParseWhen for a handover's expected
// purchase date, ParseDay for a rest or duty day.
//
// The appointment time staff type (R1.8): "2026-12-03 14:30", "12-03 14:30",
// "12/3 14:30", "12月3日 14:30", "明天 10:00", "后天", "tomorrow 10:00",
// "today 15:00". A day without a time means the opening time.

var (
	whenFullRE  = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
	whenShortRE = regexp.MustCompile(`^(\d{1,2})[-/](\d{1,2})$`)
	whenZHRE    = regexp.MustCompile(`^(\d{1,2})月(\d{1,2})[日号]?$`)
	whenClockRE = regexp.MustCompile(`^(\d{1,2})[:：](\d{2})$`)
)

var relativeDays = map[string]int{
	"今天": 0, "today": 0, "明天": 1, "tomorrow": 1, "后天": 2,
}

// MaxYearsAhead is how far ahead an appointment may be booked. A time
// beyond it is a typing slip (2126 for 2026), not a booking.
const MaxYearsAhead = 1

// ParseWhen reads a time at now on calendar cal (ReadWhen) and checks it
// (CheckWhen).
func ParseWhen(s string, now time.Time, cal *Calendar) (time.Time, error) {
	t, err := ReadWhen(s, now, cal)
	if err == nil {
		err = CheckWhen(t, now, cal)
	}
	if err != nil {
		return time.Time{}, err
	}
	return t, nil
}

// ReadWhen reads a time as staff type it, at now in cal's zone; a day
// without a time is cal's opening time. It only reads: whether the time
// may be booked is CheckWhen's. EINVALID (err.when_bad).
func ReadWhen(s string, now time.Time, cal *Calendar) (time.Time, error) {
	bad := func() error {
		return Errorkf(EINVALID, "err.when_bad", []any{s}, "%q is not a time like 2026-12-03 14:30 or 明天 10:00", s)
	}
	f := strings.Fields(strings.TrimSpace(s))
	// "明天10:00" with no space.
	if len(f) == 1 {
		for word := range relativeDays {
			if rest, ok := strings.CutPrefix(strings.ToLower(f[0]), word); ok && rest != "" {
				f = []string{word, rest}
				break
			}
		}
	}
	if len(f) == 0 || len(f) > 2 {
		return time.Time{}, bad()
	}
	now = now.In(cal.Location)
	var y, m, d int
	day := strings.ToLower(f[0])
	if n, ok := relativeDays[day]; ok {
		t := now.AddDate(0, 0, n)
		y, m, d = t.Year(), int(t.Month()), t.Day()
	} else if p := whenFullRE.FindStringSubmatch(day); p != nil {
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	} else if p := firstMatch(day, whenShortRE, whenZHRE); p != nil {
		y, m, d = now.Year(), atoi(p[1]), atoi(p[2])
		// A month and day already gone this year mean next year's.
		if time.Date(y, time.Month(m), d, 23, 59, 0, 0, cal.Location).Before(now) {
			y++
		}
	} else {
		return time.Time{}, bad()
	}
	clock := cal.Open
	if len(f) == 2 {
		p := whenClockRE.FindStringSubmatch(f[1])
		if p == nil || atoi(p[1]) > 23 || atoi(p[2]) > 59 {
			return time.Time{}, bad()
		}
		clock = ClockTime(atoi(p[1])*60 + atoi(p[2]))
	}
	t := time.Date(y, time.Month(m), d, int(clock)/60, int(clock)%60, 0, 0, cal.Location)
	if t.Month() != time.Month(m) || t.Day() != d { // 2-30 and the like
		return time.Time{}, bad()
	}
	return t, nil
}

// CheckWhen returns nil when t may be booked at now on calendar cal: in
// the future but not more than MaxYearsAhead ahead, on a working day,
// within opening hours (R1.8). EINVALID (err.when_past, err.when_far,
// err.when_closed) otherwise.
func CheckWhen(t, now time.Time, cal *Calendar) error {
	t, now = t.In(cal.Location), now.In(cal.Location)
	switch {
	case !t.After(now):
		return Errorkf(EINVALID, "err.when_past", []any{t.Format("2006-01-02 15:04")}, "%s is in the past", t)
	case t.After(now.AddDate(MaxYearsAhead, 0, 0)):
		return Errorkf(EINVALID, "err.when_far", []any{t.Format("2006-01-02 15:04")}, "%s is more than a year ahead", t)
	case !cal.IsOpen(t):
		return Errorkf(EINVALID, "err.when_closed", []any{t.Format("2006-01-02 15:04"), cal.Open.String(), cal.Close.String()}, "the store is closed at %s", t)
	}
	return nil
}

func firstMatch(s string, res ...*regexp.Regexp) []string {
	for _, re := range res {
		if p := re.FindStringSubmatch(s); p != nil {
			return p
		}
	}
	return nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

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
	} else if p := firstMatch(s, whenShortRE, whenZHRE); p != nil {
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

package domain

import "testing"

func TestR1_8_ParseWhen(t *testing.T) {
	cal := allWeek(t)
	now := at(cal, "2026-12-01 11:20") // a Tuesday
	for in, want := range map[string]string{
		"2026-12-03 14:30": "2026-12-03 14:30",
		"12-03 14:30":      "2026-12-03 14:30",
		"12/3 14:30":       "2026-12-03 14:30",
		"12月3日 14:30":      "2026-12-03 14:30",
		"明天 10:00":         "2026-12-02 10:00",
		"明天10:00":          "2026-12-02 10:00",
		"后天":               "2026-12-03 09:00",
		"tomorrow 10:00":   "2026-12-02 10:00",
		"today 15:00":      "2026-12-01 15:00",
		"1/5 10:00":        "2027-01-05 10:00", // January is next year's
		"2026-12-03":       "2026-12-03 09:00",
		"2027-12-01 10:00": "2027-12-01 10:00", // a year ahead is still fine
	} {
		got, err := ParseWhen(in, now, cal)
		if err != nil || !got.Equal(at(cal, want)) {
			t.Errorf("ParseWhen(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for in, key := range map[string]string{
		"":                 "err.when_bad",
		"someday":          "err.when_bad",
		"12-03 25:00":      "err.when_bad",
		"2026-02-30 10:00": "err.when_bad",
		"today 10:00":      "err.when_past",
		"2026-11-30 10:00": "err.when_past",
		"明天 20:00":         "err.when_closed",
		"明天 08:59":         "err.when_closed",
		"2126-01-01 10:00": "err.when_far",
		"2027-12-02 10:00": "err.when_far",
	} {
		_, err := ParseWhen(in, now, cal)
		var de *Error
		if err == nil || !asError(err, &de) || de.Key != key {
			t.Errorf("ParseWhen(%q) error %v, want %s", in, err, key)
		}
	}
	// A holiday is closed.
	hol := testCalendar(t) // 2026-10-01 a holiday
	if _, err := ParseWhen("2026-10-01 10:00", at(hol, "2026-09-29 10:00"), hol); ErrorCode(err) != EINVALID {
		t.Error("appointment on a public holiday accepted")
	}
}

func asError(err error, de **Error) bool {
	e, ok := err.(*Error)
	*de = e
	return ok
}

func TestR5_1_ParseDay(t *testing.T) {
	cal := testCalendar(t)
	now := restNow(cal)
	for in, want := range map[string]string{
		"2026-10-06": "2026-10-06",
		"2026-9-1":   "2026-09-01", // a past date parses; CheckRest refuses it
		"10-06":      "2026-10-06",
		"10/6":       "2026-10-06",
		"10月6日":      "2026-10-06",
		"10月6号":      "2026-10-06",
		"9/27":       "2027-09-27", // gone this year: next year's
		"9/28":       "2026-09-28", // today
		"明天":         "2026-09-29",
		"后天":         "2026-09-30",
		"Tomorrow":   "2026-09-29",
	} {
		got, err := ParseDay(in, now, cal)
		if err != nil || got.Format(DateLayout) != want || got.Location() != cal.Location || got.Hour() != 0 {
			t.Errorf("ParseDay(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "13-01", "2-30", "2026-02-29", "abc", "12-03 10:00", "32/1", "大后天"} {
		_, err := ParseDay(in, now, cal)
		if e, ok := err.(*Error); !ok || e.Key != "err.day_bad" || e.Code != EINVALID {
			t.Errorf("ParseDay(%q): got %v, want err.day_bad", in, err)
		}
	}
}

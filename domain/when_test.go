package domain

import (
	"testing"
	"time"
)

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

func TestR1_10_AddWorkingTime(t *testing.T) {
	cal := testCalendar(t) // Mon–Fri 09:00–18:00, 10-01 a holiday
	for _, tc := range []struct{ from, want string }{
		{"2026-09-28 10:00", "2026-09-28 12:00"}, // inside the day
		{"2026-09-28 17:00", "2026-09-29 10:00"}, // one hour today, one tomorrow
		{"2026-09-28 20:00", "2026-09-29 11:00"}, // after closing
		{"2026-09-28 07:00", "2026-09-28 11:00"}, // before opening
		{"2026-09-30 17:30", "2026-10-02 10:30"}, // across the holiday
		{"2026-10-02 17:00", "2026-10-05 10:00"}, // across the weekend
	} {
		if got := cal.AddWorkingTime(at(cal, tc.from), 2*time.Hour); !got.Equal(at(cal, tc.want)) {
			t.Errorf("from %s: %s, want %s", tc.from, got, tc.want)
		}
	}
}

func TestR1_13_ShareOutEvenly(t *testing.T) {
	got := ShareOut([]int64{1, 2, 3, 4, 5, 6, 7}, []int64{10, 20, 30})
	if len(got[10]) != 3 || len(got[20]) != 2 || len(got[30]) != 2 {
		t.Fatalf("%v", got)
	}
	if len(ShareOut([]int64{1}, nil)) != 0 {
		t.Fatal("shared out to nobody")
	}
	for g, keep := range map[Grade]bool{GradeH: true, GradeA: true, GradeO: true, GradeB: false, GradeC: false, GradeN: false, GradeL: false, GradeF: false} {
		if g.Keeps() != keep {
			t.Errorf("grade %s keeps %v", g, g.Keeps())
		}
	}
}

func TestR1_10_ExpectedBuyBy(t *testing.T) {
	cal := allWeek(t)
	from := at(cal, "2026-12-01 10:00")
	for g, want := range map[Grade]string{GradeH: "2026-12-08 10:00", GradeA: "2027-01-01 10:00", GradeB: "2027-03-01 10:00", GradeN: "2027-01-01 10:00"} {
		if got := ExpectedBuyBy(g, from); !got.Equal(at(cal, want)) {
			t.Errorf("%s: %s", g, got)
		}
	}
}

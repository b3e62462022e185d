package domain

import (
	"testing"
	"time"
)

// restNow is the rest tests' fixed clock: Monday 2026-09-28 10:00 in the
// store. testCalendar has 2026-10-01 (Thursday) a public holiday and Sunday
// 2026-10-11 a make-up working day.
func restNow(cal *Calendar) time.Time { return time.Date(2026, 9, 28, 10, 0, 0, 0, cal.Location) }

func restDays(status string, days ...string) []RestDay {
	out := make([]RestDay, len(days))
	for i, d := range days {
		out[i] = RestDay{ID: int64(i + 1), StaffID: 7, Day: d, Status: status}
	}
	return out
}

func TestR5_1_CheckRest(t *testing.T) {
	cal := testCalendar(t)
	rules := DefaultRules().Rota
	twoAhead := rules
	twoAhead.RequestDaysAhead = 2
	lenient := rules
	lenient.NoRestOnWeekends, lenient.NoRestOnHolidays = false, false
	for _, tc := range []struct {
		name  string
		day   string
		mine  []RestDay
		off   int
		rules *RotaRules
		key   string // "" for allowed
	}{
		{name: "OK_Weekday", day: "2026-10-06"},
		{name: "OK_Tomorrow", day: "2026-09-29"},
		{name: "OK_OneOtherOff", day: "2026-10-06", off: 1},
		{name: "OK_ThreeThisMonthInOtherWeeks", day: "2026-10-27", mine: restDays(RestApproved, "2026-10-06", "2026-10-13", "2026-10-20")},
		{name: "OK_MakeupSunday", day: "2026-10-11"},
		{name: "OK_RejectedAndCancelledIgnored", day: "2026-10-06",
			mine: append(restDays(RestRejected, "2026-10-06", "2026-10-07"), restDays(RestCancelled, "2026-10-08")...)},
		{name: "OK_WeekendsAndHolidaysAllowedByRules", day: "2026-10-01", rules: &lenient},
		{name: "OK_SaturdayAllowedByRules", day: "2026-10-03", rules: &lenient},
		{name: "Past_Today", day: "2026-09-28", key: "rest.past"},
		{name: "Past_Yesterday", day: "2026-09-27", key: "rest.past"},
		{name: "Ahead", day: "2026-09-29", rules: &twoAhead, key: "rest.ahead"},
		{name: "Weekend_Saturday", day: "2026-10-17", key: "rest.weekend"},
		{name: "Weekend_Sunday", day: "2026-10-18", key: "rest.weekend"},
		{name: "Holiday", day: "2026-10-01", key: "rest.holiday"},
		{name: "Month", day: "2026-10-02", mine: restDays(RestApproved, "2026-10-06", "2026-10-13", "2026-10-20", "2026-10-27"), key: "rest.month"},
		{name: "Month_PendingCounts", day: "2026-10-02", mine: restDays(RestPending, "2026-10-06", "2026-10-13", "2026-10-20", "2026-10-27"), key: "rest.month"},
		{name: "Week", day: "2026-10-08", mine: restDays(RestApproved, "2026-10-06"), key: "rest.week"},
		{name: "Week_AcrossMonths", day: "2026-10-02", mine: restDays(RestApproved, "2026-09-29"), key: "rest.week"},
		{name: "DayFull", day: "2026-10-06", off: 2, key: "rest.day_full"},
		{name: "Duplicate", day: "2026-10-06", mine: restDays(RestPending, "2026-10-06"), key: "rest.duplicate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rules
			if tc.rules != nil {
				r = *tc.rules
			}
			day, err := time.ParseInLocation(DateLayout, tc.day, cal.Location)
			if err != nil {
				t.Fatal(err)
			}
			err = CheckRest(7, day, tc.mine, tc.off, r, cal, restNow(cal))
			switch e, _ := err.(*Error); {
			case tc.key == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.key != "" && e == nil:
				t.Fatalf("got %v, want key %s", err, tc.key)
			case tc.key != "" && (e.Key != tc.key || e.Code != EINVALID):
				t.Fatalf("got %s %s (%v), want %s", e.Code, e.Key, err, tc.key)
			}
		})
	}
}

func TestR5_1_RestWindow(t *testing.T) {
	cal := testCalendar(t)
	for day, want := range map[string][2]string{
		"2026-10-02": {"2026-09-28", "2026-11-01"}, // October starts on a Thursday, ends on a Saturday
		"2026-12-15": {"2026-11-30", "2027-01-03"},
		"2026-06-10": {"2026-06-01", "2026-07-05"},
	} {
		d, _ := time.ParseInLocation(DateLayout, day, cal.Location)
		if from, to := RestWindow(d); from != want[0] || to != want[1] {
			t.Errorf("%s: window %s…%s, want %s…%s", day, from, to, want[0], want[1])
		}
	}
}

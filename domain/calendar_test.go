package domain

import (
	"strings"
	"testing"
	"time"
)

// testCalendar works Monday to Friday, with 2026-10-01 a public holiday and
// Sunday 2026-10-11 a make-up working day.
func testCalendar(tb testing.TB) *Calendar {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		tb.Fatal(err)
	}
	return &Calendar{
		Location: loc, Open: 9 * 60, Close: 18 * 60,
		WorkingDays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		Holidays:    []string{"2026-10-01"},
		MakeupDays:  []string{"2026-10-11"},
	}
}

func TestCalendar_IsWorkingDay(t *testing.T) {
	c := testCalendar(t)
	for date, want := range map[string]bool{
		"2026-09-30": true,  // Wednesday
		"2026-10-01": false, // holiday, a Thursday
		"2026-10-03": false, // Saturday
		"2026-10-11": true,  // make-up Sunday
	} {
		d, _ := time.ParseInLocation(DateLayout, date, c.Location)
		if got := c.IsWorkingDay(d.Add(12 * time.Hour)); got != want {
			t.Errorf("%s working = %v, want %v", date, got, want)
		}
	}
}

func TestCalendar_AddWorkingDays(t *testing.T) {
	c := testCalendar(t)
	start := time.Date(2026, 9, 30, 15, 0, 0, 0, c.Location) // Wednesday
	// Thursday is a holiday, Friday works, weekend off: 2 working days → Monday.
	if got, want := c.AddWorkingDays(start, 2), time.Date(2026, 10, 5, 15, 0, 0, 0, c.Location); !got.Equal(want) {
		t.Errorf("got %s, want %s", got, want)
	}
	fri := time.Date(2026, 10, 9, 10, 0, 0, 0, c.Location)
	if got, want := c.AddWorkingDays(fri, 1), time.Date(2026, 10, 11, 10, 0, 0, 0, c.Location); !got.Equal(want) {
		t.Errorf("make-up Sunday: got %s, want %s", got, want)
	}
}

func TestCalendar_IsOpen(t *testing.T) {
	c := testCalendar(t)
	wed := time.Date(2026, 9, 30, 0, 0, 0, 0, c.Location)
	for h, want := range map[int]bool{8: false, 9: true, 17: true, 18: false} {
		if got := c.IsOpen(wed.Add(time.Duration(h) * time.Hour)); got != want {
			t.Errorf("%02d:00 open = %v", h, got)
		}
	}
}

func TestCalendar_Validate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Calendar)
		inErr string
	}{
		{"OK", func(*Calendar) {}, ""},
		{"ErrHours", func(c *Calendar) { c.Close = c.Open }, "store.opening_hours"},
		{"ErrNoDays", func(c *Calendar) { c.WorkingDays = nil }, "store.working_days"},
		{"ErrHolidayDate", func(c *Calendar) { c.Holidays = []string{"10-01"} }, "store.public_holidays"},
		{"ErrBoth", func(c *Calendar) { c.MakeupDays = append(c.MakeupDays, "2026-10-01") }, "store.makeup_working_days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testCalendar(t)
			tc.edit(c)
			err := c.Validate("store")
			if (err == nil) != (tc.inErr == "") || (err != nil && !strings.Contains(err.Error(), tc.inErr)) {
				t.Fatalf("error %v, want one naming %q", err, tc.inErr)
			}
		})
	}
}

func TestRules_Validate(t *testing.T) {
	r := DefaultRules()
	if err := r.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	for _, tc := range []struct {
		edit func(*Rules)
		key  string
	}{
		{func(r *Rules) { r.Leads.FollowUpEveryDays.H = 0 }, "rules.leads.follow_up_every_days.H"},
		{func(r *Rules) { r.Complaints.OnSiteSolution = -time.Minute }, "rules.complaints.on_site_solution"},
		{func(r *Rules) { r.Complaints.RemindAtFraction = 1.5 }, "rules.complaints.remind_at_fraction"},
		{func(r *Rules) { r.Vehicles.StockOverdueDays = 10 }, "rules.vehicles.stock_overdue_days"},
		{func(r *Rules) { r.Rota.MaxOffPerDay = 0 }, "rules.rota.max_off_per_day"},
		{func(r *Rules) { r.Complaints.WeeklyRegisterDayName = "someday" }, "rules.complaints.weekly_register_day"},
		{func(r *Rules) { r.Staff.InviteTTL = 0 }, "rules.staff.invite_ttl"},
		{func(r *Rules) { r.Reports.Daily = 24 * 60 }, "rules.reports.daily_time"},
		{func(r *Rules) { r.Reports.Weekly = -1 }, "rules.reports.weekly_time"},
		{func(r *Rules) { r.Reports.Monthly = 25 * 60 }, "rules.reports.monthly_time"},
	} {
		r := DefaultRules()
		tc.edit(&r)
		if err := r.Validate(); err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("error %v, want one naming %s", err, tc.key)
		}
	}
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

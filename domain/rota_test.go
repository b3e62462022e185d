package domain

import (
	"fmt"
	"testing"
	"time"
)

func TestR5_1_ParsePlanLine(t *testing.T) {
	cal := testCalendar(t)
	first := time.Date(2026, 12, 1, 0, 0, 0, 0, cal.Location)
	for _, tc := range []struct {
		text, want string
	}{
		{"陈顾问: 1 8 15 22", "ok 陈顾问 [1 8 15 22] []"},
		{" 陈顾问 ：1，8、15,22 ", "ok 陈顾问 [1 8 15 22] []"},
		{"陈顾问:", "ok 陈顾问 [] []"},
		{"陈顾问: 1 32 0 x 31", "ok 陈顾问 [1 31] [rota.line_bad_day 32 rota.line_bad_day 0 rota.line_bad_day x]"},
		{"陈顾问 3", "bad  [] [rota.line_bad 陈顾问 3]"},
		{": 3", "bad  [] [rota.line_bad : 3]"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			name, days, bad, ok := ParsePlanLine(4, tc.text, first)
			got := "bad"
			if ok {
				got = "ok"
			}
			var ds []int
			for _, d := range days {
				ds = append(ds, d.Day())
			}
			var bs []string
			for _, b := range bad {
				if b.Args[0] != 4 {
					t.Errorf("problem of line %v", b.Args[0])
				}
				bs = append(bs, b.Key, fmt.Sprint(b.Args[1]))
			}
			if got = fmt.Sprintf("%s %s %v %v", got, name, ds, bs); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestR5_1_ParsePlan(t *testing.T) {
	cal := testCalendar(t)
	plan := ParsePlan(time.Date(2026, 12, 15, 10, 0, 0, 0, cal.Location), []string{"陈顾问: 1 8", "王顾问 3", "张顾问: 32 2"})
	if want := time.Date(2026, 12, 1, 0, 0, 0, 0, cal.Location); !plan.First.Equal(want) {
		t.Fatalf("first %v, want %v", plan.First, want)
	}
	got := ""
	for _, l := range plan.Lines {
		var ds []int
		for _, d := range l.Days {
			ds = append(ds, d.Day())
		}
		var bs []string
		for _, b := range l.Bad {
			bs = append(bs, fmt.Sprintf("%v %s", b.Args[0], b.Key))
		}
		got += fmt.Sprintf("%d %q %v %v; ", l.N, l.Name, ds, bs)
	}
	if want := `1 "陈顾问" [1 8] []; 2 "" [] [2 rota.line_bad]; 3 "张顾问" [2] [3 rota.line_bad_day]; `; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestR5_1_CheckPlan(t *testing.T) {
	cal := testCalendar(t)
	now := restNow(cal) // Monday 2026-09-28
	day := func(d string) time.Time {
		t, _ := time.ParseInLocation(DateLayout, d, cal.Location)
		return t
	}
	a, b, c := &Staff{ID: 1, Name: "A"}, &Staff{ID: 2, Name: "B"}, &Staff{ID: 3, Name: "C"}
	kept := []RestDay{{StaffID: 2, Day: "2026-10-05", Status: RestApproved}}
	plan := []PlanLine{
		{N: 1, Staff: a, Days: []time.Time{day("2026-10-06"), day("2026-10-13")}},
		{N: 2, Staff: b, Days: []time.Time{day("2026-10-06"), day("2026-10-13")}},                    // the 6th: B's week has the 5th
		{N: 3, Staff: c, Days: []time.Time{day("2026-10-13"), day("2026-10-01"), day("2026-09-29")}}, // full, holiday, fine
	}
	rules := DefaultRules().Rota
	rules.RequestDaysAhead = 5 // a plan has no notice period
	accepted, problems := CheckPlan(plan, kept, rules, cal, now, 9)
	got := ""
	for _, d := range accepted {
		got += fmt.Sprintf("%d:%s:%s:%d ", d.StaffID, d.Day, d.Status, d.DecidedBy)
	}
	if want := "1:2026-10-06:approved:9 1:2026-10-13:approved:9 2:2026-10-13:approved:9 3:2026-09-29:approved:9 "; got != want {
		t.Errorf("accepted %q, want %q", got, want)
	}
	got = ""
	for _, p := range problems {
		got += fmt.Sprintf("%s %v %v %v %s; ", p.Key, p.Args[0], p.Args[1], p.Args[2], p.Args[3].(*Error).Key)
	}
	if want := "rota.line_limit 2 B 2026-10-06 rest.week; rota.line_limit 3 C 2026-10-13 rest.day_full; rota.line_limit 3 C 2026-10-01 rest.holiday; "; got != want {
		t.Errorf("problems %q, want %q", got, want)
	}
}

func TestR5_1_RotaRules(t *testing.T) {
	cal := testCalendar(t)
	now := restNow(cal) // Monday 2026-09-28 10:00
	t.Run("PlanFrom", func(t *testing.T) {
		if got := PlanFrom(time.Date(2026, 9, 1, 0, 0, 0, 0, cal.Location), now, cal); got != "2026-09-29" {
			t.Errorf("this month from %s", got)
		}
		if got := PlanFrom(time.Date(2026, 10, 1, 0, 0, 0, 0, cal.Location), now, cal); got != "2026-10-01" {
			t.Errorf("next month from %s", got)
		}
	})
	t.Run("AfterToday", func(t *testing.T) {
		allowedOr(t, AfterToday(now.AddDate(0, 0, 1), now, cal), "")
		allowedOr(t, AfterToday(cal.StartOfDay(now), now, cal), "rest.past")
	})
	t.Run("LaterRules", func(t *testing.T) {
		r := DefaultRules().Rota
		r.RequestDaysAhead = 3
		if l := LaterRules(r); l.RequestDaysAhead != 0 || l.MaxOffPerDay != r.MaxOffPerDay || r.RequestDaysAhead != 3 {
			t.Errorf("%+v", l)
		}
	})
	t.Run("MayPlanRota", func(t *testing.T) {
		allowedOr(t, MayPlanRota(&Staff{Roles: Roles{RoleSupervisor}, Active: true}), "")
		allowedOr(t, MayPlanRota(&Staff{Roles: Roles{RoleManager}, Active: true}), "err.forbidden")
		allowedOr(t, MayPlanRota(&Staff{Roles: Roles{RoleSupervisor}}), "err.forbidden")
	})
	t.Run("RotaOf", func(t *testing.T) {
		staff := map[int64]*Staff{1: {ID: 1, Name: "王"}, 2: {ID: 2, Name: "陈"}, 3: {ID: 3, Name: "A"}}
		days := []RestDay{{StaffID: 1, Day: "2026-10-05"}, {StaffID: 2, Day: "2026-10-06"}, {StaffID: 1, Day: "2026-10-13"}, {StaffID: 3, Day: "2026-10-20"}}
		r := RotaOf(time.Date(2026, 10, 1, 0, 0, 0, 0, cal.Location), days, staff)
		got := r.Month
		for _, l := range r.Lines {
			got += fmt.Sprintf(" %s%v", l.Staff.Name, l.Days)
		}
		if got != "2026-10 A[20] 王[5 13] 陈[6]" {
			t.Errorf("%q", got)
		}
	})
}

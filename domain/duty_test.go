package domain

import (
	"fmt"
	"testing"
	"time"
)

func TestR5_2_DutyRoleNamed(t *testing.T) {
	r := DefaultRules().Rota
	if d, ok := r.DutyRoleNamed("OPENING"); !ok || d.Name != "opening" || len(d.Tasks) == 0 {
		t.Fatalf("opening: %+v %v", d, ok)
	}
	if _, ok := r.DutyRoleNamed("lunch"); ok {
		t.Fatal("lunch is no duty role")
	}
}

func TestR5_2_TellDutyAtOnceAfterTheReminderOrForALaterDay(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	reminder := ClockTime(8 * 60)
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, loc) }
	for _, c := range []struct {
		name     string
		day, now time.Time
		want     bool
	}{
		{"TodayBeforeTheReminder", at(27, 0, 0), at(27, 7, 59), false},
		{"TodayAtTheReminder", at(27, 0, 0), at(27, 8, 0), true},
		{"TodayAfterTheReminder", at(27, 0, 0), at(27, 9, 30), true},
		{"Tomorrow", at(28, 0, 0), at(27, 7, 0), true},
		{"NextWeek", at(27+7, 0, 0), at(27, 23, 0), true},
		{"Yesterday", at(26, 0, 0), at(27, 9, 0), false},
		{"TodayGivenInAnotherZone", at(27, 0, 0).UTC(), at(27, 9, 0), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := TellDutyAtOnce(c.day, c.now, reminder, loc); got != c.want {
				t.Fatalf("TellDutyAtOnce(%v, %v) = %v, want %v", c.day, c.now, got, c.want)
			}
		})
	}
}

func TestR5_2_CanPlanDuty(t *testing.T) {
	for _, c := range []struct {
		name string
		s    *Staff
		ok   bool
	}{
		{"Supervisor", &Staff{Active: true, Roles: Roles{RoleSupervisor}}, true},
		{"Manager", &Staff{Active: true, Roles: Roles{RoleManager}}, true},
		{"Consultant", &Staff{Active: true, Roles: Roles{RoleConsultant}}, false},
		{"InactiveSupervisor", &Staff{Roles: Roles{RoleSupervisor}}, false},
		{"Nobody", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CanPlanDuty(c.s)
			if (err == nil) != c.ok || (err != nil && ErrorCode(err) != EFORBIDDEN) {
				t.Fatalf("got %v, want ok %v", err, c.ok)
			}
		})
	}
}

func TestR5_2_GroupDuties(t *testing.T) {
	list := []DutyAssignment{{Role: "closing", StaffID: 2}, {Role: "opening", StaffID: 1}, {Role: "showroom", StaffID: 2}, {Role: "showroom", StaffID: 3}}
	for _, c := range []struct {
		name string
		keep func(int64) bool
		want string
	}{
		{"All", func(int64) bool { return true }, "[{2 [closing showroom]} {1 [opening]} {3 [showroom]}]"},
		{"NotTwo", func(id int64) bool { return id != 2 }, "[{1 [opening]} {3 [showroom]}]"},
		{"None", func(int64) bool { return false }, "[]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := GroupDuties(list, c.keep); fmt.Sprint(got) != c.want {
				t.Fatalf("got %v, want %s", got, c.want)
			}
		})
	}
}

func TestR5_2_WeeklyFirstDay(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	fri := time.Date(2026, 11, 27, 23, 30, 0, 0, loc) // Friday; 15:30 UTC
	for _, c := range []struct {
		wd   time.Weekday
		want string
	}{{time.Friday, "2026-11-27"}, {time.Saturday, "2026-11-28"}, {time.Monday, "2026-11-30"}, {time.Thursday, "2026-12-03"}} {
		if got := WeeklyFirstDay(c.wd, fri.UTC(), loc); got != c.want {
			t.Errorf("%s: %s, want %s", c.wd, got, c.want)
		}
	}
}

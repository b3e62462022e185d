package domain

import (
	"context"
	"strings"
	"time"
)

// DutyAssignment is one person on one duty role on one day (R5.2). Day is a
// date of the person's store written 2006-01-02.
type DutyAssignment struct {
	Day     string
	Role    string
	StaffID int64
}

// DutyRoleNamed returns the configured duty role of that name
// (case-insensitive), and whether there is one.
func (r RotaRules) DutyRoleNamed(name string) (DutyRole, bool) {
	for _, d := range r.DutyRoles {
		if strings.EqualFold(d.Name, name) {
			return d, true
		}
	}
	return DutyRole{}, false
}

// TellDutyAtOnce reports whether someone put on duty on day at now is told
// at once (R5.2): for a later day, or for today once the morning reminder
// (at reminder) has gone. For today before it, the reminder tells them.
func TellDutyAtOnce(day, now time.Time, reminder ClockTime, loc *time.Location) bool {
	dy, dm, dd := day.In(loc).Date()
	ny, nm, nd := now.In(loc).Date()
	d, n := time.Date(dy, dm, dd, 0, 0, 0, 0, loc), time.Date(ny, nm, nd, 0, 0, 0, 0, loc)
	switch {
	case d.After(n):
		return true
	case d.Equal(n):
		return !now.Before(reminder.On(now, loc))
	}
	return false
}

// DutyPlanners are the roles that may plan the rota (README's command
// table).
var DutyPlanners = []Role{RoleSupervisor, RoleManager}

// CanPlanDuty returns nil when s may put people on duty or take them off.
// EFORBIDDEN (err.forbidden) otherwise.
func CanPlanDuty(s *Staff) error {
	if s == nil || !s.Active || !s.Roles.HasAny(DutyPlanners...) {
		id := int64(0)
		if s != nil {
			id = s.ID
		}
		return Errorkf(EFORBIDDEN, "err.forbidden", nil, "staff %d may not plan duties", id)
	}
	return nil
}

// StaffDuties is one person's duty roles on a day, in the rota's order.
type StaffDuties struct {
	StaffID int64
	Roles   []string
}

// GroupDuties groups a day's assignments by person, in the order people
// first appear, keeping those for whom keep is true.
func GroupDuties(list []DutyAssignment, keep func(staffID int64) bool) []StaffDuties {
	var out []StaffDuties
	at := map[int64]int{}
	for _, a := range list {
		if !keep(a.StaffID) {
			continue
		}
		i, ok := at[a.StaffID]
		if !ok {
			i = len(out)
			at[a.StaffID] = i
			out = append(out, StaffDuties{StaffID: a.StaffID})
		}
		out[i].Roles = append(out[i].Roles, a.Role)
	}
	return out
}

// WeeklyFirstDay is the first day a weekly pattern on wd set at now
// applies: today if it is that weekday. A store date, 2006-01-02.
func WeeklyFirstDay(wd time.Weekday, now time.Time, loc *time.Location) string {
	now = now.In(loc)
	return now.AddDate(0, 0, (int(wd)-int(now.Weekday())+7)%7).Format(DateLayout)
}

// DutyService plans the duty rota and says who must hear of it (R5.2).
// Each store has its own rota, its own duty roles (rules.rota.duty_roles,
// which a store may override) and its own calendar: a planner plans, and
// a viewer sees, the rota of their own store, and the names they type are
// looked up among its staff (a member of another store is
// err.staff_not_found). Days are times, of which the service takes the
// store date (outcomes say it as 2006-01-02); weekdays 0 Sunday … 6
// Saturday. Each method is one transaction, or joins the caller's.
type DutyService interface {
	// Duties returns the roster of day's store date in the store of
	// staff byID: who is on which role, who of them rests, and each of
	// them. EFORBIDDEN (err.forbidden: no such member).
	Duties(ctx context.Context, byID int64, day time.Time) (*DutyRoster, error)

	// SetDuty puts the member called name on role on day's store date for
	// plannerID. EFORBIDDEN (err.forbidden), ENOTFOUND
	// (err.staff_not_found), EINVALID (duty.day_past, duty.role_bad),
	// ECONFLICT (duty.resting).
	SetDuty(ctx context.Context, plannerID int64, day time.Time, role, name string) (*DutySet, error)

	// SetWeekly adds the member called name to role's weekly pattern on
	// weekday. Errors as SetDuty but for days (EINVALID duty.weekday_bad).
	SetWeekly(ctx context.Context, plannerID int64, weekday time.Weekday, role, name string) (*DutySet, error)

	// UnsetDuty takes the member called name off role on day's store
	// date; Removed is false when they were not on it. EFORBIDDEN
	// (err.forbidden), ENOTFOUND (err.staff_not_found).
	UnsetDuty(ctx context.Context, plannerID int64, day time.Time, role, name string) (*DutyUnset, error)

	// UnsetWeekly takes the member called name off role's weekly pattern
	// on weekday; Removed is false when they were not in it. Errors as
	// UnsetDuty.
	UnsetWeekly(ctx context.Context, plannerID int64, weekday time.Weekday, role, name string) (*DutyUnset, error)

	// DutyReminder is the morning reminder of day's date in store (its
	// calendar): nothing on a day the store is closed.
	DutyReminder(ctx context.Context, store int64, day time.Time) (*DutyReminder, error)

	// RestConflicts are the people of store on duty on day's store date
	// who have an approved rest day then, with the store's supervisors to
	// tell.
	RestConflicts(ctx context.Context, store int64, day time.Time) ([]DutyRestConflict, error)
}

// DutyUnset is what UnsetDuty or UnsetWeekly did: whom it was about, and
// whether they were on the duty.
type DutyUnset struct {
	Staff   *Staff
	Removed bool
}

// DutyRoster is a day's duty: the assignments (sorted by role, then
// staff id), who of them rests that day, and everyone on it by id, so
// that the roster can be shown without looking anyone up.
type DutyRoster struct {
	Day         string
	Assignments []DutyAssignment
	Resting     []int64
	Staff       map[int64]*Staff
}

// DutySet is what SetDuty or SetWeekly did: the assignment (Day is the
// first day a weekly one applies), and whom to tell at once (nil: nobody
// — they planned themselves, are not enrolled, or the morning reminder
// will tell them).
type DutySet struct {
	Day    string
	Role   string
	Staff  *Staff
	Tell   *Staff
	Weekly bool
}

// DutyReminder is a store's morning reminder of a day: each person to
// remind with their roles (active and enrolled, not resting), and the
// roster of everyone on duty and not resting for the store's group chat.
type DutyReminder struct {
	StoreID int64
	Day     string
	Remind  []StaffOnDuty
	Roster  []StaffOnDuty
}

// StaffOnDuty is a person with their duty roles of a day.
type StaffOnDuty struct {
	Staff *Staff
	Roles []string
}

// DutyRestConflict is someone on duty on Day who rests then, their roles,
// and the supervisors who must hear it.
type DutyRestConflict struct {
	Day         string
	Staff       *Staff
	Roles       []string
	Supervisors []*Staff
}

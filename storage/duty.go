package storage

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The duty rota (R5.2): explicit assignments per day, and a weekly pattern
// that fills a day's role when the day has no explicit assignment for it.
// Each store has its own: every row carries the store_id of its person,
// and every read names the store. Days are store dates written 2006-01-02.

func checkDutyArgs(day, role string, staffID int64) error {
	if _, err := time.Parse(domain.DateLayout, day); err != nil || role == "" || staffID <= 0 {
		return domain.Errorf(domain.EINVALID, "duty %q %q %d: bad day, role or staff", day, role, staffID)
	}
	return nil
}

// AssignDuty puts a staff member of store on a duty role on day; assigning
// twice stores one assignment.
func (db *DB) AssignDuty(ctx context.Context, store int64, day, role string, staffID int64) error {
	if err := checkDutyArgs(day, role, staffID); err != nil {
		return err
	}
	err := db.conn(ctx).Exec(`INSERT INTO duty_assignments (store_id, day, role, staff_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (day, role, staff_id) DO NOTHING`, store, day, role, staffID).Error
	if err != nil {
		return formatError(fmt.Errorf("assign duty: %w", err))
	}
	return nil
}

// UnassignDuty removes an explicit assignment; it reports whether there
// was one.
func (db *DB) UnassignDuty(ctx context.Context, day, role string, staffID int64) (bool, error) {
	res := db.conn(ctx).Exec(`DELETE FROM duty_assignments WHERE day = ? AND role = ? AND staff_id = ?`, day, role, staffID)
	if res.Error != nil {
		return false, formatError(fmt.Errorf("unassign duty: %w", res.Error))
	}
	return res.RowsAffected > 0, nil
}

// SetPattern adds a staff member of store to a role's weekly pattern on a
// weekday (0 Sunday … 6 Saturday); setting twice stores one.
func (db *DB) SetPattern(ctx context.Context, store int64, weekday int, role string, staffID int64) error {
	if weekday < 0 || weekday > 6 || role == "" || staffID <= 0 {
		return domain.Errorf(domain.EINVALID, "pattern %d %q %d: bad weekday, role or staff", weekday, role, staffID)
	}
	err := db.conn(ctx).Exec(`INSERT INTO duty_patterns (store_id, weekday, role, staff_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (weekday, role, staff_id) DO NOTHING`, store, weekday, role, staffID).Error
	if err != nil {
		return formatError(fmt.Errorf("set duty pattern: %w", err))
	}
	return nil
}

// UnsetPattern removes a staff member from a role's weekly pattern; it
// reports whether they were in it.
func (db *DB) UnsetPattern(ctx context.Context, weekday int, role string, staffID int64) (bool, error) {
	res := db.conn(ctx).Exec(`DELETE FROM duty_patterns WHERE weekday = ? AND role = ? AND staff_id = ?`, weekday, role, staffID)
	if res.Error != nil {
		return false, formatError(fmt.Errorf("unset duty pattern: %w", res.Error))
	}
	return res.RowsAffected > 0, nil
}

// DutyOn returns who is on duty in store on day: the day's explicit
// assignments, and for each role without one, the weekly pattern of the
// day's weekday. Sorted by role, then staff id.
func (db *DB) DutyOn(ctx context.Context, store int64, day string) ([]domain.DutyAssignment, error) {
	d, err := time.Parse(domain.DateLayout, day)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "duty day %q: %v", day, err)
	}
	var out []domain.DutyAssignment
	explicit := map[string]bool{}
	rows, err := db.conn(ctx).Raw(`SELECT role, staff_id FROM duty_assignments WHERE store_id = ? AND day = ?`, store, day).Rows()
	if err != nil {
		return nil, formatError(fmt.Errorf("duty on %s: %w", day, err))
	}
	for rows.Next() {
		a := domain.DutyAssignment{Day: day}
		if err := rows.Scan(&a.Role, &a.StaffID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("duty on %s: %w", day, err)
		}
		explicit[a.Role] = true
		out = append(out, a)
	}
	if err := rows.Close(); err != nil {
		return nil, formatError(fmt.Errorf("duty on %s: %w", day, err))
	}
	rows, err = db.conn(ctx).Raw(`SELECT role, staff_id FROM duty_patterns WHERE store_id = ? AND weekday = ?`, store, int(d.Weekday())).Rows()
	if err != nil {
		return nil, formatError(fmt.Errorf("duty pattern of %s: %w", day, err))
	}
	for rows.Next() {
		a := domain.DutyAssignment{Day: day}
		if err := rows.Scan(&a.Role, &a.StaffID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("duty pattern of %s: %w", day, err)
		}
		if !explicit[a.Role] {
			out = append(out, a)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, formatError(fmt.Errorf("duty pattern of %s: %w", day, err))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Role != out[j].Role {
			return out[i].Role < out[j].Role
		}
		return out[i].StaffID < out[j].StaffID
	})
	return out, nil
}

// RestingOn returns the staff of store with an approved rest day on day,
// by id.
func (db *DB) RestingOn(ctx context.Context, store int64, day string) ([]int64, error) {
	var ids []int64
	err := db.conn(ctx).Raw(`SELECT DISTINCT staff_id FROM rest_days WHERE store_id = ? AND day = ? AND status = ? ORDER BY staff_id`,
		store, day, domain.RestApproved).Scan(&ids).Error
	if err != nil {
		return nil, formatError(fmt.Errorf("resting on %s: %w", day, err))
	}
	return ids, nil
}

// storage implements the duty rota's service (R5.2).
var _ domain.DutyService = (*DB)(nil)

// rotaDate is t's date in st, 2006-01-02 in its calendar's zone.
func rotaDate(st *domain.Store, t time.Time) string {
	return t.In(st.Calendar.Location).Format(domain.DateLayout)
}

// Duties implements domain.DutyService.
func (db *DB) Duties(ctx context.Context, byID int64, t time.Time) (*domain.DutyRoster, error) {
	var out *domain.DutyRoster
	err := db.InTx(ctx, func(ctx context.Context) error {
		by, err := db.rotaActor(ctx, byID)
		if err != nil {
			return err
		}
		st := db.rotaStoreOf(by)
		day := rotaDate(st, t)
		list, err := db.DutyOn(ctx, st.ID, day)
		if err != nil {
			return err
		}
		out = &domain.DutyRoster{Day: day, Assignments: list, Staff: map[int64]*domain.Staff{}}
		if len(list) == 0 {
			return nil
		}
		if out.Resting, err = db.RestingOn(ctx, st.ID, day); err != nil {
			return err
		}
		out.Staff, err = db.staffByIDs(ctx, dutyStaffIDs(list))
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "duties of %s", t.Format(time.DateOnly))
	}
	return out, nil
}

// dutyPlan checks what setting and unsetting a duty share: plannerID may
// plan, name is an active member of the planner's store, and role is one
// of the store's duty roles. It returns the planner's store too.
func (db *DB) dutyPlan(ctx context.Context, plannerID int64, role, name string) (st *domain.Store, planner, who *domain.Staff, err error) {
	planner, err = db.StaffByID(ctx, plannerID)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := domain.CanPlanDuty(planner); err != nil {
		return nil, nil, nil, err
	}
	st = db.rotaStoreOf(planner)
	who, err = db.rotaStaffNamed(ctx, st.ID, name)
	if err == nil && !who.Active || domain.ErrorCode(err) == domain.ENOTFOUND || domain.ErrorCode(err) == domain.EINVALID {
		err = domain.Errorkf(domain.ENOTFOUND, "err.staff_not_found", []any{name}, "no active staff %q in store %s", name, st.Code)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if _, ok := st.Rules.Rota.DutyRoleNamed(role); !ok {
		return nil, nil, nil, domain.Errorkf(domain.EINVALID, "err.invalid", nil, "%q is no duty role of store %s", role, st.Code)
	}
	return st, planner, who, nil
}

// tellOnDuty is whom to tell at once of a duty just set: nobody when
// they planned themselves or cannot be reached.
func tellOnDuty(planner, who *domain.Staff, now bool) *domain.Staff {
	if !now || who.ID == planner.ID || !who.Enrolled() {
		return nil
	}
	return who
}

// SetDuty implements domain.DutyService.
func (db *DB) SetDuty(ctx context.Context, plannerID int64, t time.Time, role, name string) (*domain.DutySet, error) {
	var out *domain.DutySet
	err := db.InTx(ctx, func(ctx context.Context) error {
		st, planner, who, err := db.dutyPlan(ctx, plannerID, role, name)
		if err != nil {
			return err
		}
		day, t := rotaDate(st, t), st.Calendar.StartOfDay(t)
		now := db.now()
		if day < rotaDate(st, now) {
			return domain.Errorkf(domain.EINVALID, "duty.day_past", []any{day}, "duty day %s is past", day)
		}
		resting, err := db.RestingOn(ctx, st.ID, day)
		if err != nil {
			return err
		}
		if slices.Contains(resting, who.ID) {
			return domain.Errorkf(domain.ECONFLICT, "duty.resting", []any{who.Name, day}, "staff %d rests on %s", who.ID, day)
		}
		if err := db.AssignDuty(ctx, st.ID, day, role, who.ID); err != nil {
			return err
		}
		at := domain.TellDutyAtOnce(t, now, st.Rules.Rota.DutyReminder, st.Calendar.Location)
		out = &domain.DutySet{Day: day, Role: role, Staff: who, Tell: tellOnDuty(planner, who, at)}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "set duty %s %s %q", t.Format(time.DateOnly), role, name)
	}
	return out, nil
}

// SetWeekly implements domain.DutyService.
func (db *DB) SetWeekly(ctx context.Context, plannerID int64, weekday time.Weekday, role, name string) (*domain.DutySet, error) {
	var out *domain.DutySet
	err := db.InTx(ctx, func(ctx context.Context) error {
		st, planner, who, err := db.dutyPlan(ctx, plannerID, role, name)
		if err != nil {
			return err
		}
		if weekday < time.Sunday || weekday > time.Saturday {
			return domain.Errorkf(domain.EINVALID, "duty.weekday_bad", []any{int(weekday)}, "%d is no weekday", weekday)
		}
		if err := db.SetPattern(ctx, st.ID, int(weekday), role, who.ID); err != nil {
			return err
		}
		out = &domain.DutySet{Day: domain.WeeklyFirstDay(weekday, db.now(), st.Calendar.Location), Role: role,
			Staff: who, Tell: tellOnDuty(planner, who, true), Weekly: true}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "set weekly duty %d %s %q", weekday, role, name)
	}
	return out, nil
}

// UnsetDuty implements domain.DutyService.
func (db *DB) UnsetDuty(ctx context.Context, plannerID int64, t time.Time, role, name string) (*domain.DutyUnset, error) {
	var out *domain.DutyUnset
	err := db.InTx(ctx, func(ctx context.Context) error {
		st, _, who, err := db.dutyPlan(ctx, plannerID, role, name)
		if err != nil {
			return err
		}
		out = &domain.DutyUnset{Staff: who}
		out.Removed, err = db.UnassignDuty(ctx, rotaDate(st, t), role, who.ID)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "unset duty %s %s %q", t.Format(time.DateOnly), role, name)
	}
	return out, nil
}

// UnsetWeekly implements domain.DutyService.
func (db *DB) UnsetWeekly(ctx context.Context, plannerID int64, weekday time.Weekday, role, name string) (*domain.DutyUnset, error) {
	var out *domain.DutyUnset
	err := db.InTx(ctx, func(ctx context.Context) error {
		_, _, who, err := db.dutyPlan(ctx, plannerID, role, name)
		if err != nil {
			return err
		}
		out = &domain.DutyUnset{Staff: who}
		out.Removed, err = db.UnsetPattern(ctx, int(weekday), role, who.ID)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "unset weekly duty %d %s %q", weekday, role, name)
	}
	return out, nil
}

// dutyGrouped is store's duty of day grouped by person, keeping those for
// whom keep (given whether they rest) is true, with each person loaded.
func (db *DB) dutyGrouped(ctx context.Context, store int64, day string, keep func(resting bool) bool) ([]domain.StaffOnDuty, error) {
	list, err := db.DutyOn(ctx, store, day)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	resting, err := db.RestingOn(ctx, store, day)
	if err != nil {
		return nil, err
	}
	staff, err := db.staffByIDs(ctx, dutyStaffIDs(list))
	if err != nil {
		return nil, err
	}
	var out []domain.StaffOnDuty
	for _, g := range domain.GroupDuties(list, func(id int64) bool { return keep(slices.Contains(resting, id)) }) {
		s, ok := staff[g.StaffID]
		if !ok {
			return nil, errStaffNotFound(fmt.Sprintf("#%d", g.StaffID))
		}
		out = append(out, domain.StaffOnDuty{Staff: s, Roles: g.Roles})
	}
	return out, nil
}

// dutyStaffIDs are the people of a day's duty, each once.
func dutyStaffIDs(list []domain.DutyAssignment) []int64 {
	var ids []int64
	for _, a := range list {
		if !slices.Contains(ids, a.StaffID) {
			ids = append(ids, a.StaffID)
		}
	}
	return ids
}

// dutyStore is the store of a job's call: ENOTFOUND for an id no store has
// (a job must not guess).
func (db *DB) dutyStore(store int64) (*domain.Store, error) {
	st := db.Stores.ByID(store)
	if st == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "no store %d", store)
	}
	return st, nil
}

// DutyReminder implements domain.DutyService.
func (db *DB) DutyReminder(ctx context.Context, store int64, day time.Time) (*domain.DutyReminder, error) {
	st, err := db.dutyStore(store)
	if err != nil {
		return nil, err
	}
	d := rotaDate(st, day)
	out := &domain.DutyReminder{StoreID: st.ID, Day: d}
	if !st.Calendar.IsWorkingDay(day) {
		return out, nil // the store is closed: no duty
	}
	err = db.InTx(ctx, func(ctx context.Context) error {
		// Resting: the supervisor was told the day before.
		on, err := db.dutyGrouped(ctx, st.ID, d, func(resting bool) bool { return !resting })
		if err != nil {
			return err
		}
		out.Roster = on
		for _, p := range on {
			if p.Staff.Active && p.Staff.Enrolled() {
				out.Remind = append(out.Remind, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "duty reminder of %s in store %s", d, st.Code)
	}
	return out, nil
}

// RestConflicts implements domain.DutyService.
func (db *DB) RestConflicts(ctx context.Context, store int64, day time.Time) ([]domain.DutyRestConflict, error) {
	st, err := db.dutyStore(store)
	if err != nil {
		return nil, err
	}
	d := rotaDate(st, day)
	var out []domain.DutyRestConflict
	err = db.InTx(ctx, func(ctx context.Context) error {
		clash, err := db.dutyGrouped(ctx, st.ID, d, func(resting bool) bool { return resting })
		if err != nil || len(clash) == 0 {
			return err
		}
		sups, err := db.StaffWithRole(ctx, st.ID, domain.RoleSupervisor)
		if err != nil {
			return err
		}
		sups = domain.Reachable(rotaInStore(sups, st.ID))
		for _, c := range clash {
			out = append(out, domain.DutyRestConflict{Day: d, Staff: c.Staff, Roles: c.Roles, Supervisors: sups})
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "duty rest conflicts of %s in store %s", d, st.Code)
	}
	return out, nil
}

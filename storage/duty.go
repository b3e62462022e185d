package storage

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The duty rota (R5.2): explicit assignments per day, and a weekly pattern
// that fills a day's role when the day has no explicit assignment for it.
// Days are store dates written 2006-01-02.

func checkDutyArgs(day, role string, staffID int64) error {
	if _, err := time.Parse(domain.DateLayout, day); err != nil || role == "" || staffID <= 0 {
		return domain.Errorf(domain.EINVALID, "duty %q %q %d: bad day, role or staff", day, role, staffID)
	}
	return nil
}

// AssignDuty puts a staff member on a duty role on day; assigning twice
// stores one assignment.
func (db *DB) AssignDuty(ctx context.Context, day, role string, staffID int64) error {
	if err := checkDutyArgs(day, role, staffID); err != nil {
		return err
	}
	err := db.conn(ctx).Exec(`INSERT INTO duty_assignments (day, role, staff_id) VALUES (?, ?, ?)
		ON CONFLICT (day, role, staff_id) DO NOTHING`, day, role, staffID).Error
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

// SetPattern adds a staff member to a role's weekly pattern on a weekday
// (0 Sunday … 6 Saturday); setting twice stores one.
func (db *DB) SetPattern(ctx context.Context, weekday int, role string, staffID int64) error {
	if weekday < 0 || weekday > 6 || role == "" || staffID <= 0 {
		return domain.Errorf(domain.EINVALID, "pattern %d %q %d: bad weekday, role or staff", weekday, role, staffID)
	}
	err := db.conn(ctx).Exec(`INSERT INTO duty_patterns (weekday, role, staff_id) VALUES (?, ?, ?)
		ON CONFLICT (weekday, role, staff_id) DO NOTHING`, weekday, role, staffID).Error
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

// DutyOn returns who is on duty on day: the day's explicit assignments,
// and for each role without one, the weekly pattern of the day's weekday.
// Sorted by role, then staff id.
func (db *DB) DutyOn(ctx context.Context, day string) ([]domain.DutyAssignment, error) {
	d, err := time.Parse(domain.DateLayout, day)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "duty day %q: %v", day, err)
	}
	var out []domain.DutyAssignment
	explicit := map[string]bool{}
	rows, err := db.conn(ctx).Raw(`SELECT role, staff_id FROM duty_assignments WHERE day = ?`, day).Rows()
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
	rows, err = db.conn(ctx).Raw(`SELECT role, staff_id FROM duty_patterns WHERE weekday = ?`, int(d.Weekday())).Rows()
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

// RestingOn returns the staff with an approved rest day on day, by id.
func (db *DB) RestingOn(ctx context.Context, day string) ([]int64, error) {
	var ids []int64
	err := db.conn(ctx).Raw(`SELECT DISTINCT staff_id FROM rest_days WHERE day = ? AND status = ? ORDER BY staff_id`,
		day, domain.RestApproved).Scan(&ids).Error
	if err != nil {
		return nil, formatError(fmt.Errorf("resting on %s: %w", day, err))
	}
	return ids, nil
}

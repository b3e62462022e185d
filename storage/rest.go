package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// restDayRow is a row of rest_days: one person's rest day (R5.1).
type restDayRow struct {
	ID        int64 `gorm:"primaryKey"`
	StaffID   int64
	Day       string
	Status    string
	SwapWith  int64
	SwapDay   string
	DecidedBy int64
	CreatedAt time.Time
}

// TableName implements gorm's schema.Tabler.
func (restDayRow) TableName() string { return "rest_days" }

func (r *restDayRow) restDay() domain.RestDay {
	return domain.RestDay{ID: r.ID, StaffID: r.StaffID, Day: r.Day, Status: r.Status, SwapWith: r.SwapWith,
		SwapDay: r.SwapDay, DecidedBy: r.DecidedBy, CreatedAt: utc(r.CreatedAt)}
}

// holdingRest are the states that count against the limits.
var holdingRest = []string{domain.RestPending, domain.RestApproved}

// errRestDayNotFound is the ENOTFOUND of a rest day, looked up from a
// button: it reads as a stale button.
func errRestDayNotFound(id int64) error {
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "rest day %d not found", id)
}

func validRestDay(day string) error {
	if _, err := time.Parse(domain.DateLayout, day); err != nil {
		return domain.Errorkf(domain.EINVALID, "err.day_bad", []any{day}, "%q is not a date like 2026-12-03", day)
	}
	return nil
}

func validRestStatus(s string) error {
	switch s {
	case domain.RestPending, domain.RestApproved, domain.RestRejected, domain.RestCancelled:
		return nil
	}
	return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "%q is not a rest day status", s)
}

// CreateRestDay stores d (status pending when empty), created now, and sets
// d.ID, d.Status and d.CreatedAt. The limits are the caller's (CheckRest, in
// the same transaction). ENOTFOUND when the staff member does not exist.
func (db *DB) CreateRestDay(ctx context.Context, d *domain.RestDay) error {
	if d.Status == "" {
		d.Status = domain.RestPending
	}
	if err := validRestDay(d.Day); err != nil {
		return err
	}
	if err := validRestStatus(d.Status); err != nil {
		return err
	}
	row := restDayRow{StaffID: d.StaffID, Day: d.Day, Status: d.Status, SwapWith: d.SwapWith, SwapDay: d.SwapDay,
		DecidedBy: d.DecidedBy, CreatedAt: db.now()}
	err := db.conn(ctx).Create(&row).Error
	switch {
	case foreignKeyViolated(err):
		return errStaffNotFound(fmt.Sprint(d.StaffID))
	case err != nil:
		return wrapInternal(err, "create rest day %s of staff %d", d.Day, d.StaffID)
	}
	d.ID, d.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// RestDayByID returns rest day id; ENOTFOUND (callback.stale) when there is
// none.
func (db *DB) RestDayByID(ctx context.Context, id int64) (*domain.RestDay, error) {
	var row restDayRow
	err := db.conn(ctx).Where("id = ?", id).Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, errRestDayNotFound(id)
	case err != nil:
		return nil, formatError(fmt.Errorf("rest day %d: %w", id, err))
	}
	d := row.restDay()
	return &d, nil
}

// RestDaysOf returns staffID's pending and approved rest days from from to
// to (dates, both included), by day.
func (db *DB) RestDaysOf(ctx context.Context, staffID int64, from, to string) ([]domain.RestDay, error) {
	var rows []restDayRow
	err := db.conn(ctx).Where("staff_id = ? AND day >= ? AND day <= ? AND status IN ?", staffID, from, to, holdingRest).
		Order("day, id").Find(&rows).Error
	if err != nil {
		return nil, formatError(fmt.Errorf("rest days of %d: %w", staffID, err))
	}
	return restDays(rows), nil
}

// OffOnDay counts the people other than exceptStaff with a pending or
// approved rest day on day.
func (db *DB) OffOnDay(ctx context.Context, day string, exceptStaff int64) (int, error) {
	var n int64
	err := db.conn(ctx).Model(&restDayRow{}).Where("day = ? AND staff_id <> ? AND status IN ?", day, exceptStaff, holdingRest).
		Distinct("staff_id").Count(&n).Error
	if err != nil {
		return 0, formatError(fmt.Errorf("off on %s: %w", day, err))
	}
	return int(n), nil
}

// DecideRestDay settles pending rest day id as status (approved, rejected or
// cancelled, else EINVALID) by deciderID and reports whether it did: one
// decided already is left as it is (false). ENOTFOUND (callback.stale) when
// there is no such rest day.
func (db *DB) DecideRestDay(ctx context.Context, id int64, status string, deciderID int64) (bool, error) {
	if status == domain.RestPending || validRestStatus(status) != nil {
		return false, domain.Errorkf(domain.EINVALID, "err.invalid", nil, "%q is not a decision on a rest day", status)
	}
	var decided bool
	err := db.InTx(ctx, func(ctx context.Context) error {
		tx := db.conn(ctx)
		res := tx.Model(&restDayRow{}).Where("id = ? AND status = ?", id, domain.RestPending).
			Updates(map[string]any{"status": status, "decided_by": deciderID})
		if res.Error != nil || res.RowsAffected == 1 {
			decided = res.RowsAffected == 1
			return res.Error
		}
		var n int64
		if err := tx.Model(&restDayRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return errRestDayNotFound(id)
		}
		return nil
	})
	if err != nil {
		return false, wrapInternal(err, "decide rest day %d", id)
	}
	return decided, nil
}

// RestDaysBetween returns everyone's rest days from from to to (dates, both
// included) in one of statuses (all when empty), by day and staff.
func (db *DB) RestDaysBetween(ctx context.Context, from, to string, statuses []string) ([]domain.RestDay, error) {
	q := db.conn(ctx).Where("day >= ? AND day <= ?", from, to)
	if len(statuses) > 0 {
		q = q.Where("status IN ?", statuses)
	}
	var rows []restDayRow
	if err := q.Order("day, staff_id, id").Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("rest days %s…%s: %w", from, to, err))
	}
	return restDays(rows), nil
}

// SetRestDaySwap records a swap being agreed on rest day id: withStaff would
// take the day, giving withDay ("" for none) in return. withStaff 0 clears
// it. ENOTFOUND (callback.stale) when there is no such rest day.
func (db *DB) SetRestDaySwap(ctx context.Context, id, withStaff int64, withDay string) error {
	if withStaff == 0 {
		withDay = ""
	}
	if withDay != "" {
		if err := validRestDay(withDay); err != nil {
			return err
		}
	}
	return db.updateRestDay(ctx, id, map[string]any{"swap_with": withStaff, "swap_day": withDay})
}

// MoveRestDay gives rest day id to staff toStaff (an approved swap, decided
// by deciderID) and clears its swap. ENOTFOUND (callback.stale) when there
// is no such rest day.
func (db *DB) MoveRestDay(ctx context.Context, id, toStaff, deciderID int64) error {
	return db.updateRestDay(ctx, id, map[string]any{"staff_id": toStaff, "swap_with": 0, "swap_day": "", "decided_by": deciderID})
}

// CancelRestDays cancels the pending and approved rest days of staffIDs
// from from to to (a supervisor's plan replacing them) and returns how
// many it cancelled.
func (db *DB) CancelRestDays(ctx context.Context, staffIDs []int64, from, to string) (int64, error) {
	if len(staffIDs) == 0 {
		return 0, nil
	}
	res := db.conn(ctx).Model(&restDayRow{}).Where("staff_id IN ? AND day >= ? AND day <= ? AND status IN ?", staffIDs, from, to, holdingRest).
		Update("status", domain.RestCancelled)
	if res.Error != nil {
		return 0, wrapInternal(res.Error, "cancel rest days %s…%s", from, to)
	}
	return res.RowsAffected, nil
}

func (db *DB) updateRestDay(ctx context.Context, id int64, values map[string]any) error {
	res := db.conn(ctx).Model(&restDayRow{}).Where("id = ?", id).Updates(values)
	switch {
	case foreignKeyViolated(res.Error):
		return errStaffNotFound(fmt.Sprint(values["staff_id"]))
	case res.Error != nil:
		return wrapInternal(res.Error, "update rest day %d", id)
	case res.RowsAffected == 0:
		return errRestDayNotFound(id)
	}
	return nil
}

func restDays(rows []restDayRow) []domain.RestDay {
	out := make([]domain.RestDay, len(rows))
	for i := range rows {
		out[i] = rows[i].restDay()
	}
	return out
}

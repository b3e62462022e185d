package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// restDayRow is a row of rest_days: one person's rest day (R5.1).
type restDayRow struct {
	ID        int64 `gorm:"primaryKey"`
	StoreID   int64
	StaffID   int64
	Day       string
	Status    string
	SwapWith  int64
	SwapDay   string
	SwapStage string
	SwapSeq   int64
	DecidedBy int64
	CreatedAt time.Time
}

// TableName implements gorm's schema.Tabler.
func (restDayRow) TableName() string { return "rest_days" }

func (r *restDayRow) restDay() domain.RestDay {
	return domain.RestDay{ID: r.ID, StoreID: r.StoreID, StaffID: r.StaffID, Day: r.Day, Status: r.Status, SwapWith: r.SwapWith,
		SwapDay: r.SwapDay, SwapStage: domain.SwapStage(r.SwapStage), SwapSeq: r.SwapSeq, DecidedBy: r.DecidedBy, CreatedAt: utc(r.CreatedAt)}
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
// d.ID, d.Status and d.CreatedAt; a rest day is in the store of its
// person, which d.StoreID 0 takes. The limits are the caller's (CheckRest,
// in the same transaction). ENOTFOUND when the staff member does not exist.
func (db *DB) CreateRestDay(ctx context.Context, d *domain.RestDay) error {
	if d.Status == "" {
		d.Status = domain.RestPending
	}
	if d.StoreID == 0 {
		s, err := db.StaffByID(ctx, d.StaffID)
		if err != nil {
			return err
		}
		d.StoreID = s.StoreID
	}
	if err := validRestDay(d.Day); err != nil {
		return err
	}
	if err := validRestStatus(d.Status); err != nil {
		return err
	}
	row := restDayRow{StoreID: d.StoreID, StaffID: d.StaffID, Day: d.Day, Status: d.Status, SwapWith: d.SwapWith, SwapDay: d.SwapDay,
		SwapStage: string(d.SwapStage), SwapSeq: d.SwapSeq, DecidedBy: d.DecidedBy, CreatedAt: db.now()}
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

// OffOnDay counts the people of store other than exceptStaff with a
// pending or approved rest day on day: the limit is each store's (R5.1).
func (db *DB) OffOnDay(ctx context.Context, store int64, day string, exceptStaff int64) (int, error) {
	var n int64
	err := db.conn(ctx).Model(&restDayRow{}).
		Where("store_id = ? AND day = ? AND staff_id <> ? AND status IN ?", store, day, exceptStaff, holdingRest).
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

// RestDaysBetween returns the rest days of everyone in store from from to
// to (dates, both included) in one of statuses (all when empty), by day and
// staff.
func (db *DB) RestDaysBetween(ctx context.Context, store int64, from, to string, statuses []string) ([]domain.RestDay, error) {
	q := db.conn(ctx).Where("store_id = ? AND day >= ? AND day <= ?", store, from, to)
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
// take the day, giving withDay ("" for none) in return; the swap is asked
// of withStaff. withStaff 0 clears it. ENOTFOUND (callback.stale) when
// there is no such rest day.
func (db *DB) SetRestDaySwap(ctx context.Context, id, withStaff int64, withDay string) error {
	stage := domain.SwapAsked
	if withStaff == 0 {
		withDay, stage = "", domain.SwapNone
	}
	if withDay != "" {
		if err := validRestDay(withDay); err != nil {
			return err
		}
	}
	return db.updateRestDay(ctx, id, map[string]any{"swap_with": withStaff, "swap_day": withDay, "swap_stage": string(stage)})
}

// MoveRestDay gives rest day id to staff toStaff (an approved swap, decided
// by deciderID) and clears its swap. ENOTFOUND (callback.stale) when there
// is no such rest day.
func (db *DB) MoveRestDay(ctx context.Context, id, toStaff, deciderID int64) error {
	return db.updateRestDay(ctx, id, map[string]any{"staff_id": toStaff, "swap_with": 0, "swap_day": "",
		"swap_stage": string(domain.SwapNone), "decided_by": deciderID})
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

// storage implements the rest-day service (R5.1): rest days here, swaps in
// swap.go, the month's rota and plan in rota.go.
var _ domain.RestService = (*DB)(nil)

// RequestRest implements domain.RestService.
func (db *DB) RequestRest(ctx context.Context, staffID int64, day time.Time) (*domain.RestRequested, error) {
	var out *domain.RestRequested
	err := db.InTx(ctx, func(ctx context.Context) error {
		requester, err := db.StaffByID(ctx, staffID)
		if err != nil {
			return err
		}
		st := db.rotaStoreOf(requester)
		day := st.Calendar.StartOfDay(day)
		if err := db.checkRestFor(ctx, st, staffID, day, st.Rules.Rota, nil, 0); err != nil {
			return err
		}
		rd := &domain.RestDay{StoreID: st.ID, StaffID: staffID, Day: day.Format(domain.DateLayout)}
		if err := db.CreateRestDay(ctx, rd); err != nil {
			return err
		}
		approvers, err := db.rotaApproversOf(ctx, requester)
		if err != nil {
			return err
		}
		if len(approvers) == 0 {
			return domain.Errorkf(domain.ENOTFOUND, "err.no_supervisor", nil, "no supervisor to approve staff %d", staffID)
		}
		out = &domain.RestRequested{Rest: rd, Requester: requester, Approvers: approvers}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "request rest of staff %d", staffID)
	}
	return out, nil
}

// DecideRest implements domain.RestService.
func (db *DB) DecideRest(ctx context.Context, id int64, d domain.Decision) (*domain.RestDecided, error) {
	d.At = db.now()
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var out *domain.RestDecided
	err := db.InTx(ctx, func(ctx context.Context) error {
		rd, err := db.RestDayByID(ctx, id)
		if err != nil {
			return err
		}
		if err := db.rotaVisibleTo(ctx, d.DeciderID, rd.StoreID, errRestDayNotFound(id)); err != nil {
			return err
		}
		st := db.Stores.Of(rd.StoreID)
		if rd.Status != domain.RestPending {
			return domain.AlreadyDecided(domain.ApprovalRest, id)
		}
		requester, err := db.StaffByID(ctx, rd.StaffID)
		if err != nil {
			return err
		}
		decider, err := db.checkDecider(ctx, rd.Approval(requester), d.DeciderID)
		if err != nil {
			return err
		}
		status := domain.RestRejected
		if d.Approved() {
			status = domain.RestApproved
			// The day may have filled up since it was asked for.
			day, err := restDayTime(st, rd.Day)
			if err != nil {
				return err
			}
			if err := db.checkRestFor(ctx, st, rd.StaffID, day, domain.LaterRules(st.Rules.Rota), []int64{rd.ID}, 0); err != nil {
				return err
			}
		}
		ok, err := db.DecideRestDay(ctx, rd.ID, status, decider.ID)
		if err != nil {
			return err
		}
		if !ok {
			return domain.AlreadyDecided(domain.ApprovalRest, id)
		}
		rd.Status, rd.DecidedBy = status, decider.ID
		out = &domain.RestDecided{Rest: rd, Decision: d, Requester: requester, Decider: decider}
		if d.Approved() {
			if out.Duties, err = db.dutiesOf(ctx, rd.StoreID, requester.ID, rd.Day); err != nil {
				return err
			}
		}
		out.Approvers, err = db.rotaApproversOf(ctx, requester)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "decide rest day %d", id)
	}
	return out, nil
}

// dutiesOf returns the duty roles staffID holds on day in store.
func (db *DB) dutiesOf(ctx context.Context, store, staffID int64, day string) ([]string, error) {
	duties, err := db.DutyOn(ctx, store, day)
	if err != nil {
		return nil, err
	}
	var roles []string
	for _, d := range duties {
		if d.StaffID == staffID {
			roles = append(roles, d.Role)
		}
	}
	return roles, nil
}

// restDayTime reads a stored date as midnight in st's zone.
func restDayTime(st *domain.Store, day string) (time.Time, error) {
	t, err := time.ParseInLocation(domain.DateLayout, day, st.Calendar.Location)
	if err != nil {
		return time.Time{}, domain.Errorkf(domain.EINVALID, "err.day_bad", []any{day}, "bad rest day %q", day)
	}
	return t, nil
}

// checkRestFor checks a rest day for staffID of store st on day
// (domain.CheckRest, on st's calendar; only st's people count as off),
// ignoring the rows in skip (days being approved or given away) and
// counting skipOff fewer people off that day.
func (db *DB) checkRestFor(ctx context.Context, st *domain.Store, staffID int64, day time.Time, rules domain.RotaRules, skip []int64, skipOff int) error {
	from, to := domain.RestWindow(day)
	all, err := db.RestDaysOf(ctx, staffID, from, to)
	if err != nil {
		return err
	}
	mine := slices.DeleteFunc(all, func(d domain.RestDay) bool { return slices.Contains(skip, d.ID) })
	off, err := db.OffOnDay(ctx, st.ID, day.Format(domain.DateLayout), staffID)
	if err != nil {
		return err
	}
	return domain.CheckRest(staffID, day, mine, max(off-skipOff, 0), rules, st.Calendar, db.now())
}

// rotaStoreOf is the store s works in: its calendar, rules and people.
func (db *DB) rotaStoreOf(s *domain.Staff) *domain.Store { return db.Stores.Of(s.StoreID) }

// rotaApproversOf are the approvers of requester's requests in their own
// store: a supervisor of another store never gets the card.
func (db *DB) rotaApproversOf(ctx context.Context, requester *domain.Staff) ([]*domain.Staff, error) {
	list, err := db.approversOf(ctx, requester)
	if err != nil {
		return nil, err
	}
	return rotaInStore(list, requester.StoreID), nil
}

// rotaInStore keeps the members of list who work in store.
func rotaInStore(list []*domain.Staff, store int64) []*domain.Staff {
	return slices.DeleteFunc(slices.Clone(list), func(s *domain.Staff) bool { return s.StoreID != store })
}

// rotaVisibleTo returns notFound when member actorID works in another store
// than store: a record of another store does not exist for them. An actor
// who is no member is left to the permission check that follows.
func (db *DB) rotaVisibleTo(ctx context.Context, actorID, store int64, notFound error) error {
	actor, err := db.StaffByID(ctx, actorID)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		return nil
	case err != nil:
		return err
	case actor.StoreID != store:
		return notFound
	}
	return nil
}

// rotaStaffNamed returns the member of store whose name is exactly name
// (white space folded as domain.NormalizeName does): names typed in a
// command are looked up in the store of whoever typed them.
func (db *DB) rotaStaffNamed(ctx context.Context, store int64, name string) (*domain.Staff, error) {
	n, err := domain.NormalizeName(name)
	if err != nil {
		return nil, err
	}
	return db.findStaff(ctx, n, "store_id = ? AND name = ?", store, n)
}

package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The showroom reception line (R5.3): one reception_queues row a store and
// day (the pending call, who asked for it, the day's call count, the named
// customer) and one reception_entries row per person in line (place, away,
// misses, passed over this round). A line is of one store: its consultants
// on duty, called by its reception, timed by its rules; whoever acts works
// on the line of their own store.

// storage implements the reception rotation's service.
var _ domain.ReceptionService = (*DB)(nil)

// receptionQueueRow is a row of reception_queues.
type receptionQueueRow struct {
	StoreID     int64  `gorm:"primaryKey"`
	Day         string `gorm:"primaryKey"`
	Calling     int64
	CalledAt    *time.Time
	ReceptionID int64
	Calls       int
	LeadID      int64
}

// TableName implements gorm's schema.Tabler.
func (receptionQueueRow) TableName() string { return "reception_queues" }

// receptionEntryRow is a row of reception_entries.
type receptionEntryRow struct {
	StoreID  int64  `gorm:"primaryKey"`
	Day      string `gorm:"primaryKey"`
	StaffID  int64  `gorm:"primaryKey"`
	Position int
	Away     bool
	Misses   int
	Skipped  bool
}

// TableName implements gorm's schema.Tabler.
func (receptionEntryRow) TableName() string { return "reception_entries" }

// storedQueue reads store's line of day as stored, and whether there is
// one.
func (db *DB) storedQueue(ctx context.Context, store int64, day string) (*domain.ReceptionQueue, bool, error) {
	var rows []receptionQueueRow
	if err := db.conn(ctx).Where("store_id = ? AND day = ?", store, day).Limit(1).Find(&rows).Error; err != nil {
		return nil, false, formatError(fmt.Errorf("reception queue %s: %w", day, err))
	}
	if len(rows) == 0 {
		return nil, false, nil
	}
	r := rows[0]
	q := &domain.ReceptionQueue{StoreID: store, Day: day, Calling: r.Calling, Reception: r.ReceptionID, Calls: r.Calls, LeadID: r.LeadID,
		Away: map[int64]bool{}, Misses: map[int64]int{}}
	if r.CalledAt != nil && r.Calling != 0 {
		q.CalledAt = utc(*r.CalledAt)
	}
	var entries []receptionEntryRow
	if err := db.conn(ctx).Where("store_id = ? AND day = ?", store, day).Order("position").Find(&entries).Error; err != nil {
		return nil, false, formatError(fmt.Errorf("reception entries %s: %w", day, err))
	}
	for _, e := range entries {
		q.Order = append(q.Order, e.StaffID)
		if e.Away {
			q.Away[e.StaffID] = true
		}
		if e.Misses > 0 {
			q.Misses[e.StaffID] = e.Misses
		}
		if e.Skipped {
			q.Skipped = append(q.Skipped, e.StaffID)
		}
	}
	return q, true, nil
}

// saveQueue stores q, replacing its store's line of the day.
func (db *DB) saveQueue(ctx context.Context, q *domain.ReceptionQueue) error {
	if db.Stores.ByID(q.StoreID) == nil {
		return domain.Errorf(domain.EINTERNAL, "reception queue %s of no store (%d)", q.Day, q.StoreID)
	}
	row := receptionQueueRow{StoreID: q.StoreID, Day: q.Day, Calling: q.Calling, ReceptionID: q.Reception, Calls: q.Calls, LeadID: q.LeadID}
	if q.Calling != 0 {
		row.CalledAt = dbTimePtr(&q.CalledAt)
	}
	store := q.StoreID
	err := db.conn(ctx).Exec(`INSERT INTO reception_queues (store_id, day, calling, called_at, reception_id, calls, lead_id)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (store_id, day) DO UPDATE SET calling = excluded.calling, called_at = excluded.called_at,
			reception_id = excluded.reception_id, calls = excluded.calls, lead_id = excluded.lead_id`,
		store, row.Day, row.Calling, row.CalledAt, row.ReceptionID, row.Calls, row.LeadID).Error
	if err != nil {
		return formatError(fmt.Errorf("save reception queue %s: %w", q.Day, err))
	}
	if err := db.conn(ctx).Where("store_id = ? AND day = ?", store, q.Day).Delete(&receptionEntryRow{}).Error; err != nil {
		return formatError(fmt.Errorf("save reception queue %s: %w", q.Day, err))
	}
	if len(q.Order) == 0 {
		return nil
	}
	entries := make([]receptionEntryRow, len(q.Order))
	for i, id := range q.Order {
		entries[i] = receptionEntryRow{StoreID: store, Day: q.Day, StaffID: id, Position: i, Away: q.Away[id], Misses: q.Misses[id],
			Skipped: slices.Contains(q.Skipped, id)}
	}
	if err := db.conn(ctx).Create(&entries).Error; err != nil {
		return formatError(fmt.Errorf("save reception entries %s: %w", q.Day, err))
	}
	return nil
}

// loadQueue reads store's line of day, building it on first use from the
// store's consultants on duty; consultants put on duty since join at the
// back.
func (db *DB) loadQueue(ctx context.Context, store int64, day string) (*domain.ReceptionQueue, error) {
	onDuty, err := db.dutyConsultants(ctx, store, day)
	if err != nil {
		return nil, err
	}
	q, ok, err := db.storedQueue(ctx, store, day)
	if err != nil {
		return nil, err
	}
	if ok {
		for _, id := range onDuty {
			if !q.In(id) {
				q.Join(id) // a late arrival
			}
		}
		return q, nil
	}
	q = &domain.ReceptionQueue{StoreID: store, Day: day}
	q.Build(onDuty, nil) // dutyConsultants left out who rests
	return q, nil
}

// dutyConsultants are store's active, enrolled consultants on duty on day,
// not resting, in the order the rota lists them (each once).
func (db *DB) dutyConsultants(ctx context.Context, store int64, day string) ([]int64, error) {
	list, err := db.DutyOn(ctx, store, day)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	resting, err := db.RestingOn(ctx, store, day)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, a := range list {
		if slices.Contains(out, a.StaffID) || slices.Contains(resting, a.StaffID) {
			continue
		}
		s, err := db.StaffByID(ctx, a.StaffID)
		if err != nil {
			return nil, err
		}
		if s.Active && s.Enrolled() && s.Roles.Has(domain.RoleConsultant) && s.StoreID == store {
			out = append(out, s.ID)
		}
	}
	return out, nil
}

// today is store's date on the service's clock.
func (db *DB) today(store int64) string { return rotaDate(db.Stores.Of(store), db.now()) }

// receptionStaff loads the member acting on a line, and their store's id.
func (db *DB) receptionStaff(ctx context.Context, id int64) (*domain.Staff, int64, error) {
	s, err := db.StaffByID(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	return s, db.rotaStoreOf(s).ID, nil
}

// call calls id (0: nobody) at `at` and returns the call.
func (db *DB) call(ctx context.Context, q *domain.ReceptionQueue, id int64, at time.Time) (*domain.ReceptionCall, error) {
	if id == 0 {
		return nil, nil
	}
	s, err := db.StaffByID(ctx, id)
	if err != nil {
		return nil, err
	}
	q.Call(id, at)
	q.Calls++
	return &domain.ReceptionCall{StoreID: q.StoreID, Day: q.Day, Staff: s, Number: q.Calls}, nil
}

// reception is the receptionist who asked for q's call (nil: none, or
// not reachable).
func (db *DB) reception(ctx context.Context, q *domain.ReceptionQueue) (*domain.Staff, error) {
	if q.Reception == 0 {
		return nil, nil
	}
	s, err := db.StaffByID(ctx, q.Reception)
	if err != nil || !s.Enrolled() {
		return nil, err
	}
	return s, nil
}

// pass calls the next in the round at `at`, once passed passed (why:
// busy, timeout); the one who just passed is not called again.
func (db *DB) pass(ctx context.Context, q *domain.ReceptionQueue, passed int64, why string, at time.Time) (*domain.ReceptionPassed, error) {
	out := &domain.ReceptionPassed{StoreID: q.StoreID, Day: q.Day, Why: why, Number: q.Calls}
	var err error
	if out.Next, err = db.call(ctx, q, q.NextInRound(), at); err != nil {
		return nil, err
	}
	if out.Passed, err = db.StaffByID(ctx, passed); err != nil {
		return nil, err
	}
	if out.Reception, err = db.reception(ctx, q); err != nil {
		return nil, err
	}
	return out, nil
}

// CallNext implements domain.ReceptionService.
func (db *DB) CallNext(ctx context.Context, receptionID, leadID int64) (*domain.ReceptionCalled, error) {
	var out *domain.ReceptionCalled
	err := db.InTx(ctx, func(ctx context.Context) error {
		_, store, err := db.receptionStaff(ctx, receptionID)
		if err != nil {
			return err
		}
		if leadID != 0 {
			// A customer of another store is none of this line's.
			l, err := db.LeadByID(ctx, leadID)
			if err != nil {
				return err
			}
			if l.StoreID != store {
				return errLeadNotFound(leadID)
			}
		}
		q, err := db.loadQueue(ctx, store, db.today(store))
		if err != nil {
			return err
		}
		out = &domain.ReceptionCalled{Day: q.Day}
		if q.Empty() {
			out.Empty = true
			return nil
		}
		if q.Calling != 0 {
			out.WaitingSince = q.CalledAt
			out.Waiting, err = db.StaffByID(ctx, q.Calling)
			return err
		}
		q.Reception, q.LeadID = receptionID, leadID
		if out.Call, err = db.call(ctx, q, q.Next(), db.now()); err != nil {
			return err
		}
		return db.saveQueue(ctx, q)
	})
	if err != nil {
		return nil, wrapInternal(err, "call next")
	}
	return out, nil
}

// answered loads the line of a call (day, calledID) that staffID answers.
// EFORBIDDEN (err.forbidden), ENOTFOUND (rq.stale).
func (db *DB) answered(ctx context.Context, day string, calledID, staffID int64) (*domain.ReceptionQueue, error) {
	if calledID != staffID {
		return nil, domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d pressed %d's call", staffID, calledID)
	}
	stale := domain.Errorkf(domain.ENOTFOUND, "rq.stale", nil, "reception call %s:%d", day, calledID)
	_, store, err := db.receptionStaff(ctx, staffID)
	if err != nil {
		return nil, err
	}
	if _, err := time.Parse(domain.DateLayout, day); err != nil || day != db.today(store) {
		return nil, stale // an earlier day's call has expired
	}
	q, err := db.loadQueue(ctx, store, day)
	if err != nil {
		return nil, err
	}
	if q.Calling != calledID {
		return nil, stale // answered, or passed over on timeout
	}
	return q, nil
}

// Accept implements domain.ReceptionService.
func (db *DB) Accept(ctx context.Context, day string, calledID, staffID int64) (*domain.ReceptionAccepted, error) {
	var out *domain.ReceptionAccepted
	err := db.InTx(ctx, func(ctx context.Context) error {
		q, err := db.answered(ctx, day, calledID, staffID)
		if err != nil {
			return err
		}
		q.Accept(staffID)
		out = &domain.ReceptionAccepted{StoreID: q.StoreID, Day: day, Number: q.Calls}
		if out.Staff, err = db.StaffByID(ctx, staffID); err != nil {
			return err
		}
		if out.Reception, err = db.reception(ctx, q); err != nil {
			return err
		}
		if q.LeadID != 0 {
			// The named customer's visit, to whoever took them (R5.3).
			if out.Lead, err = db.LeadByID(ctx, q.LeadID); err != nil {
				return err
			}
			out.Registrar = q.Reception
			if out.Registrar == 0 {
				out.Registrar = staffID
			}
			if out.Visit, err = db.recordVisit(ctx, out.Lead, out.Registrar, staffID, ""); err != nil {
				return err
			}
			q.LeadID = 0
		}
		return db.saveQueue(ctx, q)
	})
	if err != nil {
		return nil, wrapInternal(err, "accept reception call %s:%d", day, calledID)
	}
	return out, nil
}

// Busy implements domain.ReceptionService.
func (db *DB) Busy(ctx context.Context, day string, calledID, staffID int64) (*domain.ReceptionPassed, error) {
	var out *domain.ReceptionPassed
	err := db.InTx(ctx, func(ctx context.Context) error {
		q, err := db.answered(ctx, day, calledID, staffID)
		if err != nil {
			return err
		}
		q.Busy(staffID)
		if out, err = db.pass(ctx, q, staffID, "busy", db.now()); err != nil {
			return err
		}
		return db.saveQueue(ctx, q)
	})
	if err != nil {
		return nil, wrapInternal(err, "busy for reception call %s:%d", day, calledID)
	}
	return out, nil
}

// inLine loads today's line and checks staffID stands in it. EINVALID
// (rq.not_in_line).
func (db *DB) inLine(ctx context.Context, staffID int64) (*domain.ReceptionQueue, error) {
	_, store, err := db.receptionStaff(ctx, staffID)
	if err != nil {
		return nil, err
	}
	q, err := db.loadQueue(ctx, store, db.today(store))
	if err != nil {
		return nil, err
	}
	if !q.In(staffID) {
		return nil, domain.Errorkf(domain.EINVALID, "rq.not_in_line", nil, "staff %d not in line", staffID)
	}
	return q, nil
}

// Away implements domain.ReceptionService.
func (db *DB) Away(ctx context.Context, staffID int64) (*domain.ReceptionPassed, error) {
	var out *domain.ReceptionPassed
	err := db.InTx(ctx, func(ctx context.Context) error {
		q, err := db.inLine(ctx, staffID)
		if err != nil {
			return err
		}
		wasCalled := q.Calling == staffID
		q.Leave(staffID)
		if wasCalled {
			if out, err = db.pass(ctx, q, staffID, "busy", db.now()); err != nil {
				return err
			}
		}
		return db.saveQueue(ctx, q)
	})
	if err != nil {
		return nil, wrapInternal(err, "away %d", staffID)
	}
	return out, nil
}

// Back implements domain.ReceptionService.
func (db *DB) Back(ctx context.Context, staffID int64) (*domain.ReceptionBack, error) {
	var out *domain.ReceptionBack
	err := db.InTx(ctx, func(ctx context.Context) error {
		q, err := db.inLine(ctx, staffID)
		if err != nil {
			return err
		}
		if !q.Away[staffID] {
			out = &domain.ReceptionBack{Already: true}
			return nil
		}
		q.Back(staffID)
		out = &domain.ReceptionBack{Position: len(q.Order)}
		return db.saveQueue(ctx, q)
	})
	if err != nil {
		return nil, wrapInternal(err, "back %d", staffID)
	}
	return out, nil
}

// Queue implements domain.ReceptionService.
func (db *DB) Queue(ctx context.Context, store int64) (*domain.ReceptionQueue, error) {
	var out *domain.ReceptionQueue
	err := db.InTx(ctx, func(ctx context.Context) error {
		st, err := db.dutyStore(store)
		if err != nil {
			return err
		}
		out, err = db.loadQueue(ctx, st.ID, db.today(st.ID))
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "reception queue of store %d", store)
	}
	return out, nil
}

// FirstInLine implements domain.ReceptionService.
func (db *DB) FirstInLine(ctx context.Context, store int64) (int64, error) {
	q, err := db.Queue(ctx, store)
	if err != nil {
		return 0, err
	}
	return q.Next(), nil
}

// TookWalkIn implements domain.ReceptionService.
func (db *DB) TookWalkIn(ctx context.Context, staffID int64) error {
	err := db.InTx(ctx, func(ctx context.Context) error {
		_, store, err := db.receptionStaff(ctx, staffID)
		if err != nil {
			return err
		}
		q, err := db.loadQueue(ctx, store, db.today(store))
		if err != nil {
			return err
		}
		// They took the customer: to the back of the line (R5.3).
		q.Accept(staffID)
		return db.saveQueue(ctx, q)
	})
	return wrapInternal(err, "walk-in to %d", staffID)
}

// Timeouts implements domain.ReceptionService.
func (db *DB) Timeouts(ctx context.Context, now time.Time) ([]*domain.ReceptionPassed, error) {
	var out []*domain.ReceptionPassed
	err := db.InTx(ctx, func(ctx context.Context) error {
		out = nil
		for _, st := range db.Stores.All() {
			p, err := db.timeout(ctx, st, now)
			if err != nil {
				return err
			}
			if p != nil {
				out = append(out, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "reception timeouts")
	}
	return out, nil
}

// timeout passes over st's call of now's day if it is unanswered at now
// by st's rules; nil when it is not.
func (db *DB) timeout(ctx context.Context, st *domain.Store, now time.Time) (*domain.ReceptionPassed, error) {
	day := rotaDate(st, now)
	if _, ok, err := db.storedQueue(ctx, st.ID, day); err != nil || !ok {
		return nil, err
	}
	q, err := db.loadQueue(ctx, st.ID, day)
	if err != nil {
		return nil, err
	}
	if !q.TimedOut(now, st.Rules.Rota.ReceptionAnswerLimit) {
		return nil, nil
	}
	missed := q.Calling
	q.Timeout(missed)
	// The next call starts at the instant of the timeout, not whenever
	// the check ran, so that each answer time is the full limit.
	out, err := db.pass(ctx, q, missed, "timeout", now)
	if err != nil {
		return nil, err
	}
	return out, db.saveQueue(ctx, q)
}

// NextDeadline implements domain.ReceptionService.
func (db *DB) NextDeadline(ctx context.Context, after time.Time) (time.Time, bool, error) {
	var first time.Time
	found := false
	err := db.InTx(ctx, func(ctx context.Context) error {
		first, found = time.Time{}, false
		for _, st := range db.Stores.All() {
			for _, day := range []string{rotaDate(st, after), db.today(st.ID)} {
				q, ok, err := db.storedQueue(ctx, st.ID, day)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				if at, ok := q.Deadline(st.Rules.Rota.ReceptionAnswerLimit); ok && (!found || at.Before(first)) {
					first, found = at, true
				}
			}
		}
		return nil
	})
	if err != nil {
		return time.Time{}, false, wrapInternal(err, "reception deadline")
	}
	return first, found, nil
}

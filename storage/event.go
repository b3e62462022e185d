package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// leadEventRow is a row of lead_events: the audit of a lead's owner, grade
// and pool.
type leadEventRow struct {
	ID      int64 `gorm:"primaryKey"`
	StoreID int64
	LeadID  int64
	StaffID int64
	At      time.Time
	Kind    string
	From    string `gorm:"column:from_value"`
	To      string `gorm:"column:to_value"`
	Why     string
}

// TableName implements gorm's schema.Tabler.
func (leadEventRow) TableName() string { return "lead_events" }

// leadEvents converts rows to domain types.
func leadEvents(rows []leadEventRow) []domain.LeadEvent {
	list := make([]domain.LeadEvent, len(rows))
	for i, r := range rows {
		list[i] = domain.LeadEvent{ID: r.ID, StoreID: r.StoreID, LeadID: r.LeadID, StaffID: r.StaffID, At: utc(r.At), Kind: r.Kind,
			From: r.From, To: r.To, Why: r.Why}
	}
	return list
}

// AddLeadEvent stores a change of a lead and sets e.ID; e.At defaults to
// now. The event is the lead's store's: e.StoreID, when 0, is set to it.
// ENOTFOUND when the lead does not exist.
func (db *DB) AddLeadEvent(ctx context.Context, e *domain.LeadEvent) error {
	if e.At.IsZero() {
		e.At = db.now()
	}
	err := db.InTx(ctx, func(ctx context.Context) error {
		if e.StoreID == 0 {
			store, err := db.leadStore(ctx, e.LeadID, 0)
			if err != nil {
				return err
			}
			e.StoreID = store
		}
		row := leadEventRow{StoreID: e.StoreID, LeadID: e.LeadID, StaffID: e.StaffID, At: dbTime(e.At), Kind: e.Kind,
			From: e.From, To: e.To, Why: e.Why}
		if err := db.conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		e.ID, e.At = row.ID, row.At
		return nil
	})
	switch {
	case foreignKeyViolated(err):
		return errLeadNotFound(e.LeadID)
	case err != nil:
		return wrapInternal(err, "add event of lead %d", e.LeadID)
	}
	return nil
}

// LeadEvents returns up to limit events of a lead (all when limit is not
// positive), the newest first.
func (db *DB) LeadEvents(ctx context.Context, leadID int64, limit int) ([]domain.LeadEvent, error) {
	q := db.conn(ctx).Where("lead_id = ?", leadID).Order("at DESC, id DESC")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []leadEventRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("events of lead %d: %w", leadID, err))
	}
	return leadEvents(rows), nil
}

// EventsBetween returns up to limit events of store (all when limit is
// not positive) at from or later and before to, whose why is one of whys
// (any when whys is empty), the oldest first.
func (db *DB) EventsBetween(ctx context.Context, store int64, from, to time.Time, whys []string, limit int) ([]domain.LeadEvent, error) {
	q := db.conn(ctx).Where("store_id = ? AND at >= ? AND at < ?", store, dbTime(from), dbTime(to))
	if len(whys) > 0 {
		q = q.Where("why IN ?", whys)
	}
	q = q.Order("at, id")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []leadEventRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("events between: %w", err))
	}
	return leadEvents(rows), nil
}

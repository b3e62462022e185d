package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// visitRow is a row of visits: one showroom visit (R1.11).
type visitRow struct {
	ID            int64 `gorm:"primaryKey"`
	StoreID       int64
	LeadID        int64
	RegisteredBy  int64
	ConsultantID  int64
	First         bool
	ArrivedAt     time.Time
	LeftAt        *time.Time
	GradePrompted bool
}

// TableName implements gorm's schema.Tabler.
func (visitRow) TableName() string { return "visits" }

// visit converts the row to the domain type.
func (r *visitRow) visit() domain.Visit {
	return domain.Visit{
		ID:            r.ID,
		StoreID:       r.StoreID,
		LeadID:        r.LeadID,
		RegisteredBy:  r.RegisteredBy,
		ConsultantID:  r.ConsultantID,
		First:         r.First,
		ArrivedAt:     utc(r.ArrivedAt),
		LeftAt:        utcPtr(r.LeftAt),
		GradePrompted: r.GradePrompted,
	}
}

// visits converts rows to domain types.
func visits(rows []visitRow) []domain.Visit {
	list := make([]domain.Visit, len(rows))
	for i := range rows {
		list[i] = rows[i].visit()
	}
	return list
}

// errVisitNotFound is the ENOTFOUND of a visit id.
func errVisitNotFound(id int64) error {
	return domain.Errorkf(domain.ENOTFOUND, "err.visit_not_found", []any{id}, "visit %d not found", id)
}

// CreateVisit registers a visit and sets v.ID; v.ArrivedAt defaults to
// now, v.StoreID to the lead's store. ENOTFOUND when the lead does not
// exist.
func (db *DB) CreateVisit(ctx context.Context, v *domain.Visit) error {
	if v.ArrivedAt.IsZero() {
		v.ArrivedAt = db.now()
	}
	row := visitRow{StoreID: v.StoreID, LeadID: v.LeadID, RegisteredBy: v.RegisteredBy, ConsultantID: v.ConsultantID,
		First: v.First, ArrivedAt: dbTime(v.ArrivedAt), LeftAt: dbTimePtr(v.LeftAt), GradePrompted: v.GradePrompted}
	err := db.InTx(ctx, func(ctx context.Context) error {
		if row.StoreID == 0 {
			store, err := db.leadStore(ctx, v.LeadID, 0)
			if err != nil {
				return err
			}
			row.StoreID = store
		}
		return db.conn(ctx).Create(&row).Error
	})
	switch {
	case foreignKeyViolated(err):
		return errLeadNotFound(v.LeadID)
	case err != nil:
		return wrapInternal(err, "create visit of lead %d", v.LeadID)
	}
	v.ID, v.StoreID, v.ArrivedAt, v.LeftAt = row.ID, row.StoreID, row.ArrivedAt, row.LeftAt
	return nil
}

// VisitByID returns visit id; ENOTFOUND (err.visit_not_found) when there
// is none.
func (db *DB) VisitByID(ctx context.Context, id int64) (*domain.Visit, error) {
	return db.visitInStore(ctx, 0, id)
}

// visitInStore returns visit id of store (any for 0); ENOTFOUND
// (err.visit_not_found) when the store has none.
func (db *DB) visitInStore(ctx context.Context, store, id int64) (*domain.Visit, error) {
	var row visitRow
	q := db.conn(ctx).Where("id = ?", id)
	if store != 0 {
		q = q.Where("store_id = ?", store)
	}
	err := q.Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, errVisitNotFound(id)
	case err != nil:
		return nil, formatError(fmt.Errorf("visit %d: %w", id, err))
	}
	v := row.visit()
	return &v, nil
}

// SetVisitLeft records when the customer of visit id left, and reports
// whether it did: a departure recorded already is kept (false), so two
// receptionists pressing the button at once record one. ENOTFOUND when
// there is no such visit.
func (db *DB) SetVisitLeft(ctx context.Context, id int64, at time.Time) (bool, error) {
	var set bool
	err := db.InTx(ctx, func(ctx context.Context) error {
		tx := db.conn(ctx)
		res := tx.Model(&visitRow{}).Where("id = ? AND left_at IS NULL", id).Update("left_at", dbTime(at))
		if res.Error != nil || res.RowsAffected == 1 {
			set = res.RowsAffected == 1
			return res.Error
		}
		return db.visitExists(ctx, id)
	})
	if err != nil {
		return false, wrapInternal(err, "set visit %d left", id)
	}
	return set, nil
}

// visitExists returns ENOTFOUND unless visit id exists.
func (db *DB) visitExists(ctx context.Context, id int64) error {
	var n int64
	if err := db.conn(ctx).Model(&visitRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return errVisitNotFound(id)
	}
	return nil
}

// Visits returns up to limit visits of a lead (all when limit is not
// positive), the latest first.
func (db *DB) Visits(ctx context.Context, leadID int64, limit int) ([]domain.Visit, error) {
	q := db.conn(ctx).Where("lead_id = ?", leadID).Order("arrived_at DESC, id DESC")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []visitRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("visits of lead %d: %w", leadID, err))
	}
	return visits(rows), nil
}

// VisitsToPrompt returns up to limit visits (all when limit is not
// positive) whose consultant was not yet asked for the grade and that began
// at arrivedBefore or earlier, the oldest first (R1.11: the grade after 24
// hours).
func (db *DB) VisitsToPrompt(ctx context.Context, arrivedBefore time.Time, limit int) ([]domain.Visit, error) {
	// A literal FALSE, not NOT grade_prompted, so that SQLite searches the
	// index on (grade_prompted, arrived_at).
	q := db.conn(ctx).Where("grade_prompted = FALSE AND arrived_at <= ?", dbTime(arrivedBefore)).Order("arrived_at, id")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []visitRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("visits to prompt: %w", err))
	}
	return visits(rows), nil
}

// MarkVisitPrompted records that the consultant of visit id was asked for
// the grade. ENOTFOUND when there is no such visit.
func (db *DB) MarkVisitPrompted(ctx context.Context, id int64) error {
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Model(&visitRow{}).Where("id = ?", id).Update("grade_prompted", true)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errVisitNotFound(id)
		}
		return nil
	})
	return wrapInternal(err, "mark visit %d prompted", id)
}

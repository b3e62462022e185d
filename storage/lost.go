package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// lostRequestRow is a row of lost_requests: a request to mark a lead lost,
// waiting for or settled by the supervisor (R1.6).
type lostRequestRow struct {
	ID          int64 `gorm:"primaryKey"`
	LeadID      int64
	RequesterID int64
	Reason      string
	Note        string
	Status      string
	DeciderID   int64
	DecidedAt   *time.Time
	Answer      string
	CreatedAt   time.Time
}

// TableName implements gorm's schema.Tabler.
func (lostRequestRow) TableName() string { return "lost_requests" }

// lostRequest converts the row to the domain type.
func (r *lostRequestRow) lostRequest() *domain.LostRequest {
	return &domain.LostRequest{
		ID:          r.ID,
		LeadID:      r.LeadID,
		RequesterID: r.RequesterID,
		Reason:      domain.LostReason(r.Reason),
		Note:        r.Note,
		Status:      r.Status,
		DeciderID:   r.DeciderID,
		DecidedAt:   utcPtr(r.DecidedAt),
		Answer:      r.Answer,
		CreatedAt:   utc(r.CreatedAt),
	}
}

// onPendingConflict makes the INSERT of a lost request skip, rather than
// fail on, a second pending request for the lead (lost_requests_pending_key).
var onPendingConflict = clause.OnConflict{
	Columns:     []clause.Column{{Name: "lead_id"}},
	TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "status = '" + domain.LostPending + "'"}}},
	DoNothing:   true,
}

// errLostRequestNotFound is the ENOTFOUND of a lost request: it is looked
// up from a supervisor's button, so it reads as a stale button.
func errLostRequestNotFound(id int64) error {
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "lost request %d not found", id)
}

// CreateLostRequest stores a pending request to mark a lead lost, created
// now, and sets r.ID, r.Status and r.CreatedAt. A lead has at most one
// pending request: a second is an ECONFLICT (err.lost_pending). The reason
// must be one of domain.LostReasons (EINVALID); ENOTFOUND when the lead
// does not exist.
func (db *DB) CreateLostRequest(ctx context.Context, r *domain.LostRequest) error {
	if !slices.Contains(domain.LostReasons, r.Reason) {
		return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "%q is not a reason for a lost lead", r.Reason)
	}
	if err := validNote(r.Note); err != nil {
		return err
	}
	row := lostRequestRow{LeadID: r.LeadID, RequesterID: r.RequesterID, Reason: string(r.Reason), Note: r.Note,
		Status: domain.LostPending, CreatedAt: db.now()}
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Clauses(onPendingConflict).Create(&row)
		switch {
		case res.Error != nil:
			return res.Error
		case res.RowsAffected == 0 || row.ID == 0:
			return domain.Errorkf(domain.ECONFLICT, "err.lost_pending", []any{r.LeadID},
				"lead %d has a pending lost request already", r.LeadID)
		}
		return nil
	})
	switch {
	case foreignKeyViolated(err):
		return errLeadNotFound(r.LeadID)
	case err != nil:
		return wrapInternal(err, "create lost request of lead %d", r.LeadID)
	}
	r.ID, r.Status, r.CreatedAt = row.ID, row.Status, row.CreatedAt
	r.DeciderID, r.DecidedAt, r.Answer = 0, nil, ""
	return nil
}

// LostRequestByID returns lost request id; ENOTFOUND (callback.stale) when
// there is none.
func (db *DB) LostRequestByID(ctx context.Context, id int64) (*domain.LostRequest, error) {
	var row lostRequestRow
	err := db.conn(ctx).Where("id = ?", id).Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, errLostRequestNotFound(id)
	case err != nil:
		return nil, formatError(fmt.Errorf("lost request %d: %w", id, err))
	}
	return row.lostRequest(), nil
}

// DecideLostRequest settles pending request id as status (approved or
// rejected, else EINVALID) by deciderID, now, with answer (the reason for a
// rejection), and reports whether it did: a request decided already — by
// another supervisor a moment before, say — is left as it is (false).
// ENOTFOUND (callback.stale) when there is no such request. Marking the
// lead F is the caller's, in the same transaction.
func (db *DB) DecideLostRequest(ctx context.Context, id int64, status string, deciderID int64, answer string) (bool, error) {
	if status != domain.LostApproved && status != domain.LostRejected {
		return false, domain.Errorkf(domain.EINVALID, "err.invalid", nil, "%q is not a decision on a lost request", status)
	}
	if err := validNote(answer); err != nil {
		return false, err
	}
	var decided bool
	err := db.InTx(ctx, func(ctx context.Context) error {
		tx := db.conn(ctx)
		res := tx.Model(&lostRequestRow{}).Where("id = ? AND status = ?", id, domain.LostPending).
			Updates(map[string]any{"status": status, "decider_id": deciderID, "decided_at": db.now(), "answer": answer})
		if res.Error != nil || res.RowsAffected == 1 {
			decided = res.RowsAffected == 1
			return res.Error
		}
		var n int64
		if err := tx.Model(&lostRequestRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return errLostRequestNotFound(id)
		}
		return nil
	})
	if err != nil {
		return false, wrapInternal(err, "decide lost request %d", id)
	}
	return decided, nil
}

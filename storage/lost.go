package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// storage implements the lost-lead service (R1.6).
var _ domain.LostService = (*DB)(nil)

// lostRequestRow is a row of lost_requests: a request to mark a lead lost,
// waiting for or settled by the supervisor (R1.6). Status is "pending" or
// the verdict; the decider, time and answer are the decision.
type lostRequestRow struct {
	ID          int64 `gorm:"primaryKey"`
	StoreID     int64
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
	out := &domain.LostRequest{
		ID:          r.ID,
		StoreID:     r.StoreID,
		LeadID:      r.LeadID,
		RequesterID: r.RequesterID,
		Reason:      domain.LostReason(r.Reason),
		Note:        r.Note,
		CreatedAt:   utc(r.CreatedAt),
	}
	if r.Status != domain.LostPending {
		d := &domain.Decision{DeciderID: r.DeciderID, Verdict: domain.Verdict(r.Status), Reason: r.Answer}
		if r.DecidedAt != nil {
			d.At = utc(*r.DecidedAt)
		}
		out.Decision = d
	}
	return out
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

// RequestLost implements domain.LostService.
func (db *DB) RequestLost(ctx context.Context, r domain.LostRequest) (*domain.LostRequested, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var out *domain.LostRequested
	err := db.InTx(ctx, func(ctx context.Context) error {
		requester, err := db.StaffByID(ctx, r.RequesterID)
		if err != nil {
			return err
		}
		l, err := db.LeadInStore(ctx, requester.StoreID, r.LeadID)
		if err != nil {
			return err
		}
		if err := domain.CanRequestLost(requester, l); err != nil {
			return err
		}
		r.StoreID = l.StoreID
		approvers, err := db.storeApproversOf(ctx, l.StoreID, requester)
		if err != nil {
			return err
		}
		if err := db.createLostRequest(ctx, &r); err != nil {
			return err
		}
		if len(approvers) == 0 {
			return domain.Errorkf(domain.ENOTFOUND, "err.no_supervisor", nil, "no supervisor to approve staff %d", requester.ID)
		}
		out = &domain.LostRequested{Request: &r, Lead: l, Requester: requester, Approvers: approvers}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "request lost of lead %d", r.LeadID)
	}
	return out, nil
}

// createLostRequest inserts r as pending, created now, and sets r.ID and
// r.CreatedAt. ECONFLICT (err.lost_pending) when the lead has a pending
// request already: the insert is skipped, so the transaction stays usable.
func (db *DB) createLostRequest(ctx context.Context, r *domain.LostRequest) error {
	row := lostRequestRow{StoreID: r.StoreID, LeadID: r.LeadID, RequesterID: r.RequesterID, Reason: string(r.Reason), Note: r.Note,
		Status: domain.LostPending, CreatedAt: db.now()}
	res := db.conn(ctx).Clauses(onPendingConflict).Create(&row)
	switch {
	case foreignKeyViolated(res.Error):
		return errLeadNotFound(r.LeadID)
	case res.Error != nil:
		return res.Error
	case res.RowsAffected == 0 || row.ID == 0:
		return domain.Errorkf(domain.ECONFLICT, "err.lost_pending", []any{r.LeadID},
			"lead %d has a pending lost request already", r.LeadID)
	}
	r.ID, r.CreatedAt, r.Decision = row.ID, row.CreatedAt, nil
	return nil
}

// LostRequestByID implements domain.LostService.
func (db *DB) LostRequestByID(ctx context.Context, id int64) (*domain.LostRequest, error) {
	var out *domain.LostRequest
	err := db.InTx(ctx, func(ctx context.Context) (err error) {
		out, err = db.lostRequestByID(ctx, id)
		return err
	})
	return out, err
}

func (db *DB) lostRequestByID(ctx context.Context, id int64) (*domain.LostRequest, error) {
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

// LostToDecide implements domain.LostService.
func (db *DB) LostToDecide(ctx context.Context, id, deciderID int64) (*domain.LostRequest, error) {
	var out *domain.LostRequest
	err := db.InTx(ctx, func(ctx context.Context) error {
		req, requester, err := db.lostApproval(ctx, id, deciderID)
		if err != nil {
			return err
		}
		if _, err := db.checkStoreDecider(ctx, req.StoreID, req.Approval(requester), deciderID); err != nil {
			return err
		}
		out = req
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "lost request %d to decide", id)
	}
	return out, nil
}

// lostApproval loads request id and its requester, for deciderID: a
// request of another store than the decider's is not found.
func (db *DB) lostApproval(ctx context.Context, id, deciderID int64) (*domain.LostRequest, *domain.Staff, error) {
	req, err := db.lostRequestByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if decider, err := db.StaffByID(ctx, deciderID); err == nil && decider.StoreID != req.StoreID {
		return nil, nil, errLostRequestNotFound(id)
	} else if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return nil, nil, err
	}
	requester, err := db.StaffByID(ctx, req.RequesterID)
	if err != nil {
		return nil, nil, err
	}
	return req, requester, nil
}

// DecideLost implements domain.LostService.
func (db *DB) DecideLost(ctx context.Context, id int64, d domain.Decision) (*domain.LostDecided, error) {
	d.At = db.now()
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var out *domain.LostDecided
	err := db.InTx(ctx, func(ctx context.Context) error {
		req, requester, err := db.lostApproval(ctx, id, d.DeciderID)
		if err != nil {
			return err
		}
		a := req.Approval(requester)
		decider, err := db.checkStoreDecider(ctx, req.StoreID, a, d.DeciderID)
		if err != nil {
			return err
		}
		if err := a.Decide(d); err != nil {
			return err
		}
		// Claim the decision first: of two supervisors deciding at once,
		// the second hears "already decided", not what the first did to
		// the lead.
		if err := db.decideLostRequest(ctx, id, d); err != nil {
			return err
		}
		l, err := db.LeadInStore(ctx, req.StoreID, req.LeadID)
		if err != nil {
			return err
		}
		asked := l.Grade
		if d.Approved() {
			if err := l.MarkLost(req, d.At); err != nil {
				return err
			}
		}
		req.Decision = a.Decision
		if d.Approved() {
			if err := db.AddLeadEvent(ctx, &domain.LeadEvent{StoreID: l.StoreID, LeadID: l.ID, StaffID: decider.ID, At: d.At,
				Kind: domain.EventGrade, From: string(asked), To: string(domain.GradeF), Why: domain.WhyLost}); err != nil {
				return err
			}
			if err := db.UpdateLead(ctx, l); err != nil {
				return err
			}
		}
		approvers, err := db.storeApproversOf(ctx, req.StoreID, requester)
		if err != nil {
			return err
		}
		out = &domain.LostDecided{Request: req, Lead: l, Asked: asked, Requester: requester, Decider: decider, Approvers: approvers}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "decide lost request %d", id)
	}
	return out, nil
}

// decideLostRequest records d on pending request id; a request decided
// meanwhile — by another supervisor a moment before — is an ECONFLICT
// (lost.already) and keeps its first decision.
func (db *DB) decideLostRequest(ctx context.Context, id int64, d domain.Decision) error {
	res := db.conn(ctx).Model(&lostRequestRow{}).Where("id = ? AND status = ?", id, domain.LostPending).
		Updates(map[string]any{"status": string(d.Verdict), "decider_id": d.DeciderID, "decided_at": dbTime(d.At), "answer": d.Reason})
	switch {
	case res.Error != nil:
		return res.Error
	case res.RowsAffected == 0:
		return domain.AlreadyDecided(domain.ApprovalLost, id)
	}
	return nil
}

// storeApproversOf is approversOf among store's people: a lost request is
// approved in its lead's store (domain.Approvers).
func (db *DB) storeApproversOf(ctx context.Context, store int64, requester *domain.Staff) ([]*domain.Staff, error) {
	staff, err := db.StaffWithRole(ctx, store, domain.ApproverRole(requester.Roles))
	if err != nil {
		return nil, err
	}
	return domain.Approvers(requester, staff), nil
}

// checkStoreDecider is checkDecider among store's people: deciderID may
// rule on a, a request of store, now. ECONFLICT (the kind's "already" key)
// when a is decided, EFORBIDDEN (err.forbidden) when they may not rule on
// it.
func (db *DB) checkStoreDecider(ctx context.Context, store int64, a *domain.Approval, deciderID int64) (*domain.Staff, error) {
	if !a.Pending() {
		return nil, domain.AlreadyDecided(a.Kind, a.ID)
	}
	decider, err := db.knownDecider(ctx, deciderID)
	if err != nil {
		return nil, err
	}
	var staff []*domain.Staff
	if a.Requester != nil {
		if staff, err = db.StaffWithRole(ctx, store, domain.ApproverRole(a.Requester.Roles)); err != nil {
			return nil, err
		}
	}
	if err := a.MayDecide(decider, staff); err != nil {
		return nil, err
	}
	return decider, nil
}

package storage

import (
	"context"

	"github.com/dealerbot/dealerbot/domain"
)

// The helpers every approval service shares (lost, and in turn clean-up,
// collision, rest, swap): they run inside the service's transaction and
// apply the pure rules of domain/approval.go to what is stored.

// approversOf returns who rules on requester's requests (domain.Approvers).
func (db *DB) approversOf(ctx context.Context, requester *domain.Staff) ([]*domain.Staff, error) {
	staff, err := db.StaffWithRole(ctx, requester.StoreID, domain.ApproverRole(requester.Roles))
	if err != nil {
		return nil, err
	}
	return domain.Approvers(requester, staff), nil
}

// checkDecider loads deciderID and returns them if they may rule on a now:
// ECONFLICT (the kind's "already" key) when a is decided, EFORBIDDEN
// (err.forbidden) when they may not rule on it.
func (db *DB) checkDecider(ctx context.Context, a *domain.Approval, deciderID int64) (*domain.Staff, error) {
	if !a.Pending() {
		return nil, domain.AlreadyDecided(a.Kind, a.ID)
	}
	decider, err := db.knownDecider(ctx, deciderID)
	if err != nil {
		return nil, err
	}
	var staff []*domain.Staff
	if a.Requester != nil {
		if staff, err = db.StaffWithRole(ctx, a.Requester.StoreID, domain.ApproverRole(a.Requester.Roles)); err != nil {
			return nil, err
		}
	}
	if err := a.MayDecide(decider, staff); err != nil {
		return nil, err
	}
	return decider, nil
}

// knownDecider loads deciderID, who is to rule on a request: one unknown is
// EFORBIDDEN (err.forbidden).
func (db *DB) knownDecider(ctx context.Context, deciderID int64) (*domain.Staff, error) {
	decider, err := db.StaffByID(ctx, deciderID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "unknown decider %d", deciderID)
	} else if err != nil {
		return nil, err
	}
	return decider, nil
}

// claimRuling records d on pending request id of model's table (its
// status, decided_by, decided_at, answer) before anything else the ruling
// writes: of two deciders at once, the second hears "already decided"
// (ECONFLICT, the kind's key) and the first decision stands.
func (db *DB) claimRuling(ctx context.Context, model any, kind domain.ApprovalKind, id int64, d domain.Decision) error {
	res := db.conn(ctx).Model(model).Where("id = ? AND status = ?", id, requestPending).
		Updates(map[string]any{"status": string(d.Verdict), "decided_by": d.DeciderID, "decided_at": dbTime(d.At), "answer": d.Reason})
	switch {
	case res.Error != nil:
		return formatError(res.Error)
	case res.RowsAffected == 0:
		return domain.AlreadyDecided(kind, id)
	}
	return nil
}

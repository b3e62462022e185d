package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// handoverRow is a row of handovers: the handover form of a lead passed
// from telesales to a consultant (R1.10).
type handoverRow struct {
	ID            int64 `gorm:"primaryKey"`
	StoreID       int64
	LeadID        int64
	FromID        int64
	ToID          int64
	Channel       string
	ExpectedBuyBy time.Time
	Grade         string
	Status        string
	Reason        string
	RemindedAt    *time.Time
	Escalated     bool
	CreatedAt     time.Time
	DecidedAt     *time.Time
}

// TableName implements gorm's schema.Tabler.
func (handoverRow) TableName() string { return "handovers" }

// handover converts the row to the domain type.
func (r *handoverRow) handover() domain.Handover {
	return domain.Handover{
		ID:            r.ID,
		StoreID:       r.StoreID,
		LeadID:        r.LeadID,
		FromID:        r.FromID,
		ToID:          r.ToID,
		Channel:       domain.Source(r.Channel),
		ExpectedBuyBy: utc(r.ExpectedBuyBy),
		Grade:         domain.Grade(r.Grade),
		Status:        r.Status,
		Reason:        r.Reason,
		RemindedAt:    utcPtr(r.RemindedAt),
		Escalated:     r.Escalated,
		CreatedAt:     utc(r.CreatedAt),
		DecidedAt:     utcPtr(r.DecidedAt),
	}
}

// onHandoverPendingConflict makes the INSERT of a handover skip, rather
// than fail on, a second pending handover of the lead
// (handovers_pending_key).
var onHandoverPendingConflict = clause.OnConflict{
	Columns:     []clause.Column{{Name: "lead_id"}},
	TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "status = '" + domain.HandoverPending + "'"}}},
	DoNothing:   true,
}

// errHandoverNotFound is the ENOTFOUND of a handover, looked up from a
// consultant's button: it reads as a stale button.
func errHandoverNotFound(id int64) error {
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "handover %d not found", id)
}

// CreateHandover stores a pending handover in its lead's store, created
// now, and sets h.StoreID, h.ID, h.Status and h.CreatedAt. A lead has at
// most one pending handover: a second is an ECONFLICT (err.handover_pending), also when two are created
// at once. ENOTFOUND when the lead does not exist.
func (db *DB) CreateHandover(ctx context.Context, h *domain.Handover) error {
	if err := validNote(h.Reason); err != nil {
		return err
	}
	row := handoverRow{LeadID: h.LeadID, FromID: h.FromID, ToID: h.ToID, Channel: string(h.Channel),
		ExpectedBuyBy: dbTime(h.ExpectedBuyBy), Grade: string(h.Grade), Status: domain.HandoverPending,
		Reason: h.Reason, CreatedAt: db.now()}
	err := db.InTx(ctx, func(ctx context.Context) (err error) {
		if row.StoreID, err = db.leadStore(ctx, h.LeadID, h.StoreID); err != nil {
			return err
		}
		res := db.conn(ctx).Clauses(onHandoverPendingConflict).Create(&row)
		switch {
		case res.Error != nil:
			return res.Error
		case res.RowsAffected == 0 || row.ID == 0:
			return domain.Errorkf(domain.ECONFLICT, "err.handover_pending", []any{h.LeadID},
				"lead %d has a pending handover already", h.LeadID)
		}
		return nil
	})
	switch {
	case foreignKeyViolated(err):
		return errLeadNotFound(h.LeadID)
	case err != nil:
		return wrapInternal(err, "create handover of lead %d", h.LeadID)
	}
	h.StoreID, h.ID, h.ExpectedBuyBy, h.Status, h.CreatedAt = row.StoreID, row.ID, row.ExpectedBuyBy, row.Status, row.CreatedAt
	h.RemindedAt, h.Escalated, h.DecidedAt = nil, false, nil
	return nil
}

// HandoverByID returns handover id; ENOTFOUND (callback.stale) when there
// is none.
func (db *DB) HandoverByID(ctx context.Context, id int64) (*domain.Handover, error) {
	var row handoverRow
	err := db.conn(ctx).Where("id = ?", id).Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, errHandoverNotFound(id)
	case err != nil:
		return nil, formatError(fmt.Errorf("handover %d: %w", id, err))
	}
	h := row.handover()
	return &h, nil
}

// DecideHandover settles pending handover id as status (accepted or
// declined, else EINVALID), now, with reason (a decline's), and reports
// whether it did: a handover decided already is left as it is (false).
// ENOTFOUND (callback.stale) when there is no such handover. Moving the
// lead is the caller's, in the same transaction.
func (db *DB) DecideHandover(ctx context.Context, id int64, status, reason string) (bool, error) {
	if status != domain.HandoverAccepted && status != domain.HandoverDeclined {
		return false, domain.Errorkf(domain.EINVALID, "err.invalid", nil, "%q is not a decision on a handover", status)
	}
	if err := validNote(reason); err != nil {
		return false, err
	}
	var decided bool
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Model(&handoverRow{}).Where("id = ? AND status = ?", id, domain.HandoverPending).
			Updates(map[string]any{"status": status, "reason": reason, "decided_at": db.now()})
		if res.Error != nil || res.RowsAffected == 1 {
			decided = res.RowsAffected == 1
			return res.Error
		}
		return db.rowExists(ctx, &handoverRow{}, id, errHandoverNotFound)
	})
	if err != nil {
		return false, wrapInternal(err, "decide handover %d", id)
	}
	return decided, nil
}

// PendingHandovers returns up to limit (all when limit is not positive)
// pending handovers created at createdBefore or earlier, the oldest first,
// of every store: each carries its StoreID, whose calendar and rules say
// when it is chased.
func (db *DB) PendingHandovers(ctx context.Context, createdBefore time.Time, limit int) ([]domain.Handover, error) {
	q := db.conn(ctx).Where("status = ? AND created_at <= ?", domain.HandoverPending, dbTime(createdBefore)).
		Order("created_at, id")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []handoverRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("pending handovers: %w", err))
	}
	list := make([]domain.Handover, len(rows))
	for i := range rows {
		list[i] = rows[i].handover()
	}
	return list, nil
}

// MarkHandoverReminded records that the consultant was reminded of
// handover id, now. ENOTFOUND (callback.stale) when there is no such
// handover.
func (db *DB) MarkHandoverReminded(ctx context.Context, id int64) error {
	return wrapInternal(db.setColumn(ctx, &handoverRow{}, id, "reminded_at", db.now(), errHandoverNotFound),
		"mark handover %d reminded", id)
}

// MarkHandoverEscalated records that the supervisor was told handover id
// is unanswered. ENOTFOUND (callback.stale) when there is no such handover.
func (db *DB) MarkHandoverEscalated(ctx context.Context, id int64) error {
	return wrapInternal(db.setColumn(ctx, &handoverRow{}, id, "escalated", true, errHandoverNotFound),
		"mark handover %d escalated", id)
}

// UnchasedHandovers returns, per store with any, when its oldest pending
// handover whose consultant was not yet reminded was created, and its
// oldest not yet escalated (zero when none), by store id. The reminder
// job's next instants are working time after these on each store's
// calendar.
func (db *DB) UnchasedHandovers(ctx context.Context) ([]domain.Unchased, error) {
	// Pending handovers are few, answered within hours.
	return db.unchasedPerStore(ctx, "handovers", "created_at", domain.HandoverPending, "reminded_at IS NULL", "unchased handovers")
}

// storage implements the handover service (R1.10).
var _ domain.HandoverService = (*DB)(nil)

// SendHandover implements domain.HandoverService.
func (db *DB) SendHandover(ctx context.Context, h domain.Handover, toName string) (*domain.HandoverSent, error) {
	var out *domain.HandoverSent
	err := db.InTx(ctx, func(ctx context.Context) error {
		l, err := db.LeadByID(ctx, h.LeadID)
		if err != nil {
			return err
		}
		from, err := db.StaffByID(ctx, h.FromID)
		if err != nil {
			return err
		}
		if l.StoreID != from.StoreID { // another store's lead does not exist for the sender
			return errLeadNotFound(l.ID)
		}
		if err := domain.CanHandOver(from, l, nil); err != nil {
			return err
		}
		if !h.ExpectedBuyBy.IsZero() {
			if err := domain.CheckExpectedBuyBy(h.ExpectedBuyBy, db.now(), db.Stores.Of(l.StoreID).Calendar.Location); err != nil {
				return err
			}
		}
		to, err := db.StaffByName(ctx, l.StoreID, toName)
		if err != nil {
			return err
		}
		if err := domain.CanHandOver(from, l, to); err != nil {
			return err
		}
		if h.ExpectedBuyBy.IsZero() {
			h.ExpectedBuyBy = domain.ExpectedBuyBy(l.Grade, db.now())
		}
		h.StoreID, h.ToID, h.Channel, h.Grade, h.Reason = l.StoreID, to.ID, l.Source, l.Grade, ""
		if err := db.CreateHandover(ctx, &h); err != nil {
			return err
		}
		out = &domain.HandoverSent{Handover: &h, Lead: l, From: from, To: to, Notify: domain.HandoverNotice(to)}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "send handover of lead %d", h.LeadID)
	}
	return out, nil
}

// HandoverToAnswer implements domain.HandoverService.
func (db *DB) HandoverToAnswer(ctx context.Context, id, staffID int64) (*domain.Handover, error) {
	var out *domain.Handover
	err := db.InTx(ctx, func(ctx context.Context) (err error) {
		out, _, err = db.handoverToAnswer(ctx, id, staffID)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "handover %d to answer", id)
	}
	return out, nil
}

// handoverToAnswer loads handover id and the consultant staffID, who must
// be the one to answer it now. A handover of another store is not found.
func (db *DB) handoverToAnswer(ctx context.Context, id, staffID int64) (*domain.Handover, *domain.Staff, error) {
	h, err := db.HandoverByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	to, err := db.StaffByID(ctx, staffID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil, domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "unknown staff %d", staffID)
	} else if err != nil {
		return nil, nil, err
	}
	if h.StoreID != to.StoreID {
		return nil, nil, errHandoverNotFound(id)
	}
	if err := domain.CanAnswerHandover(to, h); err != nil {
		return nil, nil, err
	}
	return h, to, nil
}

// AcceptHandover implements domain.HandoverService.
func (db *DB) AcceptHandover(ctx context.Context, id, staffID int64) (*domain.HandoverAnswered, error) {
	var out *domain.HandoverAnswered
	err := db.InTx(ctx, func(ctx context.Context) error {
		h, to, err := db.handoverToAnswer(ctx, id, staffID)
		if err != nil {
			return err
		}
		l, err := db.LeadByID(ctx, h.LeadID)
		if err != nil {
			return err
		}
		if err := domain.CanAcceptHandover(l); err != nil {
			return err
		}
		if err := db.answerHandover(ctx, h, domain.HandoverAccepted, ""); err != nil {
			return err
		}
		invitedBy := l.OwnerID // the telesales whose lead it was keeps the credit
		if err := db.moveLead(ctx, l, to.ID, to.ID, domain.PoolShowroom, domain.WhyHandover); err != nil {
			return err
		}
		l.InvitedBy = invitedBy
		st := db.Stores.Of(l.StoreID)
		l.Reschedule(st.Rules.Leads, st.Calendar)
		if err := db.UpdateLead(ctx, l); err != nil {
			return err
		}
		out, err = db.handoverAnswered(ctx, h, l, to)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "accept handover %d", id)
	}
	return out, nil
}

// DeclineHandover implements domain.HandoverService.
func (db *DB) DeclineHandover(ctx context.Context, id, staffID int64, reason string) (*domain.HandoverAnswered, error) {
	reason, err := domain.ValidDeclineReason(reason)
	if err != nil {
		return nil, err
	}
	var out *domain.HandoverAnswered
	err = db.InTx(ctx, func(ctx context.Context) error {
		h, to, err := db.handoverToAnswer(ctx, id, staffID)
		if err != nil {
			return err
		}
		if err := db.answerHandover(ctx, h, domain.HandoverDeclined, reason); err != nil {
			return err
		}
		l, err := db.LeadByID(ctx, h.LeadID)
		if err != nil {
			return err
		}
		out, err = db.handoverAnswered(ctx, h, l, to)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "decline handover %d", id)
	}
	return out, nil
}

// answerHandover settles pending h as status, once: a handover answered
// meanwhile is an ECONFLICT (handover.already).
func (db *DB) answerHandover(ctx context.Context, h *domain.Handover, status, reason string) error {
	ok, err := db.DecideHandover(ctx, h.ID, status, reason)
	switch {
	case err != nil:
		return err
	case !ok:
		return domain.Errorkf(domain.ECONFLICT, "handover.already", nil, "handover %d decided", h.ID)
	}
	at := db.now()
	h.Status, h.Reason, h.DecidedAt = status, reason, &at
	return nil
}

// handoverAnswered is the outcome of an answer: the telesales to tell, if
// still found and reachable.
func (db *DB) handoverAnswered(ctx context.Context, h *domain.Handover, l *domain.Lead, to *domain.Staff) (*domain.HandoverAnswered, error) {
	from, err := db.StaffByID(ctx, h.FromID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		from, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &domain.HandoverAnswered{Handover: h, Lead: l, From: from, To: to, Notify: domain.HandoverNotice(from)}, nil
}

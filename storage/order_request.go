package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The rulings on orders (R4.2, R4.4), their chase, and deposit refunds.

func (db *DB) orderRequestByID(ctx context.Context, id int64) (*domain.OrderRequest, error) {
	var row orderRequestRow
	err := db.conn(ctx).Where("id = ?", id).Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, errOrderRequestNotFound(id)
	case err != nil:
		return nil, formatError(fmt.Errorf("order request %d: %w", id, err))
	}
	return row.request(), nil
}

// requestToDecide loads request id for deciderID and checks they may rule
// on it now: another store's request is not found.
func (db *DB) requestToDecide(ctx context.Context, id, deciderID int64) (*domain.OrderRequest, *domain.Staff, *domain.Staff, error) {
	req, err := db.orderRequestByID(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	decider, err := db.knownDecider(ctx, deciderID)
	switch {
	case err != nil:
		return nil, nil, nil, err
	case decider.StoreID != req.StoreID:
		return nil, nil, nil, errOrderRequestNotFound(id)
	}
	if req.Decision != nil {
		return nil, nil, nil, domain.AlreadyDecided(domain.ApprovalOrder, id)
	}
	if err := req.MayDecide(decider); err != nil {
		return nil, nil, nil, err
	}
	requester, err := db.StaffByID(ctx, req.RequesterID)
	if err != nil {
		return nil, nil, nil, err
	}
	return req, requester, decider, nil
}

// OrderRequestToDecide implements domain.OrderService.
func (db *DB) OrderRequestToDecide(ctx context.Context, id, deciderID int64) (*domain.OrderRequest, error) {
	var out *domain.OrderRequest
	err := db.InTx(ctx, func(ctx context.Context) (err error) {
		out, _, _, err = db.requestToDecide(ctx, id, deciderID)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "order request %d to decide", id)
	}
	return out, nil
}

// DecideOrderRequest implements domain.OrderService.
func (db *DB) DecideOrderRequest(ctx context.Context, id int64, d domain.Decision) (*domain.OrderDecided, error) {
	d.At = db.now()
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var out *domain.OrderDecided
	err := db.InTx(ctx, func(ctx context.Context) error {
		req, requester, decider, err := db.requestToDecide(ctx, id, d.DeciderID)
		if err != nil {
			return err
		}
		if err := req.Approval(requester).Decide(d); err != nil {
			return err
		}
		if err := db.claimRuling(ctx, &orderRequestRow{}, domain.ApprovalOrder, id, d); err != nil {
			return err
		}
		req.Decision = &d
		o, err := db.orderIn(ctx, req.StoreID, req.OrderID)
		if err != nil {
			return err
		}
		l, err := db.LeadInStore(ctx, o.StoreID, o.LeadID)
		if err != nil {
			return err
		}
		back := false // the order ends: its lead returns to A, or is lost
		switch {
		case req.Kind == domain.OrderDiscount:
			o.State, o.DecidedBy, o.DecidedAt, o.Reason = domain.OrderConfirmed, d.DeciderID, &d.At, d.Reason
			if !d.Approved() {
				o.State, back = domain.OrderRejected, true
			}
		case !d.Approved():
		case req.Kind == domain.OrderChange:
			if err := db.applyStored(o, req.Field, req.Value); err != nil {
				return err
			}
		case req.Kind == domain.OrderCancel:
			o.State, o.Reason, back = domain.OrderCancelled, req.Reason, true
		}
		row := orderRowOf(o)
		row.UpdatedAt = d.At
		if err := db.conn(ctx).Select("*").Omit("id", "created_at").Where("id = ?", o.ID).Updates(&row).Error; err != nil {
			return formatError(fmt.Errorf("update order %d: %w", o.ID, err))
		}
		if back {
			if err := db.returnFromOrder(ctx, l, req, decider, d); err != nil {
				return err
			}
		}
		holders, err := db.cardHolders(ctx, req.StoreID)
		if err != nil {
			return err
		}
		out = &domain.OrderDecided{Order: o, Lead: l, Request: req, Requester: requester, Decider: decider, Approvers: holders}
		if !d.Approved() {
			return nil
		}
		// The car held (R4.3): a cancelled order, or one that wants another
		// car now, lets it go to the next in line; a confirmed order
		// waiting gets the oldest matching car in stock.
		if req.Kind == domain.OrderCancel || req.Kind == domain.OrderChange && carField(req.Field) {
			if out.Released, err = db.releaseCar(ctx, &row, string(req.Kind)); err != nil {
				return err
			}
		}
		if out.Allocated, err = db.allocateOrder(ctx, &row); err != nil {
			return err
		}
		o.VehicleID = row.VehicleID
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "decide order request %d", id)
	}
	return out, nil
}

// returnFromOrder moves l, whose order req ended by d, back from O
// (domain.Lead.ReturnFromOrder): to A, or — a cancellation that said the
// customer is lost — to F, the lost request recorded as approved by the
// same ruling (R1.6), as /lost's would be.
func (db *DB) returnFromOrder(ctx context.Context, l *domain.Lead, req *domain.OrderRequest, decider *domain.Staff, d domain.Decision) error {
	lost := req.LostRequest(l.ID)
	from := l.Grade
	st := db.Stores.Of(l.StoreID)
	if !l.ReturnFromOrder(lost, d.At, st.Rules.Leads, st.Calendar) {
		return nil
	}
	why := domain.WhyOrder
	if lost != nil {
		row := lostRequestRow{StoreID: l.StoreID, LeadID: l.ID, RequesterID: lost.RequesterID, Reason: string(lost.Reason), Note: lost.Note,
			Status: string(domain.Approved), DeciderID: decider.ID, DecidedAt: dbTimePtr(&d.At), Answer: d.Reason, CreatedAt: req.CreatedAt}
		if err := db.conn(ctx).Create(&row).Error; err != nil {
			return formatError(fmt.Errorf("lost request of lead %d: %w", l.ID, err))
		}
		why = domain.WhyLost
	}
	if err := db.recordChange(ctx, l, decider.ID, domain.EventGrade, string(from), string(l.Grade), why); err != nil {
		return err
	}
	return db.UpdateLead(ctx, l)
}

// carField reports whether changing field f changes the car ordered.
func carField(f string) bool {
	return f == domain.FieldModel || f == domain.FieldTrim || f == domain.FieldColour
}

// RefundDeposit implements domain.OrderService.
func (db *DB) RefundDeposit(ctx context.Context, by, id, amountFen int64, method string) (*domain.DepositRefunded, error) {
	if amountFen <= 0 {
		return nil, domain.Errorkf(domain.EINVALID, "err.money_zero", []any{domain.FormatFen(amountFen)}, "refund of %d", amountFen)
	}
	if method == "" {
		return nil, domain.Errorkf(domain.EINVALID, "order.refund_method", nil, "a refund needs a method")
	}
	var out *domain.DepositRefunded
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		o, err := db.ownOrder(ctx, s, id)
		if err != nil {
			return err
		}
		var refunded int64
		if err := db.conn(ctx).Model(&depositRefundRow{}).Where("order_id = ?", o.ID).
			Select("COALESCE(SUM(amount_fen), 0)").Scan(&refunded).Error; err != nil {
			return formatError(err)
		}
		left := o.DepositFen - refunded
		if amountFen > left {
			return domain.Errorkf(domain.EINVALID, "order.refund_above", []any{domain.FormatFen(amountFen), domain.FormatFen(left)},
				"refund above what is left of the deposit")
		}
		row := depositRefundRow{StoreID: o.StoreID, OrderID: o.ID, AmountFen: amountFen, Method: method, ByStaff: s.ID, At: db.now()}
		if err := db.conn(ctx).Create(&row).Error; err != nil {
			return formatError(fmt.Errorf("refund: %w", err))
		}
		out = &domain.DepositRefunded{Order: o, LeftFen: left - amountFen, Refund: &domain.DepositRefund{ID: row.ID, StoreID: row.StoreID,
			OrderID: o.ID, AmountFen: amountFen, Method: method, ByID: s.ID, At: row.At}}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "refund deposit of order %d", id)
	}
	return out, nil
}

// PendingOrderRequests is what the chase watches: pending requests with a
// step left — not reminded yet, or not climbed yet below the top rank —
// oldest first (jobs.OrderChaser).
func (db *DB) PendingOrderRequests(ctx context.Context, limit int) ([]domain.OrderRequest, error) {
	var rows []orderRequestRow
	err := db.conn(ctx).Where("status = ? AND (reminded_at IS NULL OR (climbed_at IS NULL AND rank <> ?))",
		requestPending, string(domain.RoleGM)).
		Order("created_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, formatError(fmt.Errorf("pending order requests: %w", err))
	}
	out := make([]domain.OrderRequest, len(rows))
	for i := range rows {
		out[i] = *rows[i].request()
	}
	return out, nil
}

// ChaseOrderRequest marks one step of request id's chase at now and says
// who is to hear: its rank reminded, or (climb) the rank above with new
// cards. A step taken already (another run) is nil, nil.
func (db *DB) ChaseOrderRequest(ctx context.Context, id int64, climb bool, now time.Time) (*domain.OrderChased, error) {
	var out *domain.OrderChased
	err := db.InTx(ctx, func(ctx context.Context) error {
		req, err := db.orderRequestByID(ctx, id)
		if err != nil || req.Decision != nil {
			return err
		}
		col, rank, below := "reminded_at", req.Rank, req.Rank
		if climb {
			above, ok := domain.RankAbove(req.Rank)
			if !ok {
				return nil
			}
			col, rank = "climbed_at", above
		}
		set := map[string]any{col: dbTime(now), "rank": string(rank)}
		if climb {
			// A climb is its rank's reminder too.
			set["reminded_at"] = dbTime(now)
		}
		res := db.conn(ctx).Model(&orderRequestRow{}).Where("id = ? AND status = ? AND "+col+" IS NULL", id, requestPending).Updates(set)
		if res.Error != nil || res.RowsAffected == 0 {
			return formatError(res.Error)
		}
		req.Rank = rank
		o, err := db.orderIn(ctx, req.StoreID, req.OrderID)
		if err != nil {
			return err
		}
		requester, err := db.StaffByID(ctx, req.RequesterID)
		if err != nil {
			return err
		}
		_, approvers, err := db.rankApprovers(ctx, req.StoreID, rank, req.RequesterID)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		brief, err := db.orderBrief(ctx, o)
		if err != nil {
			return err
		}
		out = &domain.OrderChased{Order: o, Request: req, Requester: requester, Approvers: approvers, Climbed: climb, Brief: brief}
		if climb {
			if out.Passed, err = db.StaffWithRole(ctx, req.StoreID, below); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "chase order request %d", id)
	}
	return out, nil
}

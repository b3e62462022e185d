package storage

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// A car allocated by hand (R4.3): at the head of the line at once; out of
// turn as a queue jump the store's managers rule on, naming who is jumped.

// AllocateCar implements domain.AllocationService.
func (db *DB) AllocateCar(ctx context.Context, by, orderID int64, vin string) (*domain.AllocationAsked, error) {
	var out *domain.AllocationAsked
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, o, err := db.allocationActor(ctx, by, orderID)
		if err != nil {
			return err
		}
		v, err := db.findVehicle(ctx, s.StoreID, vin)
		if err != nil {
			return err
		}
		jump, ahead, err := db.checkJump(ctx, o, v)
		if err != nil {
			return err
		}
		out = &domain.AllocationAsked{Order: db.order(o), Vehicle: v.vehicle(), Requester: s}
		if out.Jumped, err = db.queued(ctx, ahead); err != nil {
			return err
		}
		// A manager's own allocation out of turn is their approval.
		if !jump.NeedsApproval() || s.Roles.HasAny(domain.QueueJumpDeciders...) {
			approved := int64(0)
			if jump.NeedsApproval() {
				approved = s.ID
			}
			out.Allocated, err = db.allocate(ctx, o, v, s.ID, approved, db.now(), "by hand")
			return err
		}
		if err := db.refuseTwoJumps(ctx, o.ID); err != nil {
			return err
		}
		for _, r := range domain.QueueJumpDeciders {
			staff, err := db.StaffWithRole(ctx, o.StoreID, r)
			if err != nil {
				return err
			}
			for _, a := range staff {
				if a.ID != s.ID && a.Enrolled() {
					out.Approvers = append(out.Approvers, a)
				}
			}
			if len(out.Approvers) > 0 {
				break
			}
		}
		if len(out.Approvers) == 0 {
			return domain.Errorkf(domain.ENOTFOUND, "alloc.no_manager", nil, "no manager in store %d to approve a queue jump", o.StoreID)
		}
		row := allocationRequestRow{StoreID: o.StoreID, OrderID: o.ID, VehicleID: v.ID, RequestedBy: s.ID,
			Status: requestPending, CreatedAt: db.now()}
		res := db.conn(ctx).Clauses(clause.OnConflict{
			Columns:     []clause.Column{{Name: "order_id"}},
			TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "status = '" + requestPending + "'"}}},
			DoNothing:   true,
		}).Create(&row)
		switch {
		case res.Error != nil:
			return formatError(fmt.Errorf("queue jump request: %w", res.Error))
		case res.RowsAffected == 0 || row.ID == 0:
			return domain.Errorkf(domain.ECONFLICT, "alloc.pending", []any{o.ID}, "order %d has a queue jump pending", o.ID)
		}
		out.Request = row.request(v.VIN)
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "allocate %q to order %d by %d", vin, orderID, by)
	}
	return out, nil
}

// refuseTwoJumps is ECONFLICT (alloc.pending) when order id has a queue
// jump waiting for a manager.
func (db *DB) refuseTwoJumps(ctx context.Context, orderID int64) error {
	var n int64
	if err := db.conn(ctx).Model(&allocationRequestRow{}).Where("order_id = ? AND status = ?", orderID, requestPending).
		Count(&n).Error; err != nil {
		return formatError(err)
	}
	if n > 0 {
		return domain.Errorkf(domain.ECONFLICT, "alloc.pending", []any{orderID}, "order %d has a queue jump pending", orderID)
	}
	return nil
}

// maxJumped bounds the orders ahead a queue jump's card names.
const maxJumped = 20

// checkJump checks allocating car v to order o against the queue
// (domain.CheckQueueJump) on the orders ahead of o in line for the car.
func (db *DB) checkJump(ctx context.Context, o *orderRow, v *vehicleRow) (domain.QueueJump, []orderRow, error) {
	var ahead []orderRow
	if o.Model == v.Model && o.Trim == v.Trim && o.Colour == v.Colour {
		var err error
		if ahead, err = db.ordersAhead(ctx, o, maxJumped); err != nil {
			return domain.QueueJump{}, nil, err
		}
	}
	queue := make([]domain.AllocOrder, len(ahead))
	for i := range ahead {
		queue[i] = allocOrder(&ahead[i])
	}
	jump, err := domain.CheckQueueJump(allocOrder(o), v.vehicle(), queue)
	return jump, ahead, err
}

// queued names the orders in rows for a card: customer and consultant.
func (db *DB) queued(ctx context.Context, rows []orderRow) ([]domain.QueuedOrder, error) {
	out := make([]domain.QueuedOrder, 0, len(rows))
	for i := range rows {
		q := domain.QueuedOrder{AllocOrder: allocOrder(&rows[i])}
		var err error
		if q.Customer, err = db.customerOf(ctx, &rows[i]); err != nil {
			return nil, err
		}
		c, err := db.StaffByID(ctx, rows[i].ConsultantID)
		switch {
		case err == nil:
			q.ConsultantName = c.Name
		case domain.ErrorCode(err) != domain.ENOTFOUND:
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// allocationRequestToDecide loads queue jump id for deciderID and checks
// they may rule on it now: another store's is not found.
func (db *DB) allocationRequestToDecide(ctx context.Context, id, deciderID int64) (*domain.AllocationRequest, *domain.Staff, *domain.Staff, error) {
	stale := domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "queue jump %d not found", id)
	var row allocationRequestRow
	err := db.conn(ctx).Where("id = ?", id).Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, nil, nil, stale
	case err != nil:
		return nil, nil, nil, formatError(err)
	}
	decider, err := db.knownDecider(ctx, deciderID)
	switch {
	case err != nil:
		return nil, nil, nil, err
	case decider.StoreID != row.StoreID:
		return nil, nil, nil, stale
	}
	v, err := db.vehicleByID(ctx, row.StoreID, row.VehicleID)
	if err != nil {
		return nil, nil, nil, err
	}
	req := row.request(v.VIN)
	requester, err := db.StaffByID(ctx, row.RequestedBy)
	if err != nil {
		return nil, nil, nil, err
	}
	ap := req.Approval(requester)
	if !ap.Pending() {
		return nil, nil, nil, domain.AlreadyDecided(domain.ApprovalQueueJump, id)
	}
	if err := ap.MayDecide(decider, nil); err != nil {
		return nil, nil, nil, err
	}
	return req, requester, decider, nil
}

// AllocationRequestToDecide implements domain.AllocationService.
func (db *DB) AllocationRequestToDecide(ctx context.Context, id, deciderID int64) (*domain.AllocationRequest, error) {
	var out *domain.AllocationRequest
	err := db.InTx(ctx, func(ctx context.Context) (err error) {
		out, _, _, err = db.allocationRequestToDecide(ctx, id, deciderID)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "queue jump %d to decide", id)
	}
	return out, nil
}

// DecideAllocation implements domain.AllocationService.
func (db *DB) DecideAllocation(ctx context.Context, id int64, d domain.Decision) (*domain.AllocationDecided, error) {
	d.At = db.now()
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var out *domain.AllocationDecided
	err := db.InTx(ctx, func(ctx context.Context) error {
		req, requester, decider, err := db.allocationRequestToDecide(ctx, id, d.DeciderID)
		if err != nil {
			return err
		}
		if err := req.Approval(requester).Decide(d); err != nil {
			return err
		}
		o, err := db.orderRowIn(ctx, req.StoreID, req.OrderID)
		if err != nil {
			return err
		}
		v, err := db.vehicleByID(ctx, req.StoreID, req.VehicleID)
		if err != nil {
			return err
		}
		if err := db.claimRuling(ctx, &allocationRequestRow{}, domain.ApprovalQueueJump, id, d); err != nil {
			return err
		}
		req.Decision = &d
		out = &domain.AllocationDecided{Request: req, Requester: requester, Decider: decider}
		if d.Approved() {
			// Checked again: the car or the order may have moved since (the
			// whole ruling is then undone, the request still pending).
			if _, _, err := db.checkJump(ctx, o, v); err != nil {
				return err
			}
			if out.Allocated, err = db.allocate(ctx, o, v, requester.ID, decider.ID, d.At, "queue jump"); err != nil {
				return err
			}
		}
		if o, err = db.orderRowIn(ctx, req.StoreID, req.OrderID); err != nil {
			return err
		}
		if v, err = db.vehicleByID(ctx, req.StoreID, req.VehicleID); err != nil {
			return err
		}
		out.Order, out.Vehicle = db.order(o), v.vehicle()
		for _, r := range domain.QueueJumpDeciders {
			staff, err := db.StaffWithRole(ctx, req.StoreID, r)
			if err != nil {
				return err
			}
			for _, s := range staff {
				if s.ID != requester.ID {
					out.Holders = append(out.Holders, s)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "decide queue jump %d", id)
	}
	return out, nil
}

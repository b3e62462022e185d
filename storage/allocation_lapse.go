package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// An allocation ended (R4.3, R4.4): lapsed unpaid (the lapse job's side) or
// released by its order, its car moved on to the next in line or back in
// stock.

// NextAllocationLapse implements domain.AllocationService: one seek of
// allocations_pay_by.
func (db *DB) NextAllocationLapse(ctx context.Context) (time.Time, bool, error) {
	var rows []allocationRow
	if err := db.conn(ctx).Select("id, pay_by").
		Where("state = ? AND paid_at IS NULL AND pay_by IS NOT NULL", allocActive).
		Order("pay_by").Limit(1).Find(&rows).Error; err != nil {
		return time.Time{}, false, formatError(fmt.Errorf("next allocation lapse: %w", err))
	}
	if len(rows) == 0 || rows[0].PayBy == nil {
		return time.Time{}, false, nil
	}
	return utc(*rows[0].PayBy), true, nil
}

// LapseAllocations implements domain.AllocationService. Called in the
// job's transaction, so the lapses and their messages commit together.
func (db *DB) LapseAllocations(ctx context.Context, now time.Time, limit int) ([]domain.AllocationLapse, error) {
	var out []domain.AllocationLapse
	err := db.InTx(ctx, func(ctx context.Context) error {
		out = nil
		var rows []allocationRow
		if err := db.conn(ctx).Where("state = ? AND paid_at IS NULL AND pay_by IS NOT NULL AND pay_by <= ?", allocActive, dbTime(now)).
			Order("pay_by, id").Limit(limit).Find(&rows).Error; err != nil {
			return fmt.Errorf("lapsed allocations: %w", err)
		}
		for i := range rows {
			l, err := db.lapse(ctx, &rows[i], now)
			if err != nil {
				return err
			}
			if l != nil {
				out = append(out, *l)
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "lapse allocations at %s", now)
	}
	return out, nil
}

// lapse ends allocation a, unpaid at its PayBy (domain.AllocationLapsed at
// now), and moves its car on (domain.Reallocate): to the next order in
// line, or back in stock. The lapsed order waits again in its place. nil
// when a lapsed or was paid meanwhile (another replica's run, a payment):
// the conditional update claims it.
func (db *DB) lapse(ctx context.Context, a *allocationRow, now time.Time) (*domain.AllocationLapse, error) {
	o, err := db.orderRowIn(ctx, a.StoreID, a.OrderID)
	if err != nil {
		return nil, err
	}
	v, err := db.vehicleByID(ctx, a.StoreID, a.VehicleID)
	if err != nil {
		return nil, err
	}
	lapsed := a.allocation(o, v)
	if !domain.AllocationLapsed(lapsed, now) {
		return nil, nil
	}
	at := lapsed.PayBy
	res := db.conn(ctx).Model(&allocationRow{}).Where("id = ? AND state = ? AND paid_at IS NULL", a.ID, allocActive).
		Updates(map[string]any{"state": string(domain.AllocationLapsedS), "ended_at": dbTime(at)})
	if res.Error != nil {
		return nil, formatError(fmt.Errorf("lapse allocation %d: %w", a.ID, res.Error))
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	lapsed.State = domain.AllocationLapsedS
	return db.moveCarOn(ctx, lapsed, o, v, at, true)
}

// moveCarOn lets order o's car v go (its allocation ended at `at`: lapsed,
// or released) and gives it to the next order in line but o
// (domain.Reallocate), or puts it back in stock; and says who is told.
// relapse: o waits again in line (a lapse); otherwise it left the line (a
// cancellation or a change of car).
func (db *DB) moveCarOn(ctx context.Context, ended domain.Allocation, o *orderRow, v *vehicleRow, at time.Time, relapse bool) (*domain.AllocationLapse, error) {
	if err := db.conn(ctx).Model(&orderRow{}).Where("id = ? AND vehicle_id = ?", o.ID, v.ID).
		Updates(map[string]any{"vehicle_id": 0, "updated_at": db.now()}).Error; err != nil {
		return nil, formatError(fmt.Errorf("order %d lets car %d go: %w", o.ID, v.ID, err))
	}
	o.VehicleID = 0
	// Reallocate decides for a lapse; a release is the same move, its
	// clock taken as run out at `at`.
	decided := ended
	if !relapse {
		decided.ToldAt, decided.PayBy, decided.PaidAt = at, at, time.Time{}
	}
	var next *orderRow
	var re domain.Reallocation
	for try := 1; ; try++ {
		var err error
		if next, err = db.headOfLine(ctx, v, o.ID); err != nil {
			return nil, err
		}
		var line []domain.AllocOrder
		if next != nil {
			line = append(line, allocOrder(next))
		}
		if re, err = domain.Reallocate(decided, line); err != nil {
			return nil, err
		}
		if re.Next == nil {
			break
		}
		// A concurrent arrival may have taken the head between the read
		// and the write: then the next in line is the head.
		err = db.claimOrder(ctx, next, v)
		if err == nil {
			break
		}
		if try == raceTries || !taken(err) {
			return nil, err
		}
	}
	var err error
	out := &domain.AllocationLapse{Lapsed: ended, Reallocation: re, Location: db.Stores.Of(o.StoreID).Calendar.Location}
	if out.Customer, err = db.customerOf(ctx, o); err != nil {
		return nil, err
	}
	if re.Next != nil {
		if _, err := db.vehicleEvent(ctx, v, domain.VehicleAllocated, domain.SystemActor, at,
			"order #"+strconv.FormatInt(next.ID, 10)+" after order #"+strconv.FormatInt(o.ID, 10)); err != nil {
			return nil, err
		}
		if out.Next, err = db.holdCar(ctx, next, v, domain.SystemActor, 0, re.Next.AllocatedAt); err != nil {
			return nil, err
		}
	} else {
		res := db.conn(ctx).Model(&vehicleRow{}).Where("id = ? AND state = ?", v.ID, stateAlloc).
			Updates(map[string]any{"state": stateInStock, "updated_at": db.now()})
		if res.Error != nil {
			return nil, formatError(fmt.Errorf("car %d back in stock: %w", v.ID, res.Error))
		}
		if _, err := db.vehicleEvent(ctx, v, domain.VehicleInStock, domain.SystemActor, at,
			"order #"+strconv.FormatInt(o.ID, 10)+" let it go"); err != nil {
			return nil, err
		}
		v.State = stateInStock
		out.Lapsed.Vehicle.State = domain.VehicleInStock
	}
	for _, t := range re.Tell {
		switch t.Why {
		case domain.TellLostCar:
			if out.LostCar, err = db.reachableStaff(ctx, t.StaffID); err != nil {
				return nil, err
			}
		case domain.TellSupervisor:
			sups, err := db.storeStaffWithRole(ctx, o.StoreID, t.Role)
			if err != nil {
				return nil, err
			}
			out.Supervisors = domain.Reachable(sups)
		}
	}
	return out, nil
}

// releaseCar ends order o's active allocation, if any, because the order
// was cancelled or changed its car (R4.4), at now by `by`; its car goes to
// the next order in line or back in stock. nil when o held no car.
func (db *DB) releaseCar(ctx context.Context, o *orderRow, why string) (*domain.AllocationLapse, error) {
	a, err := db.activeAllocationOf(ctx, o.ID)
	if err != nil || a == nil {
		return nil, err
	}
	v, err := db.vehicleByID(ctx, o.StoreID, a.VehicleID)
	if err != nil {
		return nil, err
	}
	now := db.now()
	res := db.conn(ctx).Model(&allocationRow{}).Where("id = ? AND state = ?", a.ID, allocActive).
		Updates(map[string]any{"state": string(domain.AllocationReleased), "ended_at": dbTime(now), "note": why})
	if res.Error != nil {
		return nil, formatError(fmt.Errorf("release allocation %d: %w", a.ID, res.Error))
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	ended := a.allocation(o, v)
	ended.State = domain.AllocationReleased
	return db.moveCarOn(ctx, ended, o, v, now, false)
}

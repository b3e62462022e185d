package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The customer told of an allocated car, and the payment that keeps it
// (R4.3).

// TellCustomer implements domain.AllocationService.
func (db *DB) TellCustomer(ctx context.Context, by, orderID int64) (*domain.AllocationTold, error) {
	var out *domain.AllocationTold
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, o, err := db.allocationActor(ctx, by, orderID)
		if err != nil {
			return err
		}
		a, err := db.activeAllocationOf(ctx, o.ID)
		if err != nil {
			return err
		}
		if a == nil {
			return domain.Errorkf(domain.EINVALID, "alloc.none", []any{o.ID}, "order %d holds no car", o.ID)
		}
		if a.ToldAt != nil {
			return domain.Errorkf(domain.ECONFLICT, "alloc.told_already", []any{o.ID}, "order %d's customer was told already", o.ID)
		}
		st := db.Stores.Of(o.StoreID)
		now := db.now()
		payBy := domain.PaymentDue(now, st.Rules.Orders, st.Calendar)
		res := db.conn(ctx).Model(&allocationRow{}).Where("id = ? AND state = ? AND told_at IS NULL", a.ID, allocActive).
			Updates(map[string]any{"told_at": dbTime(now), "told_by": s.ID, "pay_by": dbTime(payBy)})
		if res.Error != nil {
			return formatError(fmt.Errorf("tell customer of order %d: %w", o.ID, res.Error))
		}
		if res.RowsAffected == 0 {
			return domain.Errorkf(domain.ECONFLICT, "alloc.told_already", []any{o.ID}, "order %d's customer was told already", o.ID)
		}
		a.ToldAt, a.ToldBy, a.PayBy = ptr(dbTime(now)), s.ID, ptr(dbTime(payBy))
		v, err := db.vehicleByID(ctx, o.StoreID, a.VehicleID)
		if err != nil {
			return err
		}
		out = &domain.AllocationTold{Allocation: a.allocation(o, v), Location: st.Calendar.Location}
		if out.Customer, err = db.customerOf(ctx, o); err != nil {
			return err
		}
		out.Consultant, err = db.reachableStaff(ctx, o.ConsultantID)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "tell customer of order %d", orderID)
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }

// RecordPayment implements domain.AllocationService.
func (db *DB) RecordPayment(ctx context.Context, by, orderID int64) (*domain.PaymentRecorded, error) {
	var out *domain.PaymentRecorded
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, o, err := db.allocationActor(ctx, by, orderID)
		if err != nil {
			return err
		}
		if o.State != orderConfirmd {
			return domain.Errorkf(domain.EINVALID, "alloc.not_confirmed", []any{o.ID}, "order %d is %s", o.ID, o.State)
		}
		if o.PaidAt != nil {
			return domain.Errorkf(domain.ECONFLICT, "alloc.paid_already", []any{o.ID, db.formatIn(o.StoreID, utc(*o.PaidAt))},
				"order %d was paid already", o.ID)
		}
		st := db.Stores.Of(o.StoreID)
		now := db.now()
		out = &domain.PaymentRecorded{Location: st.Calendar.Location}
		a, err := db.activeAllocationOf(ctx, o.ID)
		if err != nil {
			return err
		}
		if a != nil {
			v, err := db.vehicleByID(ctx, o.StoreID, a.VehicleID)
			if err != nil {
				return err
			}
			if domain.AllocationLapsed(a.allocation(o, v), now) {
				// The clock ran out before the job came round: the
				// allocation lapses now, at its PayBy, and the payment is
				// late.
				if out.Lapse, err = db.lapse(ctx, a, now); err != nil {
					return err
				}
				a = nil
			} else {
				res := db.conn(ctx).Model(&allocationRow{}).Where("id = ? AND state = ? AND paid_at IS NULL", a.ID, allocActive).
					Update("paid_at", dbTime(now))
				if res.Error != nil {
					return formatError(fmt.Errorf("pay allocation %d: %w", a.ID, res.Error))
				}
				if res.RowsAffected == 0 {
					return domain.Errorkf(domain.ECONFLICT, "alloc.paid_already", []any{o.ID, ""}, "allocation %d moved meanwhile", a.ID)
				}
				a.PaidAt = ptr(dbTime(now))
				al := a.allocation(o, v)
				out.Allocation = &al
			}
		}
		if a == nil {
			// Paid without a car: late when its last allocation lapsed.
			var last []allocationRow
			if err := db.conn(ctx).Where("order_id = ?", o.ID).Order("allocated_at DESC, id DESC").Limit(1).Find(&last).Error; err != nil {
				return formatError(err)
			}
			out.Late = len(last) == 1 && last[0].State == string(domain.AllocationLapsedS)
		}
		res := db.conn(ctx).Model(&orderRow{}).Where("id = ? AND paid_at IS NULL", o.ID).
			Updates(map[string]any{"paid_at": dbTime(now), "paid_by": s.ID, "updated_at": now})
		if res.Error != nil {
			return formatError(fmt.Errorf("pay order %d: %w", o.ID, res.Error))
		}
		if res.RowsAffected == 0 {
			return domain.Errorkf(domain.ECONFLICT, "alloc.paid_already", []any{o.ID, ""}, "order %d was paid meanwhile", o.ID)
		}
		if o, err = db.orderRowIn(ctx, o.StoreID, o.ID); err != nil {
			return err
		}
		out.Order = db.order(o)
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "payment of order %d", orderID)
	}
	return out, nil
}

// formatIn writes t in store's zone to the minute.
func (db *DB) formatIn(store int64, t time.Time) string {
	return t.In(db.Stores.Of(store).Calendar.Location).Format(domain.MinuteLayout)
}

package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// A reservation that lapses puts its car back in stock (R3.1): the
// reservation-expiry job (jobs.ReservationExpiry) asks for the next
// expiry across the group and, at it, for the cars due.

// NextReservationExpiry is the earliest expiry of a reserved car in the
// group; ok is false when no car is reserved.
func (db *DB) NextReservationExpiry(ctx context.Context) (at time.Time, ok bool, err error) {
	var rows []vehicleRow
	if err := db.conn(ctx).Select("id, reserved_until").
		Where("state = ? AND reserved_until IS NOT NULL", string(domain.VehicleReserved)).
		Order("reserved_until").Limit(1).Find(&rows).Error; err != nil {
		return time.Time{}, false, formatError(fmt.Errorf("next reservation expiry: %w", err))
	}
	if len(rows) == 0 || rows[0].ReservedUntil == nil {
		return time.Time{}, false, nil
	}
	return utc(*rows[0].ReservedUntil), true, nil
}

// ExpireReservations puts back in stock the reserved cars whose
// reservation lapsed by now (at most limit, earliest first), each with an
// event by domain.SystemActor at its expiry, and says who is to hear of
// each. A car moved meanwhile (sold, released) is left alone, and one
// already put back is not found again: a second run returns nothing.
// Called in the job's transaction, so the marks and the messages commit
// together.
func (db *DB) ExpireReservations(ctx context.Context, now time.Time, limit int) ([]domain.ReservationExpired, error) {
	var out []domain.ReservationExpired
	err := db.InTx(ctx, func(ctx context.Context) error {
		out = nil
		var rows []vehicleRow
		if err := db.conn(ctx).Where("state = ? AND reserved_until <= ?", string(domain.VehicleReserved), dbTime(now)).
			Order("reserved_until, id").Limit(limit).Find(&rows).Error; err != nil {
			return fmt.Errorf("lapsed reservations: %w", err)
		}
		for i := range rows {
			row := &rows[i]
			res := db.conn(ctx).Model(&vehicleRow{}).
				Where("id = ? AND state = ? AND reserved_until <= ?", row.ID, row.State, dbTime(now)).
				Updates(map[string]any{"state": string(domain.VehicleInStock), "reserved_until": nil, "reserved_by": 0, "updated_at": db.now()})
			if res.Error != nil {
				return fmt.Errorf("expire reservation of %d: %w", row.ID, res.Error)
			}
			if res.RowsAffected == 0 {
				continue
			}
			ev, err := db.vehicleEvent(ctx, row, domain.VehicleInStock, domain.SystemActor, *row.ReservedUntil, "reservation expired")
			if err != nil {
				return err
			}
			e := domain.ReservationExpired{Vehicle: row.vehicle(), Event: ev}
			e.Vehicle.State, e.Vehicle.ReservedUntil, e.Vehicle.ReservedBy = domain.VehicleInStock, time.Time{}, 0
			dept := ""
			if row.ReservedBy != 0 {
				who, err := db.StaffByID(ctx, row.ReservedBy)
				if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
					return err
				}
				if who != nil {
					e.ReservedBy, e.Reserver, dept = who, domain.Tellable(who, domain.SystemActor), who.Department
				}
			}
			sups, err := db.storeStaffWithRole(ctx, row.StoreID, domain.RoleSupervisor)
			if err != nil {
				return err
			}
			for _, s := range domain.InDepartmentOrAll(domain.Reachable(sups), dept) {
				if s.ID != row.ReservedBy {
					e.Supervisors = append(e.Supervisors, s)
				}
			}
			// Back in stock: the first order in line gets it (R4.3).
			back := *row
			back.State, back.ReservedUntil, back.ReservedBy = string(domain.VehicleInStock), nil, 0
			if e.Allocated, err = db.allocateArrival(ctx, &back); err != nil {
				return err
			}
			if e.Allocated != nil {
				e.Vehicle.State = domain.VehicleAllocated
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "expire reservations at %s", now)
	}
	return out, nil
}

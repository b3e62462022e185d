package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// storage implements the allocation service (R4.3).
var _ domain.AllocationService = (*DB)(nil)

// Allocation (R4.3) in the database: the queue is orders_waiting (the
// confirmed orders of a store holding no car, per model, trim and colour,
// in order date), the stock vehicles_in_stock_spec (in-stock cars per
// spec, first in first out). Every decision is one of domain/allocation.go,
// taken on the rows that one seek of these indexes finds: the head of the
// line, the oldest car, the orders ahead of a jump. Nothing loads a
// store's orders or cars.

// allocationRow is a row of allocations.
type allocationRow struct {
	ID          int64 `gorm:"primaryKey"`
	StoreID     int64
	OrderID     int64
	VehicleID   int64
	State       string
	AllocatedAt time.Time
	AllocatedBy int64
	ApprovedBy  int64
	ToldAt      *time.Time
	ToldBy      int64
	PayBy       *time.Time
	PaidAt      *time.Time
	EndedAt     *time.Time
	Note        string
}

// TableName implements gorm's schema.Tabler.
func (allocationRow) TableName() string { return "allocations" }

// allocationRequestRow is a row of allocation_requests.
type allocationRequestRow struct {
	ID          int64 `gorm:"primaryKey"`
	StoreID     int64
	OrderID     int64
	VehicleID   int64
	RequestedBy int64
	Status      string
	DecidedBy   int64
	DecidedAt   *time.Time
	Answer      string
	CreatedAt   time.Time
}

// TableName implements gorm's schema.Tabler.
func (allocationRequestRow) TableName() string { return "allocation_requests" }

func (r *allocationRequestRow) request(vin string) *domain.AllocationRequest {
	out := &domain.AllocationRequest{ID: r.ID, StoreID: r.StoreID, OrderID: r.OrderID, VehicleID: r.VehicleID, VIN: vin,
		RequesterID: r.RequestedBy, CreatedAt: utc(r.CreatedAt)}
	if r.Status != requestPending {
		out.Decision = &domain.Decision{DeciderID: r.DecidedBy, Verdict: domain.Verdict(r.Status), Reason: r.Answer}
		if r.DecidedAt != nil {
			out.Decision.At = utc(*r.DecidedAt)
		}
	}
	return out
}

// allocOrder is an order row as allocation sees it.
func allocOrder(r *orderRow) domain.AllocOrder {
	return domain.AllocOrder{ID: r.ID, StoreID: r.StoreID, Model: r.Model, Trim: r.Trim, Colour: r.Colour,
		OrderedAt: utc(r.CreatedAt), State: domain.QueueStateOf(domain.OrderState(r.State), r.VehicleID != 0),
		Consultant: r.ConsultantID}
}

// allocation is a stored allocation with its order and car.
func (a *allocationRow) allocation(o *orderRow, v *vehicleRow) domain.Allocation {
	out := domain.Allocation{ID: a.ID, StoreID: a.StoreID, State: domain.AllocationState(a.State),
		Order: allocOrder(o), Vehicle: v.vehicle(), AllocatedBy: a.AllocatedBy, ApprovedBy: a.ApprovedBy,
		ToldBy: a.ToldBy, AllocatedAt: utc(a.AllocatedAt)}
	for _, t := range []struct {
		from *time.Time
		to   *time.Time
	}{{a.ToldAt, &out.ToldAt}, {a.PayBy, &out.PayBy}, {a.PaidAt, &out.PaidAt}} {
		if t.from != nil {
			*t.to = utc(*t.from)
		}
	}
	return out
}

const (
	allocActive   = string(domain.AllocationActive)
	stateInStock  = string(domain.VehicleInStock)
	stateAlloc    = string(domain.VehicleAllocated)
	orderConfirmd = string(domain.OrderConfirmed)
)

// headOfLine is the first order in line for a car of v's spec, leaving out
// order skip (0: none): one seek of orders_waiting. nil when none waits.
func (db *DB) headOfLine(ctx context.Context, v *vehicleRow, skip int64) (*orderRow, error) {
	var rows []orderRow
	q := db.conn(ctx).Where("store_id = ? AND model = ? AND trim = ? AND colour = ? AND state = ? AND vehicle_id = 0",
		v.StoreID, v.Model, v.Trim, v.Colour, orderConfirmd)
	if skip != 0 {
		q = q.Where("id <> ?", skip)
	}
	if err := q.Order("created_at, id").Limit(1).Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("head of line for car %d: %w", v.ID, err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// ordersAhead are the orders in line for o's car ahead of o (order date,
// ties by id), at most limit: one range of orders_waiting.
func (db *DB) ordersAhead(ctx context.Context, o *orderRow, limit int) ([]orderRow, error) {
	var rows []orderRow
	err := db.conn(ctx).Where("store_id = ? AND model = ? AND trim = ? AND colour = ? AND state = ? AND vehicle_id = 0",
		o.StoreID, o.Model, o.Trim, o.Colour, orderConfirmd).
		Where("(created_at < ? OR (created_at = ? AND id < ?))", dbTime(o.CreatedAt), dbTime(o.CreatedAt), o.ID).
		Order("created_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, formatError(fmt.Errorf("orders ahead of %d: %w", o.ID, err))
	}
	return rows, nil
}

// oldestCarFor is the first car in stock (earliest arrival, ties by VIN)
// of o's store, model, trim and colour: one seek of vehicles_in_stock_spec.
func (db *DB) oldestCarFor(ctx context.Context, o *orderRow) (*vehicleRow, error) {
	var rows []vehicleRow
	err := db.conn(ctx).Where("store_id = ? AND model = ? AND trim = ? AND colour = ? AND state = ?",
		o.StoreID, o.Model, o.Trim, o.Colour, stateInStock).
		Order("arrived_at, vin").Limit(1).Find(&rows).Error
	if err != nil {
		return nil, formatError(fmt.Errorf("car for order %d: %w", o.ID, err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// allocateArrival gives car v, just in stock, to the first order in line
// for it (domain.AllocateArrival), by the system at now; nil when nobody
// waits for it. Called in the transaction that put the car in stock.
func (db *DB) allocateArrival(ctx context.Context, v *vehicleRow) (*domain.CarAllocated, error) {
	head, err := db.headOfLine(ctx, v, 0)
	if err != nil || head == nil {
		return nil, err
	}
	o, ok := domain.AllocateArrival(v.vehicle(), []domain.AllocOrder{allocOrder(head)})
	if !ok || o.ID != head.ID {
		return nil, nil
	}
	return db.allocate(ctx, head, v, domain.SystemActor, 0, db.now(), "arrival")
}

// allocateOrder gives order o, just confirmed, the oldest matching car in
// stock (domain.CarForOrder), by the system at now, if nobody is in line
// ahead of it (an order that lapsed waits for the next car there: the
// confirmed order would jump it, which is the manager's to allow,
// /allocate); nil otherwise.
func (db *DB) allocateOrder(ctx context.Context, o *orderRow) (*domain.CarAllocated, error) {
	if domain.QueueStateOf(domain.OrderState(o.State), o.VehicleID != 0) != domain.QueueWaiting {
		return nil, nil
	}
	car, err := db.oldestCarFor(ctx, o)
	if err != nil || car == nil {
		return nil, err
	}
	v, ok := domain.CarForOrder(allocOrder(o), []domain.Vehicle{car.vehicle()})
	if !ok || v.ID != car.ID {
		return nil, nil
	}
	ahead, err := db.ordersAhead(ctx, o, 1)
	if err != nil {
		return nil, err
	}
	queue := make([]domain.AllocOrder, len(ahead))
	for i := range ahead {
		queue[i] = allocOrder(&ahead[i])
	}
	jump, err := domain.CheckQueueJump(allocOrder(o), v, queue)
	if err != nil || jump.NeedsApproval() {
		return nil, nil //nolint:nilerr // not this order's car now: it waits in line
	}
	return db.allocate(ctx, o, car, domain.SystemActor, 0, db.now(), "order confirmed")
}

// allocate writes car v's allocation to order o at `at`, by `by`
// (domain.SystemActor: the bot), approved by a manager (0: none jumped):
// the car in stock becomes allocated, the order holds it, and the payment
// clock waits for the customer to be told. An order paid already carries
// its payment (its clock never runs). Each write is conditional: a car
// or an order that moved meanwhile is EINVALID (err.allocation_car_taken,
// err.allocation_not_waiting), nothing written.
func (db *DB) allocate(ctx context.Context, o *orderRow, v *vehicleRow, by, approvedBy int64, at time.Time, note string) (*domain.CarAllocated, error) {
	res := db.conn(ctx).Model(&vehicleRow{}).Where("id = ? AND state = ?", v.ID, stateInStock).
		Updates(map[string]any{"state": stateAlloc, "updated_at": db.now()})
	if res.Error != nil {
		return nil, formatError(fmt.Errorf("allocate car %d: %w", v.ID, res.Error))
	}
	if res.RowsAffected == 0 {
		return nil, domain.Errorkf(domain.EINVALID, "err.allocation_car_taken", []any{v.VIN}, "car %s moved meanwhile", v.VIN)
	}
	if _, err := db.vehicleEvent(ctx, v, domain.VehicleAllocated, by, at, "order #"+strconv.FormatInt(o.ID, 10)+" "+note); err != nil {
		return nil, err
	}
	v.State = stateAlloc
	return db.holdCar(ctx, o, v, by, approvedBy, at)
}

// holdCar makes order o hold car v (allocated already: a new one, or a
// lapsed order's) from `at`, and writes the active allocation.
func (db *DB) holdCar(ctx context.Context, o *orderRow, v *vehicleRow, by, approvedBy int64, at time.Time) (*domain.CarAllocated, error) {
	res := db.conn(ctx).Model(&orderRow{}).Where("id = ? AND state = ? AND vehicle_id = 0", o.ID, orderConfirmd).
		Updates(map[string]any{"vehicle_id": v.ID, "updated_at": db.now()})
	if res.Error != nil {
		return nil, formatError(fmt.Errorf("order %d holds car %d: %w", o.ID, v.ID, res.Error))
	}
	if res.RowsAffected == 0 {
		return nil, domain.Errorkf(domain.EINVALID, "err.allocation_not_waiting", []any{o.ID}, "order %d moved meanwhile", o.ID)
	}
	o.VehicleID = v.ID
	a := allocationRow{StoreID: o.StoreID, OrderID: o.ID, VehicleID: v.ID, State: allocActive, AllocatedAt: dbTime(at),
		AllocatedBy: by, ApprovedBy: approvedBy, PaidAt: dbTimePtr(o.PaidAt)}
	if err := db.conn(ctx).Create(&a).Error; err != nil {
		return nil, formatError(fmt.Errorf("allocation of car %d to order %d: %w", v.ID, o.ID, err))
	}
	return db.carAllocated(ctx, &a, o, v)
}

// carAllocated is the outcome of an allocation: with the customer's name
// and the consultant to tell (reachable; nil otherwise).
func (db *DB) carAllocated(ctx context.Context, a *allocationRow, o *orderRow, v *vehicleRow) (*domain.CarAllocated, error) {
	out := &domain.CarAllocated{Allocation: a.allocation(o, v)}
	var err error
	if out.Customer, err = db.customerOf(ctx, o); err != nil {
		return nil, err
	}
	if out.Consultant, err = db.reachableStaff(ctx, o.ConsultantID); err != nil {
		return nil, err
	}
	return out, nil
}

// customerOf is the name of order o's customer (its lead's).
func (db *DB) customerOf(ctx context.Context, o *orderRow) (string, error) {
	l, err := db.LeadInStore(ctx, o.StoreID, o.LeadID)
	if err != nil {
		return "", err
	}
	return l.Name, nil
}

// reachableStaff is staff id when active and enrolled, else nil.
func (db *DB) reachableStaff(ctx context.Context, id int64) (*domain.Staff, error) {
	s, err := db.StaffByID(ctx, id)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, err
	}
	if r := domain.Reachable([]*domain.Staff{s}); len(r) == 1 {
		return s, nil
	}
	return nil, nil
}

// orderRowIn is order id of store as a row. ENOTFOUND (order.not_found).
func (db *DB) orderRowIn(ctx context.Context, store, id int64) (*orderRow, error) {
	var row orderRow
	err := db.conn(ctx).Where("id = ? AND store_id = ?", id, store).Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, errOrderNotFound(id)
	case err != nil:
		return nil, formatError(fmt.Errorf("order %d: %w", id, err))
	}
	return &row, nil
}

// activeAllocationOf is order id's active allocation, or nil.
func (db *DB) activeAllocationOf(ctx context.Context, orderID int64) (*allocationRow, error) {
	var rows []allocationRow
	if err := db.conn(ctx).Where("order_id = ? AND state = ?", orderID, allocActive).Limit(1).Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("allocation of order %d: %w", orderID, err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// allocationActor is staff `by` and order id of their store, theirs or
// they a supervisor and above (MayAllocate). EFORBIDDEN, ENOTFOUND.
func (db *DB) allocationActor(ctx context.Context, by, orderID int64) (*domain.Staff, *orderRow, error) {
	s, err := db.actor(ctx, by)
	if err != nil {
		return nil, nil, err
	}
	if !s.Roles.HasAny(domain.MayAllocate...) {
		return nil, nil, domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d may not allocate", by)
	}
	o, err := db.orderRowIn(ctx, s.StoreID, orderID)
	if err != nil {
		return nil, nil, err
	}
	if o.ConsultantID != s.ID && !domain.HoldsRank(s, domain.RoleSupervisor) {
		return nil, nil, domain.Errorkf(domain.EFORBIDDEN, "order.not_yours", []any{orderID}, "order %d is not staff %d's", orderID, s.ID)
	}
	return s, o, nil
}

// ActiveAllocation implements domain.AllocationService.
func (db *DB) ActiveAllocation(ctx context.Context, by, orderID int64) (*domain.Allocation, error) {
	var out *domain.Allocation
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.actor(ctx, by)
		if err != nil {
			return err
		}
		o, err := db.orderRowIn(ctx, s.StoreID, orderID)
		if err != nil {
			return err
		}
		a, err := db.activeAllocationOf(ctx, o.ID)
		if err != nil || a == nil {
			return err
		}
		v, err := db.vehicleByID(ctx, o.StoreID, a.VehicleID)
		if err != nil {
			return err
		}
		al := a.allocation(o, v)
		out = &al
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "allocation of order %d", orderID)
	}
	return out, nil
}

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
	next, err := db.headOfLine(ctx, v, o.ID)
	if err != nil {
		return nil, err
	}
	var line []domain.AllocOrder
	if next != nil {
		line = append(line, allocOrder(next))
	}
	// Reallocate decides for a lapse; a release is the same move, its
	// clock taken as run out at `at`.
	decided := ended
	if !relapse {
		decided.ToldAt, decided.PayBy, decided.PaidAt = at, at, time.Time{}
	}
	re, err := domain.Reallocate(decided, line)
	if err != nil {
		return nil, err
	}
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
	decider, err := db.StaffByID(ctx, deciderID)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		return nil, nil, nil, domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "unknown decider %d", deciderID)
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
		// Claim the ruling first: of two deciders at once, the second hears
		// "already decided".
		res := db.conn(ctx).Model(&allocationRequestRow{}).Where("id = ? AND status = ?", id, requestPending).
			Updates(map[string]any{"status": string(d.Verdict), "decided_by": d.DeciderID, "decided_at": dbTime(d.At), "answer": d.Reason})
		switch {
		case res.Error != nil:
			return formatError(res.Error)
		case res.RowsAffected == 0:
			return domain.AlreadyDecided(domain.ApprovalQueueJump, id)
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

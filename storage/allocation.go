package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

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

// raceTries bounds how often an automatic allocation looks again when a
// concurrent transaction (another replica's arrival or confirmation) took
// the order or the car it found, between its read and its write.
const raceTries = 3

// taken reports whether err is a conditional write finding its order or
// car taken meanwhile.
func taken(err error) bool {
	var e *domain.Error
	return errors.As(err, &e) && (e.Key == "err.allocation_not_waiting" || e.Key == "err.allocation_car_taken")
}

// allocateArrival gives car v, just in stock, to the first order in line
// for it (domain.AllocateArrival), by the system at now; nil when nobody
// waits for it. Called in the transaction that put the car in stock.
func (db *DB) allocateArrival(ctx context.Context, v *vehicleRow) (*domain.CarAllocated, error) {
	for try := 1; ; try++ {
		head, err := db.headOfLine(ctx, v, 0)
		if err != nil || head == nil {
			return nil, err
		}
		o, ok := domain.AllocateArrival(v.vehicle(), []domain.AllocOrder{allocOrder(head)})
		if !ok || o.ID != head.ID {
			return nil, nil
		}
		a, err := db.allocate(ctx, head, v, domain.SystemActor, 0, db.now(), "arrival")
		if try < raceTries && taken(err) {
			continue
		}
		return a, err
	}
}

// allocateOrder gives order o, just confirmed, the oldest matching car in
// stock (domain.CarForOrder), by the system at now, if nobody is in line
// ahead of it (an order that lapsed waits for the next car there: the
// confirmed order would jump it, which is the manager's to allow,
// /allocate); nil otherwise.
func (db *DB) allocateOrder(ctx context.Context, o *orderRow) (*domain.CarAllocated, error) {
	for try := 1; ; try++ {
		a, err := db.allocateOrderOnce(ctx, o)
		if try < raceTries && taken(err) {
			continue
		}
		return a, err
	}
}

// allocateOrderOnce is allocateOrder's one try.
func (db *DB) allocateOrderOnce(ctx context.Context, o *orderRow) (*domain.CarAllocated, error) {
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
// the order holds the car, the car in stock becomes allocated, and the
// payment clock waits for the customer to be told. An order paid already
// carries its payment (its clock never runs). Each write is conditional:
// an order or a car that moved meanwhile is EINVALID
// (err.allocation_not_waiting, err.allocation_car_taken) and what was
// written is undone, so the caller may look again.
func (db *DB) allocate(ctx context.Context, o *orderRow, v *vehicleRow, by, approvedBy int64, at time.Time, note string) (*domain.CarAllocated, error) {
	if err := db.claimOrder(ctx, o, v); err != nil {
		return nil, err
	}
	res := db.conn(ctx).Model(&vehicleRow{}).Where("id = ? AND state = ?", v.ID, stateInStock).
		Updates(map[string]any{"state": stateAlloc, "updated_at": db.now()})
	if res.Error != nil {
		return nil, formatError(fmt.Errorf("allocate car %d: %w", v.ID, res.Error))
	}
	if res.RowsAffected == 0 {
		if err := db.conn(ctx).Model(&orderRow{}).Where("id = ? AND vehicle_id = ?", o.ID, v.ID).
			Update("vehicle_id", 0).Error; err != nil {
			return nil, formatError(fmt.Errorf("order %d lets car %d go: %w", o.ID, v.ID, err))
		}
		o.VehicleID = 0
		return nil, domain.Errorkf(domain.EINVALID, "err.allocation_car_taken", []any{v.VIN}, "car %s moved meanwhile", v.VIN)
	}
	if _, err := db.vehicleEvent(ctx, v, domain.VehicleAllocated, by, at, "order #"+strconv.FormatInt(o.ID, 10)+" "+note); err != nil {
		return nil, err
	}
	v.State = stateAlloc
	return db.holdCar(ctx, o, v, by, approvedBy, at)
}

// claimOrder makes order o, confirmed and holding no car, hold car v.
// EINVALID (err.allocation_not_waiting) when it moved meanwhile.
func (db *DB) claimOrder(ctx context.Context, o *orderRow, v *vehicleRow) error {
	res := db.conn(ctx).Model(&orderRow{}).Where("id = ? AND state = ? AND vehicle_id = 0", o.ID, orderConfirmd).
		Updates(map[string]any{"vehicle_id": v.ID, "updated_at": db.now()})
	if res.Error != nil {
		return formatError(fmt.Errorf("order %d holds car %d: %w", o.ID, v.ID, res.Error))
	}
	if res.RowsAffected == 0 {
		return domain.Errorkf(domain.EINVALID, "err.allocation_not_waiting", []any{o.ID}, "order %d moved meanwhile", o.ID)
	}
	o.VehicleID = v.ID
	return nil
}

// holdCar writes the active allocation of car v (allocated) to order o
// (claimed) from `at`.
func (db *DB) holdCar(ctx context.Context, o *orderRow, v *vehicleRow, by, approvedBy int64, at time.Time) (*domain.CarAllocated, error) {
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

package domain

import "time"

// Allocation (R4.3): cars go to orders in order-date sequence, first in,
// first out both ways; jumping the queue needs the manager; a customer told
// their car has arrived who has not paid within rules.orders.
// allocation_unpaid_days loses it, and the car goes to the next in line.
// Everything here is a pure function of its inputs: the orders table and
// its service (domain/order.go, storage/order.go) map their rows to
// AllocOrder and call these.

// QueueState is where an order stands in the allocation queue. The order's
// own state (domain/order.go) is richer; its owner maps it to one of these.
type QueueState string

// The queue states. Only QueueWaiting orders are in line for a car.
const (
	QueueUnconfirmed QueueState = "unconfirmed" // not confirmed yet (e.g. a discount awaiting approval): not in line
	QueueWaiting     QueueState = "waiting"     // confirmed, no car yet: in line
	QueueAllocated   QueueState = "allocated"   // holds a car
	QueueClosed      QueueState = "closed"      // delivered or cancelled: out of the queue
)

// AllocOrder is an order as allocation sees it: the car it wants, when it
// was ordered, and whose it is. It is a view, kept minimal on purpose; the
// orders table (another helper's) maps to it.
type AllocOrder struct {
	ID      int64
	StoreID int64
	// Model, Trim and Colour are the car wanted, spelt as the stock ledger
	// spells them (the order form offers the ledger's values), so that the
	// match is exact here and in the indexed query that stands for it.
	Model, Trim, Colour string
	// OrderedAt is the order date: the queue's sequence (R4.3).
	OrderedAt time.Time
	// ConfirmedAt is when the order was confirmed (zero before).
	ConfirmedAt time.Time
	State       QueueState
	// Consultant is the order's consultant, told of what happens to its car.
	Consultant int64
}

// carSpec is what an order and a car are matched on: the store, model,
// trim and colour. Taken once per search, so that the scan copies no car.
type carSpec struct {
	storeID             int64
	model, trim, colour string
}

func specOf(v *Vehicle) carSpec { return carSpec{v.StoreID, v.Model, v.Trim, v.Colour} }

// wants reports whether the order wants a car of spec c, in its store.
func (o *AllocOrder) wants(c *carSpec) bool {
	return o.StoreID == c.storeID && o.Model == c.model && o.Trim == c.trim && o.Colour == c.colour
}

// inLine reports whether the order waits for a car of spec c.
func (o *AllocOrder) inLine(c *carSpec) bool {
	return o.wants(c) && o.State == QueueWaiting
}

// headOfLine is the index of the first order in line for a car of spec c,
// leaving out the order skip (0: none); -1 when none waits.
func headOfLine(c *carSpec, orders []AllocOrder, skip int64) int {
	best := -1
	for i := range orders {
		o := &orders[i]
		if o.inLine(c) && o.ID != skip && (best < 0 || queueLess(o, &orders[best])) {
			best = i
		}
	}
	return best
}

// queueLess is the queue's sequence: order date, ties by id. The order
// date and not the confirmation counts, so that a discount's approval
// taking a day does not send the customer back in line.
func queueLess(a, b *AllocOrder) bool {
	if !a.OrderedAt.Equal(b.OrderedAt) {
		return a.OrderedAt.Before(b.OrderedAt)
	}
	return a.ID < b.ID
}

// AllocateArrival picks the order a car goes to (R4.3): the first in line
// (oldest order date, ties by id) of the confirmed orders of the car's
// store still without a car that want its model, trim and colour. ok is
// false when the car is not in stock (it counts as stock only after its
// inspection, R3.1) or no order wants it. One pass, no sorting and no
// allocation: 10,000 open orders take a fraction of a millisecond, about
// 1.6 times a bare scan (BenchmarkR4_3_AllocateArrival).
func AllocateArrival(car Vehicle, orders []AllocOrder) (AllocOrder, bool) {
	if car.State != VehicleInStock {
		return AllocOrder{}, false
	}
	spec := specOf(&car)
	best := headOfLine(&spec, orders, 0)
	if best < 0 {
		return AllocOrder{}, false
	}
	return orders[best], true
}

// CarForOrder picks the car an order gets (R4.3, R3.2): of the in-stock
// cars of its store with its model, trim and colour, the first in (earliest
// arrival, ties by VIN, as SortFIFO). ok is false when none matches.
func CarForOrder(order AllocOrder, cars []Vehicle) (Vehicle, bool) {
	best := -1
	for i := range cars {
		v := &cars[i]
		if v.State == VehicleInStock && order.wants(&carSpec{v.StoreID, v.Model, v.Trim, v.Colour}) &&
			(best < 0 || fifoBefore(v, &cars[best])) {
			best = i
		}
	}
	if best < 0 {
		return Vehicle{}, false
	}
	return cars[best], true
}

// fifoBefore is fifoLess (SortFIFO's order) without copying the cars.
func fifoBefore(a, b *Vehicle) bool {
	if !a.ArrivedAt.Equal(b.ArrivedAt) {
		return a.ArrivedAt.Before(b.ArrivedAt)
	}
	return a.VIN < b.VIN
}

// QueueJumpApprover is the rank whose approval a queue jump needs (R4.3).
const QueueJumpApprover = RoleManager

// QueueJump is what allocating a car to an order out of turn means: the
// orders it jumps, first in line first. None jumped: the order is at the
// head and no approval is needed.
type QueueJump struct {
	Order   AllocOrder
	Vehicle Vehicle
	Jumped  []AllocOrder
}

// NeedsApproval reports whether the allocation jumps anyone, and so needs
// QueueJumpApprover's approval.
func (j QueueJump) NeedsApproval() bool { return len(j.Jumped) > 0 }

// CheckQueueJump checks allocating car to order against the queue (R4.3)
// and names who would be jumped: the orders in line for such a car ahead
// of it. It answers EINVALID with err.allocation_car_taken (the car is not
// in stock: allocated, reserved, sold or not yet inspected; the argument
// is its VIN), err.allocation_not_waiting (the order is not confirmed and
// waiting for a car; the argument is its id), err.allocation_other_store
// or err.allocation_mismatch (the car is not the model, trim and colour
// ordered; the arguments are the order's and the car's).
func CheckQueueJump(order AllocOrder, car Vehicle, queue []AllocOrder) (QueueJump, error) {
	spec := specOf(&car)
	switch {
	case car.State != VehicleInStock:
		return QueueJump{}, Errorkf(EINVALID, "err.allocation_car_taken", []any{car.VIN},
			"car %s is not in stock (it is %s): it cannot be allocated", car.VIN, car.State)
	case order.State != QueueWaiting:
		return QueueJump{}, Errorkf(EINVALID, "err.allocation_not_waiting", []any{order.ID},
			"order %d is not confirmed and waiting for a car", order.ID)
	case order.StoreID != car.StoreID:
		return QueueJump{}, Errorkf(EINVALID, "err.allocation_other_store", []any{car.VIN, order.ID},
			"car %s is not in order %d's store", car.VIN, order.ID)
	case !order.wants(&spec):
		want, got := order.Model+" "+order.Trim+" "+order.Colour, car.Model+" "+car.Trim+" "+car.Colour
		return QueueJump{}, Errorkf(EINVALID, "err.allocation_mismatch", []any{order.ID, want, car.VIN, got},
			"order %d wants %s; car %s is %s", order.ID, want, car.VIN, got)
	}
	j := QueueJump{Order: order, Vehicle: car}
	for i := range queue {
		if o := &queue[i]; o.ID != order.ID && o.inLine(&spec) && queueLess(o, &order) {
			j.Jumped = append(j.Jumped, *o)
		}
	}
	sortQueue(j.Jumped)
	return j, nil
}

// sortQueue puts orders in line order (insertion sort: the jumped are few).
func sortQueue(os []AllocOrder) {
	for i := 1; i < len(os); i++ {
		for k := i; k > 0 && queueLess(&os[k], &os[k-1]); k-- {
			os[k], os[k-1] = os[k-1], os[k]
		}
	}
}

// AllocationState is where an allocation stands.
type AllocationState string

// The allocation states. A car and an order each hold at most one
// AllocationActive allocation.
const (
	AllocationActive    AllocationState = "active"    // the car is held for the order
	AllocationLapsedS   AllocationState = "lapsed"    // unpaid at PayBy: the car went on (R4.3)
	AllocationReleased  AllocationState = "released"  // the order was cancelled or changed its car
	AllocationDelivered AllocationState = "delivered" // the car went to the customer (R4.5)
)

// Allocation is a car held for an order, and its payment clock.
type Allocation struct {
	// ID, StoreID and State are the stored allocation's (zero for one
	// Reallocate proposes, not yet written).
	ID      int64
	StoreID int64
	State   AllocationState
	Order   AllocOrder
	Vehicle Vehicle
	// AllocatedBy is who allocated the car: SystemActor for an arrival, a
	// confirmation or a lapse; the staff of /allocate otherwise.
	// ApprovedBy is the manager who let it jump the queue (0: none jumped).
	AllocatedBy, ApprovedBy int64
	// ToldBy is who recorded the customer told (0 before).
	ToldBy int64
	// AllocatedAt is when the car was allocated.
	AllocatedAt time.Time
	// ToldAt is when the consultant recorded the customer told that the
	// car has arrived: the payment clock runs from it. Zero: not told yet.
	ToldAt time.Time
	// PayBy is PaymentDue(ToldAt), stored when the customer is told, so
	// that a later change of the rule does not move a running clock and
	// the lapse job wakes at its second from the stored row.
	PayBy time.Time
	// PaidAt is when full payment was recorded; zero while unpaid.
	PaidAt time.Time
}

// PaymentDue is when an allocation lapses unpaid (R4.3): allocation_unpaid_days
// calendar days after the customer was told, at the same time of day in the
// store's zone; when that day the store is closed (a public holiday, a
// non-working weekday), the next day it works, at the same time.
//
// Calendar days, not working days: DOMAIN.md says "4 days" where it says
// "5 working days" for the sub-dealer deposit (R4.6), and the key is
// allocation_unpaid_days, not _working_days; the customer pays by bank
// transfer or loan on any day, and a car held idle over weekends is stock
// another customer is waiting for. But the clock does not end on a day the
// store is closed: a customer who comes to pay must find the cashier open,
// as follow-ups due on a closed day move to the next working day (R1.5).
func PaymentDue(toldAt time.Time, r OrderRules, cal *Calendar) time.Time {
	due := toldAt.In(cal.Location).AddDate(0, 0, r.AllocationUnpaidDays)
	for i := 0; i < 60 && !cal.IsWorkingDay(due); i++ {
		due = due.AddDate(0, 0, 1)
	}
	return due
}

// paidInTime reports whether full payment came before the clock ran out.
func (a Allocation) paidInTime() bool {
	return !a.PaidAt.IsZero() && a.PaidAt.Before(a.PayBy)
}

// AllocationLapsed reports whether the allocation has lapsed at now (R4.3):
// the customer was told, and no full payment came before PayBy. It lapses
// at PayBy's second exactly; a payment recorded at or after it is late.
func AllocationLapsed(a Allocation, now time.Time) bool {
	return !a.ToldAt.IsZero() && !a.paidInTime() && !now.Before(a.PayBy)
}

// TellWhy says why someone is told of a reallocation.
type TellWhy string

// The reasons of a reallocation's notices (R4.3).
const (
	TellLostCar    TellWhy = "lost_car"   // the lapsed order's consultant: the customer lost the car
	TellGotCar     TellWhy = "got_car"    // the next order's consultant: the car is theirs, tell the customer
	TellSupervisor TellWhy = "supervisor" // the store's supervisors: the queue moved by itself
)

// Recipient is someone a reallocation tells. StaffID 0 with a Role means
// everyone of that role in the store (the supervisors, whom the service
// looks up).
type Recipient struct {
	StaffID int64
	Role    Role
	Why     TellWhy
}

// Reallocation is the outcome of a lapsed allocation (R4.3): the order that
// lost the car (back to waiting, in its place in line for the next car),
// the allocation of the car to the next order in line (nil when none waits
// for it: the car goes back to stock), and who is told.
type Reallocation struct {
	Lapsed AllocOrder
	Next   *Allocation
	Tell   []Recipient
}

// Reallocate moves a lapsed allocation's car to the next order in line
// (R4.3): AllocateArrival's choice among orders, leaving out the order that
// lapsed. The new allocation is made at the lapse's instant, by the system
// (SystemActor); its payment clock starts when its customer is told. Both
// consultants and the store's supervisors are told. It answers EINVALID
// with err.allocation_not_lapsed when the customer was never told or paid
// in time; the caller checks AllocationLapsed at now first.
func Reallocate(lapsed Allocation, orders []AllocOrder) (Reallocation, error) {
	if lapsed.ToldAt.IsZero() || lapsed.paidInTime() {
		return Reallocation{}, Errorkf(EINVALID, "err.allocation_not_lapsed", []any{lapsed.Order.ID},
			"order %d's allocation has not lapsed", lapsed.Order.ID)
	}
	back := lapsed.Order
	back.State = QueueWaiting
	out := Reallocation{Lapsed: back,
		Tell: []Recipient{{StaffID: back.Consultant, Role: RoleConsultant, Why: TellLostCar}}}
	spec := specOf(&lapsed.Vehicle)
	if best := headOfLine(&spec, orders, back.ID); best >= 0 {
		next := orders[best]
		next.State = QueueAllocated
		out.Next = &Allocation{Order: next, Vehicle: lapsed.Vehicle, AllocatedAt: lapsed.PayBy}
		out.Tell = append(out.Tell, Recipient{StaffID: next.Consultant, Role: RoleConsultant, Why: TellGotCar})
	}
	out.Tell = append(out.Tell, Recipient{Role: RoleSupervisor, Why: TellSupervisor})
	return out, nil
}

package domain

import (
	"context"
	"time"
)

// The allocation's use cases (R4.3). The rules are allocation.go's pure
// functions; storage runs them on indexed reads of one transaction:
//
//   - a car that enters stock (its inspection passed, a reservation
//     released or lapsed) goes at once to the first order in line for it
//     (AllocateArrival), and an order that is confirmed (placed within the
//     consultant's limit, or its discount approved) gets the oldest
//     matching car in stock (CarForOrder): the outcomes of RecordPDI,
//     MoveVehicle, ExpireReservations, PlaceOrder and DecideOrderRequest
//     carry the CarAllocated, whose consultant gets a card;
//   - the consultant taps "customer told" (TellCustomer): the payment clock
//     starts, PayBy = PaymentDue, stored;
//   - full payment is recorded (RecordPayment); unpaid at PayBy the
//     allocation lapses by itself (LapseAllocations, the job at the stored
//     second) and the car goes to the next order in line (Reallocate);
//   - a car allocated out of turn (AllocateCar) needs the manager when it
//     jumps anyone (CheckQueueJump), one tap (DecideAllocation).

// MayAllocate are the roles that may allocate a car by hand (/allocate),
// tell a customer and record a payment for an order of theirs (a
// consultant) or of their store (a supervisor and above).
var MayAllocate = []Role{RoleConsultant, RoleSupervisor, RoleManager}

// QueueJumpDeciders may rule on a queue jump (R4.3): QueueJumpApprover
// and the general manager above them.
var QueueJumpDeciders = []Role{QueueJumpApprover, RoleGM}

// Approval is the queue jump as an approval: its requester never rules on
// it, a rejection says why.
func (r *AllocationRequest) Approval(requester *Staff) *Approval {
	return &Approval{Kind: ApprovalQueueJump, ID: r.ID, Requester: requester, Decision: r.Decision}
}

// QueuedOrder is an order in line, as a queue-jump card names it: the
// order, its customer and its consultant's name.
type QueuedOrder struct {
	AllocOrder
	Customer       string
	ConsultantName string
}

// CarAllocated is a car allocated to an order: the allocation as stored,
// the order's customer, and Consultant, the order's consultant to get the
// card with the "customer told" button (nil when not reachable).
type CarAllocated struct {
	Allocation Allocation
	Customer   string
	Consultant *Staff
}

// AllocationTold is the outcome of TellCustomer: the allocation with its
// ToldAt and stored PayBy, the store's zone to show PayBy in, and
// Consultant, the order's (nil when not reachable), whose card loses its
// button.
type AllocationTold struct {
	Allocation Allocation
	Customer   string
	Location   *time.Location
	Consultant *Staff
}

// PaymentRecorded is the outcome of RecordPayment. Allocation is the car
// the order holds (nil when none: it waits in line, or its allocation
// lapsed). Late is true when the payment came at or after the allocation's
// PayBy: the allocation had lapsed (Lapse is set when the lapse happened in
// this very transaction, its notices to send, because the job had not run
// yet) and the order waits for the next car, paid.
type PaymentRecorded struct {
	Order      *Order
	Allocation *Allocation
	Late       bool
	Lapse      *AllocationLapse
	Location   *time.Location
}

// AllocationRequest is a queue jump waiting for, or settled by, a manager
// (R4.3).
type AllocationRequest struct {
	ID, StoreID, OrderID, VehicleID int64
	VIN                             string
	RequesterID                     int64
	CreatedAt                       time.Time
	Decision                        *Decision // nil while pending
}

// AllocationAsked is the outcome of AllocateCar: either the car was
// allocated at once (Allocated: nobody jumped), or a request went to the
// store's managers (Request, Approvers) naming Jumped, the orders ahead.
type AllocationAsked struct {
	Order     *Order
	Vehicle   Vehicle
	Allocated *CarAllocated
	Request   *AllocationRequest
	Jumped    []QueuedOrder
	Requester *Staff
	Approvers []*Staff
}

// AllocationDecided is the outcome of DecideAllocation: approved, the car
// is allocated (Allocated); rejected, nothing moves. Holders are everyone
// whose card the ruling closes (the store's managers).
type AllocationDecided struct {
	Request   *AllocationRequest
	Order     *Order
	Vehicle   Vehicle
	Allocated *CarAllocated
	Requester *Staff
	Decider   *Staff
	Holders   []*Staff
}

// AllocationLapse is a lapsed allocation carried out (R4.3): Reallocation
// as Reallocate decided it, Lapsed as stored (state lapsed), Next the
// car's new allocation (nil: back in stock), and the people to tell:
// LostCar, the lapsed order's consultant; Next.Consultant, the next
// order's; Supervisors, the store's. Each is nil or left out when not
// reachable.
type AllocationLapse struct {
	Lapsed       Allocation
	Reallocation Reallocation
	Customer     string
	Next         *CarAllocated
	LostCar      *Staff
	Supervisors  []*Staff
	Location     *time.Location
}

// AllocationService allocates cars to orders (R4.3). Every method is one
// transaction; another store's order or car is ENOTFOUND, as a missing one.
type AllocationService interface {
	// ActiveAllocation is the allocation order id holds now, for staff
	// `by` of its store (nil when none). ENOTFOUND (order.not_found).
	ActiveAllocation(ctx context.Context, by, orderID int64) (*Allocation, error)
	// TellCustomer records, now, that order id's customer was told their
	// car has arrived: the payment clock starts, PayBy = PaymentDue(now,
	// the store's rules.orders, its calendar), stored. By the order's
	// consultant or a supervisor and above. EINVALID (alloc.none: the
	// order holds no car), ECONFLICT (alloc.told_already), EFORBIDDEN
	// (order.not_yours), ENOTFOUND.
	TellCustomer(ctx context.Context, by, orderID int64) (*AllocationTold, error)
	// RecordPayment records order id's full payment now, by its consultant
	// or a supervisor and above. A payment at or after PayBy is late: the
	// allocation lapsed (and lapses now if the job has not run yet).
	// EINVALID (order.closed: not confirmed), ECONFLICT (alloc.paid_already),
	// EFORBIDDEN, ENOTFOUND.
	RecordPayment(ctx context.Context, by, orderID int64) (*PaymentRecorded, error)
	// AllocateCar allocates car vin (MatchVIN's reference) to order id by
	// hand: at the head of the line at once, out of turn as a request to
	// the store's managers (QueueJumpApprover) naming who is jumped.
	// CheckQueueJump's EINVALID (err.allocation_car_taken,
	// err.allocation_not_waiting, err.allocation_mismatch), ECONFLICT
	// (alloc.pending: a jump for the order waits already), EFORBIDDEN,
	// ENOTFOUND (order.not_found, err.vehicle_not_found, err.no_manager).
	AllocateCar(ctx context.Context, by, orderID int64, vin string) (*AllocationAsked, error)
	// AllocationRequestToDecide is request id if deciderID may rule on it
	// now. ECONFLICT (order.already), EFORBIDDEN, ENOTFOUND (callback.stale).
	AllocationRequestToDecide(ctx context.Context, id, deciderID int64) (*AllocationRequest, error)
	// DecideAllocation rules on queue jump id once: approved, the car is
	// allocated (re-checked: CheckQueueJump's EINVALID when the car or the
	// order moved meanwhile); rejected (with a reason), nothing moves.
	DecideAllocation(ctx context.Context, id int64, d Decision) (*AllocationDecided, error)
	// NextAllocationLapse is the earliest PayBy of the group's active,
	// told, unpaid allocations; ok is false when there is none.
	NextAllocationLapse(ctx context.Context) (at time.Time, ok bool, err error)
	// LapseAllocations lapses the allocations due by now (at most limit,
	// earliest first), each at its PayBy, and reallocates their cars
	// (Reallocate). One lapsed already (or paid meanwhile) is not found
	// again: a second run, or a second replica, returns nothing.
	LapseAllocations(ctx context.Context, now time.Time, limit int) ([]AllocationLapse, error)
}

// QueueStateOf maps an order's state and whether it holds a car to its
// place in the allocation queue.
func QueueStateOf(s OrderState, holdsCar bool) QueueState {
	switch {
	case s == OrderPending:
		return QueueUnconfirmed
	case s == OrderConfirmed && holdsCar:
		return QueueAllocated
	case s == OrderConfirmed:
		return QueueWaiting
	}
	return QueueClosed
}

package domain

import (
	"context"
	"time"
)

// OrderDelivered is the state of an order whose car was handed over
// (R4.5): final, like a cancellation.
const OrderDelivered OrderState = "delivered"

// WhyDelivery is the audit's reason for a lead's grade D: its order's car
// was delivered (R4.5).
const WhyDelivery = "delivery"

// MayDeliver reports whether s may work order o's delivery: tick the
// checklist, deliver, log the customer's satisfaction afterwards. The
// order's consultant, or a supervisor and above of its store (R4.5).
func MayDeliver(s *Staff, o *Order) bool {
	return s != nil && s.Active && s.StoreID == o.StoreID && (s.ID == o.ConsultantID || HoldsRank(s, RoleSupervisor))
}

// DeliveryTick is one ticked checklist item: who, when. Auto is true for
// full payment read from the allocation's recorded payment, which nobody
// ticks by hand.
type DeliveryTick struct {
	By   int64
	Name string
	At   time.Time
	Auto bool
}

// DeliveryCard is what /deliver shows: the order, its customer, the car
// allocated to it (VIN empty: none yet), the checklist as ticked, and,
// once delivered, the follow-ups.
type DeliveryCard struct {
	Order     *Order
	LeadName  string
	VehicleID int64
	VIN       string
	Ticks     map[DeliveryItem]DeliveryTick
	FollowUps []DeliveryFollowUp
}

// Checklist is the card's ticks as CheckDelivery reads them.
func (c *DeliveryCard) Checklist() DeliveryChecklist {
	out := DeliveryChecklist{}
	for it := range c.Ticks {
		out[it] = true
	}
	return out
}

// DeliveryFollowUp is one post-delivery call (R4.5): due at DueAt (stored
// at delivery), done when the customer's satisfaction is logged.
type DeliveryFollowUp struct {
	ID           int64
	StoreID      int64
	OrderID      int64
	LeadID       int64
	LeadName     string
	ConsultantID int64
	// Seq is the follow-up's place (1, 2, 3 …); Days its day after the
	// delivery as configured (rules.orders.delivery_follow_up_days).
	Seq          int
	Days         int
	DueAt        time.Time
	DeliveredAt  time.Time
	DoneAt       *time.Time
	DoneBy       int64
	Satisfaction string
	Note         string
}

// Done reports whether the follow-up was logged.
func (f *DeliveryFollowUp) Done() bool { return f.DoneAt != nil }

// Delivered is the outcome of Deliver: the card as it is now (the order
// delivered, its follow-ups stored), the lead (now D) and the car.
type Delivered struct {
	Card    *DeliveryCard
	Lead    *Lead
	Vehicle Vehicle
}

// SatisfactionLogged is the outcome of logging a post-delivery
// follow-up's answer: the follow-up as done, and the next still to come
// (nil when it was the last).
type SatisfactionLogged struct {
	FollowUp DeliveryFollowUp
	Next     *DeliveryFollowUp
	// By is who logged it. Supervisors, for a dissatisfied customer, are
	// the store's supervisors to tell (the logger left out), so that an
	// unhappy customer is taken up; empty otherwise.
	By          *Staff
	Supervisors []*Staff
}

// DeliveryService works an order's delivery (R4.5). Every method is one
// transaction; another store's order is ENOTFOUND (order.not_found), as a
// missing one; someone neither the order's consultant nor a supervisor and
// above is EFORBIDDEN (order.not_yours).
type DeliveryService interface {
	// DeliveryCard is order id's checklist for `by`. EINVALID
	// (delivery.no_car) when no car is allocated to it, (order.closed)
	// when it is not confirmed (pending, rejected, cancelled).
	DeliveryCard(ctx context.Context, by, id int64) (*DeliveryCard, error)
	// TickDelivery ticks items on order id's checklist (tick false
	// unticks them), with who and when; an item not on the checklist ticks
	// none (err.delivery_item_unknown). Full payment follows the
	// allocation's recorded payment when there is one: ticking it by hand
	// is then EINVALID (delivery.paid_by_allocation). Same errors as
	// DeliveryCard, and ECONFLICT (delivery.done) once delivered.
	TickDelivery(ctx context.Context, by, id int64, items []DeliveryItem, tick bool) (*DeliveryCard, error)
	// Deliver hands order id's car over: refused with CheckDelivery's
	// err.delivery_unticked, nothing written, while an item is unticked.
	// Otherwise the order is delivered, its car delivered in the ledger,
	// its lead D, and the follow-ups of DeliveryFollowUps stored.
	// ECONFLICT (delivery.done) the second time.
	Deliver(ctx context.Context, by, id int64) (*Delivered, error)
	// LogDeliverySatisfaction logs the answer of follow-up id (a button of
	// the morning push): satisfaction (SatisfactionValues) and a note, by
	// `by`, now; the follow-up is done. ECONFLICT (delivery.fu_done) when
	// it was already logged; ENOTFOUND (callback.stale) for another store's.
	LogDeliverySatisfaction(ctx context.Context, by, id int64, satisfaction, note string) (*SatisfactionLogged, error)
	// LogOrderSatisfaction is the same for order id's first undone
	// follow-up due by the end of today (/sat). EINVALID (delivery.fu_none,
	// delivery.fu_not_yet with the next one's date).
	LogOrderSatisfaction(ctx context.Context, by, id int64, satisfaction, note string) (*SatisfactionLogged, error)
}

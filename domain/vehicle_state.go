package domain

import "time"

// MinuteLayout is how an instant is written in a message: the store's
// local date and time to the minute. Callers pass times in the store's zone.
const MinuteLayout = "2006-01-02 15:04"

// VehicleState is where a car is in its life at the store (R3.1, R3.4).
type VehicleState string

// The states of R3.1, and the demo fleet's of R3.4. A car counts as stock
// for sale only in VehicleInStock.
const (
	VehicleInTransit VehicleState = "in_transit" // ordered from the maker, on its way
	VehicleArrived   VehicleState = "arrived"    // at the store, awaiting the arrival inspection (PDI)
	VehicleInStock   VehicleState = "in_stock"   // inspected and matched: for sale
	VehicleReserved  VehicleState = "reserved"   // held for an order until ReservedUntil
	VehicleAllocated VehicleState = "allocated"  // allocated to an order (R4.3): out of stock, its payment clock in allocations
	VehicleSold      VehicleState = "sold"       // sold, awaiting delivery
	VehicleDelivered VehicleState = "delivered"  // handed to the customer: final
	VehicleDemo      VehicleState = "demo"       // in the demo fleet, with a keeper (R3.4)
	VehicleRetired   VehicleState = "retired"    // out of the demo fleet (R3.6): final
)

// VehicleStates lists every state in the order of a car's life.
var VehicleStates = []VehicleState{VehicleInTransit, VehicleArrived, VehicleInStock, VehicleReserved,
	VehicleAllocated, VehicleSold, VehicleDelivered, VehicleDemo, VehicleRetired}

// Valid reports whether s is one of VehicleStates.
func (s VehicleState) Valid() bool {
	for _, v := range VehicleStates {
		if s == v {
			return true
		}
	}
	return false
}

// TransitionFacts are what a state change is checked against. Only the
// facts the move needs are read: arrived → in_stock reads the inspection
// and the three matches, in_stock → reserved the expiry, and so on.
type TransitionFacts struct {
	Now time.Time
	// PDIPassed: the arrival inspection passed (EvaluatePDI).
	PDIPassed bool
	// VINMatches, EngineMatches, CertificateMatches: the VIN on the car, its
	// engine number and its certificate of conformity (合格证) agree with
	// the maker's papers.
	VINMatches, EngineMatches, CertificateMatches bool
	// ReservedUntil is the reservation's expiry (to reserved) or the one
	// the car carries (from reserved).
	ReservedUntil time.Time
	// Released: the order let the reservation go before its expiry.
	Released bool
	// Keeper is the demo car's keeper (to demo).
	Keeper int64
}

// vehicleMoves are the allowed state changes.
var vehicleMoves = map[VehicleState][]VehicleState{
	VehicleInTransit: {VehicleArrived},
	VehicleArrived:   {VehicleInStock},
	VehicleInStock:   {VehicleReserved, VehicleAllocated, VehicleDemo},
	VehicleReserved:  {VehicleSold, VehicleInStock},
	// An allocated car is sold to its order (delivery, R4.5), or back in
	// stock when its allocation lapses or is released with nobody in line.
	VehicleAllocated: {VehicleSold, VehicleInStock},
	VehicleSold:      {VehicleDelivered},
	VehicleDemo:      {VehicleRetired},
}

// Transition checks a state change of a car (R3.1, R3.4). It answers
// EINVALID with a catalogue key: err.vehicle_state (unknown state),
// err.vehicle_move (not an allowed move), err.vehicle_pdi (in stock before
// the inspection passed), err.vehicle_mismatch (VIN, engine number or
// certificate do not match; the first argument names which),
// err.vehicle_reserve_expiry (a reservation without a future expiry),
// err.vehicle_reservation_expired (sold on a lapsed reservation),
// err.vehicle_still_reserved (back to stock while the reservation holds and
// was not released), err.demo_keeper (a demo car without keeper).
func Transition(from, to VehicleState, f TransitionFacts) error {
	for _, s := range []VehicleState{from, to} {
		if !s.Valid() {
			return Errorkf(EINVALID, "err.vehicle_state", []any{string(s)}, "%q is not a vehicle state", s)
		}
	}
	allowed := false
	for _, s := range vehicleMoves[from] {
		allowed = allowed || s == to
	}
	if !allowed {
		return Errorkf(EINVALID, "err.vehicle_move", []any{string(from), string(to)}, "a car cannot go from %s to %s", from, to)
	}
	switch {
	case from == VehicleArrived && to == VehicleInStock:
		if !f.PDIPassed {
			return Errorkf(EINVALID, "err.vehicle_pdi", nil, "the arrival inspection (PDI) has not passed")
		}
		for _, m := range []struct {
			what string
			ok   bool
		}{{"vin", f.VINMatches}, {"engine", f.EngineMatches}, {"certificate", f.CertificateMatches}} {
			if !m.ok {
				return Errorkf(EINVALID, "err.vehicle_mismatch", []any{m.what}, "the car's %s does not match its papers", m.what)
			}
		}
	case to == VehicleReserved:
		if !f.ReservedUntil.After(f.Now) {
			return Errorkf(EINVALID, "err.vehicle_reserve_expiry", nil, "a reservation needs an expiry in the future")
		}
	case from == VehicleReserved && to == VehicleSold:
		if !f.Now.Before(f.ReservedUntil) {
			return Errorkf(EINVALID, "err.vehicle_reservation_expired", []any{f.ReservedUntil.Format(MinuteLayout)},
				"the reservation lapsed at %s", f.ReservedUntil.Format(MinuteLayout))
		}
	case from == VehicleReserved && to == VehicleInStock:
		if !f.Released && f.Now.Before(f.ReservedUntil) {
			return Errorkf(EINVALID, "err.vehicle_still_reserved", []any{f.ReservedUntil.Format(MinuteLayout)},
				"the car is reserved until %s and was not released", f.ReservedUntil.Format(MinuteLayout))
		}
	case to == VehicleDemo:
		if f.Keeper == 0 {
			return Errorkf(EINVALID, "err.demo_keeper", nil, "a demo car needs a keeper")
		}
	}
	return nil
}

// AllocationMove reports whether a move into or out of VehicleAllocated:
// those are the allocation service's (R4.3), made with the allocation in
// one transaction, never a tap on the car's card (which would leave an
// allocation holding a car that is no longer held, or none).
func AllocationMove(from, to VehicleState) bool {
	return from == VehicleAllocated || to == VehicleAllocated
}

// ReservationLapsed reports whether a reserved car's reservation has run
// out at now, so that a job can put it back in stock (R3.1).
func ReservationLapsed(v Vehicle, now time.Time) bool {
	return v.State == VehicleReserved && !now.Before(v.ReservedUntil)
}

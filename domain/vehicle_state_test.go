package domain

import (
	"testing"
	"time"
)

func errKey(err error) string {
	if e, ok := err.(*Error); ok {
		return e.Key
	}
	return ""
}

func TestR3_1_VehicleTransitions(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	inspected := TransitionFacts{Now: now, PDIPassed: true, VINMatches: true, EngineMatches: true, CertificateMatches: true}
	later, earlier := now.Add(72*time.Hour), now.Add(-time.Minute)
	for _, c := range []struct {
		name     string
		from, to VehicleState
		f        TransitionFacts
		wantKey  string // "" = allowed
	}{
		{"arrives", VehicleInTransit, VehicleArrived, TransitionFacts{Now: now}, ""},
		{"inspected into stock", VehicleArrived, VehicleInStock, inspected, ""},
		{"PDI pending", VehicleArrived, VehicleInStock, TransitionFacts{Now: now, VINMatches: true, EngineMatches: true, CertificateMatches: true}, "err.vehicle_pdi"},
		{"VIN mismatch", VehicleArrived, VehicleInStock, TransitionFacts{Now: now, PDIPassed: true, EngineMatches: true, CertificateMatches: true}, "err.vehicle_mismatch"},
		{"engine mismatch", VehicleArrived, VehicleInStock, TransitionFacts{Now: now, PDIPassed: true, VINMatches: true, CertificateMatches: true}, "err.vehicle_mismatch"},
		{"certificate mismatch", VehicleArrived, VehicleInStock, TransitionFacts{Now: now, PDIPassed: true, VINMatches: true, EngineMatches: true}, "err.vehicle_mismatch"},
		{"skip the inspection", VehicleInTransit, VehicleInStock, inspected, "err.vehicle_move"},
		{"reserve", VehicleInStock, VehicleReserved, TransitionFacts{Now: now, ReservedUntil: later}, ""},
		{"reserve without expiry", VehicleInStock, VehicleReserved, TransitionFacts{Now: now}, "err.vehicle_reserve_expiry"},
		{"reserve in the past", VehicleInStock, VehicleReserved, TransitionFacts{Now: now, ReservedUntil: earlier}, "err.vehicle_reserve_expiry"},
		{"sell reserved", VehicleReserved, VehicleSold, TransitionFacts{Now: now, ReservedUntil: later}, ""},
		{"sell on lapsed reservation", VehicleReserved, VehicleSold, TransitionFacts{Now: now, ReservedUntil: earlier}, "err.vehicle_reservation_expired"},
		{"sell unreserved", VehicleInStock, VehicleSold, TransitionFacts{Now: now}, "err.vehicle_move"},
		{"release", VehicleReserved, VehicleInStock, TransitionFacts{Now: now, ReservedUntil: later, Released: true}, ""},
		{"expired back to stock", VehicleReserved, VehicleInStock, TransitionFacts{Now: now, ReservedUntil: now}, ""},
		{"still reserved", VehicleReserved, VehicleInStock, TransitionFacts{Now: now, ReservedUntil: later}, "err.vehicle_still_reserved"},
		{"deliver", VehicleSold, VehicleDelivered, TransitionFacts{Now: now}, ""},
		{"delivered is final", VehicleDelivered, VehicleInStock, TransitionFacts{Now: now}, "err.vehicle_move"},
		{"into demo fleet", VehicleInStock, VehicleDemo, TransitionFacts{Now: now, Keeper: 7}, ""},
		{"demo without keeper", VehicleInStock, VehicleDemo, TransitionFacts{Now: now}, "err.demo_keeper"},
		{"retire", VehicleDemo, VehicleRetired, TransitionFacts{Now: now}, ""},
		{"retired is final", VehicleRetired, VehicleDemo, TransitionFacts{Now: now, Keeper: 7}, "err.vehicle_move"},
		{"demo not for sale", VehicleDemo, VehicleSold, TransitionFacts{Now: now}, "err.vehicle_move"},
		{"unknown state", VehicleState("stolen"), VehicleInStock, inspected, "err.vehicle_state"},
		{"allocated to an order", VehicleInStock, VehicleAllocated, TransitionFacts{Now: now}, ""},
		{"allocated sold to its order", VehicleAllocated, VehicleSold, TransitionFacts{Now: now}, ""},
		{"allocation lapsed back to stock", VehicleAllocated, VehicleInStock, TransitionFacts{Now: now}, ""},
		{"allocated not reserved", VehicleAllocated, VehicleReserved, TransitionFacts{Now: now, ReservedUntil: later}, "err.vehicle_move"},
		{"not allocated before inspection", VehicleArrived, VehicleAllocated, inspected, "err.vehicle_move"},
		{"reserved not allocated", VehicleReserved, VehicleAllocated, TransitionFacts{Now: now}, "err.vehicle_move"},
	} {
		err := Transition(c.from, c.to, c.f)
		if got := errKey(err); got != c.wantKey || (c.wantKey != "" && ErrorCode(err) != EINVALID) {
			t.Errorf("%s: Transition(%s, %s) = %v, want key %q", c.name, c.from, c.to, err, c.wantKey)
		}
	}
	if err := Transition(VehicleArrived, VehicleInStock, TransitionFacts{PDIPassed: true, VINMatches: true, CertificateMatches: true}); err.(*Error).Args[0] != "engine" {
		t.Errorf("mismatch names %v", err.(*Error).Args)
	}
}

func TestR3_1_ReservationLapsed(t *testing.T) {
	until := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	v := Vehicle{State: VehicleReserved, ReservedUntil: until}
	if ReservationLapsed(v, until.Add(-time.Second)) || !ReservationLapsed(v, until) {
		t.Error("lapse at the expiry instant")
	}
	v.State = VehicleSold
	if ReservationLapsed(v, until.Add(time.Hour)) {
		t.Error("a sold car has no reservation to lapse")
	}
}

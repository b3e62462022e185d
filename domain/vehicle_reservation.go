package domain

// A reservation holds a car for an order until its expiry (R3.1). One that
// lapses without a sale puts the car back in stock: the system's move, at
// the expiry's instant, and the seller who reserved it hears of it.

// SystemActor is the staff id recorded for what the bot does by itself (a
// lapsed reservation's return to stock): no person did it.
const SystemActor int64 = 0

// ReservationExpired is the outcome of a lapsed reservation: the car, back
// in stock, its event (by SystemActor, at the expiry), and who is to hear
// of it: Reserver, the seller who reserved it (nil when not reachable), and
// Supervisors, the store's supervisors (of the reserver's department when
// it has any), not the reserver. ReservedBy is the seller whoever they
// are now (nil when unknown), for naming them.
type ReservationExpired struct {
	Vehicle     Vehicle
	Event       VehicleEvent
	ReservedBy  *Staff
	Reserver    *Staff
	Supervisors []*Staff
	// Allocated: back in stock, the car went at once to the first order in
	// line for it (R4.3).
	Allocated *CarAllocated
}

package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// allocFixture is a store with a stock keeper, two consultants, a
// supervisor, a manager and a general manager, and a clock to move.
type allocFixture struct {
	db                                *storage.DB
	clock                             *time.Time
	keeper, seller, seller2, sup, mgr *domain.Staff
	leads                             int
}

func newAllocFixture(t *testing.T, db *storage.DB) *allocFixture {
	t.Helper()
	return &allocFixture{db: db, clock: vehicleClock(db),
		keeper:  MustEnrolStaff(t, db, "Keeper", 300, domain.RoleStockKeeper),
		seller:  MustEnrolStaff(t, db, "Seller", 301, domain.RoleConsultant),
		seller2: MustEnrolStaff(t, db, "Seller2", 302, domain.RoleConsultant),
		sup:     MustEnrolStaff(t, db, "Sup", 303, domain.RoleSupervisor),
		mgr:     MustEnrolStaff(t, db, "Mgr", 304, domain.RoleManager),
	}
}

// tick moves the clock on by d.
func (f *allocFixture) tick(d time.Duration) { *f.clock = f.clock.Add(d) }

// order places a confirmed order (a discount within the consultant's
// limit) of seller's for model (DispatchSheet's: car i is models[i%3],
// 舒适版, 白), a minute after the last thing that happened.
func (f *allocFixture) order(t *testing.T, seller *domain.Staff, model string) *domain.OrderPlaced {
	t.Helper()
	f.tick(time.Minute)
	f.leads++
	l := newLead(seller, fmt.Sprintf("客户%d", f.leads), fmt.Sprintf("1390000%04d", f.leads))
	l.Grade, l.Pool = domain.GradeA, domain.PoolShowroom
	l = MustCreateLead(t, f.db, l)
	d := domain.OrderDraft{Model: model, Trim: "舒适版", Colour: "白", ListFen: 12800000, AgreedFen: 12700000,
		Deposit: 500000, Payment: domain.PayCash}
	out, err := f.db.PlaceOrder(ctx, seller.ID, domain.LeadByIDRef(l.ID), d)
	if err != nil || out.Order.State != domain.OrderConfirmed {
		t.Fatalf("order: %+v, %v", out, err)
	}
	return out
}

// arrive brings car i in and inspects it (PDI passed), a minute later.
func (f *allocFixture) arrive(t *testing.T, i int) *domain.PDIRecorded {
	t.Helper()
	f.tick(time.Minute)
	arriveCars(t, f.db, f.keeper.ID, i, i+1)
	ok, _ := domain.PDIChecks(f.db.Stores.Default().Rules.Vehicles.PDIItems, "ok", "", "")
	p, err := f.db.RecordPDI(ctx, f.keeper.ID, storagetest.VIN(i), ok,
		domain.PDIConfirm{EngineNo: fmt.Sprintf("E%d", i), CertificateNo: fmt.Sprintf("C%d", i)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// carState is car i's state in the ledger.
func (f *allocFixture) carState(t *testing.T, i int) domain.VehicleState {
	t.Helper()
	c, err := f.db.VehicleCard(ctx, f.keeper.ID, storagetest.VIN(i))
	if err != nil {
		t.Fatal(err)
	}
	return c.Vehicle.State
}

// holds is the VIN order id holds ("" for none).
func (f *allocFixture) holds(t *testing.T, id int64) string {
	t.Helper()
	a, err := f.db.ActiveAllocation(ctx, f.mgr.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if a == nil {
		return ""
	}
	return a.Vehicle.VIN
}

// TestR4_3_FIFOBothWays: an arriving car goes to the oldest confirmed
// order waiting for its model, trim and colour (not to another model's,
// nor to one holding a car already); a confirmed order gets the oldest
// car in stock; the ledger shows the car allocated, out of stock.
func TestR4_3_FIFOBothWays(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newAllocFixture(t, db)
		older := f.order(t, f.seller, "轩逸")
		other := f.order(t, f.seller, "天籁")
		newer := f.order(t, f.seller2, "轩逸")
		if older.Allocated != nil {
			t.Fatalf("allocated with nothing in stock: %+v", older.Allocated)
		}
		p := f.arrive(t, 0) // 轩逸
		if p.Allocated == nil || p.Allocated.Allocation.Order.ID != older.Order.ID || p.Vehicle.State != domain.VehicleAllocated {
			t.Fatalf("first arrival: %+v (vehicle %s)", p.Allocated, p.Vehicle.State)
		}
		if c := p.Allocated.Consultant; c == nil || c.ID != f.seller.ID || p.Allocated.Customer != "客户1" {
			t.Errorf("card goes to %+v for %q", c, p.Allocated.Customer)
		}
		if p.Allocated.Allocation.AllocatedBy != domain.SystemActor || !p.Allocated.Allocation.AllocatedAt.Equal(*f.clock) {
			t.Errorf("allocated by %d at %s", p.Allocated.Allocation.AllocatedBy, p.Allocated.Allocation.AllocatedAt)
		}
		if p := f.arrive(t, 3); p.Allocated == nil || p.Allocated.Allocation.Order.ID != newer.Order.ID {
			t.Fatalf("second arrival goes to %+v, want order %d", p.Allocated, newer.Order.ID)
		}
		if p := f.arrive(t, 6); p.Allocated != nil || p.Vehicle.State != domain.VehicleInStock {
			t.Fatalf("third 轩逸 with nobody waiting: %+v", p.Allocated)
		}
		if f.holds(t, other.Order.ID) != "" {
			t.Error("the 天籁 order got a 轩逸")
		}
		// The other way: two more in stock; an order gets the oldest (6).
		f.arrive(t, 9)
		got := f.order(t, f.seller2, "轩逸")
		if got.Allocated == nil || got.Allocated.Allocation.Vehicle.VIN != storagetest.VIN(6) || got.Order.VehicleID == 0 {
			t.Fatalf("order got %+v, want the oldest car %s", got.Allocated, storagetest.VIN(6))
		}
		if f.carState(t, 9) != domain.VehicleInStock || f.carState(t, 6) != domain.VehicleAllocated {
			t.Errorf("states 6 %s, 9 %s", f.carState(t, 6), f.carState(t, 9))
		}
		// /stock: allocated cars are shown, not counted as stock for sale.
		st, err := db.Stock(ctx, f.mgr.ID, "轩逸", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Groups) != 1 || st.Groups[0].InStock != 1 || st.Groups[0].Allocated != 3 {
			t.Errorf("stock %+v", st.Groups)
		}
		// A car allocated is never moved on its card.
		c, _ := db.VehicleCard(ctx, f.keeper.ID, storagetest.VIN(0))
		if len(c.Next) != 0 {
			t.Errorf("allocated car offers %v", c.Next)
		}
		AssertError(t, ignore(db.MoveVehicle(ctx, f.mgr.ID, c.Vehicle.ID, domain.VehicleMove{To: domain.VehicleSold})),
			domain.EINVALID, "err.vehicle_allocation_move")
	})
}

// lapseNotes records the lapses the job hands over.
type lapseNotes struct{ lapses []domain.AllocationLapse }

func (n *lapseNotes) NotifyAllocationsLapsed(_ context.Context, l []domain.AllocationLapse) error {
	n.lapses = append(n.lapses, l...)
	return nil
}

// TestR4_3_LapseAtPayByReallocates: told, the customer has
// allocation_unpaid_days to pay; the job's Next is the stored PayBy; a
// second before nothing happens; at it the allocation lapses, the car goes
// to the next order in line, and both consultants and the supervisor are
// to be told; a second run (another replica) does nothing. The lapsed
// order is first in line for the next car; the next order, told and paid
// in time, never lapses.
func TestR4_3_LapseAtPayByReallocates(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newAllocFixture(t, db)
		first := f.order(t, f.seller, "轩逸")
		second := f.order(t, f.seller2, "轩逸")
		f.arrive(t, 0)
		notes := &lapseNotes{}
		j := &jobs.AllocationLapse{Store: db, Bot: notes}
		if _, ok, err := j.Next(ctx, *f.clock); ok || err != nil {
			t.Fatalf("a clock runs before the customer is told (%v)", err)
		}
		AssertError(t, ignore(db.TellCustomer(ctx, f.seller2.ID, first.Order.ID)), domain.EFORBIDDEN, "order.not_yours")
		AssertError(t, ignore(db.TellCustomer(ctx, f.seller2.ID, second.Order.ID)), domain.EINVALID, "alloc.none")
		told, err := db.TellCustomer(ctx, f.seller.ID, first.Order.ID)
		if err != nil {
			t.Fatal(err)
		}
		st := db.Stores.Default()
		payBy := domain.PaymentDue(*f.clock, st.Rules.Orders, st.Calendar)
		if !told.Allocation.PayBy.Equal(payBy) || !told.Allocation.ToldAt.Equal(*f.clock) {
			t.Fatalf("pay by %s, want %s", told.Allocation.PayBy, payBy)
		}
		AssertError(t, ignore(db.TellCustomer(ctx, f.sup.ID, first.Order.ID)), domain.ECONFLICT, "alloc.told_already")
		next, ok, err := j.Next(ctx, *f.clock)
		if err != nil || !ok || !next.Equal(payBy) {
			t.Fatalf("next %s %v %v, want %s", next, ok, err, payBy)
		}
		if err := j.Run(ctx, payBy.Add(-time.Second)); err != nil || len(notes.lapses) != 0 {
			t.Fatalf("a second early: %v, %d lapses", err, len(notes.lapses))
		}
		*f.clock = payBy
		// Two replicas' jobs at once: one lapse between them.
		other := &lapseNotes{}
		errs := make(chan error, 2)
		for _, n := range []*lapseNotes{notes, other} {
			go func() { errs <- (&jobs.AllocationLapse{Store: db, Bot: n}).Run(ctx, payBy) }()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if len(notes.lapses) == 0 {
			notes, other = other, notes
		}
		if len(notes.lapses) != 1 || len(other.lapses) != 0 {
			t.Fatalf("%d and %d lapses", len(notes.lapses), len(other.lapses))
		}
		j.Bot = notes
		l := notes.lapses[0]
		if l.Lapsed.Order.ID != first.Order.ID || l.Next == nil || l.Next.Allocation.Order.ID != second.Order.ID ||
			!l.Next.Allocation.AllocatedAt.Equal(payBy) {
			t.Fatalf("lapse %+v", l)
		}
		if l.LostCar == nil || l.LostCar.ID != f.seller.ID || l.Next.Consultant == nil || l.Next.Consultant.ID != f.seller2.ID ||
			len(l.Supervisors) != 1 || l.Supervisors[0].ID != f.sup.ID {
			t.Errorf("told: lost %v, next %v, supervisors %v", l.LostCar, l.Next.Consultant, names(l.Supervisors))
		}
		if err := j.Run(ctx, payBy.Add(time.Second)); err != nil || len(notes.lapses) != 1 {
			t.Fatalf("second run: %v, %d lapses", err, len(notes.lapses))
		}
		if f.holds(t, first.Order.ID) != "" || f.holds(t, second.Order.ID) != storagetest.VIN(0) || f.carState(t, 0) != domain.VehicleAllocated {
			t.Fatalf("after the lapse: first %q second %q", f.holds(t, first.Order.ID), f.holds(t, second.Order.ID))
		}
		// The second order's customer is told and pays in time: no lapse.
		f.tick(time.Hour)
		told2, err := db.TellCustomer(ctx, f.seller2.ID, second.Order.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.tick(time.Hour)
		paid, err := db.RecordPayment(ctx, f.seller2.ID, second.Order.ID)
		if err != nil || paid.Late || paid.Allocation == nil || paid.Order.PaidAt == nil {
			t.Fatalf("payment %+v, %v", paid, err)
		}
		AssertError(t, ignore(db.RecordPayment(ctx, f.sup.ID, second.Order.ID)), domain.ECONFLICT, "alloc.paid_already")
		if _, ok, _ := j.Next(ctx, *f.clock); ok {
			t.Error("a paid allocation still has a clock")
		}
		if err := j.Run(ctx, told2.Allocation.PayBy); err != nil || len(notes.lapses) != 1 {
			t.Fatalf("paid lapsed: %v, %d", err, len(notes.lapses))
		}
		// The lapsed order is first in line for the next car.
		if p := f.arrive(t, 3); p.Allocated == nil || p.Allocated.Allocation.Order.ID != first.Order.ID {
			t.Fatalf("next car goes to %+v, want the lapsed order %d", p.Allocated, first.Order.ID)
		}
	})
}

// TestR4_3_QueueJumpNeedsManager: an order's car lapsed back into stock
// (nobody else waited); an order confirmed later does not take it from the
// order still in line; its /allocate is a request to the manager naming
// the order jumped; the consultant cannot rule, the manager approves once
// and the car is the later order's. At the head of the line /allocate
// allocates at once. A late payment is late.
func TestR4_3_QueueJumpNeedsManager(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newAllocFixture(t, db)
		first := f.order(t, f.seller, "轩逸")
		f.arrive(t, 0)
		told, err := db.TellCustomer(ctx, f.seller.ID, first.Order.ID)
		if err != nil {
			t.Fatal(err)
		}
		*f.clock = told.Allocation.PayBy
		lapses, err := db.LapseAllocations(ctx, *f.clock, 10)
		if err != nil || len(lapses) != 1 || lapses[0].Next != nil || f.carState(t, 0) != domain.VehicleInStock {
			t.Fatalf("lapse back to stock: %+v, %v", lapses, err)
		}
		// A payment after PayBy is late; the order still waits.
		f.tick(time.Minute)
		late, err := db.RecordPayment(ctx, f.seller.ID, first.Order.ID)
		if err != nil || !late.Late || late.Allocation != nil {
			t.Fatalf("late payment %+v, %v", late, err)
		}
		later := f.order(t, f.seller2, "轩逸")
		if later.Allocated != nil {
			t.Fatalf("the later order jumped the line by itself: %+v", later.Allocated)
		}
		asked, err := db.AllocateCar(ctx, f.seller2.ID, later.Order.ID, storagetest.VIN(0)[11:])
		if err != nil {
			t.Fatal(err)
		}
		if asked.Allocated != nil || asked.Request == nil || len(asked.Jumped) != 1 || asked.Jumped[0].ID != first.Order.ID ||
			asked.Jumped[0].Customer != "客户1" || asked.Jumped[0].ConsultantName != "Seller" ||
			len(asked.Approvers) != 1 || asked.Approvers[0].ID != f.mgr.ID {
			t.Fatalf("asked %+v", asked)
		}
		AssertError(t, ignore(db.AllocateCar(ctx, f.seller2.ID, later.Order.ID, storagetest.VIN(0))), domain.ECONFLICT, "alloc.pending")
		if f.carState(t, 0) != domain.VehicleInStock {
			t.Fatal("the request moved the car")
		}
		AssertError(t, ignore(db.AllocationRequestToDecide(ctx, asked.Request.ID, f.seller2.ID)), domain.EFORBIDDEN, "err.forbidden")
		AssertError(t, ignore(db.AllocationRequestToDecide(ctx, asked.Request.ID, f.sup.ID)), domain.EFORBIDDEN, "err.forbidden")
		AssertError(t, ignore(db.DecideAllocation(ctx, asked.Request.ID, domain.Decision{DeciderID: f.mgr.ID, Verdict: domain.Rejected})),
			domain.EINVALID, "err.note_empty")
		d, err := db.DecideAllocation(ctx, asked.Request.ID, domain.Decision{DeciderID: f.mgr.ID, Verdict: domain.Approved})
		if err != nil || d.Allocated == nil || d.Allocated.Allocation.ApprovedBy != f.mgr.ID ||
			d.Allocated.Allocation.AllocatedBy != f.seller2.ID || f.holds(t, later.Order.ID) != storagetest.VIN(0) {
			t.Fatalf("decided %+v, %v", d, err)
		}
		AssertError(t, ignore(db.DecideAllocation(ctx, asked.Request.ID, domain.Decision{DeciderID: f.mgr.ID, Verdict: domain.Approved})),
			domain.ECONFLICT, "alloc.already")
		// At the head of the line (the first order, for a car in stock)
		// /allocate allocates at once.
		f.arrive(t, 3) // goes to the first order by itself
		if f.holds(t, first.Order.ID) != storagetest.VIN(3) {
			t.Fatalf("first holds %q", f.holds(t, first.Order.ID))
		}
		third := f.order(t, f.seller, "奇骏")
		f.arrive(t, 2) // 奇骏: to the third order
		fourth := f.order(t, f.seller, "奇骏")
		f.arrive(t, 5)
		if f.holds(t, fourth.Order.ID) != storagetest.VIN(5) || f.holds(t, third.Order.ID) != storagetest.VIN(2) {
			t.Fatal("奇骏 orders")
		}
	})
}

// TestR4_3_BadAllocationRefused: a car already allocated, another model,
// another store's car, an order holding a car already or not confirmed,
// another consultant's order: each refused with its reason, nothing
// written. A cancelled order's car goes to the next in line.
func TestR4_3_BadAllocationRefused(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newAllocFixture(t, db)
		holder := f.order(t, f.seller, "轩逸")
		waiting := f.order(t, f.seller2, "轩逸")
		f.arrive(t, 0) // to holder
		f.arrive(t, 1) // 天籁, in stock
		AssertError(t, ignore(db.AllocateCar(ctx, f.seller2.ID, waiting.Order.ID, storagetest.VIN(0))), domain.EINVALID, "err.allocation_car_taken")
		AssertError(t, ignore(db.AllocateCar(ctx, f.seller2.ID, waiting.Order.ID, storagetest.VIN(1))), domain.EINVALID, "err.allocation_mismatch")
		AssertError(t, ignore(db.AllocateCar(ctx, f.seller.ID, waiting.Order.ID, storagetest.VIN(1))), domain.EFORBIDDEN, "order.not_yours")
		f.arrive(t, 3) // to waiting
		AssertError(t, ignore(db.AllocateCar(ctx, f.seller.ID, holder.Order.ID, storagetest.VIN(1))), domain.EINVALID, "err.allocation_not_waiting")
		// Another store's car and order are not found.
		east := storagetest.AddStore(t, db, "east", "Asia/Shanghai")
		stranger := MustEnrolStaffIn(t, db, east, "Stranger", 399, domain.RoleManager)
		AssertError(t, ignore(db.AllocateCar(ctx, stranger.ID, holder.Order.ID, storagetest.VIN(1))), domain.ENOTFOUND, "order.not_found")
		AssertError(t, ignore(db.TellCustomer(ctx, stranger.ID, holder.Order.ID)), domain.ENOTFOUND, "order.not_found")
		AssertError(t, ignore(db.RecordPayment(ctx, stranger.ID, holder.Order.ID)), domain.ENOTFOUND, "order.not_found")
		if f.carState(t, 1) != domain.VehicleInStock || f.holds(t, holder.Order.ID) != storagetest.VIN(0) {
			t.Fatal("a refusal wrote")
		}
		// An order waiting for its discount's approval is not in line.
		f.leads++
		l := newLead(f.seller, "折扣", "13911112222")
		l.Grade, l.Pool = domain.GradeA, domain.PoolShowroom
		l = MustCreateLead(t, db, l)
		pending, err := db.PlaceOrder(ctx, f.seller.ID, domain.LeadByIDRef(l.ID), domain.OrderDraft{Model: "天籁", Trim: "舒适版", Colour: "白",
			ListFen: 12800000, AgreedFen: 12000000, Payment: domain.PayCash})
		if err != nil || pending.Order.State != domain.OrderPending {
			t.Fatal(err)
		}
		AssertError(t, ignore(db.AllocateCar(ctx, f.seller.ID, pending.Order.ID, storagetest.VIN(1))), domain.EINVALID, "err.allocation_not_waiting")
		// Approved, it gets the 天籁 in stock.
		dec, err := db.DecideOrderRequest(ctx, pending.Request.ID, domain.Decision{DeciderID: f.mgr.ID, Verdict: domain.Approved})
		if err != nil || dec.Allocated == nil || dec.Allocated.Allocation.Vehicle.VIN != storagetest.VIN(1) {
			t.Fatalf("approved discount: %+v, %v", dec, err)
		}
		// A cancelled order's car goes to the next in line.
		next := f.order(t, f.seller2, "轩逸")
		req, err := db.RequestOrderCancel(ctx, f.seller.ID, holder.Order.ID, "客户不要了")
		if err != nil {
			t.Fatal(err)
		}
		dec, err = db.DecideOrderRequest(ctx, req.Request.ID, domain.Decision{DeciderID: f.sup.ID, Verdict: domain.Approved})
		if err != nil || dec.Released == nil || dec.Released.Next == nil || dec.Released.Next.Allocation.Order.ID != next.Order.ID ||
			f.holds(t, next.Order.ID) != storagetest.VIN(0) {
			t.Fatalf("cancelled: %+v, %v", dec.Released, err)
		}
	})
}

package domain

import (
	"fmt"
	"testing"
	"time"
)

// camry is an in-stock car of store 1 and order is a waiting order for one.
func camry(vin string, arrived time.Time) Vehicle {
	return Vehicle{StoreID: 1, VIN: vin, Model: "凯美瑞", Trim: "2.0G", Colour: "白", ArrivedAt: arrived, State: VehicleInStock}
}

func order(id int64, ordered time.Time) AllocOrder {
	return AllocOrder{ID: id, StoreID: 1, Model: "凯美瑞", Trim: "2.0G", Colour: "白",
		OrderedAt: ordered, ConfirmedAt: ordered, State: QueueWaiting, Consultant: 100 + id}
}

func TestR4_3_AllocateArrival_OldestConfirmedOrderFirst(t *testing.T) {
	cal := allWeek(t)
	car := camry("LVGBE40K8FG000001", at(cal, "2026-12-01 10:00"))
	old := order(7, at(cal, "2026-11-01 10:00"))
	sameDayLowerID := order(3, at(cal, "2026-11-01 10:00"))
	orders := []AllocOrder{
		order(1, at(cal, "2026-11-20 10:00")),
		old,
		sameDayLowerID,
		func() AllocOrder { o := order(2, at(cal, "2026-10-01 10:00")); o.State = QueueUnconfirmed; return o }(),
		func() AllocOrder { o := order(4, at(cal, "2026-10-01 10:00")); o.State = QueueAllocated; return o }(),
		func() AllocOrder { o := order(5, at(cal, "2026-10-01 10:00")); o.Colour = "黑"; return o }(),
		func() AllocOrder { o := order(6, at(cal, "2026-10-01 10:00")); o.StoreID = 2; return o }(),
		func() AllocOrder { o := order(8, at(cal, "2026-10-01 10:00")); o.Trim = "2.5Q"; return o }(),
	}
	t.Run("OK", func(t *testing.T) {
		got, ok := AllocateArrival(car, orders)
		if !ok || got.ID != 3 {
			t.Fatalf("got order %d (%v), want 3: the oldest order date, ties by id", got.ID, ok)
		}
	})
	t.Run("OrderDateNotConfirmation", func(t *testing.T) {
		late := order(9, at(cal, "2026-10-15 10:00"))
		late.ConfirmedAt = at(cal, "2026-11-25 10:00") // a slow discount approval
		if got, _ := AllocateArrival(car, append(orders, late)); got.ID != 9 {
			t.Fatalf("got order %d, want 9: the order date counts", got.ID)
		}
	})
	t.Run("NoneWaiting", func(t *testing.T) {
		if _, ok := AllocateArrival(car, orders[3:]); ok {
			t.Fatal("allocated to an order not waiting or not matching")
		}
	})
	t.Run("NotInStock", func(t *testing.T) {
		for _, s := range []VehicleState{VehicleArrived, VehicleReserved, VehicleSold, VehicleDemo} {
			c := car
			c.State = s
			if _, ok := AllocateArrival(c, orders); ok {
				t.Errorf("%s: allocated a car that is not stock", s)
			}
		}
	})
}

func TestR4_3_CarForOrder_FirstInFirstOut(t *testing.T) {
	cal := allWeek(t)
	o := order(1, at(cal, "2026-11-01 10:00"))
	reserved := camry("LVGBE40K8FG000009", at(cal, "2026-08-01 10:00"))
	reserved.State = VehicleReserved
	black := camry("LVGBE40K8FG000008", at(cal, "2026-08-01 10:00"))
	black.Colour = "黑"
	other := camry("LVGBE40K8FG000007", at(cal, "2026-08-01 10:00"))
	other.StoreID = 2
	cars := []Vehicle{
		camry("LVGBE40K8FG000005", at(cal, "2026-10-01 10:00")),
		camry("LVGBE40K8FG000004", at(cal, "2026-09-01 10:00")),
		camry("LVGBE40K8FG000003", at(cal, "2026-09-01 10:00")),
		reserved, black, other,
	}
	t.Run("OK", func(t *testing.T) {
		got, ok := CarForOrder(o, cars)
		if !ok || got.VIN != "LVGBE40K8FG000003" {
			t.Fatalf("got %s (%v), want the earliest arrival, ties by VIN", got.VIN, ok)
		}
	})
	t.Run("None", func(t *testing.T) {
		if _, ok := CarForOrder(o, cars[3:]); ok {
			t.Fatal("a reserved, other-colour or other-store car was given")
		}
	})
}

func TestR4_3_CheckQueueJump(t *testing.T) {
	cal := allWeek(t)
	car := camry("LVGBE40K8FG000001", at(cal, "2026-12-01 10:00"))
	first, second, third := order(5, at(cal, "2026-11-01 10:00")), order(2, at(cal, "2026-11-02 10:00")), order(9, at(cal, "2026-11-03 10:00"))
	black := order(1, at(cal, "2026-10-01 10:00"))
	black.Colour = "黑"
	queue := []AllocOrder{third, black, second, first}
	t.Run("HeadNeedsNoApproval", func(t *testing.T) {
		j, err := CheckQueueJump(first, car, queue)
		if err != nil || j.NeedsApproval() || len(j.Jumped) != 0 {
			t.Fatalf("%+v %v", j, err)
		}
	})
	t.Run("JumpNamesWhoIsJumped", func(t *testing.T) {
		j, err := CheckQueueJump(third, car, queue)
		if err != nil || !j.NeedsApproval() || len(j.Jumped) != 2 || j.Jumped[0].ID != 5 || j.Jumped[1].ID != 2 {
			t.Fatalf("%+v %v: want orders 5 then 2 jumped", j.Jumped, err)
		}
		if QueueJumpApprover != RoleManager {
			t.Fatal("a queue jump is the manager's")
		}
	})
	for name, c := range map[string]struct {
		o   AllocOrder
		car Vehicle
		key string
	}{
		"ErrCarTaken": {first, func() Vehicle { v := car; v.State = VehicleReserved; return v }(), "err.allocation_car_taken"},
		"ErrNotWaiting": {func() AllocOrder { o := first; o.State = QueueUnconfirmed; return o }(), car,
			"err.allocation_not_waiting"},
		"ErrOtherStore": {func() AllocOrder { o := first; o.StoreID = 2; return o }(), car, "err.allocation_other_store"},
		"ErrMismatch":   {black, car, "err.allocation_mismatch"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := CheckQueueJump(c.o, c.car, queue)
			if e, ok := err.(*Error); !ok || e.Key != c.key || e.Code != EINVALID {
				t.Fatalf("got %v, want %s", err, c.key)
			}
		})
	}
}

// TestR4_3_PaymentDue_FourCalendarDays proves the clock to the second: told
// at 15:20:30, the allocation stands at 15:20:29 four days on and lapses at
// 15:20:30, weekend or not; a fourth day on which the store is closed moves
// the end to the next day it works.
func TestR4_3_PaymentDue_FourCalendarDays(t *testing.T) {
	r := DefaultRules().Orders
	t.Run("CalendarDaysOverAWeekend", func(t *testing.T) {
		cal := allWeek(t)
		told := at(cal, "2026-12-04 15:20").Add(30 * time.Second) // a Friday
		due := PaymentDue(told, r, cal)
		if want := at(cal, "2026-12-08 15:20").Add(30 * time.Second); !due.Equal(want) {
			t.Fatalf("due %s, want %s", due, want)
		}
		a := Allocation{ToldAt: told, PayBy: due}
		if AllocationLapsed(a, due.Add(-time.Second)) {
			t.Error("lapsed a second before the fourth day's end")
		}
		if !AllocationLapsed(a, due) {
			t.Error("not lapsed at the fourth day's second")
		}
	})
	t.Run("EndOnAClosedDayMovesToTheNextWorkingDay", func(t *testing.T) {
		cal := testCalendar(t)              // Monday to Friday, 2026-10-01 a holiday
		told := at(cal, "2026-09-27 11:00") // a Sunday: told on a closed day still counts
		due := PaymentDue(told, r, cal)     // 4 days on is the holiday
		want := at(cal, "2026-10-02 11:00")
		if !due.Equal(want) {
			t.Fatalf("due %s, want %s", due, want)
		}
		a := Allocation{ToldAt: told, PayBy: due}
		if AllocationLapsed(a, want.Add(-time.Second)) || !AllocationLapsed(a, want) {
			t.Fatal("the edge is not at the second")
		}
	})
	t.Run("NotToldNoClock", func(t *testing.T) {
		if AllocationLapsed(Allocation{}, time.Now()) {
			t.Fatal("an allocation whose customer was never told lapsed")
		}
	})
	t.Run("Paid", func(t *testing.T) {
		cal := allWeek(t)
		told := at(cal, "2026-12-01 09:00")
		a := Allocation{ToldAt: told, PayBy: PaymentDue(told, r, cal)}
		a.PaidAt = a.PayBy.Add(-time.Second)
		if AllocationLapsed(a, a.PayBy.Add(time.Hour)) {
			t.Error("paid in time, yet lapsed")
		}
		a.PaidAt = a.PayBy
		if !AllocationLapsed(a, a.PayBy.Add(time.Hour)) {
			t.Error("paid at the lapse's second is late")
		}
	})
}

func TestR4_3_Reallocate_NextInLineAndWhoIsTold(t *testing.T) {
	cal := allWeek(t)
	r := DefaultRules().Orders
	car := camry("LVGBE40K8FG000001", at(cal, "2026-12-01 10:00"))
	car.State = VehicleReserved
	lapsedOrder := order(1, at(cal, "2026-11-01 10:00"))
	lapsedOrder.State = QueueAllocated
	told := at(cal, "2026-12-01 12:00")
	lapsed := Allocation{Order: lapsedOrder, Vehicle: car, ToldAt: told, PayBy: PaymentDue(told, r, cal)}
	// The lapsed order is listed waiting again: it must not get its car back.
	back := lapsedOrder
	back.State = QueueWaiting
	orders := []AllocOrder{order(3, at(cal, "2026-11-10 10:00")), back, order(2, at(cal, "2026-11-05 10:00"))}
	t.Run("OK", func(t *testing.T) {
		out, err := Reallocate(lapsed, orders)
		if err != nil {
			t.Fatal(err)
		}
		if out.Lapsed.ID != 1 || out.Lapsed.State != QueueWaiting {
			t.Errorf("lapsed %+v", out.Lapsed)
		}
		if out.Next == nil || out.Next.Order.ID != 2 || out.Next.Order.State != QueueAllocated ||
			out.Next.Vehicle.VIN != car.VIN || !out.Next.AllocatedAt.Equal(lapsed.PayBy) || !out.Next.ToldAt.IsZero() {
			t.Fatalf("next %+v: want order 2, allocated at the lapse, clock not started", out.Next)
		}
		want := []Recipient{{101, RoleConsultant, TellLostCar}, {102, RoleConsultant, TellGotCar}, {0, RoleSupervisor, TellSupervisor}}
		if fmt.Sprint(out.Tell) != fmt.Sprint(want) {
			t.Errorf("tell %v, want %v", out.Tell, want)
		}
	})
	t.Run("NoneWaiting", func(t *testing.T) {
		out, err := Reallocate(lapsed, []AllocOrder{back})
		if err != nil || out.Next != nil || len(out.Tell) != 2 || out.Tell[1].Role != RoleSupervisor {
			t.Fatalf("%+v %v: want the car back to stock, the consultant and the supervisors told", out, err)
		}
	})
	t.Run("ErrNotLapsed", func(t *testing.T) {
		paid := lapsed
		paid.PaidAt = told.Add(time.Hour)
		for _, a := range []Allocation{paid, {Order: lapsedOrder, Vehicle: car}} {
			if _, err := Reallocate(a, orders); err == nil || err.(*Error).Key != "err.allocation_not_lapsed" {
				t.Errorf("got %v", err)
			}
		}
	})
}

// openOrders is n waiting orders over 20 models × 3 trims × 5 colours, the
// oldest last, so that a scan cannot stop early.
func openOrders(n int) []AllocOrder {
	base := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	out := make([]AllocOrder, n)
	for i := range out {
		out[i] = AllocOrder{ID: int64(i + 1), StoreID: 1, Model: fmt.Sprintf("M%02d", i%20), Trim: fmt.Sprintf("T%d", i%3),
			Colour: fmt.Sprintf("C%d", i%5), OrderedAt: base.Add(time.Duration(n-i) * time.Minute), State: QueueWaiting}
	}
	return out
}

func TestR4_3_AllocateArrival_TenThousandOrders(t *testing.T) {
	orders := openOrders(10000)
	car := Vehicle{StoreID: 1, Model: "M00", Trim: "T0", Colour: "C0", State: VehicleInStock}
	got, ok := AllocateArrival(car, orders)
	// i ≡ 0 mod 60 matches; the last such index is the oldest.
	if !ok || got.ID != 9961 {
		t.Fatalf("got %d %v, want 9961", got.ID, ok)
	}
}

var sinkOrder AllocOrder

// BenchmarkR4_3_AllocateArrival chooses the order for an arriving car among
// 10,000 open orders; compare with BenchmarkR4_3_LinearScanFloor, the bare
// loop any choice over them costs.
func BenchmarkR4_3_AllocateArrival(b *testing.B) {
	orders := openOrders(10000)
	car := Vehicle{StoreID: 1, Model: "M00", Trim: "T0", Colour: "C0", State: VehicleInStock}
	b.ReportAllocs()
	for b.Loop() {
		sinkOrder, _ = AllocateArrival(car, orders)
	}
}

// BenchmarkR4_3_LinearScanFloor is the floor: one comparison of the model
// (a value known only at run time, as the arriving car's) and of the order
// date per order, nothing else.
func BenchmarkR4_3_LinearScanFloor(b *testing.B) {
	orders := openOrders(10000)
	model := fmt.Sprintf("M%02d", 0)
	b.ReportAllocs()
	for b.Loop() {
		best := -1
		for i := range orders {
			if orders[i].Model == model && (best < 0 || orders[i].OrderedAt.Before(orders[best].OrderedAt)) {
				best = i
			}
		}
		sinkOrder = orders[best]
	}
}

var sinkCar Vehicle

// BenchmarkR4_3_CarForOrder chooses the car for an order among 50,000.
func BenchmarkR4_3_CarForOrder(b *testing.B) {
	base := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	cars := make([]Vehicle, 50000)
	for i := range cars {
		cars[i] = Vehicle{StoreID: 1, VIN: fmt.Sprintf("V%016d", i), Model: fmt.Sprintf("M%02d", i%20), Trim: fmt.Sprintf("T%d", i%3),
			Colour: fmt.Sprintf("C%d", i%5), ArrivedAt: base.Add(time.Duration(-i) * time.Minute), State: VehicleInStock}
	}
	o := AllocOrder{StoreID: 1, Model: "M00", Trim: "T0", Colour: "C0"}
	b.ReportAllocs()
	for b.Loop() {
		sinkCar, _ = CarForOrder(o, cars)
	}
}

// TestR4_3_AllocationMovesAreNotTheCards: in and out of "allocated" is the
// allocation service's, never offered on the car's card; the card's own
// moves stay.
func TestR4_3_AllocationMovesAreNotTheCards(t *testing.T) {
	for _, c := range []struct {
		from, to VehicleState
		alloc    bool
	}{
		{VehicleInStock, VehicleAllocated, true}, {VehicleAllocated, VehicleSold, true},
		{VehicleAllocated, VehicleInStock, true}, {VehicleInStock, VehicleReserved, false}, {VehicleReserved, VehicleSold, false},
	} {
		if got := AllocationMove(c.from, c.to); got != c.alloc {
			t.Errorf("AllocationMove(%s, %s) = %v", c.from, c.to, got)
		}
	}
	if got := NextVehicleStates(VehicleInStock); len(got) != 1 || got[0] != VehicleReserved {
		t.Errorf("from in stock the card offers %v", got)
	}
	if got := NextVehicleStates(VehicleAllocated); len(got) != 0 {
		t.Errorf("from allocated the card offers %v", got)
	}
	if !CountsAtStocktake(VehicleAllocated) {
		t.Error("an allocated car stands at the store: the stocktake must find it")
	}
}

// TestR4_3_QueueStateOf: only a confirmed order holding no car is in line.
func TestR4_3_QueueStateOf(t *testing.T) {
	for _, c := range []struct {
		s    OrderState
		car  bool
		want QueueState
	}{
		{OrderPending, false, QueueUnconfirmed}, {OrderConfirmed, false, QueueWaiting}, {OrderConfirmed, true, QueueAllocated},
		{OrderCancelled, false, QueueClosed}, {OrderRejected, false, QueueClosed}, {OrderState("delivered"), true, QueueClosed},
	} {
		if got := QueueStateOf(c.s, c.car); got != c.want {
			t.Errorf("QueueStateOf(%s, %v) = %s, want %s", c.s, c.car, got, c.want)
		}
	}
	o := Order{ID: 3, StoreID: 1, Model: "轩逸", Trim: "舒适版", Colour: "白", State: OrderConfirmed, ConsultantID: 9,
		CreatedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	if a := o.AllocOrder(); a.State != QueueWaiting || !a.OrderedAt.Equal(o.CreatedAt) || a.Consultant != 9 || a.Model != "轩逸" {
		t.Errorf("AllocOrder %+v", a)
	}
}

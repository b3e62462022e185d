package storage_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// The paperwork of the checklist: everything but full payment, which is
// the allocation's /paid.
var paperwork = []domain.DeliveryItem{domain.DeliveryInvoice, domain.DeliveryCertificate, domain.DeliveryInsurance,
	domain.DeliveryPlates, domain.DeliveryPDI}

// allocated is a confirmed order of seller's holding car i (轩逸 for i a
// multiple of 3).
func (f *allocFixture) allocated(t *testing.T, i int) *domain.OrderPlaced {
	t.Helper()
	o := f.order(t, f.seller, []string{"轩逸", "天籁", "奇骏"}[i%3])
	if p := f.arrive(t, i); p.Allocated == nil || p.Allocated.Allocation.Order.ID != o.Order.ID {
		t.Fatalf("car %d not allocated to order %d: %+v", i, o.Order.ID, p.Allocated)
	}
	return o
}

// TestR4_5_UntickedItemRefusesDeliveryNothingWritten: every refusal names
// what is missing and changes nothing: an order without a car, full
// payment ticked by hand, delivery with items unticked (named, in order),
// another store's order, someone else's consultant.
func TestR4_5_UntickedItemRefusesDeliveryNothingWritten(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newAllocFixture(t, db)
		waiting := f.order(t, f.seller, "天籁")
		_, err := db.DeliveryCard(ctx, f.seller.ID, waiting.Order.ID)
		AssertError(t, err, domain.EINVALID, "delivery.no_car")
		_, err = db.Deliver(ctx, f.seller.ID, waiting.Order.ID)
		AssertError(t, err, domain.EINVALID, "delivery.no_car")

		o := f.allocated(t, 0).Order
		_, err = db.TickDelivery(ctx, f.seller.ID, o.ID, []domain.DeliveryItem{domain.DeliveryFullPayment}, true)
		AssertError(t, err, domain.EINVALID, "delivery.pay_via_paid")
		_, err = db.TickDelivery(ctx, f.seller.ID, o.ID, []domain.DeliveryItem{domain.DeliveryInvoice, "wheels"}, true)
		AssertError(t, err, domain.EINVALID, "err.delivery_item_unknown")
		_, err = db.TickDelivery(ctx, f.seller2.ID, o.ID, []domain.DeliveryItem{domain.DeliveryInvoice}, true)
		AssertError(t, err, domain.EFORBIDDEN, "order.not_yours")
		_, err = db.TickDelivery(ctx, f.seller.ID, o.ID+100, []domain.DeliveryItem{domain.DeliveryInvoice}, true)
		AssertError(t, err, domain.ENOTFOUND, "order.not_found")

		c, err := db.TickDelivery(ctx, f.seller.ID, o.ID, []domain.DeliveryItem{domain.DeliveryInvoice, domain.DeliveryPlates}, true)
		if err != nil {
			t.Fatal(err)
		}
		if tk := c.Ticks[domain.DeliveryInvoice]; tk.By != f.seller.ID || tk.Name != "Seller" || !tk.At.Equal(*f.clock) || len(c.Ticks) != 2 {
			t.Errorf("ticks %+v", c.Ticks)
		}
		// A supervisor may tick and untick too; unticking takes it off.
		if c, err = db.TickDelivery(ctx, f.sup.ID, o.ID, []domain.DeliveryItem{domain.DeliveryPlates}, false); err != nil || len(c.Ticks) != 1 {
			t.Fatalf("untick: %+v %v", c, err)
		}
		_, err = db.Deliver(ctx, f.seller.ID, o.ID)
		AssertError(t, err, domain.EINVALID, "err.delivery_unticked")
		var de *domain.Error
		if !errors.As(err, &de) || de.Args[0] != "full_payment,certificate,insurance,plates,pdi" {
			t.Errorf("unticked named %v", err)
		}
		// Paid and every paper but PDI: refused, naming PDI alone.
		if _, err := db.RecordPayment(ctx, f.seller.ID, o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TickDelivery(ctx, f.seller.ID, o.ID, paperwork[:4], true); err != nil {
			t.Fatal(err)
		}
		_, err = db.Deliver(ctx, f.seller.ID, o.ID)
		if !errors.As(err, &de) || de.Key != "err.delivery_unticked" || de.Args[0] != "pdi" {
			t.Errorf("deliver without PDI: %v", err)
		}

		// Nothing was written by the refusals.
		c, err = db.DeliveryCard(ctx, f.seller.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Order.State != domain.OrderConfirmed || c.Order.DeliveredAt != nil || len(c.FollowUps) != 0 || !c.Ticks[domain.DeliveryFullPayment].Auto {
			t.Errorf("after refusals: %+v", c)
		}
		if st := f.carState(t, 0); st != domain.VehicleAllocated {
			t.Errorf("car %s after refusals", st)
		}
		if l, _ := db.LeadByID(ctx, o.LeadID); l.Grade != domain.GradeO {
			t.Errorf("lead %s after refusals", l.Grade)
		}

		// Another store's manager does not see the order at all.
		other := storagetest.AddStore(t, db, "s2", "Asia/Shanghai")
		boss := MustEnrolStaffIn(t, db, other, "别店经理", 399, domain.RoleManager)
		_, err = db.DeliveryCard(ctx, boss.ID, o.ID)
		AssertError(t, err, domain.ENOTFOUND, "order.not_found")
	})
}

// TestR4_5_DeliveredLeadDCarDeliveredFollowUpsInMorningPush: the whole
// checklist delivers: the order delivered, the car delivered in the
// ledger (through sold, with events), the lead D, the follow-ups stored
// at 1, 7 and 30 days — the first, a Sunday the store is closed, moved
// to Monday — and each comes in the consultant's morning push on its day;
// satisfaction is logged once, the next named, and not before its day.
func TestR4_5_DeliveredLeadDCarDeliveredFollowUpsInMorningPush(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newAllocFixture(t, db)
		st := db.Stores.Default()
		loc, _ := time.LoadLocation("Asia/Shanghai")
		st.Calendar = &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60,
			WorkingDays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}}
		*f.clock = time.Date(2026, 3, 7, 10, 0, 0, 0, loc) // a Saturday
		o := f.allocated(t, 0).Order
		if _, err := db.RecordPayment(ctx, f.seller.ID, o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TickDelivery(ctx, f.seller.ID, o.ID, paperwork, true); err != nil {
			t.Fatal(err)
		}
		out, err := db.Deliver(ctx, f.seller.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		at := *f.clock
		if out.Card.Order.State != domain.OrderDelivered || !out.Card.Order.DeliveredAt.Equal(at) || out.Lead.Grade != domain.GradeD ||
			out.Lead.NextDueAt != nil || out.Vehicle.State != domain.VehicleDelivered {
			t.Fatalf("delivered: %+v lead %s car %s", out.Card.Order, out.Lead.Grade, out.Vehicle.State)
		}
		if l, _ := db.LeadByID(ctx, o.LeadID); l.Grade != domain.GradeD {
			t.Errorf("stored lead %s", l.Grade)
		}
		card, err := db.VehicleCard(ctx, f.keeper.ID, storagetest.VIN(0))
		if err != nil || card.Vehicle.State != domain.VehicleDelivered {
			t.Fatalf("car: %+v %v", card, err)
		}
		var moves []string
		for _, e := range card.Events {
			moves = append(moves, string(e.To))
		}
		if got := strings.Join(moves, ","); !strings.Contains(got, "sold") || !strings.Contains(got, "delivered") {
			t.Errorf("car events %s", got)
		}
		if a, err := db.ActiveAllocation(ctx, f.mgr.ID, o.ID); err != nil || a != nil {
			t.Errorf("allocation still active: %+v %v", a, err)
		}
		// 1 day: Sunday 03-08 closed → Monday; 7: a Saturday; 30: Monday 04-06.
		want := []time.Time{at.AddDate(0, 0, 2), at.AddDate(0, 0, 7), at.AddDate(0, 0, 30)}
		fus := out.Card.FollowUps
		if len(fus) != 3 {
			t.Fatalf("follow-ups %+v", fus)
		}
		for i, fu := range fus {
			if !fu.DueAt.Equal(want[i]) || fu.Done() || fu.ConsultantID != f.seller.ID {
				t.Errorf("follow-up %d: %+v, want due %s", i+1, fu, want[i])
			}
		}
		_, err = db.Deliver(ctx, f.seller.ID, o.ID)
		AssertError(t, err, domain.ECONFLICT, "delivery.done")

		// The morning push: nothing on Sunday, the first on Monday.
		digest := func(day time.Time) *domain.MorningDigest {
			t.Helper()
			ds, err := db.MorningDigests(ctx, st.ID, day)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if d.Staff.ID == f.seller.ID {
					return d
				}
			}
			return nil
		}
		if d := digest(time.Date(2026, 3, 8, 8, 30, 0, 0, loc)); d != nil && len(d.Deliveries) > 0 {
			t.Errorf("Sunday's push names %+v", d.Deliveries)
		}
		d := digest(time.Date(2026, 3, 9, 8, 30, 0, 0, loc))
		if d == nil || len(d.Deliveries) != 1 || d.Deliveries[0].ID != fus[0].ID || d.Deliveries[0].Days != 2 || d.Deliveries[0].LeadName == "" {
			t.Fatalf("Monday's push: %+v", d)
		}
		all, err := db.MorningDigests(ctx, st.ID, time.Date(2026, 3, 9, 8, 30, 0, 0, loc))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range all {
			if d.Staff.ID != f.seller.ID && len(d.Deliveries) > 0 {
				t.Errorf("%s hears of another's follow-up", d.Staff.Name)
			}
		}

		// Logged by the button: done once, the next named.
		*f.clock = time.Date(2026, 3, 9, 11, 0, 0, 0, loc)
		_, err = db.LogDeliverySatisfaction(ctx, f.seller.ID, fus[0].ID, "great", "")
		AssertError(t, err, domain.EINVALID, "err.satisfaction_bad")
		_, err = db.LogDeliverySatisfaction(ctx, f.seller2.ID, fus[0].ID, domain.Satisfied, "")
		AssertError(t, err, domain.EFORBIDDEN, "order.not_yours")
		logged, err := db.LogDeliverySatisfaction(ctx, f.seller.ID, fus[0].ID, domain.Satisfied, "车很好")
		if err != nil {
			t.Fatal(err)
		}
		if !logged.FollowUp.Done() || logged.FollowUp.Satisfaction != domain.Satisfied || logged.FollowUp.Note != "车很好" ||
			logged.Next == nil || logged.Next.ID != fus[1].ID {
			t.Errorf("logged %+v next %+v", logged.FollowUp, logged.Next)
		}
		_, err = db.LogDeliverySatisfaction(ctx, f.seller.ID, fus[0].ID, domain.Neutral, "")
		AssertError(t, err, domain.ECONFLICT, "delivery.fu_done")
		if d := digest(time.Date(2026, 3, 10, 8, 30, 0, 0, loc)); d != nil && len(d.Deliveries) > 0 {
			t.Errorf("a logged follow-up is pushed again: %+v", d.Deliveries)
		}
		// Typed (/sat): the next is not due before its day, then logs.
		_, err = db.LogOrderSatisfaction(ctx, f.seller.ID, o.ID, domain.Neutral, "")
		AssertError(t, err, domain.EINVALID, "delivery.fu_not_yet")
		*f.clock = want[1].Add(-time.Hour) // the day of the second, before its hour
		logged, err = db.LogOrderSatisfaction(ctx, f.seller.ID, o.ID, domain.Dissatisfied, "等了太久")
		if err != nil || logged.FollowUp.ID != fus[1].ID || logged.FollowUp.Satisfaction != domain.Dissatisfied || logged.Next.ID != fus[2].ID {
			t.Fatalf("typed: %+v %v", logged, err)
		}
		c, err := db.DeliveryCard(ctx, f.sup.ID, o.ID)
		if err != nil || !c.FollowUps[0].Done() || !c.FollowUps[1].Done() || c.FollowUps[2].Done() {
			t.Errorf("card after two: %+v %v", c, err)
		}
	})
}

// TestR4_6_DeliveredOrdersThroughSubDealerCountTowardsTarget: an order
// names an active contract of its store (a lapsed, unknown or another
// store's is refused, nothing written); once delivered it counts in its
// month's achievement beside the hand-entered sales, in /dealers and in
// the performance rule (here it saves the dealer from "missed two months
// running", which the same figures without it raise).
func TestR4_6_DeliveredOrdersThroughSubDealerCountTowardsTarget(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newAllocFixture(t, db)
		sign := func(name string) *domain.SubDealerContract {
			t.Helper()
			c, err := db.AddSubDealer(ctx, f.mgr.ID, newDealer(name))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		shunda, tongda, lapsed := sign("顺达"), sign("通达"), sign("远达")
		for _, c := range []*domain.SubDealerContract{shunda, tongda} {
			if _, err := db.RecordDealerDeposit(ctx, f.mgr.ID, c.ID, 5000000); err != nil {
				t.Fatal(err)
			}
			for _, m := range []struct {
				month         string
				target, sales int
			}{{"2026-02", 1, 0}, {"2026-03", 2, 1}} {
				if _, err := db.SetDealerTarget(ctx, f.mgr.ID, c.ID, m.month, m.target); err != nil {
					t.Fatal(err)
				}
				if _, err := db.RecordDealerSales(ctx, f.mgr.ID, c.ID, m.month, m.sales); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := db.DealerDepositsDue(ctx, lapsed.DepositLapsAt, 10); err != nil {
			t.Fatal(err)
		}
		other := storagetest.AddStore(t, db, "s2", "Asia/Shanghai")
		boss := MustEnrolStaffIn(t, db, other, "别店经理", 399, domain.RoleManager)
		elsewhere, err := db.AddSubDealer(ctx, boss.ID, newDealer("别店二网"))
		if err != nil {
			t.Fatal(err)
		}

		l := MustCreateLead(t, db, func() *domain.Lead {
			l := newLead(f.seller, "二网客户", "13900009999")
			l.Grade, l.Pool = domain.GradeA, domain.PoolShowroom
			return l
		}())
		d := domain.OrderDraft{Model: "轩逸", Trim: "舒适版", Colour: "白", ListFen: 12800000, AgreedFen: 12700000,
			Deposit: 500000, Payment: domain.PayCash}
		for _, bad := range []struct{ ref, code, key string }{
			{"远达", domain.ECONFLICT, "err.dealer_order_lapsed"},
			{"不存在", domain.ENOTFOUND, "err.dealer_order_unknown"},
			{"别店二网", domain.ENOTFOUND, "err.dealer_order_unknown"},
			{"#" + itoa(elsewhere.ID), domain.ENOTFOUND, "err.dealer_order_unknown"},
		} {
			d.SubDealer = bad.ref
			_, err := db.PlaceOrder(ctx, f.seller.ID, domain.LeadByIDRef(l.ID), d)
			AssertError(t, err, bad.code, bad.key)
		}
		if got, _ := db.LeadByID(ctx, l.ID); got.Grade != domain.GradeA {
			t.Fatalf("a refused order wrote: lead %s", got.Grade)
		}
		d.SubDealer = "顺达"
		placed, err := db.PlaceOrder(ctx, f.seller.ID, domain.LeadByIDRef(l.ID), d)
		if err != nil || placed.Order.SubDealerID != shunda.ID || placed.Order.SubDealer != "顺达" {
			t.Fatalf("order through 顺达: %+v %v", placed, err)
		}
		// A second order by contract number, confirmed but not delivered:
		// it does not count yet.
		d.SubDealer = itoa(shunda.ID)
		l2 := MustCreateLead(t, db, func() *domain.Lead {
			l := newLead(f.seller, "二网客户2", "13900009998")
			l.Grade, l.Pool = domain.GradeA, domain.PoolShowroom
			return l
		}())
		if second, err := db.PlaceOrder(ctx, f.seller.ID, domain.LeadByIDRef(l2.ID), d); err != nil || second.Order.SubDealerID != shunda.ID {
			t.Fatalf("order by number: %+v %v", second, err)
		}

		o := placed.Order
		if p := f.arrive(t, 0); p.Allocated == nil || p.Allocated.Allocation.Order.ID != o.ID {
			t.Fatalf("car not allocated to the first order: %+v", p.Allocated)
		}
		if _, err := db.RecordPayment(ctx, f.seller.ID, o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TickDelivery(ctx, f.seller.ID, o.ID, paperwork, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Deliver(ctx, f.seller.ID, o.ID); err != nil {
			t.Fatal(err)
		}

		lines, err := db.SubDealers(ctx, f.mgr.ID, *f.clock)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range lines {
			want := domain.MonthFigures{Month: "2026-03", Target: 2, Sold: 1}
			switch line.Contract.ID {
			case shunda.ID:
				want.Sold, want.Orders = 2, 1
			case lapsed.ID:
				want = domain.MonthFigures{Month: "2026-03"}
			}
			if line.Month != want {
				t.Errorf("%s: %+v, want %+v", line.Contract.Dealer, line.Month, want)
			}
		}

		// April 1st: 顺达 met March's target with the order, 通达 missed
		// February and March.
		loc, _ := time.LoadLocation("Asia/Shanghai")
		notices, err := db.SubDealerDaily(ctx, db.Stores.Default().ID, time.Date(2026, 4, 1, 9, 0, 0, 0, loc))
		if err != nil {
			t.Fatal(err)
		}
		alerts := map[int64]domain.PerformanceAlert{}
		for _, n := range notices {
			if n.Kind == domain.NoticePerformance {
				alerts[n.Contract.ID] = n.Alert
			}
		}
		if alerts[shunda.ID] != "" || alerts[tongda.ID] != domain.AlertMissedRunning {
			t.Errorf("performance alerts %v (顺达 %d, 通达 %d)", alerts, shunda.ID, tongda.ID)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

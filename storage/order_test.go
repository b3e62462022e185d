package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// orderFixture is a store with a consultant, one of each rank, and an A
// lead of the consultant's.
type orderFixture struct {
	seller, sup, mgr, gm *domain.Staff
	lead                 *domain.Lead
}

func newOrderFixture(t *testing.T, db *storage.DB) orderFixture {
	t.Helper()
	f := orderFixture{
		seller: MustEnrolStaff(t, db, "Seller", 201, domain.RoleConsultant),
		sup:    MustEnrolStaff(t, db, "Sup", 202, domain.RoleSupervisor),
		mgr:    MustEnrolStaff(t, db, "Mgr", 203, domain.RoleManager),
		gm:     MustEnrolStaff(t, db, "GM", 204, domain.RoleGM),
	}
	l := newLead(f.seller, "王石", "13800138000")
	l.Grade, l.Pool = domain.GradeA, domain.PoolShowroom
	f.lead = MustCreateLead(t, db, l)
	return f
}

// draft is an order of 128,000 yuan list at agreed, in yuan.
func draft(agreedYuan int64) domain.OrderDraft {
	return domain.OrderDraft{Model: "轩逸", Trim: "豪华版", Colour: "白色", ListFen: 12800000, AgreedFen: agreedYuan * 100,
		Deposit: 500000, Payment: domain.PayLoan}
}

// TestR4_2_DiscountLadderAtEachBoundary places orders at and just above
// each limit (2,000 / 5,000 / 10,000 yuan by default) and checks who rules.
func TestR4_2_DiscountLadderAtEachBoundary(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		f := newOrderFixture(t, db)
		for i, tc := range []struct {
			discountFen int64
			state       domain.OrderState
			rank        domain.Role
		}{
			{200000, domain.OrderConfirmed, ""},
			{200001, domain.OrderPending, domain.RoleSupervisor},
			{500000, domain.OrderPending, domain.RoleSupervisor},
			{500001, domain.OrderPending, domain.RoleManager},
			{1000000, domain.OrderPending, domain.RoleManager},
			{1000001, domain.OrderPending, domain.RoleGM},
		} {
			l := newLead(f.seller, "客户", "1390000000"+string(rune('0'+i)))
			l.Grade, l.Pool = domain.GradeH, domain.PoolShowroom
			l = MustCreateLead(t, db, l)
			d := draft(0)
			d.AgreedFen = d.ListFen - tc.discountFen
			out, err := db.PlaceOrder(ctx, f.seller.ID, domain.LeadByIDRef(l.ID), d)
			if err != nil {
				t.Fatalf("discount %d: %v", tc.discountFen, err)
			}
			if out.Order.State != tc.state || out.Order.Rank != tc.rank || out.Lead.Grade != domain.GradeO {
				t.Errorf("discount %d: state %s rank %q grade %s", tc.discountFen, out.Order.State, out.Order.Rank, out.Lead.Grade)
			}
			if tc.rank != "" && (out.Request == nil || len(out.Approvers) != 1 || !out.Approvers[0].Roles.Has(tc.rank)) {
				t.Errorf("discount %d: approvers %v", tc.discountFen, out.Approvers)
			}
		}
	})
}

// TestR4_1_PlaceOrderRefusesBadInput: nothing is written for a bad order.
func TestR4_1_PlaceOrderRefusesBadInput(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		f := newOrderFixture(t, db)
		above := draft(129000)
		AssertError(t, ignore(db.PlaceOrder(ctx, f.seller.ID, domain.LeadByIDRef(f.lead.ID), above)), domain.EINVALID, "err.order_above_list")
		dep := draft(127000)
		dep.Deposit = 12800000
		AssertError(t, ignore(db.PlaceOrder(ctx, f.seller.ID, domain.LeadByIDRef(f.lead.ID), dep)), domain.EINVALID, "err.order_deposit")
		zero := draft(127000)
		zero.ListFen = 0
		AssertError(t, ignore(db.PlaceOrder(ctx, f.seller.ID, domain.LeadByIDRef(f.lead.ID), zero)), domain.EINVALID, "err.money_zero")
		AssertError(t, ignore(db.PlaceOrder(ctx, f.seller.ID, domain.LeadByIDRef(99999), draft(127000))), domain.ENOTFOUND, "err.lead_not_found")
		l, _ := db.LeadByID(ctx, f.lead.ID)
		if l.Grade != domain.GradeA {
			t.Fatalf("grade %s after refusals", l.Grade)
		}
		// Another store's lead is not found.
		other := storagetest.AddStore(t, db, "east", "Asia/Shanghai")
		stranger := MustEnrolStaffIn(t, db, other, "Stranger", 299, domain.RoleConsultant)
		AssertError(t, ignore(db.PlaceOrder(ctx, stranger.ID, domain.LeadByIDRef(f.lead.ID), draft(127000))), domain.ENOTFOUND, "err.lead_not_found")
	})
}

func ignore[T any](_ T, err error) error { return err }

// TestR4_2_ApprovalRemindsThenClimbsOnce: at approval_remind the
// supervisor is reminded, at twice that the request climbs to the manager,
// once, whatever the runs; the manager then rules.
func TestR4_2_ApprovalRemindsThenClimbsOnce(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		clock := now
		db.Now = func() time.Time { return clock }
		f := newOrderFixture(t, db)
		out, err := db.PlaceOrder(ctx, f.seller.ID, domain.LeadByIDRef(f.lead.ID), draft(124000)) // 4,000 off: supervisor
		if err != nil {
			t.Fatal(err)
		}
		notes := &chaseNotes{}
		j := &jobs.OrderChaser{Store: db, Bot: notes, Stores: db.Stores}
		next, ok, err := j.Next(ctx, clock)
		if err != nil || !ok || !next.Equal(out.Request.CreatedAt.Add(2*time.Hour)) {
			t.Fatalf("next %v %v %v", next, ok, err)
		}
		run := func(at time.Time) {
			t.Helper()
			clock = at
			if err := j.Run(ctx, at); err != nil {
				t.Fatal(err)
			}
		}
		run(next.Add(-time.Second))
		if len(notes.got) != 0 {
			t.Fatalf("chased early: %v", notes.got)
		}
		run(next)
		run(next.Add(time.Minute))
		if len(notes.got) != 1 || notes.got[0].Climbed || notes.got[0].Approvers[0].ID != f.sup.ID {
			t.Fatalf("want one reminder to the supervisor, got %+v", notes.got)
		}
		next, _, _ = j.Next(ctx, clock)
		if !next.Equal(out.Request.CreatedAt.Add(4 * time.Hour)) {
			t.Fatalf("climb at %v", next)
		}
		run(next)
		run(next.Add(time.Hour))
		if len(notes.got) != 2 || !notes.got[1].Climbed || notes.got[1].Approvers[0].ID != f.mgr.ID ||
			len(notes.got[1].Passed) != 1 || notes.got[1].Passed[0].ID != f.sup.ID {
			t.Fatalf("want one climb to the manager, got %+v", notes.got)
		}
		if _, ok, _ := j.Next(ctx, clock); ok {
			t.Fatal("nothing left to chase")
		}
		// Another store's manager does not see the request.
		east := storagetest.AddStore(t, db, "east", "Asia/Shanghai")
		eastMgr := MustEnrolStaffIn(t, db, east, "EastMgr", 298, domain.RoleManager)
		_, err = db.DecideOrderRequest(ctx, out.Request.ID, domain.Decision{DeciderID: eastMgr.ID, Verdict: domain.Approved})
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		// The supervisor's rank is passed: only the manager and above rule.
		_, err = db.DecideOrderRequest(ctx, out.Request.ID, domain.Decision{DeciderID: f.sup.ID, Verdict: domain.Approved})
		AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		dec, err := db.DecideOrderRequest(ctx, out.Request.ID, domain.Decision{DeciderID: f.mgr.ID, Verdict: domain.Approved})
		if err != nil || dec.Order.State != domain.OrderConfirmed || dec.Requester.ID != f.seller.ID {
			t.Fatalf("decide: %+v %v", dec, err)
		}
		_, err = db.DecideOrderRequest(ctx, out.Request.ID, domain.Decision{DeciderID: f.gm.ID, Verdict: domain.Approved})
		AssertError(t, err, domain.ECONFLICT, "order.already")
	})
}

type chaseNotes struct{ got []*domain.OrderChased }

func (n *chaseNotes) NotifyOrderChased(_ context.Context, c *domain.OrderChased) error {
	n.got = append(n.got, c)
	return nil
}

// TestR4_4_ChangeCancelRefund: a change and a cancellation need the
// supervisor; on approval the change applies, the cancellation returns the
// lead to A; a refund is at most what is left of the deposit.
func TestR4_4_ChangeCancelRefund(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		f := newOrderFixture(t, db)
		out, err := db.PlaceOrder(ctx, f.seller.ID, domain.LeadByIDRef(f.lead.ID), draft(127000))
		if err != nil || out.Order.State != domain.OrderConfirmed {
			t.Fatalf("place: %+v %v", out, err)
		}
		id := out.Order.ID
		ch, err := db.RequestOrderChange(ctx, f.seller.ID, id, "颜色", "黑色")
		if err != nil || ch.Request.Rank != domain.RoleSupervisor {
			t.Fatalf("change: %+v %v", ch, err)
		}
		AssertError(t, ignore(db.RequestOrderCancel(ctx, f.seller.ID, id, "客户反悔")), domain.ECONFLICT, "order.pending")
		if _, err := db.DecideOrderRequest(ctx, ch.Request.ID, domain.Decision{DeciderID: f.sup.ID, Verdict: domain.Approved}); err != nil {
			t.Fatal(err)
		}
		shown, err := db.OrderByID(ctx, f.seller.ID, id)
		if err != nil || shown.Order.Colour != "黑色" || len(shown.Refunds) != 0 {
			t.Fatalf("changed order %+v %v", shown, err)
		}
		// A new price whose discount needs the manager goes to the manager.
		ch, err = db.RequestOrderChange(ctx, f.seller.ID, id, "成交价", "12万")
		if err != nil || ch.Request.Rank != domain.RoleManager {
			t.Fatalf("price change: %+v %v", ch, err)
		}
		if _, err := db.DecideOrderRequest(ctx, ch.Request.ID, domain.Decision{DeciderID: f.mgr.ID, Verdict: domain.Rejected, Reason: "太低"}); err != nil {
			t.Fatal(err)
		}
		AssertError(t, ignore(db.RefundDeposit(ctx, f.seller.ID, id, 500001, "转账")), domain.EINVALID, "order.refund_above")
		ref, err := db.RefundDeposit(ctx, f.seller.ID, id, 200000, "转账")
		if err != nil || ref.LeftFen != 300000 {
			t.Fatalf("refund %+v %v", ref, err)
		}
		AssertError(t, ignore(db.RefundDeposit(ctx, f.seller.ID, id, 300001, "转账")), domain.EINVALID, "order.refund_above")
		// The order shows the refund: amount, method, who, when.
		shown, err = db.OrderByID(ctx, f.sup.ID, id)
		if err != nil || len(shown.Refunds) != 1 {
			t.Fatalf("refunds shown %+v %v", shown, err)
		}
		if r := shown.Refunds[0]; r.AmountFen != 200000 || r.Method != "转账" || r.ByID != f.seller.ID || r.ByName != "Seller" || !r.At.Equal(now) {
			t.Fatalf("refund shown %+v", r)
		}
		c, err := db.RequestOrderCancel(ctx, f.seller.ID, id, "客户反悔")
		if err != nil {
			t.Fatal(err)
		}
		dec, err := db.DecideOrderRequest(ctx, c.Request.ID, domain.Decision{DeciderID: f.sup.ID, Verdict: domain.Approved})
		if err != nil || dec.Order.State != domain.OrderCancelled || dec.Lead.Grade != domain.GradeA {
			t.Fatalf("cancel: %+v %v", dec, err)
		}
		l, _ := db.LeadByID(ctx, f.lead.ID)
		if l.Grade != domain.GradeA {
			t.Fatalf("lead %s after cancellation", l.Grade)
		}
		AssertError(t, ignore(db.RequestOrderCancel(ctx, f.seller.ID, id, "再取消")), domain.EINVALID, "order.closed")
		// Both grade changes are in the lead's audit, as the order's doing.
		events, err := db.LeadEvents(ctx, f.lead.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, e := range events {
			if e.Kind == domain.EventGrade && e.Why == domain.WhyOrder {
				seen = append(seen, e.From+">"+e.To)
			}
		}
		if len(seen) != 2 || !slices.Contains(seen, "A>O") || !slices.Contains(seen, "O>A") {
			t.Fatalf("order events %v", seen)
		}
	})
}

// TestR4_2_TopRankIsRemindedNeverClimbs: a discount for the general
// manager is reminded once and then left to them.
func TestR4_2_TopRankIsRemindedNeverClimbs(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		f := newOrderFixture(t, db)
		out, err := db.PlaceOrder(ctx, f.seller.ID, domain.LeadByIDRef(f.lead.ID), draft(116000)) // 12,000 off
		if err != nil || out.Request.Rank != domain.RoleGM {
			t.Fatalf("place: %+v %v", out, err)
		}
		notes := &chaseNotes{}
		j := &jobs.OrderChaser{Store: db, Bot: notes, Stores: db.Stores}
		for _, h := range []time.Duration{2, 4, 8} {
			if err := j.Run(ctx, now.Add(h*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if len(notes.got) != 1 || notes.got[0].Climbed || notes.got[0].Approvers[0].ID != f.gm.ID {
			t.Fatalf("want one reminder to the gm, got %+v", notes.got)
		}
		if _, ok, _ := j.Next(ctx, now); ok {
			t.Fatal("nothing left to chase")
		}
	})
}

// TestR4_4_CancelLostMarksTheLeadLost: a cancellation that says the
// customer is lost carries the reason; the supervisor's one approval
// cancels the order and marks the lead F with the words, recorded as an
// approved lost request and a lost grade event (R1.6). A bad lost reason
// writes nothing.
func TestR4_4_CancelLostMarksTheLeadLost(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		f := newOrderFixture(t, db)
		out, err := db.PlaceOrder(ctx, f.seller.ID, domain.LeadByIDRef(f.lead.ID), draft(127000))
		if err != nil {
			t.Fatal(err)
		}
		id := out.Order.ID
		AssertError(t, ignore(db.RequestOrderCancel(ctx, f.seller.ID, id, "战败")), domain.EINVALID, "order.lost_reason")
		c, err := db.RequestOrderCancel(ctx, f.seller.ID, id, "战败 竞品 已在别家下定")
		if err != nil || c.Request.Lost != domain.LostCompetitor || c.Request.Reason != "竞品 已在别家下定" {
			t.Fatalf("request: %+v %v", c, err)
		}
		// Read back from the row, as the card's button finds it.
		req, err := db.OrderRequestToDecide(ctx, c.Request.ID, f.sup.ID)
		if err != nil || req.Lost != domain.LostCompetitor || req.Field != "" {
			t.Fatalf("stored request: %+v %v", req, err)
		}
		dec, err := db.DecideOrderRequest(ctx, c.Request.ID, domain.Decision{DeciderID: f.sup.ID, Verdict: domain.Approved})
		if err != nil || dec.Order.State != domain.OrderCancelled || dec.Lead.Grade != domain.GradeF || dec.Request.Lost != domain.LostCompetitor {
			t.Fatalf("cancel: %+v %v", dec, err)
		}
		l, _ := db.LeadByID(ctx, f.lead.ID)
		if l.Grade != domain.GradeF || l.LostNote != "已在别家下定" || l.NextDueAt != nil {
			t.Fatalf("lead after a lost cancellation: %s %q due %v", l.Grade, l.LostNote, l.NextDueAt)
		}
		events, err := db.LeadEvents(ctx, f.lead.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(events, func(e domain.LeadEvent) bool {
			return e.Kind == domain.EventGrade && e.From == "O" && e.To == "F" && e.Why == domain.WhyLost && e.StaffID == f.sup.ID
		}) {
			t.Fatalf("no O>F lost event in %+v", events)
		}
		// The lost request is on record as approved by the supervisor.
		if _, err := db.LostToDecide(ctx, 1, f.sup.ID); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("lost request 1: %v", err)
		}
		lr, err := db.LostRequestByID(ctx, 1)
		if err != nil || lr.LeadID != f.lead.ID || lr.Reason != domain.LostCompetitor || lr.Note != "已在别家下定" ||
			lr.RequesterID != f.seller.ID || lr.Decision == nil || lr.Decision.DeciderID != f.sup.ID || !lr.Decision.Approved() {
			t.Fatalf("lost request %+v %v", lr, err)
		}
	})
}

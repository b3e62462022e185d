package bot_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR4_OrderToDeliveryEndToEnd is issue 14's whole path through the
// emulator, as people use it: lead → order over the consultant's limit →
// the supervisor approves with one tap → a second, later order → the car
// comes in (added, arrived, PDI) → allocated to the older order → its
// consultant taps "customer told" → nobody pays: past pay_by the lapse job
// reallocates the car to the next order, both consultants and the
// supervisor told → the next order's customer is told and pays → the
// checklist ticked by taps → delivered (lead D, car delivered) → the
// next morning's push brings the first follow-up, logged by one tap.
func TestR4_OrderToDeliveryEndToEnd(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	sup := h.enroll("李主管", "supervisor", "zh")
	keeper := h.enroll("库管", "stock_keeper", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	liu := h.enroll("刘顾问", "consultant", "zh")

	// Lead → order with a 4,000 yuan discount → approved by one tap.
	wang := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 A 来电"))
	contains(t, h.reply(chen, fmt.Sprintf("/order %d 轩逸 舒适版 白 128000 124000 5000 全款", wang)), "待审批", "主管")
	h.waitOutboxEmpty(10 * time.Second)
	h.press(sup, "批准")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, chen.ID), "已由 李主管 批准", "状态：已确认")

	// A second order of the same car, later: second in line.
	h.advance(time.Hour)
	li := leadID(t, h.reply(liu, "/lead 李四 13900139000 轩逸 H 到店"))
	contains(t, h.reply(liu, fmt.Sprintf("/order %d 轩逸 舒适版 白 128000 127000 5000 全款", li)), "已确认")

	// The car comes in: added, arrived, inspected → allocated to order #1.
	h.advance(time.Hour)
	h.arrive(keeper, 0)
	vin := storagetest.VIN(0)
	h.reply(keeper, "/pdi "+vin+" ok E"+vin[11:]+" C1")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, chen.ID), "订单 #1（客户 王石）的车到了", vin)
	contains(t, h.reply(chen, "/deliver 1"), "交车 订单 #1", "☐ 全款到账")

	// Customer told: the 4-day payment clock starts.
	h.press(chen, "客户已通知到车")
	told := h.clock()
	payBy := told.AddDate(0, 0, 4)

	// Unpaid: past pay_by the lapse job moves the car to order #2.
	lapse := &jobs.AllocationLapse{Store: h.db, Bot: h.bot}
	at, ok, err := lapse.Next(ctx, told)
	if err != nil || !ok || !at.Equal(payBy) {
		t.Fatalf("lapse due %s %v %v, want %s", at, ok, err, payBy)
	}
	h.advance(payBy.Sub(told) + time.Second)
	h.runJob(lapse)
	contains(t, last(h, chen.ID), "订单 #1（客户 王石）未在", "配车已失效")
	contains(t, last(h, sup.ID), "逾期未付款", "车辆改配给订单 #2（客户 李四，顾问 刘顾问）")
	card := last(h, liu.ID)
	contains(t, card, "订单 #2（客户 李四）的车到了", vin, "订单 #1 逾期未付款")
	contains(t, h.reply(chen, "/deliver 1"), "还没有配车")

	// Order #2: told, paid, the checklist by taps, delivered.
	h.press(liu, "客户已通知到车")
	h.pay(liu, 2)
	contains(t, h.reply(liu, "/deliver 2"), "☑ 全款到账 — 刘顾问", "还差 5 项")
	contains(t, h.popup(liu, "🚗 交车"), "购车发票、合格证、保险、上牌、交车前 PDI")
	for _, item := range []string{"购车发票", "合格证", "保险", "上牌", "交车前 PDI"} {
		h.press(liu, "☐ "+item)
	}
	done := h.press(liu, "🚗 交车")
	contains(t, done[len(done)-1].Plain, "订单 #2 已交车", vin, "线索 #2 李四 级别改为 D")
	if l, _ := h.db.LeadByID(ctx, li); l.Grade != domain.GradeD {
		t.Errorf("lead %s", l.Grade)
	}
	if l, _ := h.db.LeadByID(ctx, wang); l.Grade != domain.GradeO {
		t.Errorf("the lapsed order's lead %s", l.Grade)
	}
	if c, err := h.db.VehicleCard(ctx, h.staffNamed("库管").ID, vin); err != nil || c.Vehicle.State != domain.VehicleDelivered {
		t.Errorf("car %+v %v", c, err)
	}

	// The next morning: the first follow-up in 刘顾问's push, one tap logs it.
	delivered := h.clock().In(shanghai())
	next := time.Date(delivered.Year(), delivered.Month(), delivered.Day()+1, 8, 30, 0, 0, shanghai())
	h.advance(next.Sub(h.clock()))
	h.runJob(h.morning())
	push := last(h, liu.ID)
	contains(t, push, "交车回访 1 个", "订单 #2 李四：交车后第 1 天")
	lacks(t, last(h, chen.ID), "交车回访")
	logged := h.press(liu, "满意 #2")
	contains(t, logged[len(logged)-1].Plain, "已记录 订单 #2 李四 交车后第 1 天回访：满意")
}

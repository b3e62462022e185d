package bot_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// lapseTimers is a scheduler with only the allocation-lapse job, on the
// harness's clock.
func (h *harness) lapseTimers() *jobs.Scheduler {
	s := jobs.NewScheduler(shanghai(), h.clock, nil)
	s.AddDeadline(&jobs.AllocationLapse{Store: h.db, Bot: h.bot})
	return s
}

// orderCar has seller place a confirmed order (within the limit) of a
// 轩逸 舒适版 白 for a new lead named customer.
func orderCar(t *testing.T, h *harness, seller telegramtest.User, customer, phone string) {
	t.Helper()
	id := leadID(t, h.reply(seller, "/lead "+customer+" "+phone+" 轩逸 A 来电"))
	contains(t, h.reply(seller, fmt.Sprintf("/order %d 轩逸 舒适版 白 128000 127000 5000 全款", id)), "已确认")
}

// arriveCar has keeper add car i, receive it and pass its inspection; it
// returns the VIN and the keeper's answer.
func arriveCar(t *testing.T, h *harness, keeper telegramtest.User, i int) (string, string) {
	t.Helper()
	vin := storagetest.VIN(i)
	h.reply(keeper, "/car add "+vin+" 轩逸 舒适版 白 E1")
	h.press(keeper, "→ 已到店待检")
	return vin, h.reply(keeper, "/pdi "+vin+" ok E1 C1")
}

// TestR4_3_ArrivalToldLapseReallocated: a car that passes its inspection
// goes to the oldest order waiting for it, whose consultant gets the card
// with the "customer told" button; the tap shows the pay-by time in the
// store's zone; unpaid at it (to the second, by the job) the allocation
// lapses: the first consultant hears the car is gone, the next order's
// consultant gets the car's card, the supervisor hears where it went; the
// next customer is told and pays in time.
func TestR4_3_ArrivalToldLapseReallocated(t *testing.T) {
	h := newHarness(t)
	keeper := h.enroll("库管员小周", "stock_keeper", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	wang := h.enroll("王顾问", "consultant", "zh")
	sup := h.enroll("李主管", "supervisor", "zh")
	orderCar(t, h, chen, "张三", "13800138001")
	h.advance(time.Minute)
	orderCar(t, h, wang, "李四", "13800138002")

	vin, got := arriveCar(t, h, keeper, 1)
	contains(t, got, "检查合格", "配给订单 #1")
	card := h.lastText(chen)
	contains(t, card, "订单 #1（客户 张三）的车到了", vin, "/told 1")
	contains(t, h.reply(wang, "/told 1"), "不是您的订单")
	contains(t, h.reply(wang, "/told 2"), "没有配车")
	contains(t, h.reply(chen, "/stock"), "已配车 1")

	h.advance(17 * time.Second)
	st := h.db.Stores.Default()
	payBy := domain.PaymentDue(h.clock(), st.Rules.Orders, st.Calendar)
	told := h.press(chen, "客户已通知到车")
	contains(t, told[len(told)-1].Plain, "付款期限："+payBy.In(shanghai()).Format(domain.MinuteLayout))
	contains(t, h.reply(chen, "/told 1"), "已经记录过")

	s := h.lapseTimers()
	c0, w0, s0 := len(h.emu.Messages(chen.ID)), len(h.emu.Messages(wang.ID)), len(h.emu.Messages(sup.ID))
	if ran := h.advanceTo(s, payBy.Add(-time.Second), "allocation-lapse"); len(ran) != 0 {
		t.Fatalf("lapse ran at %v, before %s", ran, payBy)
	}
	if ran := h.advanceTo(s, payBy, "allocation-lapse"); !sameInstants(ran, payBy) {
		t.Fatalf("lapse ran at %v, want %s", ran, payBy)
	}
	contains(t, h.lastText(chen), "⏰", "订单 #1", "配车已失效")
	contains(t, h.lastText(wang), "订单 #2（客户 李四）的车到了", vin, "订单 #1 逾期未付款")
	contains(t, h.lastText(sup), "订单 #1", vin, "改配给订单 #2（客户 李四，顾问 王顾问）")
	if c, w, p := len(h.emu.Messages(chen.ID))-c0, len(h.emu.Messages(wang.ID))-w0, len(h.emu.Messages(sup.ID))-s0; c != 1 || w != 1 || p != 1 {
		// chen: the notice (the card's edit is not a new message).
		t.Errorf("messages: chen %d, wang %d, supervisor %d; want 1 each", c, w, p)
	}
	// Again, by the timers: nothing more.
	if ran := h.advanceTo(s, payBy.Add(time.Hour), "allocation-lapse"); len(ran) != 0 {
		t.Fatalf("lapse ran again at %v", ran)
	}
	contains(t, h.reply(chen, "/paid 1"), "超过付款期限")
	contains(t, h.reply(wang, "/told 2"), "付款期限")
	contains(t, h.reply(wang, "/paid 2"), "全款已登记", vin)
	contains(t, h.reply(wang, "/order show 2"), "全款已于")
	contains(t, h.reply(wang, "/paid 2"), "已登记过全款")
}

// TestR4_3_QueueJumpCardNamesWhoIsJumped: a car back in stock after a
// lapse (nobody else waited) stays for the lapsed order; a later order's
// /allocate goes to the manager with the order jumped (#, customer,
// consultant, order date); one tap approves, the requester is told and
// gets the car's card. A car allocated already is refused, nothing
// written.
func TestR4_3_QueueJumpCardNamesWhoIsJumped(t *testing.T) {
	h := newHarness(t)
	keeper := h.enroll("库管员小周", "stock_keeper", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	wang := h.enroll("王顾问", "consultant", "zh")
	mgr := h.enroll("赵经理", "manager", "zh")
	orderCar(t, h, chen, "张三", "13800138001")
	ordered := h.clock().In(shanghai()).Format("2006-01-02")
	vin, _ := arriveCar(t, h, keeper, 1)
	contains(t, h.lastText(chen), "车到了", vin)
	contains(t, h.reply(chen, "/order show 1"), "已配车", "/told 1")
	contains(t, h.reply(chen, "/told 1"), "付款期限")
	st := h.db.Stores.Default()
	h.advanceTo(h.lapseTimers(), domain.PaymentDue(h.clock(), st.Rules.Orders, st.Calendar), "allocation-lapse")
	contains(t, h.lastText(chen), "配车已失效")

	h.advance(time.Hour)
	orderCar(t, h, wang, "李四", "13800138002")
	contains(t, h.reply(wang, "/allocate 2 "+vin[11:]), "前面还有 1 个订单", "1 位经理审批")
	card := h.lastText(mgr)
	contains(t, card, "插队配车申请（王顾问）", vin, "订单 #2", "#1 张三，顾问 陈顾问，"+ordered+" 下单")
	contains(t, h.reply(wang, "/allocate 2 "+vin), "已有一个插队配车申请")

	h.press(mgr, "批准")
	contains(t, h.lastText(wang), "订单 #2（客户 李四）的车到了", vin)
	for _, m := range h.emu.Messages(mgr.ID) {
		if len(m.Buttons) > 0 && m.Buttons[0][0].Text == "批准" {
			t.Errorf("the manager's card keeps its buttons: %q", m.Plain)
		}
	}
	contains(t, h.reply(chen, "/allocate 1 "+vin), "不在库")
	contains(t, h.reply(chen, "/allocate 1 LSVAB2BR0NP99999"), "VIN")
}

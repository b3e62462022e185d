package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// orderWithCar is a consultant's confirmed order #1 for 王石 holding car
// 0 (轩逸 舒适版 白), brought in and inspected by a stock keeper.
func (h *harness) orderWithCar() (chen, keeper telegramtestUser, vin string) {
	h.t.Helper()
	keeper = h.enroll("库管", "stock_keeper", "zh")
	chen = h.enroll("陈顾问", "consultant", "zh")
	id := leadID(h.t.(*testing.T), h.reply(chen, "/lead 王石 13800138000 轩逸 A 来电"))
	h.reply(chen, fmt.Sprintf("/order %d 轩逸 舒适版 白 128000 127000 5000 全款", id))
	h.arrive(keeper, 0)
	vin = storagetest.VIN(0)
	h.reply(keeper, "/pdi "+vin+" ok E"+vin[11:]+" C1")
	h.waitOutboxEmpty(10 * time.Second)
	return chen, keeper, vin
}

// pay records order id's full payment as u with /paid (R4.3): the
// checklist's full payment follows it.
func (h *harness) pay(u telegramtestUser, id int64) {
	h.t.Helper()
	if got := h.reply(u, fmt.Sprintf("/paid %d", id)); !strings.Contains(got, "全款已登记") {
		h.t.Fatalf("/paid %d: %q", id, got)
	}
}

// TestR4_5_DeliveryRefusedUntilChecklistThenLeadDAndCarDelivered: the
// card's Delivered button is refused, naming the unticked items, and
// writes nothing; one tap ticks an item (who, when), typed names tick
// several; full payment comes from the payment; then one tap delivers:
// the order delivered, the car delivered in the ledger, the lead D.
func TestR4_5_DeliveryRefusedUntilChecklistThenLeadDAndCarDelivered(t *testing.T) {
	h := newHarness(t)
	liu := h.enroll("刘顾问", "consultant", "zh")
	contains(t, h.reply(liu, "/deliver 1"), "没有编号为 1 的订单")
	chen, _, vin := h.orderWithCar()
	contains(t, h.reply(liu, "/deliver 1"), "不是您的订单")
	contains(t, h.reply(chen, "/deliver 99"), "没有编号为 99 的订单")

	card := h.reply(chen, "/deliver 1")
	contains(t, card, "交车 订单 #1", "王石", vin, "☐ 全款到账（付清后用 /paid 1 记录", "☐ 购车发票", "还差 6 项")
	contains(t, h.popup(chen, "🚗 交车"), "全款到账、购车发票、合格证、保险、上牌、交车前 PDI")
	ctx := context.Background()
	if l, _ := h.db.LeadByID(ctx, 1); l.Grade != domain.GradeO {
		t.Fatalf("refused delivery wrote: lead %s", l.Grade)
	}

	edited := h.press(chen, "☐ 购车发票")
	contains(t, edited[len(edited)-1].Plain, "☑ 购车发票 — 陈顾问", "还差 5 项")
	contains(t, h.reply(chen, "/deliver 1 轮胎"), "不是交车清单的项目")
	contains(t, h.reply(chen, "/deliver 1 全款"), "不能手动勾选", "/paid 1")
	contains(t, h.reply(chen, "/deliver 1 合格证 保险 上牌 pdi"), "☑ 交车前 PDI — 陈顾问", "还差 1 项")
	contains(t, h.popup(chen, "🚗 交车"), "全款到账")
	lacks(t, h.popup(chen, "🚗 交车"), "购车发票")

	h.pay(chen, 1)
	contains(t, h.reply(chen, "/deliver 1"), "☑ 全款到账 — 陈顾问", "可以交车")
	done := h.press(chen, "🚗 交车")
	contains(t, done[len(done)-1].Plain, "订单 #1 已交车", vin, "线索 #1 王石 级别改为 D", "回访 1：交车后第 1 天", "回访 3：交车后第 30 天")
	if l, _ := h.db.LeadByID(ctx, 1); l.Grade != domain.GradeD {
		t.Errorf("lead %s after delivery", l.Grade)
	}
	c, err := h.db.VehicleCard(ctx, h.staffNamed("库管").ID, vin)
	if err != nil || c.Vehicle.State != domain.VehicleDelivered {
		t.Errorf("car: %+v %v", c, err)
	}
	contains(t, h.reply(chen, "/deliver 1 交车"), "订单 #1 已经交车")
	contains(t, h.reply(chen, "/order show 1"), "状态：已交车")
}

// TestR4_5_FollowUpsComeInMorningPushSatisfactionLogged: the day after
// the delivery the consultant's morning push names the follow-up with
// 满意 / 一般 / 不满意; a tap logs it (once), naming the next; the next
// is not due before its day; on day 7 it comes again and /sat logs it,
// dissatisfied: the supervisor is told.
func TestR4_5_FollowUpsComeInMorningPushSatisfactionLogged(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen, _, _ := h.orderWithCar()
	h.reply(chen, "/deliver 1 发票 合格证 保险 上牌 PDI")
	h.pay(chen, 1)
	contains(t, h.reply(chen, "/deliver 1 交车"), "已交车")

	loc := shanghai()
	job := h.morning()
	run := func(at time.Time) {
		t.Helper()
		h.mu.Lock()
		h.now = at
		h.mu.Unlock()
		if err := job.Run(context.Background(), at); err != nil {
			t.Fatal(err)
		}
		h.waitOutboxEmpty(10 * time.Second)
	}
	before := len(h.emu.Messages(chen.ID))
	run(time.Date(2026, 11, 28, 8, 30, 0, 0, loc)) // delivered on Friday 11-27 09:30: the first is due 11-28 09:30
	msgs := h.emu.Messages(chen.ID)
	if len(msgs) != before+1 {
		t.Fatalf("morning messages: %v", plains(msgs[before:]))
	}
	push := msgs[len(msgs)-1]
	contains(t, push.Plain, "交车回访 1 个", "订单 #1 王石：交车后第 1 天（11-28）")

	supBefore := len(h.emu.Messages(sup.ID))
	logged := h.press(chen, "满意 #1")
	contains(t, logged[len(logged)-1].Plain, "已记录 订单 #1 王石 交车后第 1 天回访：满意", "下次回访：2026-12-04")
	contains(t, h.popup(chen, "不满意 #1"), "已经记录过")
	if n := len(h.emu.Messages(sup.ID)); n != supBefore {
		t.Errorf("a satisfied customer told the supervisor (%d messages)", n-supBefore)
	}
	contains(t, h.reply(chen, "/sat 1 一般"), "下一次交车回访在 2026-12-04，还没到期")
	contains(t, h.reply(chen, "/sat 1 还行"), "不是满意度")

	before = len(h.emu.Messages(chen.ID))
	run(time.Date(2026, 11, 29, 8, 30, 0, 0, loc)) // nothing due: no delivery line
	for _, m := range h.emu.Messages(chen.ID)[before:] {
		lacks(t, m.Plain, "交车回访")
	}
	run(time.Date(2026, 12, 4, 8, 30, 0, 0, loc))
	push, _ = h.emu.LastMessage(chen.ID)
	contains(t, push.Plain, "订单 #1 王石：交车后第 7 天（12-04）")
	supSeen := len(h.emu.Messages(sup.ID))
	contains(t, h.reply(chen, "/sat 1 不满意 提车等太久"), "交车后第 7 天回访：不满意", "下次回访：2026-12-27")
	h.waitOutboxEmpty(10 * time.Second)
	if msgs := h.emu.Messages(sup.ID); len(msgs) != supSeen+1 {
		t.Errorf("the supervisor got %d messages of a dissatisfied customer, want 1", len(msgs)-supSeen)
	}
	contains(t, last(h, sup.ID), "订单 #1 客户 王石 交车后第 7 天回访：不满意（陈顾问 记录）。提车等太久")
	contains(t, h.reply(chen, "/deliver 1"), "回访 1：交车后第 1 天，2026-11-28 — 满意", "回访 2：交车后第 7 天，2026-12-04 — 不满意 提车等太久", "回访 3：交车后第 30 天，2026-12-27 — 待回访")
}

// TestR4_6_OrderThroughSubDealerCountsWhenDelivered: /order names the
// sub-dealer (二网=, by name or number, in one line or in the guided
// order); a lapsed or unknown one is refused with nothing written; once
// delivered the order counts in /dealers beside the hand-entered sales.
func TestR4_6_OrderThroughSubDealerCountsWhenDelivered(t *testing.T) {
	h := newHarness(t)
	boss := h.enroll("王经理", "manager", "zh")
	contains(t, h.reply(boss, "/dealer add 顺达汽贸 李强 13800138000 昆山 2026-11-01 2027-10-31 5万"), "#1")
	contains(t, h.reply(boss, "/dealer add 远达 张三 13800138001 太仓 2026-11-01 2027-10-31 5万"), "#2")
	h.reply(boss, "/dealer deposit 1 5万")
	h.reply(boss, "/dealer target 1 2026-11 3")
	h.reply(boss, "/dealer sold 1 2026-11 1")
	// 远达's deposit is never recorded: the deposit job lapses it.
	if _, err := h.db.DealerDepositsDue(context.Background(), h.clock().AddDate(0, 1, 0), 10); err != nil {
		t.Fatal(err)
	}

	chen, keeper, _ := h.orderWithCar() // order #1, no sub-dealer
	id := leadID(t, h.reply(chen, "/lead 李四 13900139000 轩逸 A 来电"))
	line := fmt.Sprintf("/order %d 轩逸 舒适版 白 128000 127000 5000 全款 ", id)
	contains(t, h.reply(chen, line+"二网=远达"), "远达 已失效", "不能用于新订单")
	contains(t, h.reply(chen, line+"二网=没有这家"), "没有“没有这家”这份二级经销商合同")
	if l, _ := h.db.LeadByID(context.Background(), id); l.Grade != domain.GradeA {
		t.Fatalf("a refused order wrote: lead %s", l.Grade)
	}
	contains(t, h.reply(chen, line+"12-20 二网=顺达汽贸 置换 2015款朗逸"), "二网：#1 顺达汽贸", "置换：2015款朗逸", "已确认")
	// The guided order takes it among the extras, by number.
	id3 := leadID(t, h.reply(chen, "/lead 赵五 13900139001 轩逸 A 来电"))
	h.reply(chen, fmt.Sprintf("/order %d", id3))
	h.reply(chen, "轩逸 舒适版 白")
	h.reply(chen, "128000 127000 5000")
	h.reply(chen, "全款")
	contains(t, h.reply(chen, "二网=1"), "二网：#1 顺达汽贸")

	// Order #2 gets the next car; delivered, it counts.
	h.arrive(keeper, 1)
	vin := storagetest.VIN(1)
	h.reply(keeper, "/pdi "+vin+" ok E"+vin[11:]+" C1")
	h.waitOutboxEmpty(10 * time.Second) // the car's card to the consultant
	contains(t, h.reply(boss, "/dealers"), "顺达汽贸", "已售 1/3 台")
	h.reply(chen, "/deliver 2 发票 合格证 保险 上牌 PDI")
	h.pay(chen, 2)
	contains(t, h.reply(chen, "/deliver 2 交车"), "订单 #2 已交车", "二网：#1 顺达汽贸")
	contains(t, h.reply(boss, "/dealers"), "已售 2/3 台（66%）（其中经本机器人订单交车 1 台）")
}

package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
)

// TestR4_2_OrderOverLimitApprovedByOneTap: lead → /order with a 4,000
// yuan discount (over the consultant's 2,000) → the supervisor's card with
// the price and discount → one tap → the consultant told, the card shows
// confirmed; the lead is O.
func TestR4_2_OrderOverLimitApprovedByOneTap(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 A 来电"))

	// Bad input: a clear answer, nothing written.
	contains(t, h.reply(chen, fmt.Sprintf("/order %d 轩逸 豪华版 白色 128000 129000 5000 贷款", id)), "高于指导价")
	contains(t, h.reply(chen, fmt.Sprintf("/order %d 轩逸 豪华版 白色 -128000 124000 5000 贷款", id)), "不是有效金额")
	contains(t, h.reply(chen, "/order 99999 轩逸 豪华版 白色 128000 124000 5000 贷款"), "99999")
	if l, _ := h.db.LeadByID(context.Background(), id); l.Grade != domain.GradeA {
		t.Fatalf("grade %s after refusals", l.Grade)
	}

	// An order within the consultant's limit stands, and counts among the
	// consultant's discounts this month on the next card.
	first := leadID(t, h.reply(chen, "/lead 李娜 13900139001 天籁 A 来电"))
	contains(t, h.reply(chen, fmt.Sprintf("/order %d 天籁 豪华版 黑 200000 199000 5000 全款", first)), "已确认")

	placed := h.reply(chen, fmt.Sprintf("/order %d 轩逸 豪华版 白色 12.8万 124,000 5000 贷款 12-20 置换 2015款朗逸", id))
	contains(t, placed, "线索级别改为 O", "¥128,000.00", "¥124,000.00", "优惠 ¥4,000.00", "待审批", "主管")
	if l, _ := h.db.LeadByID(context.Background(), id); l.Grade != domain.GradeO {
		t.Fatalf("ordered lead graded %s", l.Grade)
	}
	contains(t, h.reply(chen, fmt.Sprintf("/show %d", id)), "级别 A→O（订单，陈顾问）")
	h.waitOutboxEmpty(10e9)
	card, _ := h.emu.LastMessage(sup.ID)
	contains(t, card.Plain, "优惠审批", "陈顾问", "¥124,000.00", "优惠 ¥4,000.00", "本月其他订单：1 单，优惠合计 ¥1,000.00")

	h.press(sup, "批准")
	h.waitOutboxEmpty(10e9)
	told, _ := h.emu.LastMessage(chen.ID)
	contains(t, told.Plain, "已由 李主管 批准", "状态：已确认")
	contains(t, h.reply(chen, "/order show 2"), "状态：已确认", "等待配车")
	closed := 0
	for _, m := range h.emu.Messages(sup.ID) {
		if len(m.Buttons) > 0 && m.Buttons[0][0].Text == "批准" {
			t.Errorf("the supervisor's card keeps its buttons: %q", m.Plain)
		}
		// The closed card keeps the price and the ruling, never a month's
		// discounts it did not compute again (it said "0 单" here).
		if strings.Contains(m.Plain, "优惠审批") {
			closed++
			contains(t, m.Plain, "已批准（李主管）", "优惠 ¥4,000.00")
			if strings.Contains(m.Plain, "本月其他订单") {
				t.Errorf("the closed card shows the month's discounts: %q", m.Plain)
			}
		}
	}
	if closed != 1 {
		t.Errorf("%d approval cards to the supervisor, want 1", closed)
	}
}

// TestR4_4_CancelRejectedWithReason: a cancellation goes to the
// supervisor, a rejection asks for the reason, the consultant hears it and
// the order stands.
func TestR4_4_CancelRejectedWithReason(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 A 来电"))
	contains(t, h.reply(chen, fmt.Sprintf("/order %d 轩逸 豪华版 白色 128000 127000 5000 全款", id)), "已确认")
	contains(t, h.reply(chen, "/order cancel 1 客户反悔"), "已提交")
	h.waitOutboxEmpty(10e9)
	card, _ := h.emu.LastMessage(sup.ID)
	contains(t, card.Plain, "取消订单审批", "客户反悔")
	contains(t, h.press(sup, "驳回")[0].Plain, "理由")
	contains(t, h.reply(sup, "再做做客户工作"), "已驳回")
	h.waitOutboxEmpty(10e9)
	told, _ := h.emu.LastMessage(chen.ID)
	contains(t, told.Plain, "被 李主管 驳回", "再做做客户工作", "已确认")
	contains(t, h.reply(chen, "/refund 1 6000 转账"), "超过可退定金")
	contains(t, h.reply(chen, "/refund 1 2000 转账"), "剩余定金 ¥3,000.00")
	// The order card shows it: amount, method, who, when in the store's zone.
	contains(t, h.reply(sup, "/order show 1"), "退定金 ¥2,000.00（转账），陈顾问，"+h.now.In(shanghai()).Format("2006-01-02 15:04"))
}

// TestR4_1_GuidedOrder: /order 17 alone asks step by step; a bad answer
// is asked again with the reason; the last answer places the order.
func TestR4_1_GuidedOrder(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 A 来电"))
	contains(t, h.reply(chen, fmt.Sprintf("/order %d", id)), "车型、配置、颜色")
	contains(t, h.reply(chen, "轩逸 豪华版 白色"), "指导价、成交价、定金")
	contains(t, h.reply(chen, "128000 130000 5000"), "高于指导价", "指导价、成交价、定金")
	contains(t, h.reply(chen, "12.8万 127,500 5000"), "全款 或 贷款")
	contains(t, h.reply(chen, "分期"), "交车日期")
	placed := h.reply(chen, "无")
	contains(t, placed, "线索级别改为 O", "优惠 ¥500.00", "贷款", "已确认")
}

// TestR4_2_NoGMToApproveNamesTheRank: a discount only the general manager
// may approve, in a store without one, is refused naming the general
// manager, not the supervisor (who is there); nothing is written.
func TestR4_2_NoGMToApproveNamesTheRank(t *testing.T) {
	h := newHarness(t)
	h.enroll("李主管", "supervisor", "zh")
	h.enroll("王经理", "manager", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	tom := h.enroll("Tom", "consultant", "en")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 A 来电"))
	got := h.reply(chen, fmt.Sprintf("/order %d 轩逸 豪华版 白色 128000 116000 5000 贷款", id)) // 12,000 off
	contains(t, got, "没有可审批此项的总经理")
	if strings.Contains(got, "主管") {
		t.Errorf("names the supervisor: %q", got)
	}
	if l, _ := h.db.LeadByID(context.Background(), id); l.Grade != domain.GradeA {
		t.Fatalf("grade %s after the refusal", l.Grade)
	}
	en := leadID(t, h.reply(tom, "/lead Wang 13900139000 Sylphy A call"))
	contains(t, h.reply(tom, fmt.Sprintf("/order %d Sylphy Luxury white 128000 116000 5000 loan", en)), "No general manager in this store")
	// Within the manager's limit the manager is there to rule.
	contains(t, h.reply(chen, fmt.Sprintf("/order %d 轩逸 豪华版 白色 128000 120000 5000 贷款", id)), "待审批")
}

// TestR4_4_CancelLostOneApproval: "/order cancel 1 战败 竞品 …" tells the
// supervisor the customer is lost; one approval cancels the order and
// marks the lead F; the consultant hears both. A plain cancellation of
// another order returns its lead to A.
func TestR4_4_CancelLostOneApproval(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 A 来电"))
	contains(t, h.reply(chen, fmt.Sprintf("/order %d 轩逸 豪华版 白色 128000 127000 5000 全款", id)), "已确认")
	contains(t, h.reply(chen, "/order cancel 1 战败"), "请写明战败原因")
	contains(t, h.reply(chen, "/order cancel 1 战败 竞品 已在别家下定"), "已提交")
	h.waitOutboxEmpty(10e9)
	card, _ := h.emu.LastMessage(sup.ID)
	contains(t, card.Plain, "取消订单审批", "竞品 已在别家下定", fmt.Sprintf("客户战败（购买竞品）：批准即同时将线索 #%d 标为战败（F）", id))
	h.press(sup, "批准")
	h.waitOutboxEmpty(10e9)
	told, _ := h.emu.LastMessage(chen.ID)
	contains(t, told.Plain, "已由 李主管 批准", fmt.Sprintf("线索 #%d 已标为战败（F）：购买竞品", id), "已取消")
	if l, _ := h.db.LeadByID(context.Background(), id); l.Grade != domain.GradeF || l.LostNote != "已在别家下定" {
		t.Fatalf("lead %s %q after a lost cancellation", l.Grade, l.LostNote)
	}

	other := leadID(t, h.reply(chen, "/lead 李娜 13900139001 天籁 A 来电"))
	contains(t, h.reply(chen, fmt.Sprintf("/order %d 天籁 豪华版 黑 200000 199000 5000 全款", other)), "已确认")
	contains(t, h.reply(chen, "/order cancel 2 客户反悔"), "已提交")
	h.waitOutboxEmpty(10e9)
	if card, _ := h.emu.LastMessage(sup.ID); strings.Contains(card.Plain, "战败") {
		t.Errorf("a plain cancellation's card says lost: %q", card.Plain)
	}
	h.press(sup, "批准")
	h.waitOutboxEmpty(10e9)
	if told, _ := h.emu.LastMessage(chen.ID); strings.Contains(told.Plain, "战败") {
		t.Errorf("a plain cancellation's word says lost: %q", told.Plain)
	}
	if l, _ := h.db.LeadByID(context.Background(), other); l.Grade != domain.GradeA {
		t.Fatalf("lead %s after a plain cancellation", l.Grade)
	}
}

package bot_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
)

func TestR1_6_LostApprovedByOneTap(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	sup2 := h.enroll("周主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 A 来电"))

	contains(t, h.reply(chen, fmt.Sprintf("/lost %d 竞品 已在别家下定", id)), "已提交", "批准前级别不变")
	h.waitOutboxEmpty(10e9)
	l, _ := h.db.LeadByID(context.Background(), id)
	if l.Grade != domain.GradeA {
		t.Fatalf("grade changed before approval: %s", l.Grade)
	}
	card, _ := h.emu.LastMessage(sup.ID)
	contains(t, card.Plain, "战败申请", "陈顾问", "王石（A）", "原因：购买竞品 — 已在别家下定")
	lacks(t, card.Plain, "— 竞品") // the category is named once
	contains(t, h.reply(chen, fmt.Sprintf("/lost %d 预算", id)), "已有待审批")

	h.press(sup, "批准")
	l, _ = h.db.LeadByID(context.Background(), id)
	if l.Grade != domain.GradeF || l.NextDueAt != nil {
		t.Fatalf("approved lead %+v", l)
	}
	told, _ := h.emu.LastMessage(chen.ID)
	contains(t, told.Plain, "已由 李主管 批准")
	// Both supervisors' cards lose their buttons; a late tap is refused.
	for _, s := range []int64{sup.ID, sup2.ID} {
		for _, m := range h.emu.Messages(s) {
			if len(m.Buttons) > 0 && m.Buttons[0][0].Text == "批准" {
				t.Errorf("chat %d keeps the approve buttons: %q", s, m.Plain)
			}
		}
	}
	msgs := h.emu.Messages(sup2.ID)
	contains(t, msgs[len(msgs)-1].Plain, "已批准（李主管）")
}

func TestR1_6_LostRejectedWithReason(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 A 来电"))
	h.reply(chen, fmt.Sprintf("/lost %d 推迟 明年再说", id))
	h.waitOutboxEmpty(10e9)
	contains(t, h.press(sup, "驳回")[0].Plain, "驳回", "理由")
	contains(t, h.reply(sup, "客户上周还来试驾，再跟一跟"), "已驳回")
	h.waitOutboxEmpty(10e9)
	told, _ := h.emu.LastMessage(chen.ID)
	contains(t, told.Plain, "被 李主管 驳回", "再跟一跟")
	l, _ := h.db.LeadByID(context.Background(), id)
	if l.Grade != domain.GradeA {
		t.Fatalf("rejected lead graded %s", l.Grade)
	}
	// A consultant cannot rule, even with a forged press.
	qid := h.emu.PressRaw(chen, chen.ID, 1, "lost:ok:1")
	ctx, cancel := context.WithTimeout(context.Background(), 10e9)
	defer cancel()
	ans, err := h.emu.WaitCallbackAnswer(ctx, qid)
	if err != nil {
		t.Fatal(err)
	}
	contains(t, ans.Text, "无权")
}

// TestR1_6_OnlyTheRequestersApproversRule: a supervisor's own request goes
// to the managers; another supervisor's forged press is refused, and a
// reject typed after someone else approved ends cleanly.
func TestR1_6_OnlyTheRequestersApproversRule(t *testing.T) {
	h := newHarness(t)
	mgr := h.enroll("王经理", "manager", "zh")
	sup := h.enroll("李主管", "supervisor", "zh")
	sup2 := h.enroll("周主管", "supervisor", "zh")
	id := leadID(t, h.reply(sup, "/lead 王石 13800138000 轩逸 A 来电"))
	contains(t, h.reply(sup, fmt.Sprintf("/lost %d 预算 不买了", id)), "1 位审批人")
	h.waitOutboxEmpty(10e9)
	card, _ := h.emu.LastMessage(mgr.ID)
	contains(t, card.Plain, "战败申请")

	qid := h.emu.PressRaw(sup2, sup2.ID, 1, "lost:ok:1")
	ctx, cancel := context.WithTimeout(context.Background(), 10e9)
	defer cancel()
	ans, err := h.emu.WaitCallbackAnswer(ctx, qid)
	if err != nil {
		t.Fatal(err)
	}
	contains(t, ans.Text, "无权")
	if l, _ := h.db.LeadByID(ctx, id); l.Grade != domain.GradeA {
		t.Fatalf("forged approval applied: %s", l.Grade)
	}
	// The manager starts a rejection, then approves from the card… the
	// typed reason then finds the request decided and the dialogue ends.
	h.press(mgr, "驳回")
	h.press(mgr, "批准")
	contains(t, h.reply(mgr, "理由在此"), "已处理过")
	contains(t, h.reply(mgr, "随便一句"), "/help")
}

// TestR1_6_OrderedLeadIsLostByCancellingTheOrder: /lost on an O lead is
// refused up front with the way that works (R4.4: cancel the order as
// lost), instead of filing a request whose approval could only fail.
func TestR1_6_OrderedLeadIsLostByCancellingTheOrder(t *testing.T) {
	h := newHarness(t)
	h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 李娜 13900139001 天籁 A 来电"))
	contains(t, h.reply(chen, fmt.Sprintf("/order %d 天籁 豪华版 黑 200000 199000 5000 全款", id)), "已确认")
	contains(t, h.reply(chen, fmt.Sprintf("/lost %d 竞品 已在别家下定", id)), "已下订单", "/order cancel 订单号 战败 原因")
	if l, _ := h.db.LeadByID(context.Background(), id); l.Grade != domain.GradeO {
		t.Fatalf("lead %s after the refusal", l.Grade)
	}
	if r, err := h.db.LostRequestByID(context.Background(), 1); err == nil {
		t.Fatalf("a lost request was filed: %+v", r)
	}
}

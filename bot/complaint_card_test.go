package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
)

// buttonLabels lists a message's button texts.
func buttonLabels(m telegramtest.Message) string {
	var out []string
	for _, row := range m.Buttons {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return strings.Join(out, " ")
}

// firstWith is the first message in chat whose text has every part.
func firstWith(t *testing.T, h *harness, chat int64, parts ...string) telegramtest.Message {
	t.Helper()
	for _, m := range h.emu.Messages(chat) {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(m.Plain, p)
		}
		if ok {
			return m
		}
	}
	t.Fatalf("no message in chat %d with %q", chat, parts)
	return telegramtest.Message{}
}

// refused presses data as u on message 1 and returns the popup.
func refused(t *testing.T, h *harness, u telegramtest.User, data string) string {
	t.Helper()
	qid := h.emu.PressRaw(u, u.ID, 1, data)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := h.emu.WaitCallbackAnswer(ctx, qid)
	if err != nil {
		t.Fatal(err)
	}
	return a.Text
}

// TestR2_4_ManagerOpinionGoesToTheDepartmentManager: a service complaint's
// department manager gets the card with the opinion button at once, the
// opinion's reminder goes to that manager, and only they (or the general
// manager) may give it.
func TestR2_4_ManagerOpinionGoesToTheDepartmentManager(t *testing.T) {
	h := newHarness(t) // Friday 2026-11-27 09:30, every day a working day
	admin := h.enroll("管理员", "admin", "zh")
	sup := h.enroll("销售主管", "supervisor", "zh")
	salesMgr := h.enroll("销售经理", "manager", "zh")
	afterMgr := h.enroll("售后经理", "manager", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	liu := h.enroll("刘顾问", "consultant", "zh")
	for name, dept := range map[string]string{"销售主管": "销售部", "销售经理": "销售部", "售后经理": "售后部"} {
		h.reply(admin, "/dept "+name+" "+dept)
	}
	a0 := len(h.emu.Messages(afterMgr.ID))
	created := h.reply(chen, "/complaint 王石 13800138000 电话 服务 销售部 报价前后不一")
	contains(t, created, "负责人 销售主管", "部门经理意见：2026-11-28 09:30")
	// The sales manager has the card with the opinion button; the
	// after-sales manager nothing; the owner no opinion button.
	m, _ := h.emu.LastMessage(salesMgr.ID)
	contains(t, m.Plain, "请给出部门经理意见", "投诉 #K1")
	contains(t, buttonLabels(m), "经理意见")
	if n := len(h.emu.Messages(afterMgr.ID)) - a0; n != 0 {
		t.Fatalf("the after-sales manager got %d messages", n)
	}
	h.waitOutboxEmpty(10 * time.Second)
	owner, _ := h.emu.LastMessage(sup.ID)
	contains(t, owner.Plain, "您负责的新投诉")
	lacks(t, buttonLabels(owner), "经理意见")
	// Only the department's manager (or the GM) may give it.
	contains(t, refused(t, h, sup, "cmp:opinion:1"), "无权")
	contains(t, refused(t, h, afterMgr, "cmp:opinion:1"), "无权")

	// 80 % of the working day: the reminder of the opinion goes to the
	// manager, the owner's to the owner.
	h.advance(19*time.Hour + 12*time.Minute)
	h.runJob(h.chaser())
	contains(t, last(h, salesMgr.ID), "时限将到：部门经理意见")
	contains(t, last(h, sup.ID), "时限将到：首次回复")
	lacks(t, last(h, sup.ID), "部门经理意见（")
	h.press(salesMgr, "经理意见")
	contains(t, h.reply(salesMgr, "同意退还差价"), "已记录：经理意见", "部门经理意见：2026-11-28 09:30 ✓", "同意退还差价")

	// Anyone involved opens the card by its number; others may not.
	contains(t, h.reply(chen, "/complaint 1"), "投诉 #K1", "同意退还差价")
	contains(t, h.reply(afterMgr, "/complaint K1"), "投诉 #K1")
	contains(t, h.reply(liu, "/complaint 1"), "无权")
	contains(t, h.reply(chen, "/complaint 9"), "没有编号为 K9 的投诉")
}

// TestR2_4_NobodyHearsOfABreachTwiceAfterATakeOver: the supervisor takes
// over a late complaint the manager already heard of; the steps count from
// the supervisor now, but the manager is not told again, the general
// manager once, and the former owner hears of the take-over.
func TestR2_4_NobodyHearsOfABreachTwiceAfterATakeOver(t *testing.T) {
	h := newHarness(t)
	gm := h.enroll("赵总", "gm", "zh")
	mgr := h.enroll("王经理", "manager", "zh")
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.reply(chen, "/complaint 王石 13800138000 现场 服务 销售部 负责人=陈顾问 等了一小时无人接待")
	h.waitOutboxEmpty(10 * time.Second)
	count := func(u telegramtest.User) int { return len(h.emu.Messages(u.ID)) }
	g0, m0 := count(gm), count(mgr)
	h.advance(10 * time.Minute)
	h.runJob(h.chaser())
	h.advance(10 * time.Minute)
	h.runJob(h.chaser()) // +20: the supervisor and the manager know
	if count(mgr)-m0 != 1 || count(gm) != g0 {
		t.Fatalf("at +20: manager %d, GM %d", count(mgr)-m0, count(gm)-g0)
	}
	h.press(sup, "我来接手")
	contains(t, last(h, chen.ID), "投诉 #K1", "李主管", "不再由您负责")
	for range 3 {
		h.runJob(h.chaser())
		h.advance(5 * time.Minute)
	}
	if count(mgr)-m0 != 1 || count(gm)-g0 != 1 {
		t.Fatalf("after the take-over: manager %d, GM %d messages", count(mgr)-m0, count(gm)-g0)
	}
	contains(t, last(h, gm.ID), "已超时", "负责人 李主管")
}

// TestR2_4_FollowUpComplaint: a complaint the call centre raised on a
// follow-up call is registered in one line or step by step, is due a
// contact within one working day, is chased, and is in the register.
func TestR2_4_FollowUpComplaint(t *testing.T) {
	h := newHarness(t) // Friday 2026-11-27 09:30
	svc := h.enroll("孙客服", "service", "zh")
	sup := h.enroll("李主管", "supervisor", "zh")
	mgr := h.enroll("王经理", "manager", "zh")
	card := h.reply(svc, "/complaint 王石 13800138000 回访投诉 产品 售后部 车型=轩逸 问题=异响 回访时反映底盘异响")
	contains(t, card, "已登记投诉 #K1", "回访投诉", "联系客户：2026-11-28 09:30")
	lacks(t, card, "首次回复")
	h.advance(19*time.Hour + 12*time.Minute)
	h.runJob(h.chaser())
	contains(t, last(h, sup.ID), "时限将到：联系客户", "投诉 #K1")
	h.advance(5 * time.Hour)
	h.runJob(h.chaser())
	contains(t, last(h, mgr.ID), "“联系客户”已超时", "负责人 李主管")

	// Step by step: the channel is a button.
	h.reply(svc, "/complaint")
	h.reply(svc, "李雷")
	contains(t, h.reply(svc, "13900139000"), "投诉渠道")
	contains(t, h.press(svc, "回访投诉")[0].Plain, "投诉对象")
	h.press(svc, "服务质量")
	h.press(svc, "不需要")
	h.press(svc, "销售部")
	contains(t, h.reply(svc, "回访时说顾问态度差"), "#K2", "回访投诉", "联系客户", "部门经理意见")

	before := lastID(h, svc.ID)
	h.say(svc, "/register 2026-W48")
	h.waitOutboxEmpty(10 * time.Second)
	docs := documents(h, svc.ID, before)
	rows := sheetRows(t, docs["投诉登记表_售后部_2026-W48.xlsx"].Document.Data, "2026-W48")
	if len(rows) != 2 || !strings.Contains(strings.Join(rows[1], "|"), "回访投诉") {
		t.Fatalf("after-sales rows %q", rows)
	}
}

// TestR2_7_CardsEditedInPlace: every card of a complaint follows it — the
// logged actions on it, no buttons once it is closed — and the service
// centre's survey card closes with the answer.
func TestR2_7_CardsEditedInPlace(t *testing.T) {
	h := newHarness(t)
	svc := h.enroll("孙客服", "service", "zh")
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.reply(chen, "/complaint 王石 13800138000 电话 产品 售后部 车型=轩逸 异响")
	h.waitOutboxEmpty(10 * time.Second)
	pushed := firstWith(t, h, sup.ID, "您负责的新投诉")
	h.press(sup, "已首次回复")
	h.reply(sup, "已致电致歉")
	h.waitOutboxEmpty(10 * time.Second)
	for _, m := range []telegramtest.Message{pushed, firstWith(t, h, chen.ID, "已登记投诉 #K1")} {
		got, _ := h.emu.Message(m.ChatID, m.ID)
		contains(t, got.Plain, "处理记录", "首次回复：已致电致歉", "首次回复：2026-11-28 09:30 ✓")
	}
	h.press(sup, "申请结案")
	h.press(sup, "有效投诉")
	h.reply(sup, "已修好")
	h.waitOutboxEmpty(10 * time.Second)
	// Waiting for the survey: the owner's cards have no buttons left.
	got, _ := h.emu.Message(pushed.ChatID, pushed.ID)
	contains(t, got.Plain, "待回访", "申请结案：已修好")
	if len(got.Buttons) != 0 {
		t.Fatalf("a closing complaint's card has buttons %q", buttonLabels(got))
	}
	survey := firstWith(t, h, svc.ID, "回访")
	h.press(svc, "满意")
	h.reply(svc, "客户很满意")
	h.waitOutboxEmpty(10 * time.Second)
	got, _ = h.emu.Message(survey.ChatID, survey.ID)
	contains(t, got.Plain, "已结案", "回访（满意）：客户很满意")
	if len(got.Buttons) != 0 {
		t.Fatalf("the answered survey card has buttons %q", buttonLabels(got))
	}
	for _, m := range h.emu.Messages(sup.ID) {
		if strings.Contains(m.Plain, "投诉 #K1 王石") && len(m.Buttons) != 0 {
			t.Fatalf("a closed complaint's card has buttons: %q %q", m.Plain, buttonLabels(m))
		}
	}
}

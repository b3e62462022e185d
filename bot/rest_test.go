package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The harness clock is Friday 2026-11-27; 2026-12-01 is a Tuesday.

// restOf returns name's pending and approved rest days in December 2026.
func (h *harness) restOf(name string) string {
	h.t.Helper()
	s, err := h.db.StaffByName(context.Background(), 1, name)
	if err != nil {
		h.t.Fatal(err)
	}
	ds, err := h.db.RestDaysOf(context.Background(), s.ID, "2026-12-01", "2026-12-31")
	if err != nil {
		h.t.Fatal(err)
	}
	out := ""
	for _, d := range ds {
		out += d.Day[5:] + ":" + d.Status + " "
	}
	return out
}

// grantRest stores an approved rest day for name, as a plan would.
func (h *harness) grantRest(name, day string) *domain.RestDay {
	h.t.Helper()
	s, err := h.db.StaffByName(context.Background(), 1, name)
	if err != nil {
		h.t.Fatal(err)
	}
	d := &domain.RestDay{StaffID: s.ID, Day: day, Status: domain.RestApproved}
	if err := h.db.CreateRestDay(context.Background(), d); err != nil {
		h.t.Fatal(err)
	}
	return d
}

func TestR5_1_RestApproved(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	sup2 := h.enroll("周主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")

	contains(t, h.reply(chen, "/rest 12-03"), "已申请", "2026-12-03（周四）", "2 位主管")
	if got := h.restOf("陈顾问"); got != "12-03:pending " {
		t.Fatalf("stored %q", got)
	}
	h.waitOutboxEmpty(10 * time.Second)
	card, _ := h.emu.LastMessage(sup.ID)
	contains(t, card.Plain, "休息申请", "陈顾问", "2026-12-03（周四）")
	contains(t, h.reply(chen, "/rest 2026-12-03"), "已申请或已批准")

	h.press(sup, "批准")
	if got := h.restOf("陈顾问"); got != "12-03:approved " {
		t.Fatalf("stored %q", got)
	}
	told, _ := h.emu.LastMessage(chen.ID)
	contains(t, told.Plain, "2026-12-03（周四）", "已由 李主管 批准")
	for _, s := range []int64{sup.ID, sup2.ID} {
		for _, m := range h.emu.Messages(s) {
			if len(m.Buttons) > 0 {
				t.Errorf("chat %d keeps buttons: %q", s, m.Plain)
			}
		}
	}
	msgs := h.emu.Messages(sup2.ID)
	contains(t, msgs[len(msgs)-1].Plain, "已批准（李主管）")
	contains(t, h.reply(chen, "/rota 2026-12"), "2026-12 休息表", "陈顾问", " 3")
}

func TestR5_1_RestRejected(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "en")
	contains(t, h.reply(chen, "/rest tomorrow"), "2026-11-28", "weekend")
	contains(t, h.reply(chen, "/rest 12/1"), "Rest day 2026-12-01 (Tue) asked for")
	h.waitOutboxEmpty(10 * time.Second)
	h.press(sup, "驳回")
	if got := h.restOf("陈顾问"); got != "" {
		t.Fatalf("stored %q", got)
	}
	told, _ := h.emu.LastMessage(chen.ID)
	contains(t, told.Plain, "rejected by 李主管")
}

func TestR5_1_RestRefusedByDayLimit(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.enroll("王顾问", "consultant", "zh")
	h.enroll("张顾问", "consultant", "zh")
	h.enroll("赵顾问", "consultant", "zh")
	h.grantRest("王顾问", "2026-12-03")
	h.grantRest("张顾问", "2026-12-03")

	contains(t, h.reply(chen, "/rest 12-03"), "2026-12-03 休息的人数已满", "每天最多 2 人")
	if got := h.restOf("陈顾问"); got != "" {
		t.Fatalf("stored %q", got)
	}
	h.waitOutboxEmpty(10 * time.Second)
	if msgs := h.emu.Messages(sup.ID); len(msgs) != 1 {
		t.Fatalf("supervisor got %v", plains(msgs))
	}

	// A day that fills up between the request and the approval is
	// refused at approval, and the request stays pending.
	contains(t, h.reply(chen, "/rest 12-02"), "已申请")
	h.grantRest("王顾问", "2026-12-02")
	h.grantRest("赵顾问", "2026-12-02")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, h.popup(sup, "批准"), "休息的人数已满")
	if got := h.restOf("陈顾问"); got != "12-02:pending " {
		t.Fatalf("stored %q", got)
	}
}

func TestR5_1_RestBadAndPastDates(t *testing.T) {
	h := newHarness(t)
	h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	contains(t, h.reply(chen, "/rest 13-45"), "“13-45”不是有效日期")
	contains(t, h.reply(chen, "/rest 2026-11-20"), "2026-11-20", "已经过去")
	contains(t, h.reply(chen, "/rest 今天"), "2026-11-27", "已经过去")
	contains(t, h.reply(chen, "/rest"), "/rest 日期")
	if got := h.restOf("陈顾问"); got != "" {
		t.Fatalf("stored %q", got)
	}
	// Only consultants ask for rest days.
	recep := h.enroll("刘接待", "reception", "zh")
	contains(t, h.reply(recep, "/rest 12-03"), "/rest")
}

func TestR5_1_SwapAgreedAndApproved(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	wang := h.enroll("王顾问", "consultant", "zh")
	d := h.grantRest("陈顾问", "2026-12-03")

	contains(t, h.reply(chen, "/swap 12-04 王顾问"), "没有已批准的休息日")
	contains(t, h.reply(chen, "/swap 12-03 王顾问"), "已请 王顾问 确认")
	contains(t, h.reply(chen, "/swap 12-03 王顾问"), "已有待处理的调换")
	h.waitOutboxEmpty(10 * time.Second)
	ask, _ := h.emu.LastMessage(wang.ID)
	contains(t, ask.Plain, "陈顾问 的休息日 2026-12-03（周四） 改由 王顾问 休息")
	if msgs := h.emu.Messages(sup.ID); len(msgs) != 1 {
		t.Fatalf("supervisor asked before the colleague agreed: %v", plains(msgs))
	}

	h.press(wang, "同意")
	told, _ := h.emu.LastMessage(chen.ID)
	contains(t, told.Plain, "王顾问 已同意调休")
	card, _ := h.emu.LastMessage(sup.ID)
	contains(t, card.Plain, "调休申请", "双方已同意")
	if got := h.restOf("陈顾问"); got != "12-03:approved " {
		t.Fatalf("moved before approval: %q", got)
	}

	h.press(sup, "批准")
	got, err := h.db.RestDayByID(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	wangStaff, _ := h.db.StaffByName(context.Background(), 1, "王顾问")
	if got.StaffID != wangStaff.ID || got.Status != domain.RestApproved || got.SwapWith != 0 {
		t.Fatalf("rest day after swap: %+v", got)
	}
	if h.restOf("陈顾问") != "" || h.restOf("王顾问") != "12-03:approved " {
		t.Fatalf("chen %q wang %q", h.restOf("陈顾问"), h.restOf("王顾问"))
	}
	for _, u := range []int64{chen.ID, wang.ID} {
		m, _ := h.emu.LastMessage(u)
		contains(t, m.Plain, "李主管 批准了调休")
	}
	msgs := h.emu.Messages(sup.ID)
	contains(t, msgs[len(msgs)-1].Plain, "已批准（李主管）")
	// A late (or forged) press is refused: the swap is settled.
	qid := h.emu.PressRaw(sup, sup.ID, 1, fmt.Sprintf("swapok:%d", d.ID))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ans, err := h.emu.WaitCallbackAnswer(ctx, qid)
	if err != nil {
		t.Fatal(err)
	}
	contains(t, ans.Text, "已处理或已失效")
	// A consultant cannot rule on a swap.
	qid = h.emu.PressRaw(chen, chen.ID, 1, fmt.Sprintf("swapok:%d", d.ID))
	if ans, err = h.emu.WaitCallbackAnswer(ctx, qid); err != nil {
		t.Fatal(err)
	}
	contains(t, ans.Text, "无权")
}

func TestR5_1_SwapTradeDeclinedThenRejected(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	wang := h.enroll("王顾问", "consultant", "zh")
	h.grantRest("陈顾问", "2026-12-03")
	h.grantRest("王顾问", "2026-12-08")

	// The colleague declines: nothing moves and a new swap may be asked.
	contains(t, h.reply(chen, "/swap 12-03 王顾问 12-08"), "已请 王顾问 确认")
	h.waitOutboxEmpty(10 * time.Second)
	h.press(wang, "不同意")
	told, _ := h.emu.LastMessage(chen.ID)
	contains(t, told.Plain, "王顾问 不同意调休")

	contains(t, h.reply(chen, "/swap 12-03 王顾问 12-08"), "已请 王顾问 确认")
	h.waitOutboxEmpty(10 * time.Second)
	ask, _ := h.emu.LastMessage(wang.ID)
	contains(t, ask.Plain, "陈顾问 与 王顾问 互换休息日：2026-12-03（周四） ↔ 2026-12-08（周二）")
	h.press(wang, "同意")
	h.press(sup, "驳回")
	if h.restOf("陈顾问") != "12-03:approved " || h.restOf("王顾问") != "12-08:approved " {
		t.Fatalf("chen %q wang %q", h.restOf("陈顾问"), h.restOf("王顾问"))
	}
	m, _ := h.emu.LastMessage(wang.ID)
	contains(t, m.Plain, "李主管 驳回了调休")

	// Approved, the two days trade places.
	contains(t, h.reply(chen, "/swap 12-03 王顾问 12-08"), "已请 王顾问 确认")
	h.waitOutboxEmpty(10 * time.Second)
	h.press(wang, "同意")
	h.press(sup, "批准")
	if h.restOf("陈顾问") != "12-08:approved " || h.restOf("王顾问") != "12-03:approved " {
		t.Fatalf("chen %q wang %q", h.restOf("陈顾问"), h.restOf("王顾问"))
	}
}

func TestR5_1_SwapWithNonConsultantRefused(t *testing.T) {
	h := newHarness(t)
	h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.enroll("刘接待", "reception", "zh")
	h.grantRest("陈顾问", "2026-12-03")
	contains(t, h.reply(chen, "/swap 12-03 刘接待"), "刘接待 不是在职的销售顾问")
	contains(t, h.reply(chen, "/swap 12-03 李主管"), "李主管 不是在职的销售顾问")
	contains(t, h.reply(chen, "/swap 12-03 陈顾问"), "不能和自己调换")
	contains(t, h.reply(chen, "/swap 12-03 无此人"), "找不到员工")
	contains(t, h.reply(chen, "/swap 2026-11-20 刘接待"), "已经过去")
	if got := h.restOf("陈顾问"); got != "12-03:approved " {
		t.Fatalf("stored %q", got)
	}
	d, _ := h.db.RestDaysOf(context.Background(), 1, "2026-12-01", "2026-12-31")
	for _, x := range d {
		if x.SwapWith != 0 {
			t.Fatalf("swap recorded: %+v", x)
		}
	}
}

func TestR5_1_RotaPlan(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.enroll("王顾问", "consultant", "zh")
	h.enroll("张顾问", "consultant", "zh")
	h.grantRest("陈顾问", "2026-12-04") // replaced by the plan

	contains(t, h.reply(chen, "/rota 2026-12\n陈顾问: 1 8"), "无权")
	contains(t, h.reply(chen, "/rota 2026-13"), "不是有效月份")

	// One bad line (a Saturday) and a third person off on the 1st: nothing saved.
	bad := "/rota 2026-12\n陈顾问: 1 8 15 22\n王顾问: 1 9 16 23\n张顾问：1 5"
	got := h.reply(sup, bad)
	contains(t, got, "排班未保存", "第 3 行 张顾问 2026-12-01（周二）", "休息的人数已满",
		"第 3 行 张顾问 2026-12-05（周六）", "周末")
	lacks(t, got, "第 1 行", "第 2 行")
	contains(t, h.reply(sup, "/rota 2026-12\n陈顾问: 1 8\n某某: 3\n王顾问 3\n陈顾问: 2"),
		"第 2 行：找不到在职员工 某某", "第 3 行“王顾问 3”", "第 4 行：陈顾问 在前面已出现")
	contains(t, h.reply(sup, "/rota 2026-12\n陈顾问: 1 8 8"), "第 1 行 陈顾问 2026-12-08（周二）：2026-12-08 已申请或已批准")
	contains(t, h.reply(sup, "/rota 2026-12\n陈顾问: 1 32"), "“32”不是 2026-12 的日期")
	if h.restOf("陈顾问") != "12-04:approved " || h.restOf("王顾问") != "" || h.restOf("张顾问") != "" {
		t.Fatalf("saved: %q %q %q", h.restOf("陈顾问"), h.restOf("王顾问"), h.restOf("张顾问"))
	}

	msgs := h.say(sup, "/rota 2026-12\n陈顾问: 1 8 15 22\n王顾问: 1 9 16 23\n张顾问: 2 10 17 24")
	if len(msgs) != 2 {
		t.Fatalf("replies %v", plains(msgs))
	}
	contains(t, msgs[0].Plain, "已保存 2026-12 的休息排班：3 人，共 12 天")
	if h.restOf("陈顾问") != "12-01:approved 12-08:approved 12-15:approved 12-22:approved " ||
		h.restOf("张顾问") != "12-02:approved 12-10:approved 12-17:approved 12-24:approved " {
		t.Fatalf("saved: %q %q", h.restOf("陈顾问"), h.restOf("张顾问"))
	}
	rota := h.say(chen, "/rota 2026-12")
	if len(rota) != 1 {
		t.Fatalf("rota %v", plains(rota))
	}
	contains(t, rota[0].Plain, "2026-12 休息表", "陈顾问   1  8 15 22", "王顾问   1  9 16 23", "张顾问   2 10 17 24")
	contains(t, rota[0].Text, "<pre>")
	// The limits now hold against the plan.
	contains(t, h.reply(chen, "/rest 12-29"), "2026-12 的休息日已用完")
	contains(t, h.reply(h.enroll("赵顾问", "consultant", "zh"), "/rest 12-01"), "休息的人数已满")
	contains(t, h.reply(chen, "/rota 2027-01"), "2027-01 还没有已批准的休息日")
}

// TestR5_2_RestApprovedOnADutyDayWarnsAtOnce: approving a rest day for
// someone on duty that day tells the approver straight away.
func TestR5_2_RestApprovedOnADutyDayWarnsAtOnce(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.planDuty(sup, "/duty set 2026-12-03 开门 陈顾问")
	h.reply(chen, "/rest 12-03")
	h.waitOutboxEmpty(10 * time.Second)
	msgs := h.press(sup, "批准")
	var all []string
	for _, m := range msgs {
		all = append(all, m.Plain)
	}
	contains(t, strings.Join(all, "\n"), "陈顾问 在 2026-12-03（周四） 排了值班（开门）")
}

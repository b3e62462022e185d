package bot_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
)

var leadIDRE = regexp.MustCompile(`#(\d+) `)

// leadID reads the lead id from a card.
func leadID(t *testing.T, card string) int64 {
	t.Helper()
	m := leadIDRE.FindStringSubmatch(card)
	if m == nil {
		t.Fatalf("no lead id in %q", card)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// press presses the button with this text on the last message of the
// user's chat and returns the bot's new messages.
func (h *harness) press(u telegramtest.User, label string) []telegramtest.Message {
	h.t.Helper()
	msgs, _ := h.pressFull(u, label)
	return msgs
}

// popup presses a button and returns the answer it showed (an error's).
func (h *harness) popup(u telegramtest.User, label string) string {
	h.t.Helper()
	_, answer := h.pressFull(u, label)
	return answer
}

// pressFull presses and returns the new messages and the popup text.
func (h *harness) pressFull(u telegramtest.User, label string) ([]telegramtest.Message, string) {
	h.t.Helper()
	msgs := h.emu.Messages(u.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, row := range msgs[i].Buttons {
			for _, b := range row {
				if b.Text == label {
					before := msgs[len(msgs)-1].ID
					qid, err := h.emu.PressButton(u, u.ID, msgs[i].ID, b.Data)
					if err != nil {
						h.t.Fatal(err)
					}
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					ans, err := h.emu.WaitCallbackAnswer(ctx, qid)
					if err != nil {
						h.t.Fatal(err)
					}
					h.waitOutboxEmpty(10 * time.Second)
					var out []telegramtest.Message
					for _, m := range h.emu.Messages(u.ID) {
						if m.ID > before || m.EditCount > 0 && m.ID == msgs[i].ID {
							out = append(out, m)
						}
					}
					return out, ans.Text
				}
			}
		}
	}
	h.t.Fatalf("no button %q in chat %d", label, u.ID)
	return nil, ""
}

func TestR1_2_DialogueAndOneLineMakeTheSameLead(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")

	card := h.reply(chen, "/lead 王石 138-0013-8000 轩逸 H 来电 换购 # 周末来看车")
	contains(t, card, "已登记客户", "王石", "13800138000", "H 7天内", "来电", "轩逸", "换购", "周末来看车", "下次跟进：2026-11-28 09:30")
	one, err := h.db.LeadByID(context.Background(), leadID(t, card))
	if err != nil {
		t.Fatal(err)
	}

	contains(t, h.reply(chen, "/lead"), "客户姓名")
	contains(t, h.reply(chen, "李雷"), "李雷 的电话")
	contains(t, h.reply(chen, "12345"), "不是有效的电话号码", "电话") // asked again
	contains(t, h.reply(chen, "+86 139 0013 9000"), "意向车型")
	got := h.reply(chen, "轩逸")
	contains(t, got, "级别")
	h.press(chen, "H")
	msgs := h.press(chen, "来电")
	card2 := msgs[len(msgs)-1].Plain
	contains(t, card2, "已登记客户", "李雷", "13900139000")
	two, err := h.db.LeadByID(context.Background(), leadID(t, card2))
	if err != nil {
		t.Fatal(err)
	}
	// Same shape: owner, grade, source, pool, due rule.
	if one.OwnerID != two.OwnerID || one.Grade != two.Grade || one.Source != two.Source || one.Pool != two.Pool ||
		!two.NextDueAt.Equal(two.CreatedAt.Add(24*time.Hour)) || !one.NextDueAt.Equal(one.CreatedAt.Add(24*time.Hour)) {
		t.Fatalf("one-line %+v\ndialogue %+v", one, two)
	}
	if one.Pool != domain.PoolTelesales {
		t.Errorf("a call lead starts in %s (R1.7)", one.Pool)
	}
}

func TestLeadDialogue_CancelAndRestart(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.reply(chen, "/lead")
	h.reply(chen, "王五")
	contains(t, h.press(chen, "取消")[0].Plain, "已取消")
	contains(t, h.reply(chen, "随便说点什么"), "/help") // no dialogue left
	// A restart mid-dialogue loses nothing.
	h.reply(chen, "/lead")
	h.reply(chen, "赵六")
	h.restart()
	contains(t, h.reply(chen, "13700137000"), "意向车型")
}

func TestR1_5_FollowUpMovesTheDueDate(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 N 到店"))
	h.advance(50 * time.Hour) // 11-29 11:30: due 11-28 09:30, overdue
	contains(t, h.reply(chen, fmt.Sprintf("/show %d", id)), "逾期 1 天")
	got := h.reply(chen, fmt.Sprintf("/fu %d 已到店看车 级别=A", id))
	contains(t, got, "已记录跟进", "2026-12-06 11:30", "N → A") // A: 7 days from now
	l, _ := h.db.LeadByID(context.Background(), id)
	if l.Grade != domain.GradeA || l.FollowUps != 1 {
		t.Fatalf("lead %+v", l)
	}
	contains(t, h.reply(chen, fmt.Sprintf("/grade %d H", id)), "A → H", "2026-12-02 11:30") // at once: 3 days from the contact
	h.advance(24 * time.Hour)
	contains(t, h.reply(chen, fmt.Sprintf("/fu %d wechat 发了报价", id)), "2026-12-03 11:30")
	contains(t, h.reply(chen, fmt.Sprintf("/show %d", id)), "微信", "发了报价", "共 2 次")
}

func TestR1_4_GradePromptAfterThirdCall(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 N 到店"))
	for i, want := range []bool{false, false, true} {
		h.advance(2 * time.Hour)
		msgs := h.say(chen, fmt.Sprintf("/fu %d 第%d次电话", id, i+1))
		prompted := strings.Contains(msgs[0].Plain, "请给客户定级")
		if prompted != want {
			t.Fatalf("call %d: prompt %v", i+1, prompted)
		}
	}
	contains(t, h.press(chen, "B")[0].Plain, "N → B")
}

func TestLead_BadInput(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	liu := h.enroll("刘顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 H 来电"))
	for _, tc := range []struct{ cmd, want string }{
		{"/lead 李四 12345 轩逸 H 来电", "不是有效的电话号码"},
		{"/lead 李四 13900139000 轩逸 X 来电", "不是有效级别"},
		{"/lead 李四 13900139000 轩逸 H 电视", "不是有效来源"},
		{"/lead 李四 13900139000", "用法"},
		{"/lead 张三 138 0013 8000 天籁 A 到店", "用法"},
		{"/lead 张三 +8613800138000 天籁 A 到店", fmt.Sprintf("该客户已存在：#%d，负责人 陈顾问", id)},
		{"/show 99999", "没有编号为 99999 的客户"},
		{"/show abc", "既不是客户编号也不是电话"},
		{"/fu 99999 打了电话", "没有编号为 99999"},
		{fmt.Sprintf("/grade %d F", id), "不是有效级别"},
		{fmt.Sprintf("/grade %d", id), "用法"},
		{fmt.Sprintf("/fu %d", id), "用法"},
	} {
		contains(t, h.reply(chen, tc.cmd), tc.want)
	}
	// Someone else's lead.
	contains(t, h.reply(liu, fmt.Sprintf("/show %d", id)), "不是您的客户")
	contains(t, h.reply(liu, fmt.Sprintf("/fu %d 抢个单", id)), "不是您的客户")
	contains(t, h.reply(liu, "/find 王石"), "没有找到")
	// Nothing was written by any of it.
	me, _ := h.db.StaffByTelegramID(context.Background(), chen.ID)
	_, total, _ := h.db.LeadsByOwner(context.Background(), me.ID, 0, 100)
	l, _ := h.db.LeadByID(context.Background(), id)
	if l.FollowUps != 0 || l.Grade != domain.GradeH || total != 1 {
		t.Fatalf("bad input wrote: %+v, %d leads", l, total)
	}
}

func TestLead_TextKeptIntactAndLongCardSplit(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	name := "A<b>&C🚗"
	note := strings.Repeat("备注<&>🙂!!", 500) // 4,000 characters
	if n := len([]rune(note)); n != 4000 {
		t.Fatalf("note of %d characters", n)
	}
	card := h.say(chen, "/lead "+name+" 13800138000 轩逸 H 来电 # "+note)
	if len(card) < 2 {
		t.Fatalf("a card over 4096 characters came as %d message(s)", len(card))
	}
	var all strings.Builder
	for _, m := range card {
		all.WriteString(m.Plain)
	}
	contains(t, all.String(), name, note)
	l, _ := h.db.LeadByID(context.Background(), leadID(t, card[0].Plain))
	if l.Name != name || l.Notes != note {
		t.Fatalf("stored %q / %d chars", l.Name, len([]rune(l.Notes)))
	}
}

func TestLead_PhoneMaskedInGroup(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 H 来电"))
	g := h.emu.NewGroup(-100777, "销售群")
	msgs := h.sayIn(chen, g.ID, func() int {
		return h.emu.SendTextInGroup(chen, g.ID, fmt.Sprintf("/show@%s %d", h.emu.BotUsername(), id))
	})
	if len(msgs) != 1 {
		t.Fatalf("%d answers", len(msgs))
	}
	contains(t, msgs[0].Plain, "138****8000")
	lacks(t, msgs[0].Plain, "13800138000")
	contains(t, h.reply(chen, fmt.Sprintf("/show %d", id)), "13800138000")
}

func TestFind_OwnFirstManagerSeesAll(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	liu := h.enroll("刘顾问", "consultant", "zh")
	mgr := h.enroll("王经理", "manager", "zh")
	h.reply(liu, "/lead 王大 13800000001 轩逸 H 来电")
	h.reply(chen, "/lead 王二 13800000002 轩逸 H 来电")
	got := h.reply(chen, "/find 王")
	contains(t, got, "王二")
	lacks(t, got, "王大")
	all := h.reply(mgr, "/find 0000")
	contains(t, all, "王大", "王二")
	contains(t, h.reply(liu, "/find 138000000"), "王大")
}

func TestLeads_PagedMostOverdueFirst(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	for i := range 12 {
		h.reply(chen, fmt.Sprintf("/lead 客户%02d 1380000%04d 轩逸 H 来电", i, i))
		h.advance(time.Hour)
	}
	page := h.say(chen, "/leads")[0]
	contains(t, page.Plain, "共 12 位", "第 1/2 页", "客户00")
	lacks(t, page.Plain, "客户11")
	next := h.press(chen, "下一页 ›")
	if len(next) != 1 || next[0].ID != page.ID {
		t.Fatalf("next page not an edit: %+v", next)
	}
	contains(t, next[0].Plain, "第 2/2 页", "客户11")
}

func TestToday_GroupedWithOneTapFollowUp(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.reply(chen, "/lead 甲 13800000001 轩逸 H 来电")
	h.reply(chen, "/lead 乙 13800000002 轩逸 B 来电")
	contains(t, h.reply(chen, "/today"), "今天没有")
	h.advance(25 * time.Hour)
	today := h.reply(chen, "/today")
	contains(t, today, "H 7天内", "B 3个月内", "甲", "乙")
	if strings.Index(today, "甲") > strings.Index(today, "乙") {
		t.Error("H not before B")
	}
	contains(t, h.press(chen, "记录跟进 #1 甲")[0].Plain, "跟进内容")
	contains(t, h.reply(chen, "已加微信"), "已记录跟进 #1 甲")
}

// TestDialogue_FromAGroupGoesPrivate: a card's button pressed in a group
// asks in the presser's private chat, where the answer can reach the bot.
func TestDialogue_FromAGroupGoesPrivate(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead A&B<x> 13800138000 轩逸 H 来电"))
	g := h.emu.NewGroup(-100778, "销售群")
	card := h.sayIn(chen, g.ID, func() int { return h.emu.SendTextInGroup(chen, g.ID, fmt.Sprintf("/show %d", id)) })[0]
	qid, err := h.emu.PressButton(chen, g.ID, card.ID, card.Buttons[0][0].Data)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.emu.WaitCallbackAnswer(ctx, qid); err != nil {
		t.Fatal(err)
	}
	h.waitOutboxEmpty(10 * time.Second)
	ask, _ := h.emu.LastMessage(chen.ID)
	contains(t, ask.Plain, "跟进内容")
	contains(t, h.reply(chen, "电话已沟通"), "已记录跟进")
	// Button labels are plain text: the name reads as typed.
	h.advance(73 * time.Hour)
	today := h.say(chen, "/today")[0]
	if got := today.Buttons[0][0].Text; got != "记录跟进 #1 A&B<x>" {
		t.Errorf("button label %q", got)
	}
}

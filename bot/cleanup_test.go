package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
)

// cleanupLeads has the consultant register one walk-in lead per grade and
// returns their ids by grade.
func cleanupLeads(t *testing.T, h *harness, u telegramtest.User, grades ...string) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for i, g := range grades {
		ids[g] = leadID(t, h.reply(u, fmt.Sprintf("/lead 客户%s 138000000%02d 轩逸 %s 到店", g, i+1, g)))
	}
	return ids
}

// pressData presses data on a message (forged or not) and returns the
// callback answer's text once everything the press caused is delivered.
func pressData(t *testing.T, h *harness, u telegramtest.User, msgID int, data string) string {
	t.Helper()
	qid := h.emu.PressRaw(u, u.ID, msgID, data)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ans, err := h.emu.WaitCallbackAnswer(ctx, qid)
	if err != nil {
		t.Fatal(err)
	}
	h.waitOutboxEmpty(10 * time.Second)
	return ans.Text
}

// cleanupCard is the last message in u's chat with clean-up buttons.
func cleanupCard(t *testing.T, h *harness, u telegramtest.User) telegramtest.Message {
	t.Helper()
	msgs := h.emu.Messages(u.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, row := range msgs[i].Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.Data, "cu:") {
					return msgs[i]
				}
			}
		}
	}
	t.Fatalf("no clean-up card in chat %d", u.ID)
	return telegramtest.Message{}
}

func buttonData(t *testing.T, m telegramtest.Message, label string) string {
	t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == label {
				return b.Data
			}
		}
	}
	t.Fatalf("no button %q on %q", label, m.Plain)
	return ""
}

// runCleanup sends /cleanup and returns the answer (the caller's own card
// may arrive in the same chat).
func runCleanup(t *testing.T, h *harness, u telegramtest.User) string {
	t.Helper()
	var out []string
	for _, m := range h.say(u, "/cleanup") {
		if len(m.Buttons) == 0 {
			out = append(out, m.Plain)
		}
	}
	if len(out) != 1 {
		t.Fatalf("/cleanup: answers %q", out)
	}
	return out[0]
}

func staffID(t *testing.T, h *harness, name string) int64 {
	t.Helper()
	s, err := h.db.StaffByName(context.Background(), 1, name)
	if err != nil {
		t.Fatal(err)
	}
	return s.ID
}

func TestR1_13_CleanupApproveAllSharesOutEvenly(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	sup2 := h.enroll("周主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	wang := h.enroll("王电销", "telesales", "zh")
	zhao := h.enroll("赵电销", "telesales", "zh")
	ids := cleanupLeads(t, h, chen, "H", "A", "B", "C", "N")

	contains(t, runCleanup(t, h, sup), "已发出 2 张")
	h.waitOutboxEmpty(10 * time.Second)
	card := cleanupCard(t, h, sup)
	contains(t, card.Plain, "月末清理 2026-11", "陈顾问", "2 条",
		fmt.Sprintf("#%d 客户B（B）", ids["B"]), fmt.Sprintf("#%d 客户C（C）", ids["C"]))
	lacks(t, card.Plain, "客户H", "客户A", "客户N") // N: still in its first week
	card2 := cleanupCard(t, h, sup2)
	contains(t, card2.Plain, "客户B", "客户C")
	allData := buttonData(t, card, "全部批准")
	if len(allData) > 64 {
		t.Errorf("callback data %q over 64 bytes", allData)
	}
	// A rerun sends nothing twice.
	contains(t, runCleanup(t, h, sup), "已发出", "未重复发送")
	h.waitOutboxEmpty(10 * time.Second)
	if n := len(h.emu.Messages(sup2.ID)); n != 2 { // welcome + one card
		t.Errorf("supervisor 2 has %d messages", n)
	}

	// A consultant cannot approve, even with a forged press.
	contains(t, pressData(t, h, chen, 1, allData), "无权")
	if l, _ := h.db.LeadByID(context.Background(), ids["B"]); l.Pool != domain.PoolShowroom {
		t.Fatalf("forged press moved a lead: %+v", l)
	}

	h.press(sup, "全部批准")
	chenID, wangID, zhaoID := staffID(t, h, "陈顾问"), staffID(t, h, "王电销"), staffID(t, h, "赵电销")
	want := map[string]int64{"H": chenID, "A": chenID, "B": wangID, "C": zhaoID, "N": chenID}
	for g, owner := range want {
		l, err := h.db.LeadByID(context.Background(), ids[g])
		if err != nil {
			t.Fatal(err)
		}
		wantPool := domain.PoolTelesales
		if owner == chenID {
			wantPool = domain.PoolShowroom
		}
		if l.OwnerID != owner || l.Pool != wantPool {
			t.Errorf("lead %s: owner %d pool %s, want %d %s", g, l.OwnerID, l.Pool, owner, wantPool)
		}
	}
	told, _ := h.emu.LastMessage(chen.ID)
	contains(t, told.Plain, "月末划转", "李主管", "2 条", "客户B", "客户C", "王电销", "赵电销")
	lacks(t, told.Plain, "客户H", "客户A", "客户N")
	got, _ := h.emu.LastMessage(wang.ID)
	contains(t, got.Plain, "陈顾问", "1 条", "客户B")
	lacks(t, got.Plain, "客户C", "客户N")
	got, _ = h.emu.LastMessage(zhao.ID)
	contains(t, got.Plain, "1 条", "客户C")
	lacks(t, got.Plain, "客户B", "客户N")

	// Both cards show the outcome without buttons.
	for u, id := range map[telegramtest.User]int{sup: card.ID, sup2: card2.ID} {
		for _, m := range h.emu.Messages(u.ID) {
			if len(m.Buttons) > 0 {
				t.Errorf("chat %d keeps buttons: %q", u.ID, m.Plain)
			}
			if m.ID == id {
				contains(t, m.Plain, "客户B", "已由 李主管 批准", "2 条", "王电销 1", "赵电销 1")
			}
		}
	}
	// A second press, or one on the other supervisor's card, is refused.
	contains(t, pressData(t, h, sup, card.ID, allData), "已处理")
	contains(t, pressData(t, h, sup2, card2.ID, buttonData(t, card2, "逐个审核")), "已处理")
	if l, _ := h.db.LeadByID(context.Background(), ids["B"]); l.OwnerID != wangID {
		t.Fatalf("second press moved lead B again: %+v", l)
	}

	// The lead card keeps the change in its history; /transfers lists it.
	contains(t, h.reply(sup, fmt.Sprintf("/show %d", ids["B"])), "月末划转")
	contains(t, runCleanup(t, h, sup), "没有需要清理")
}

func TestR1_13_CleanupReviewExcludesToggledLead(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.enroll("王电销", "telesales", "zh")
	h.enroll("赵电销", "telesales", "zh")
	ids := cleanupLeads(t, h, chen, "B", "C", "L")

	contains(t, runCleanup(t, h, sup), "已发出 1 张")
	h.waitOutboxEmpty(10 * time.Second)
	msgs := h.press(sup, "逐个审核")
	review := msgs[len(msgs)-1]
	contains(t, review.Plain, "逐个审核", "划转 3 条，保留 0 条")
	label := fmt.Sprintf("✓ #%d 客户C (C)", ids["C"])
	if d := buttonData(t, review, label); len(d) > 64 {
		t.Errorf("toggle data %q over 64 bytes", d)
	}
	msgs = h.press(sup, label)
	review = msgs[len(msgs)-1]
	contains(t, review.Plain, "划转 2 条，保留 1 条")
	buttonData(t, review, fmt.Sprintf("✗ #%d 客户C (C)", ids["C"]))
	// Toggle twice more: back off, then on again.
	h.press(sup, fmt.Sprintf("✗ #%d 客户C (C)", ids["C"]))
	h.press(sup, fmt.Sprintf("✓ #%d 客户C (C)", ids["C"]))

	msgs = h.press(sup, "确认")
	done := msgs[len(msgs)-1]
	contains(t, done.Plain, "已由 李主管 批准", "2 条")
	if len(done.Buttons) > 0 {
		t.Errorf("confirmed card keeps buttons")
	}
	chenID := staffID(t, h, "陈顾问")
	for g, moved := range map[string]bool{"B": true, "C": false, "L": true} {
		l, _ := h.db.LeadByID(context.Background(), ids[g])
		if moved != (l.Pool == domain.PoolTelesales && l.OwnerID != chenID) {
			t.Errorf("lead %s: owner %d pool %s, moved want %v", g, l.OwnerID, l.Pool, moved)
		}
	}
	told, _ := h.emu.LastMessage(chen.ID)
	contains(t, told.Plain, "2 条", "客户B", "客户L")
	lacks(t, told.Plain, "客户C")
}

func TestR1_13_CleanupWithoutTelesalesRefused(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	ids := cleanupLeads(t, h, chen, "B")
	contains(t, runCleanup(t, h, sup), "已发出 1 张")
	h.waitOutboxEmpty(10 * time.Second)
	card := cleanupCard(t, h, sup)
	contains(t, pressData(t, h, sup, card.ID, buttonData(t, card, "全部批准")), "没有在职的电销")
	l, _ := h.db.LeadByID(context.Background(), ids["B"])
	if l.OwnerID != staffID(t, h, "陈顾问") || l.Pool != domain.PoolShowroom {
		t.Fatalf("lead moved: %+v", l)
	}
	if card = cleanupCard(t, h, sup); len(card.Buttons) == 0 {
		t.Fatal("card lost its buttons")
	}
}

func TestR1_13_CleanupNothingToDo(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	cleanupLeads(t, h, chen, "H", "A")
	contains(t, runCleanup(t, h, sup), "没有需要清理")
}

// TestR1_13_CleanupKeepsLeadsInTheirFirstWeek: an N lead still in its first
// week has not been graded yet (R1.4) and stays with its consultant; one
// still N after its first week goes to telesales with B, C, L and F.
func TestR1_13_CleanupKeepsLeadsInTheirFirstWeek(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.enroll("王电销", "telesales", "zh")
	old := leadID(t, h.reply(chen, "/lead 老客户 13800000001 轩逸 N 到店"))
	h.advance(8 * 24 * time.Hour)
	fresh := leadID(t, h.reply(chen, "/lead 新客户 13800000002 轩逸 N 到店"))
	h.advance(6*24*time.Hour + 23*time.Hour) // the fresh lead's first week is not over

	contains(t, runCleanup(t, h, sup), "已发出 1 张")
	h.waitOutboxEmpty(10 * time.Second)
	card := cleanupCard(t, h, sup)
	contains(t, card.Plain, "1 条", fmt.Sprintf("#%d 老客户（N）", old))
	lacks(t, card.Plain, "新客户")
	h.press(sup, "全部批准")
	chenID := staffID(t, h, "陈顾问")
	for id, moved := range map[int64]bool{old: true, fresh: false} {
		l, err := h.db.LeadByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if moved != (l.Pool == domain.PoolTelesales && l.OwnerID != chenID) {
			t.Errorf("lead #%d: owner %d pool %s, moved want %v", id, l.OwnerID, l.Pool, moved)
		}
	}
}

package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// cmpEnrollIn adds a member of store st with roles, already on Telegram
// (as an invite redeemed would leave them), and has them open the chat
// with /help, so the bot can write to them; it returns their user.
func (h *harness) cmpEnrollIn(st *domain.Store, name, roles string) telegramtest.User {
	h.t.Helper()
	rs, err := domain.ParseRoles(roles)
	if err != nil {
		h.t.Fatal(err)
	}
	u := h.user(name, "zh")
	if err := h.db.CreateStaff(context.Background(), &domain.Staff{StoreID: st.ID, Name: name, Roles: rs,
		TelegramID: u.ID, Lang: domain.LangZH}); err != nil {
		h.t.Fatal(err)
	}
	h.say(u, "/help")
	return u
}

// cmpPressRaw presses a button with data as u, whether or not u was shown
// it (a forged or forwarded press), and returns the popup's text.
func (h *harness) cmpPressRaw(u telegramtest.User, data string) string {
	h.t.Helper()
	qid := h.emu.PressRaw(u, u.ID, 999999, data)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ans, err := h.emu.WaitCallbackAnswer(ctx, qid)
	if err != nil {
		h.t.Fatal(err)
	}
	h.waitOutboxEmpty(10 * time.Second)
	return ans.Text
}

// TestStores_R2_ComplaintsStayInTheirStore: a complaint registered in
// store A is store A's. Its owner is A's supervisor (not B's, though B's
// was on the staff first), its opinion is asked of A's manager, its
// breaches go to A's people; store B's service centre does not list it,
// cannot open its card, and B's supervisor cannot press its buttons — it
// does not exist for them ("no complaint K1"). The group service centre,
// acting in store A, lists it.
func TestStores_R2_ComplaintsStayInTheirStore(t *testing.T) {
	h := newHarness(t) // Friday 2026-11-27 09:30
	main := h.db.Stores.Default()
	north := storagetest.AddStore(t, h.db, "north", "Asia/Shanghai")
	// Store B's people come first: the lowest ids.
	supB := h.cmpEnrollIn(north, "北主管", "supervisor")
	mgrB := h.cmpEnrollIn(north, "北经理", "manager")
	gmB := h.cmpEnrollIn(north, "北总", "gm")
	svcB := h.cmpEnrollIn(north, "北客服", "service")
	supA := h.enroll("李主管", "supervisor", "zh")
	mgrA := h.enroll("王经理", "manager", "zh")
	svcA := h.enroll("孙客服", "service", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	group := h.cmpEnrollIn(main, "集团客服", "group_service")

	count := func(u telegramtest.User) int { return len(h.emu.Messages(u.ID)) }
	bPeople := []telegramtest.User{supB, mgrB, gmB, svcB}
	bBefore := make([]int, len(bPeople))
	for i, u := range bPeople {
		bBefore[i] = count(u)
	}

	// A named owner of the other store is nobody here.
	got := h.reply(chen, "/complaint 王石 13800138000 现场 服务 销售部 负责人=北主管 等了一小时无人接待")
	contains(t, got, "北主管")
	lacks(t, got, "已登记投诉")
	got = h.reply(chen, "/complaint 王石 13800138000 现场 服务 销售部 等了一小时无人接待")
	contains(t, got, "已登记投诉 #K1", "负责人 李主管")
	contains(t, last(h, mgrA.ID), "请给出部门经理意见", "#K1")

	// Store A's service centre and the group's, acting in A, list it.
	contains(t, h.reply(svcA, "/complaints"), "K1", "王石")
	contains(t, h.reply(group, "/complaints"), "K1", "王石")

	// Store B: not in the list, no card, no buttons.
	contains(t, h.reply(svcB, "/complaints"), "没有投诉")
	contains(t, h.reply(svcB, "/complaint 1"), "没有编号为 K1 的投诉")
	contains(t, h.reply(gmB, "/complaint K1"), "没有编号为 K1 的投诉")
	for _, data := range []string{"cmp:take:1", "cmp:reply:1", "cmp:re:1", "cmp:close:1"} {
		contains(t, h.cmpPressRaw(supB, data), "没有编号为 K1 的投诉")
	}
	contains(t, h.cmpPressRaw(svcB, "cmp:sat:1:s"), "没有编号为 K1 的投诉")

	// The reminder reaches the owner, A's supervisor; the breaches go up
	// from them: A's manager, then A's general manager (A has none) —
	// never B's people.
	start := h.clock()
	for _, after := range []time.Duration{8 * time.Minute, 10 * time.Minute, 20 * time.Minute, 25 * time.Hour} {
		h.mu.Lock()
		h.now = start.Add(after)
		h.mu.Unlock()
		h.runJob(h.chaser())
	}
	told := func(u telegramtest.User, from int) string {
		var out []string
		for _, m := range h.emu.Messages(u.ID)[from:] {
			out = append(out, m.Plain)
		}
		return strings.Join(out, "\n")
	}
	contains(t, told(supA, 0), "时限将到：提出解决方案")
	contains(t, told(mgrA, 0), "已超时")
	// Store B heard nothing of it: only the answers to their own commands.
	for i, u := range bPeople {
		lacks(t, told(u, bBefore[i]), "王石", "已超时", "意见", "K1 “")
	}
}

// TestStores_R2_4_CardDeadlinesInTheStoresZone: the card and the list
// show a complaint's deadlines in its own store's time zone: an on-site
// complaint registered at 09:30 Shanghai time (01:30 in London) by a
// London store's consultant is due at 01:40 there, and /register reads
// the London store's register.
func TestStores_R2_4_CardDeadlinesInTheStoresZone(t *testing.T) {
	h := newHarness(t) // Friday 2026-11-27 09:30 in Shanghai
	london := storagetest.AddStore(t, h.db, "ldn", "Europe/London")
	sup := h.cmpEnrollIn(london, "伦敦主管", "supervisor")
	got := h.reply(sup, "/complaint 王石 13800138000 现场 服务 销售部 等了一小时无人接待")
	contains(t, got, "已登记投诉 #K1", "提出解决方案：2026-11-27 01:40", "2026-11-27 01:30 伦敦主管")
	contains(t, h.reply(sup, "/complaints"), "K1", "2026-11-27 01:40")
	svc := h.cmpEnrollIn(london, "伦敦客服", "service")
	contains(t, strings.Join(plains(h.say(svc, "/register 2026-11-27")), "\n"), "销售部 1 条")
}

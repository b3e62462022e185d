package bot_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// moveToStore puts the staff member called name in store, as /store does
// for a group role.
func (h *harness) moveToStore(name string, store *domain.Store) {
	h.t.Helper()
	if err := h.db.ExecRaw(context.Background(), "UPDATE staff SET store_id = ? WHERE name = ?", store.ID, name); err != nil {
		h.t.Fatal(err)
	}
}

// pressOn presses the button with data on message msgID of u's chat and
// returns the popup's text.
func (h *harness) pressOn(u telegramtest.User, msgID int, data string) string {
	h.t.Helper()
	qid, err := h.emu.PressButton(u, u.ID, msgID, data)
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
	return ans.Text
}

// TestStores_R1_2_ConsultantSeesOnlyOwnStore: a consultant of store B
// cannot show, find or act on a lead of store A — by id, by phone or by a
// card's button: the answer is "no such lead", as for one that does not
// exist. The same customer is a new lead of B's, not a collision.
func TestStores_R1_2_ConsultantSeesOnlyOwnStore(t *testing.T) {
	h := newHarness(t)
	east := storagetest.AddStore(t, h.db, "east", "Asia/Shanghai")
	chen := h.enroll("陈顾问", "consultant", "zh")
	idA := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 H 来电"))
	wu := h.enroll("吴顾问", "consultant", "zh")
	h.moveToStore("吴顾问", east)
	// A supervisor who had A's card moves to B: its buttons are stale.
	sup := h.enroll("调店主管", "supervisor", "zh")
	cards := h.say(sup, fmt.Sprintf("/show %d", idA))
	if len(cards) != 1 || len(cards[0].Buttons) == 0 {
		t.Fatalf("card: %v", plains(cards))
	}
	card := cards[0]
	h.moveToStore("调店主管", east)

	notFound := fmt.Sprintf("没有编号为 %d 的客户", idA)
	for _, u := range []telegramtest.User{wu, sup} {
		contains(t, h.reply(u, fmt.Sprintf("/show %d", idA)), notFound)
		contains(t, h.reply(u, "/show 13800138000"), "没有电话为 13800138000 的客户")
		contains(t, h.reply(u, "/find 王石"), "没有找到")
		contains(t, h.reply(u, "/find 0013800"), "没有找到")
		contains(t, h.reply(u, fmt.Sprintf("/fu %d 打过电话", idA)), notFound)
		contains(t, h.reply(u, fmt.Sprintf("/grade %d A", idA)), notFound)
		contains(t, h.reply(u, fmt.Sprintf("/lost %d 竞品 去了别家", idA)), notFound)
	}
	for _, row := range card.Buttons {
		for _, b := range row {
			contains(t, h.pressOn(sup, card.ID, b.Data), notFound)
		}
	}
	if l, err := h.db.LeadByID(context.Background(), idA); err != nil || l.Grade != domain.GradeH || l.FollowUps != 0 {
		t.Fatalf("store B changed A's lead: %+v, %v", l, err)
	}

	// R1.14 inside a store: B logs the customer as its own lead.
	cardB := h.reply(wu, "/lead 王石 13800138000 天籁 A 到店")
	contains(t, cardB, "已登记客户", "王石")
	if idB := leadID(t, cardB); idB == idA {
		t.Fatalf("B's lead is A's #%d", idA)
	}
	lacks(t, h.lastText(chen), "撞单")
}

// TestStores_GroupGMSeesAllStores: a group general manager acting in
// store A finds store B's lead by phone and name, labelled with B's code,
// read only (no card, no buttons); after choosing B they get B's cards,
// and A's lead is the one listed elsewhere.
func TestStores_GroupGMSeesAllStores(t *testing.T) {
	h := newHarness(t)
	east := storagetest.AddStore(t, h.db, "east", "Asia/Shanghai")
	chen := h.enroll("陈顾问", "consultant", "zh")
	idA := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 H 来电"))
	wu := h.enroll("吴顾问", "consultant", "zh")
	h.moveToStore("吴顾问", east)
	idB := leadID(t, h.reply(wu, "/lead 王石 13800138000 天籁 A 到店"))
	gm := h.enroll("集团总经理", "group_gm", "zh")

	msgs := h.say(gm, "/show 13800138000")
	if len(msgs) != 2 {
		t.Fatalf("/show: %v", plains(msgs))
	}
	contains(t, msgs[0].Plain, fmt.Sprintf("#%d 王石", idA), "陈顾问")
	contains(t, msgs[1].Plain, "其他门店（只读）", fmt.Sprintf("[east] #%d 王石 A · 吴顾问", idB))
	found := h.reply(gm, "/find 王石")
	contains(t, found, fmt.Sprintf("#%d 王石", idA), "其他门店（只读）", fmt.Sprintf("[east] #%d 王石 A · 吴顾问", idB))
	contains(t, h.reply(gm, fmt.Sprintf("/show %d", idB)), fmt.Sprintf("没有编号为 %d 的客户", idB))

	// Ordinary staff see their store only.
	lacks(t, h.reply(chen, "/find 王石"), "其他门店", "east")

	h.moveToStore("集团总经理", east)
	contains(t, h.reply(gm, fmt.Sprintf("/show %d", idB)), fmt.Sprintf("#%d 王石", idB), "吴顾问")
	contains(t, h.reply(gm, fmt.Sprintf("/show %d", idA)), fmt.Sprintf("没有编号为 %d 的客户", idA))
	msgs = h.say(gm, "/show 13800138000")
	if len(msgs) != 2 {
		t.Fatalf("/show in east: %v", plains(msgs))
	}
	contains(t, msgs[0].Plain, fmt.Sprintf("#%d 王石", idB))
	contains(t, msgs[1].Plain, fmt.Sprintf("[main] #%d 王石 H · 陈顾问", idA))
}

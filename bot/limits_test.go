package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
)

// utf16Units counts text the way Telegram counts its limits.
func utf16Units(s string) int { return len(utf16.Encode([]rune(s))) }

// TestOutbox_EmojiRichCardStillShown: Telegram counts UTF-16 code units,
// so an emoji costs two. A lead whose follow-ups are full of emoji makes a
// card over 4096 units but under 4096 characters; /show still delivers it,
// in parts, every part within Telegram's count.
func TestOutbox_EmojiRichCardStillShown(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 H 来电"))
	note := strings.Repeat("客户回复：好的👍😊🚗", 110) // 1,100 characters, 1,430 units
	for i := range 3 {
		contains(t, h.reply(chen, fmt.Sprintf("/fu %d %d%s", id, i, note)), "已记录跟进")
	}
	msgs := h.say(chen, fmt.Sprintf("/show %d", id))
	h.waitOutboxEmpty(10 * time.Second)
	if len(msgs) < 2 {
		t.Fatalf("/show answered %d message(s), want the card in parts", len(msgs))
	}
	var card strings.Builder
	for _, m := range msgs {
		if n := utf16Units(m.Plain); n > 4096 {
			t.Errorf("a part of %d UTF-16 units", n)
		}
		card.WriteString(m.Plain + "\n")
	}
	if n := utf8.RuneCountInString(card.String()); n > 4096 {
		t.Fatalf("the card has %d characters: the test needs one under 4096", n)
	}
	contains(t, card.String(), fmt.Sprintf("#%d 王石", id), "0客户回复", "1客户回复", "2客户回复")
	if st, _ := h.db.OutboxStats(t.Context()); st.Failed != 0 {
		t.Fatalf("%d message(s) failed", st.Failed)
	}
}

// TestSender_RefusedMessageNeverSilent: Telegram refuses an answer for
// good (400). The person waiting gets a short plain apology once, a refused
// apology gets none, and /health shows the failure with its error and age.
func TestSender_RefusedMessageNeverSilent(t *testing.T) {
	h := newHarness(t)
	mgr := h.enroll("王经理", "manager", "en")
	chen := h.enroll("陈顾问", "consultant", "zh")

	h.emu.Fail("sendMessage", 1, telegramtest.Fault{Kind: telegramtest.FaultBadRequest})
	h.say(chen, "/help")
	h.waitOutboxEmpty(10 * time.Second)
	got := h.emu.Messages(chen.ID)
	if last := got[len(got)-1].Plain; !strings.Contains(last, "无法显示") {
		t.Fatalf("after the refusal chen got %q", last)
	}
	if st, _ := h.db.OutboxStats(t.Context()); st.Failed != 1 {
		t.Fatalf("failed %d, want 1", st.Failed)
	}
	h.advance(3 * time.Minute)
	contains(t, h.reply(mgr, "/health"), "Failed: 1", "Last failure (3 min ago)", "message is too long")

	// The apology refused too: nothing more, never an apology for it.
	before := len(h.emu.Messages(chen.ID))
	h.emu.Fail("sendMessage", 2, telegramtest.Fault{Kind: telegramtest.FaultBadRequest})
	h.say(chen, "/help")
	h.waitOutboxEmpty(10 * time.Second)
	if n := len(h.emu.Messages(chen.ID)); n != before {
		t.Fatalf("%d more message(s) after the apology was refused", n-before)
	}
	if st, _ := h.db.OutboxStats(t.Context()); st.Failed != 3 {
		t.Fatalf("failed %d, want 3", st.Failed)
	}
}

package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
)

// TestR1_11_VisitRegisterDepartureAndGradeAfter24h: reception registers a
// visit, the card's button records the departure, and a day later the
// consultant is asked for the grade, once.
func TestR1_11_VisitRegisterDepartureAndGradeAfter24h(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	zhao := h.enroll("赵接待", "reception", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 N 到店"))

	card := h.say(zhao, "/visit 138 0013 8000")[0]
	contains(t, card.Plain, "到店登记", "王石", "首次", "在店", "陈顾问")
	h.advance(45 * time.Minute)
	left := h.press(zhao, "已离店")
	if len(left) != 1 || left[0].ID != card.ID {
		t.Fatalf("departure not an edit of the card: %+v", left)
	}
	contains(t, left[0].Plain, "2026-11-27 09:30–10:15")
	for _, row := range left[0].Buttons {
		for _, b := range row {
			if b.Text == "已离店" {
				t.Error("departure button still there")
			}
		}
	}
	contains(t, h.reply(zhao, fmt.Sprintf("/visit %d", id)), "再次")
	contains(t, h.reply(zhao, "/visit 13900000000"), "没有电话为 13900000000 的客户")
	contains(t, h.reply(zhao, "/show 1"), "无权") // reception sees visit cards, not lead cards

	l, _ := h.db.LeadByID(context.Background(), id)
	if l.FollowUps != 2 {
		t.Errorf("visits counted as %d contacts, want 2", l.FollowUps)
	}
	job := &jobs.VisitGradePrompt{Store: h.db, Bot: h.bot, After: 24 * time.Hour}
	if err := job.Run(context.Background(), h.clock().Add(23*time.Hour)); err != nil {
		t.Fatal(err)
	}
	h.waitOutboxEmpty(10 * time.Second)
	before := len(h.emu.Messages(chen.ID))
	for range 2 {
		if err := job.Run(context.Background(), h.clock().Add(25*time.Hour)); err != nil {
			t.Fatal(err)
		}
		h.waitOutboxEmpty(10 * time.Second)
	}
	msgs := h.emu.Messages(chen.ID)[before:]
	if len(msgs) != 2 { // one prompt for each of the two visits
		t.Fatalf("%d prompts: %v", len(msgs), plains(msgs))
	}
	contains(t, msgs[0].Plain, "已过 24 小时", "王石")
	contains(t, h.press(chen, "A")[0].Plain, "N → A")
	if l, _ := h.db.LeadByID(context.Background(), id); l.Grade != domain.GradeA {
		t.Fatalf("grade %s", l.Grade)
	}
}

// TestR1_4_VisitAsThirdContactAsksForTheGrade: a visit counts as a
// contact; as the third of the first week it prompts the grade.
func TestR1_4_VisitAsThirdContactAsksForTheGrade(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 N 到店"))
	h.reply(chen, fmt.Sprintf("/fu %d 第一次电话", id))
	h.reply(chen, fmt.Sprintf("/fu %d 第二次电话", id))
	msgs := plains(h.say(chen, "/visit 13800138000"))
	if len(msgs) != 2 || !strings.Contains(msgs[1], "请给客户定级") {
		t.Fatalf("answers %q", msgs)
	}
}

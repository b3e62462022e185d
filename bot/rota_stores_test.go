package bot_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestStores_R5_2_DutyRosterPerStore: two stores in different time zones,
// each with a person of the same name and B with a duty role of its own.
// Each supervisor's names and roles are their store's; each store's
// reminder fires at 08:00 in its own zone and posts its own roster to its
// own group chat, once.
func TestStores_R5_2_DutyRosterPerStore(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{groupChatID: -100555}) // Friday 2026-11-27 09:30 in Shanghai
	gA := h.emu.NewGroup(-100555, "上海店")
	ur, err := time.LoadLocation("Asia/Urumqi")
	if err != nil {
		t.Fatal(err)
	}
	b := storagetest.AddStore(t, h.db, "ur", ur.String())
	b.GroupChatID = -100777
	b.Rules.Rota.DutyRoles = append(slices.Clone(b.Rules.Rota.DutyRoles), domain.DutyRole{Name: "valet", Tasks: []string{"代客泊车"}})
	gB := h.emu.NewGroup(-100777, "乌鲁木齐店")
	supA := h.enroll("李主管", "supervisor", "zh")
	chenA := h.enroll("陈顾问", "consultant", "zh")
	supB := h.enrollIn(b, "李主管", "supervisor", "zh")
	chenB := h.enrollIn(b, "陈顾问", "consultant", "zh")
	h.enrollIn(b, "马顾问", "consultant", "zh")

	contains(t, h.planDuty(supA, "/duty set 2026-11-28 开门 陈顾问"), "已安排 陈顾问 于 2026-11-28 值班：开门")
	contains(t, h.planDuty(supB, "/duty set 2026-11-28 valet 陈顾问"), "已安排 陈顾问 于 2026-11-28 值班：valet")
	contains(t, h.planDuty(supA, "/duty set 2026-11-28 valet 陈顾问"), "没有“valet”这个值班岗位")
	contains(t, h.planDuty(supA, "/duty set 2026-11-28 开门 马顾问"), "找不到员工 马顾问")
	got := h.reply(chenB, "/duty 2026-11-28")
	contains(t, got, "valet：陈顾问")
	lacks(t, got, "开门")
	contains(t, h.reply(chenA, "/duty 2026-11-28"), "开门：陈顾问")

	jobA := &jobs.DutyReminder{Store: h.db, Bot: h.bot, Shop: h.db.Stores.Default()}
	jobB := &jobs.DutyReminder{Store: h.db, Bot: h.bot, Shop: b}
	if jobA.Name() == jobB.Name() {
		t.Fatalf("one name for two stores' jobs: %q", jobA.Name())
	}
	next := func(j *jobs.DutyReminder, after time.Time) time.Time {
		t.Helper()
		s, err := cron.ParseStandard(j.Spec())
		if err != nil {
			t.Fatalf("spec %q: %v", j.Spec(), err)
		}
		return s.Next(after)
	}
	atA := next(jobA, h.clock())
	atB := next(jobB, atA)
	if want := time.Date(2026, 11, 28, 8, 0, 0, 0, shanghai()); !atA.Equal(want) {
		t.Fatalf("A's reminder at %s, want %s", atA, want)
	}
	if want := time.Date(2026, 11, 28, 8, 0, 0, 0, ur); !atB.Equal(want) {
		t.Fatalf("B's reminder at %s, want %s (10:00 in Shanghai)", atB, want)
	}
	run := func(j *jobs.DutyReminder) {
		t.Helper()
		for range 2 { // a rerun sends nothing twice
			if err := j.Run(context.Background(), h.clock()); err != nil {
				t.Fatal(err)
			}
			h.waitOutboxEmpty(10 * time.Second)
		}
	}
	beforeB := len(h.emu.Messages(chenB.ID))
	h.advance(atA.Sub(h.clock()))
	run(jobA)
	if msgs := h.emu.Messages(gA.ID); len(msgs) != 1 {
		t.Fatalf("A's group: %d rosters", len(msgs))
	} else {
		contains(t, msgs[0].Plain, "2026-11-28 值班表", "陈顾问：开门")
		lacks(t, msgs[0].Plain, "valet")
	}
	if n := len(h.emu.Messages(gB.ID)); n != 0 {
		t.Fatalf("B's group got %d messages at A's reminder time", n)
	}
	if n := len(h.emu.Messages(chenB.ID)); n != beforeB {
		t.Fatalf("B's 陈顾问 reminded at A's time")
	}
	contains(t, h.lastText(chenA), "您今天（2026-11-28）值班", "开门")

	h.advance(atB.Sub(h.clock()))
	run(jobB)
	if msgs := h.emu.Messages(gB.ID); len(msgs) != 1 {
		t.Fatalf("B's group: %d rosters", len(msgs))
	} else {
		contains(t, msgs[0].Plain, "2026-11-28 值班表", "陈顾问：valet")
		lacks(t, msgs[0].Plain, "开门")
	}
	if n := len(h.emu.Messages(gA.ID)); n != 1 {
		t.Fatalf("A's group got %d messages", n)
	}
	contains(t, h.lastText(chenB), "您今天（2026-11-28）值班", "valet", "代客泊车")
}

// TestStores_R5_3_ReceptionLinePerStore: two stores each have their own
// line the same day, with a consultant of the same name; each reception's
// call goes to its own store's consultant, and a call in A never reaches
// B's consultants.
func TestStores_R5_3_ReceptionLinePerStore(t *testing.T) {
	h := newHarness(t)
	b := storagetest.AddStore(t, h.db, "bj", "Asia/Shanghai")
	supA := h.enroll("李主管", "supervisor", "zh")
	recA := h.enroll("前台", "reception", "zh")
	a1 := h.enroll("甲顾问", "consultant", "zh")
	supB := h.enrollIn(b, "李主管", "supervisor", "zh")
	recB := h.enrollIn(b, "前台", "reception", "zh")
	b1 := h.enrollIn(b, "甲顾问", "consultant", "zh")
	b2 := h.enrollIn(b, "乙顾问", "consultant", "zh")
	h.planDuty(supA, "/duty set 今天 showroom 甲顾问")
	h.planDuty(supB, "/duty set 今天 showroom 甲顾问")
	h.planDuty(supB, "/duty set 今天 showroom 乙顾问")

	count := func(users ...telegramtest.User) int {
		n := 0
		for _, u := range users {
			n += len(h.emu.Messages(u.ID))
		}
		return n
	}
	beforeB := count(recB, b1, b2)
	contains(t, h.reply(recA, "/next"), "已呼叫 甲顾问")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, h.lastText(a1), "有客户在展厅等候")
	if n := count(recB, b1, b2); n != beforeB {
		t.Fatalf("A's call reached B's people: %d new messages", n-beforeB)
	}
	got := h.reply(recA, "/queue")
	contains(t, got, "1. 甲顾问（呼叫中）")
	lacks(t, got, "乙顾问")

	// B's own line: its first call of the day, to B's 甲顾问.
	contains(t, h.reply(recB, "/next"), "已呼叫 甲顾问")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, h.lastText(b1), "有客户在展厅等候")
	contains(t, h.reply(recB, "/queue"), "1. 甲顾问（呼叫中）\n2. 乙顾问")
	contains(t, h.press(b1, "✅ 接待")[0].Plain, "请前往展厅接待客户")
	contains(t, h.lastText(recB), "甲顾问 已接下这位客户")
	contains(t, h.reply(recB, "/queue"), "1. 乙顾问\n2. 甲顾问")
	// A's call still waits for A's 甲顾问.
	contains(t, h.reply(recA, "/next"), "正在等 甲顾问 回应")
	beforeB2 := count(b2)
	contains(t, h.press(a1, "⏳ 忙")[0].Plain, "您保留位置")
	h.waitOutboxEmpty(10 * time.Second)
	if n := count(b2); n != beforeB2 {
		t.Fatalf("A's busy answer called B's 乙顾问")
	}
}

package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestMorningPush_RightItemsOnceNothingToTheIdle runs the 08:30 job at a
// fixed clock: each person gets exactly their due follow-ups by grade, a
// supervisor also the team's long-overdue counts, nobody with nothing due
// gets a message, and running it again sends nothing twice.
func TestMorningPush_RightItemsOnceNothingToTheIdle(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	liu := h.enroll("刘顾问", "consultant", "zh")
	idle := h.enroll("赵顾问", "consultant", "zh")

	// 2026-11-27 09:30: chen logs two leads, liu one.
	h.reply(chen, "/lead 甲 13800000001 轩逸 H 来电")
	h.reply(chen, "/lead 乙 13800000002 天籁 B 来电")
	h.reply(liu, "/lead 丙 13800000003 逍客 A 到店")
	h.advance(5 * 24 * time.Hour)     // 12-02 09:30: all three overdue by 4 days
	h.reply(chen, "/fu 2 打了电话，下月再联系") // 乙 B: next due in 15 days
	h.reply(idle, "/help")

	loc := shanghai()
	morning := time.Date(2026, 12, 3, 8, 30, 0, 0, loc)
	job := h.morning()
	count := func() map[int64]int {
		out := map[int64]int{}
		for _, u := range []int64{sup.ID, chen.ID, liu.ID, idle.ID} {
			out[u] = len(h.emu.Messages(u))
		}
		return out
	}
	before := count()
	for range 2 { // a rerun (or a restart at 08:30) sends nothing twice
		if err := job.Run(context.Background(), morning); err != nil {
			t.Fatal(err)
		}
		h.waitOutboxEmpty(10 * time.Second)
	}
	after := count()
	if after[chen.ID]-before[chen.ID] != 1 || after[liu.ID]-before[liu.ID] != 1 || after[sup.ID]-before[sup.ID] != 1 {
		t.Fatalf("messages sent %v → %v", before, after)
	}
	if after[idle.ID] != before[idle.ID] {
		t.Error("someone with nothing due got a message")
	}
	chenMsg, _ := h.emu.LastMessage(chen.ID)
	contains(t, chenMsg.Plain, "早上好，陈顾问", "H 7天内：逾期 1，今天 0", "甲", "共 1 位")
	lacks(t, chenMsg.Plain, "乙", "丙")
	if len(chenMsg.Buttons) == 0 || !strings.Contains(chenMsg.Buttons[0][0].Text, "甲") {
		t.Errorf("no button to open the lead: %+v", chenMsg.Buttons)
	}
	liuMsg, _ := h.emu.LastMessage(liu.ID)
	contains(t, liuMsg.Plain, "A 1个月内：逾期 1", "丙")
	supMsg, _ := h.emu.LastMessage(sup.ID)
	contains(t, supMsg.Plain, "团队逾期超过 3 天", "陈顾问：1 位", "刘顾问：1 位")
	lacks(t, supMsg.Plain, "赵顾问")

	// The button opens the card.
	contains(t, h.press(chen, chenMsg.Buttons[0][0].Text)[0].Plain, "#1 甲")
}

// TestR1_4_MorningRemindsUngradedAfterFirstWeek: a lead still N after its
// first week is named in the morning message every day until graded.
func TestR1_4_MorningRemindsUngradedAfterFirstWeek(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.reply(chen, "/lead 甲 13800000001 轩逸 N 到店")
	loc := shanghai()
	job := h.morning()
	for day := 8; day <= 9; day++ {
		at := time.Date(2026, 11, 27+day, 8, 30, 0, 0, loc)
		if err := job.Run(context.Background(), at); err != nil {
			t.Fatal(err)
		}
		h.waitOutboxEmpty(10 * time.Second)
		m, _ := h.emu.LastMessage(chen.ID)
		contains(t, m.Plain, "1 位客户首周已过仍未定级")
	}
}

// TestR1_8_ReceptionMorningListsBookingsUnderAGreeting: reception's
// morning message lists the day's booked visits; it is not headed
// "today's follow-ups", which telesales' message still is.
func TestR1_8_ReceptionMorningListsBookingsUnderAGreeting(t *testing.T) {
	h := newHarness(t) // 2026-11-27 09:30
	zhang := h.enroll("张电销", "telesales", "zh")
	zhao := h.enroll("赵接待", "reception", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	contains(t, h.reply(zhang, fmt.Sprintf("/appoint %d 明天 14:30", id)), "2026-11-28 14:30")
	h.advance(23 * time.Hour) // 11-28 08:30
	h.runJob(h.morning())
	got := last(h, zhao.ID)
	contains(t, got, "早上好，赵接待！", "今天的邀约到店", "14:30 #1 王石")
	lacks(t, got, "今天的跟进")
	contains(t, last(h, zhang.ID), "今天的跟进", "今天的邀约到店")
}

// TestR1_4_ReopenedLeadGetsAFreshFirstWeek: a customer given up as
// unreachable who walks in a month later is reopened as N: neither the
// morning push nor the month-end clean-up treats the lead as past its
// first week until a week after the reopening.
func TestR1_4_ReopenedLeadGetsAFreshFirstWeek(t *testing.T) {
	h := newHarness(t) // 11-27 09:30
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	zhao := h.enroll("赵接待", "reception", "zh")
	h.enroll("王电销", "telesales", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 C 到店"))
	h.reply(chen, fmt.Sprintf("/grade %d L", id))
	h.press(chen, "确认：L 失控")
	h.advance(30 * 24 * time.Hour)
	contains(t, h.reply(zhao, "/visit 13800138000"), "重新打开")
	h.waitOutboxEmpty(10 * time.Second)

	push := h.morning()
	h.advance(23 * time.Hour) // the next morning, 08:30
	h.runJob(push)
	lacks(t, last(h, chen.ID), "首周已过仍未定级")
	contains(t, runCleanup(t, h, sup), "没有需要清理")

	h.advance(7 * 24 * time.Hour) // the new first week is over
	h.runJob(push)
	contains(t, last(h, chen.ID), "1 位客户首周已过仍未定级")
}

// TestStores_MorningPushAtEachStoresOwn0830: two stores in one database,
// one in Shanghai (UTC+8) and one in Urumqi (UTC+6), each with a
// consultant who has a follow-up due. The scheduler runs one morning push
// per store on its CRON_TZ spec: each consultant gets their message at
// their own store's 08:30, not at the other's, with their own store's
// leads only.
func TestStores_MorningPushAtEachStoresOwn0830(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	xj := storagetest.AddStore(t, h.db, "xj", "Asia/Urumqi")
	chen := h.enroll("陈顾问", "consultant", "zh") // the default store, Shanghai
	h.reply(chen, "/lead 甲 13800000001 轩逸 H 来电")
	ma := h.user("马顾问", "zh")
	maStaff := &domain.Staff{StoreID: xj.ID, Name: "马顾问", Roles: domain.Roles{domain.RoleConsultant}, TelegramID: ma.ID, Lang: domain.LangZH}
	if err := h.db.CreateStaff(ctx, maStaff); err != nil {
		t.Fatal(err)
	}
	h.reply(ma, "/help") // a chat with the bot, as an invited member has
	due := testStart.Add(24 * time.Hour)
	if err := h.db.CreateLead(ctx, &domain.Lead{StoreID: xj.ID, Name: "乙", Phone: "13800000002", Source: domain.SourceCall,
		Model: "天籁", Grade: domain.GradeH, OwnerID: maStaff.ID, Pool: domain.PoolShowroom, NextDueAt: &due}); err != nil {
		t.Fatal(err)
	}
	h.advance(5 * 24 * time.Hour) // 12-02 09:30 in Shanghai: both leads overdue

	s := jobs.NewScheduler(shanghai(), h.clock, nil)
	for _, st := range h.db.Stores.All() {
		j := &jobs.MorningPush{Store: h.db, Bot: h.bot, Shop: st}
		if err := s.Add(j.Spec(), j); err != nil {
			t.Fatal(err)
		}
	}
	sent := func(u telegramtestUser) int { return len(h.emu.Messages(u.ID)) }
	chenBefore, maBefore := sent(chen), sent(ma)

	// Up to 12-03 09:00 in Shanghai (07:00 in Urumqi): Shanghai's push only.
	from := time.Date(2026, 12, 3, 0, 0, 0, 0, shanghai())
	mid := time.Date(2026, 12, 3, 9, 0, 0, 0, shanghai())
	fired := s.Advance(ctx, from, mid)
	h.waitOutboxEmpty(10 * time.Second)
	if len(fired) != 1 || fired[0].Job != "morning-push@main" || !fired[0].At.Equal(time.Date(2026, 12, 3, 8, 30, 0, 0, shanghai())) {
		t.Fatalf("fired %+v, want morning-push@main at 08:30 in Shanghai", fired)
	}
	if sent(chen) != chenBefore+1 || sent(ma) != maBefore {
		t.Fatalf("after Shanghai's 08:30: chen %d→%d, ma %d→%d messages", chenBefore, sent(chen), maBefore, sent(ma))
	}
	chenMsg, _ := h.emu.LastMessage(chen.ID)
	contains(t, chenMsg.Plain, "早上好，陈顾问", "甲")
	lacks(t, chenMsg.Plain, "乙")

	// Up to 12-03 12:00 in Shanghai: Urumqi's 08:30 is 10:30 in Shanghai.
	fired = s.Advance(ctx, mid, time.Date(2026, 12, 3, 12, 0, 0, 0, shanghai()))
	h.waitOutboxEmpty(10 * time.Second)
	urumqi := xj.Calendar.Location
	if len(fired) != 1 || fired[0].Job != "morning-push@xj" || !fired[0].At.Equal(time.Date(2026, 12, 3, 8, 30, 0, 0, urumqi)) {
		t.Fatalf("fired %+v, want morning-push@xj at 08:30 in Urumqi", fired)
	}
	if sent(chen) != chenBefore+1 || sent(ma) != maBefore+1 {
		t.Fatalf("after Urumqi's 08:30: chen %d→%d, ma %d→%d messages", chenBefore, sent(chen), maBefore, sent(ma))
	}
	maMsg, _ := h.emu.LastMessage(ma.ID)
	contains(t, maMsg.Plain, "早上好，马顾问", "乙")
	lacks(t, maMsg.Plain, "甲")
}

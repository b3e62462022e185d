package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
)

// timers is a scheduler with the harness's deadline jobs, on its clock.
func (h *harness) timers() *jobs.Scheduler {
	s := jobs.NewScheduler(shanghai(), h.clock, nil)
	s.AddDeadline(h.chaser())
	s.AddDeadline(&jobs.ReceptionTimeouts{Store: h.db, Bot: h.bot})
	return s
}

// advanceTo moves the clock to `to` and has s fire what falls due
// between, as the demo's /clock does; it returns the runs of job.
func (h *harness) advanceTo(s *jobs.Scheduler, to time.Time, job string) []time.Time {
	h.t.Helper()
	from := h.clock()
	h.mu.Lock()
	h.now = to
	h.mu.Unlock()
	var at []time.Time
	for _, f := range s.Advance(context.Background(), from, to) {
		if f.Err != nil {
			h.t.Fatalf("%s at %s: %v", f.Job, f.At, f.Err)
		}
		if f.Job == job {
			at = append(at, f.At)
		}
	}
	h.waitOutboxEmpty(10 * time.Second)
	return at
}

func sameInstants(got []time.Time, want ...time.Time) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !got[i].Equal(want[i]) {
			return false
		}
	}
	return true
}

// TestR2_4_EscalationAtTheSecond: an on-site complaint opened at
// 09:30:17 reminds its owner at 09:38:17 and reaches the supervisor at
// 09:40:17, not at the next minute.
func TestR2_4_EscalationAtTheSecond(t *testing.T) {
	h := newHarness(t)
	h.enroll("王经理", "manager", "zh")
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.advance(17 * time.Second)
	opened := h.clock()
	contains(t, h.reply(chen, "/complaint 王石 13800138000 现场 服务 销售部 负责人=陈顾问 等了一小时无人接待"), "已登记投诉 #K1")
	s := h.timers()
	s0 := len(h.emu.Messages(sup.ID))

	due := opened.Add(10 * time.Minute)
	ran := h.advanceTo(s, due.Add(-time.Second), "complaint-chaser")
	if !sameInstants(ran, opened.Add(8*time.Minute)) {
		t.Fatalf("chaser ran at %v, want the reminder's instant only", ran)
	}
	contains(t, h.lastText(chen), "时限将到")
	if n := len(h.emu.Messages(sup.ID)) - s0; n != 0 {
		t.Fatalf("supervisor told %d times a second early", n)
	}
	if ran := h.advanceTo(s, due, "complaint-chaser"); !sameInstants(ran, due) {
		t.Fatalf("chaser ran at %v, want %s", ran, due)
	}
	contains(t, h.lastText(sup), "已超时", "负责人 陈顾问")
}

// TestR5_3_ReceptionTimeoutAtTheSecond: a call at 09:30:17 is passed over
// at 09:32:17 exactly, and the next one called then is passed over at
// 09:34:17: each has its full two minutes.
func TestR5_3_ReceptionTimeoutAtTheSecond(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	rec := h.enroll("前台", "reception", "zh")
	for _, name := range []string{"甲顾问", "乙顾问", "丙顾问"} {
		h.enroll(name, "consultant", "zh")
		h.reply(sup, "/duty set 今天 showroom "+name)
	}
	h.advance(17 * time.Second)
	called := h.clock()
	contains(t, h.reply(rec, "/next"), "已呼叫 甲顾问")
	s := h.timers()
	limit := domain.DefaultRules().Rota.ReceptionAnswerLimit

	if ran := h.advanceTo(s, called.Add(limit-time.Second), "reception-timeouts"); len(ran) != 0 {
		t.Fatalf("timed out at %v, before the limit", ran)
	}
	contains(t, h.lastText(rec), "已呼叫 甲顾问")
	ran := h.advanceTo(s, called.Add(2*limit), "reception-timeouts")
	if !sameInstants(ran, called.Add(limit), called.Add(2*limit)) {
		t.Fatalf("timed out at %v, want %s and %s", ran, called.Add(limit), called.Add(2*limit))
	}
	contains(t, h.lastText(rec), "乙顾问 未回应，已呼叫 丙顾问")
	contains(t, h.reply(rec, "/queue"), "甲顾问（未回应 1 次）", "乙顾问（未回应 1 次）", "丙顾问（呼叫中）")
}

// TestR2_4_RestartFiresOverdueEscalation: the bot was down past a
// complaint's deadline; timers started afresh compute it from the
// database and escalate at once.
func TestR2_4_RestartFiresOverdueEscalation(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.reply(chen, "/complaint 王石 13800138000 现场 服务 销售部 负责人=陈顾问 等了一小时无人接待")
	s0 := len(h.emu.Messages(sup.ID))
	h.stop()
	h.advance(15 * time.Minute)
	h.start()
	s := h.timers()
	s.Start()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Error(err)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(h.emu.Messages(sup.ID)) == s0 {
		if time.Now().After(deadline) {
			t.Fatal("no escalation after the restart")
		}
		time.Sleep(20 * time.Millisecond)
	}
	contains(t, h.lastText(sup), "已超时", "负责人 陈顾问")
}

// TestCommittedAfterEachUpdate: the bot says when an update's changes
// committed, so that the timers recompute at once.
func TestCommittedAfterEachUpdate(t *testing.T) {
	var n atomic.Int32
	h := newHarnessWith(t, harnessOptions{committed: func() { n.Add(1) }})
	sup := h.enroll("李主管", "supervisor", "zh")
	before := n.Load()
	if before == 0 {
		t.Fatal("enrolment did not report a commit")
	}
	h.reply(sup, "/complaint 王石 13800138000 现场 服务 销售部 等了一小时无人接待")
	if n.Load() != before+1 {
		t.Fatalf("%d commits reported for one update", n.Load()-before)
	}
}

// TestR5_3_ReceptionDeadlineOfToday: the deadline is found from an
// `after` days old too (timers idle since), and only while a call waits.
func TestR5_3_ReceptionDeadlineOfToday(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	rec := h.enroll("前台", "reception", "zh")
	h.enroll("甲顾问", "consultant", "zh")
	h.reply(sup, "/duty set 今天 showroom 甲顾问")
	ctx := context.Background()
	if at, ok, err := h.bot.ReceptionDeadline(ctx, h.clock()); err != nil || ok {
		t.Fatalf("no call: %s %v %v", at, ok, err)
	}
	h.advance(17 * time.Second)
	called := h.clock()
	h.reply(rec, "/next")
	want := called.Add(domain.DefaultRules().Rota.ReceptionAnswerLimit)
	for _, after := range []time.Time{called, called.AddDate(0, 0, -3)} {
		if at, ok, err := h.bot.ReceptionDeadline(ctx, after); err != nil || !ok || !at.Equal(want) {
			t.Errorf("after %s: %s %v %v, want %s", after, at, ok, err, want)
		}
	}
}

// TestR1_8_R1_11_RemindersAtTheSecond: reception's reminder of a booked
// visit goes 30 minutes before it, and the grade prompt 24 hours after a
// visit registered at 09:30:17, each at that instant only.
func TestR1_8_R1_11_RemindersAtTheSecond(t *testing.T) {
	h := newHarness(t)
	zhang := h.enroll("张电销", "telesales", "zh")
	zhao := h.enroll("赵接待", "reception", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	contains(t, h.reply(zhang, fmt.Sprintf("/appoint %d 明天 14:30", id)), "2026-11-28 14:30")
	h.reply(chen, "/lead 李四 13900139000 轩逸 N 到店")
	h.advance(17 * time.Second)
	arrived := h.clock()
	contains(t, h.say(zhao, "/visit 13900139000")[0].Plain, "到店登记")

	s := jobs.NewScheduler(shanghai(), h.clock, nil)
	s.AddDeadline(h.reminders())
	s.AddDeadline(&jobs.VisitGradePrompt{Store: h.db, Bot: h.bot, After: 24 * time.Hour})
	remind := time.Date(2026, 11, 28, 14, 0, 0, 0, shanghai())
	prompt := arrived.Add(24 * time.Hour)
	if ran := h.advanceTo(s, prompt.Add(-time.Second), "visit-grade"); len(ran) != 0 {
		t.Fatalf("prompted at %v", ran)
	}
	if ran := h.advanceTo(s, prompt, "visit-grade"); !sameInstants(ran, prompt) {
		t.Fatalf("prompted at %v, want %s", ran, prompt)
	}
	contains(t, h.lastText(chen), "已过 24 小时", "李四")
	if ran := h.advanceTo(s, remind.Add(time.Hour), "reminders"); !sameInstants(ran, remind) {
		t.Fatalf("reminded at %v, want %s", ran, remind)
	}
	contains(t, h.lastText(zhao), "约 14:30 到店", "张电销")
}

// TestR2_4_OpinionChasedAtTheSecond: the timers chase the manager's
// opinion like any deadline: its reminder reaches the department manager
// (not the owner) at its second, and its breach the general manager (not
// the supervisor) at its second; the owner's own first reply, due at the
// same instant, still goes up from the owner.
func TestR2_4_OpinionChasedAtTheSecond(t *testing.T) {
	h := newHarness(t) // every day a working day
	admin := h.enroll("管理员", "admin", "zh")
	gm := h.enroll("赵总", "gm", "zh")
	mgr := h.enroll("销售经理", "manager", "zh")
	sup := h.enroll("销售主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.reply(admin, "/dept 销售主管 销售部")
	h.reply(admin, "/dept 销售经理 销售部")
	h.advance(17 * time.Second)
	opened := h.clock()
	contains(t, h.reply(chen, "/complaint 王石 13800138000 电话 服务 销售部 报价前后不一"), "负责人 销售主管")
	s := h.timers()
	h.waitOutboxEmpty(10 * time.Second)
	count := func(u telegramtest.User) int { return len(h.emu.Messages(u.ID)) }
	g0, m0, s0 := count(gm), count(mgr), count(sup)

	due := opened.Add(24 * time.Hour) // one working day; the first reply's 24 hours
	remind := due.Add(-24 * time.Hour / 5)
	if ran := h.advanceTo(s, remind, "complaint-chaser"); !sameInstants(ran, remind) {
		t.Fatalf("chaser ran at %v, want %s", ran, remind)
	}
	if count(mgr)-m0 != 1 {
		t.Fatalf("manager got %d messages at the reminder", count(mgr)-m0)
	}
	contains(t, last(h, mgr.ID), "时限将到：部门经理意见")
	contains(t, last(h, sup.ID), "时限将到：首次回复")
	lacks(t, strings.Join(plains(h.emu.Messages(sup.ID)[s0:]), "\n"), "部门经理意见（")

	g1, m1, s1 := count(gm), count(mgr), count(sup)
	if g1 != g0 {
		t.Fatalf("GM told before the breach")
	}
	if ran := h.advanceTo(s, due.Add(-time.Second), "complaint-chaser"); len(ran) != 0 {
		t.Fatalf("chaser ran at %v before the breach", ran)
	}
	if ran := h.advanceTo(s, due, "complaint-chaser"); !sameInstants(ran, due) {
		t.Fatalf("chaser ran at %v, want %s", ran, due)
	}
	gmGot := strings.Join(plains(h.emu.Messages(gm.ID)[g1:]), "\n")
	contains(t, gmGot, "投诉 #K1 “部门经理意见”已超时")
	lacks(t, gmGot, "“首次回复”")
	mgrGot := strings.Join(plains(h.emu.Messages(mgr.ID)[m1:]), "\n")
	contains(t, mgrGot, "投诉 #K1 “首次回复”已超时")
	lacks(t, mgrGot, "“部门经理意见”已超时")
	if n := count(sup) - s1; n != 0 {
		t.Fatalf("the owner was escalated to themselves (%d messages)", n)
	}
}

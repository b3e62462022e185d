package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
)

// restDay stores an approved rest day directly (the rest rota is another
// feature's).
func (h *harness) restDay(name, day string) {
	h.t.Helper()
	s, err := h.db.StaffByName(context.Background(), 1, name)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.db.ExecRaw(context.Background(), `INSERT INTO rest_days (staff_id, day, status, created_at) VALUES (?, ?, ?, ?)`,
		s.ID, day, domain.RestApproved, h.clock()); err != nil {
		h.t.Fatal(err)
	}
}

// lastText is the plain text of the last message in u's chat.
func (h *harness) lastText(u telegramtest.User) string {
	h.t.Helper()
	h.waitOutboxEmpty(10 * time.Second)
	m, ok := h.emu.LastMessage(u.ID)
	if !ok {
		h.t.Fatalf("no message to %d", u.ID)
	}
	return m.Plain
}

// TestR5_2_DutySetAndShow: a supervisor plans duties by day and by week;
// anyone sees them; bad input changes nothing.
func TestR5_2_DutySetAndShow(t *testing.T) {
	h := newHarness(t) // Friday 2026-11-27 09:30
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.enroll("刘顾问", "consultant", "zh")
	en := h.enroll("Wang", "consultant", "en")

	contains(t, h.reply(chen, "/duty"), "2026-11-27 没有安排值班")
	contains(t, h.planDuty(sup, "/duty set 2026-11-28 开门 陈顾问"), "已安排 陈顾问 于 2026-11-28 值班：开门")
	contains(t, h.planDuty(sup, "/duty set 明天 closing 刘顾问"), "刘顾问", "关门")
	got := h.reply(chen, "/duty 2026-11-28")
	contains(t, got, "2026-11-28 值班", "开门：陈顾问", "关门：刘顾问")
	contains(t, h.reply(en, "/duty 11-28"), "opening: 陈顾问", "closing: 刘顾问")

	// Bad input: a clear answer, nothing stored.
	contains(t, h.planDuty(sup, "/duty set 2026-11-26 开门 陈顾问"), "2026-11-26 已经过去了")
	contains(t, h.planDuty(sup, "/duty set 后年 开门 陈顾问"), "“后年”不是有效日期")
	contains(t, h.planDuty(sup, "/duty set 2026-11-29 lunch 陈顾问"), "没有“lunch”这个值班岗位", "开门")
	contains(t, h.planDuty(sup, "/duty set 2026-11-29 开门 张三"), "找不到员工 张三")
	contains(t, h.planDuty(sup, "/duty set 2026-11-29"), "用法")
	contains(t, h.reply(chen, "/duty set 2026-11-29 开门 陈顾问"), "无权")
	contains(t, h.planDuty(sup, "/duty weekly 周八 开门 陈顾问"), "“周八”不是星期")
	contains(t, h.reply(chen, "/duty 2026-11-29"), "没有安排值班")

	// Someone resting that day cannot be put on duty.
	h.restDay("陈顾问", "2026-11-30")
	contains(t, h.planDuty(sup, "/duty set 2026-11-30 opening 陈顾问"), "陈顾问 在 2026-11-30 已批准休息，不能安排值班")
	contains(t, h.reply(sup, "/duty 2026-11-30"), "没有安排值班")

	// The weekly pattern fills Mondays.
	contains(t, h.planDuty(sup, "/duty weekly 周一 showroom 刘顾问"), "已安排 刘顾问 每星期一值班：展厅站岗")
	contains(t, h.reply(chen, "/duty 2026-11-30"), "展厅站岗：刘顾问")
	contains(t, h.reply(chen, "/duty 2026-12-07"), "展厅站岗：刘顾问")
	contains(t, h.reply(en, "/duty weekly monday opening Wang"), "You may not do that")
	contains(t, h.planDuty(sup, "/duty weekly 2 opening Wang"), "每星期二值班：开门")
}

// TestR5_2_MorningDutyReminderOnce: at 08:00 exactly the people on duty
// get their roles and tasks, once however often the job runs; the
// supervisor hears the day before of someone on duty who rests.
func TestR5_2_MorningDutyReminderOnce(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	liu := h.enroll("Liu", "consultant", "en")
	zhao := h.enroll("赵顾问", "consultant", "zh")
	wang := h.enroll("王顾问", "consultant", "zh")
	h.planDuty(sup, "/duty set 2026-11-28 开门 陈顾问")
	h.planDuty(sup, "/duty set 2026-11-28 展厅站岗 陈顾问")
	h.planDuty(sup, "/duty set 2026-11-28 closing Liu")
	h.planDuty(sup, "/duty set 2026-11-29 opening 王顾问")
	h.restDay("王顾问", "2026-11-29") // approved after the duty was set

	loc := shanghai()
	h.advance(time.Date(2026, 11, 28, 8, 0, 0, 0, loc).Sub(h.clock()))
	job := &jobs.DutyReminder{Store: h.db, Bot: h.bot, Shop: h.db.Stores.Default()}
	if job.Spec() != "CRON_TZ=Asia/Shanghai 0 8 * * *" {
		t.Fatalf("spec %q", job.Spec())
	}
	users := []telegramtest.User{sup, chen, liu, zhao, wang}
	count := func() []int {
		var out []int
		for _, u := range users {
			out = append(out, len(h.emu.Messages(u.ID)))
		}
		return out
	}
	before := count()
	for range 2 {
		if err := job.Run(context.Background(), h.clock()); err != nil {
			t.Fatal(err)
		}
		h.waitOutboxEmpty(10 * time.Second)
	}
	after := count()
	for i, want := range []int{1, 1, 1, 0, 0} {
		if after[i]-before[i] != want {
			t.Errorf("%s got %d messages, want %d", users[i].FirstName, after[i]-before[i], want)
		}
	}
	contains(t, h.lastText(chen), "早上好，陈顾问", "2026-11-28", "开门", "展厅站岗", "开展厅门", "接待来店客户")
	lacks(t, h.lastText(chen), "关门")
	contains(t, h.lastText(liu), "Good morning, Liu", "closing", "锁好展厅和钥匙柜")
	contains(t, h.lastText(sup), "王顾问 在 2026-11-29 已批准休息，但排了值班（开门）")
}

// TestR5_3_ReceptionRotation: /next calls the first in line; busy keeps
// the place and calls the next; accepting sends to the back; a call left
// unanswered for 2 minutes counts a miss and calls the next.
func TestR5_3_ReceptionRotation(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	rec := h.enroll("前台", "reception", "zh")
	a := h.enroll("甲顾问", "consultant", "zh")
	b := h.enroll("乙顾问", "consultant", "zh")
	c := h.enroll("丙顾问", "consultant", "zh")
	h.enroll("丁顾问", "consultant", "zh")

	// Nobody on duty: a clear answer.
	contains(t, h.reply(rec, "/next"), "今天没有值班的销售顾问")
	contains(t, h.reply(a, "/away"), "您不在今天的接待队列中")

	for _, name := range []string{"甲顾问", "乙顾问", "丙顾问", "丁顾问"} {
		h.planDuty(sup, "/duty set 今天 showroom "+name)
	}
	h.restDay("丁顾问", "2026-11-27") // resting: not in line
	contains(t, h.reply(rec, "/queue"), "1. 甲顾问", "2. 乙顾问", "3. 丙顾问")
	lacks(t, h.reply(rec, "/queue"), "丁顾问")

	contains(t, h.reply(rec, "/next"), "已呼叫 甲顾问")
	contains(t, h.lastText(a), "有客户在展厅等候", "2 分钟")
	contains(t, h.reply(rec, "/next"), "正在等 甲顾问 回应")

	// A is busy: keeps the place, B is called.
	contains(t, h.press(a, "⏳ 忙")[0].Plain, "您保留位置")
	contains(t, h.lastText(rec), "甲顾问 正忙，已呼叫 乙顾问")
	// B accepts: to the back; reception told.
	contains(t, h.press(b, "✅ 接待")[0].Plain, "请前往展厅接待客户")
	contains(t, h.lastText(rec), "乙顾问 已接下这位客户")
	contains(t, h.reply(rec, "/queue"), "1. 甲顾问\n2. 丙顾问\n3. 乙顾问")
	contains(t, h.popup(b, "✅ 接待"), "这次呼叫已结束")

	// Next customer: A again; no answer.
	contains(t, h.reply(rec, "/next"), "已呼叫 甲顾问")
	timeout := func() {
		t.Helper()
		if err := h.db.InTx(context.Background(), func(ctx context.Context) error {
			return h.bot.CheckReceptionTimeout(ctx, h.clock())
		}); err != nil {
			t.Fatal(err)
		}
		h.waitOutboxEmpty(10 * time.Second)
	}
	h.advance(time.Minute)
	timeout() // not yet
	contains(t, h.lastText(rec), "已呼叫 甲顾问")
	h.advance(time.Minute)
	timeout()
	timeout() // a second check does nothing more
	contains(t, h.lastText(rec), "甲顾问 未回应，已呼叫 丙顾问")
	contains(t, h.lastText(c), "有客户在展厅等候")
	contains(t, h.reply(rec, "/queue"), "1. 甲顾问（未回应 1 次）", "2. 丙顾问（呼叫中）", "3. 乙顾问")
	contains(t, h.popup(a, "⏳ 忙"), "这次呼叫已结束")

	// Away and back: out of the line, then at the back.
	contains(t, h.reply(b, "/away"), "已离开接待队列")
	contains(t, h.reply(rec, "/queue"), "乙顾问（离开）")
	contains(t, h.reply(b, "/back"), "您排在第 3 位")
	contains(t, h.reply(b, "/back"), "您已经在接待队列中")
	contains(t, h.press(c, "✅ 接待")[0].Plain, "请前往展厅接待客户")
	contains(t, h.reply(rec, "/queue"), "1. 甲顾问（未回应 1 次）\n2. 乙顾问\n3. 丙顾问")
}

// TestR5_2_RosterInTheTeamGroup: with a team group configured, the
// morning reminder also posts the day's roster there, once.
func TestR5_2_RosterInTheTeamGroup(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{groupChatID: -100555})
	g := h.emu.NewGroup(-100555, "销售团队")
	sup := h.enroll("李主管", "supervisor", "zh")
	h.enroll("陈顾问", "consultant", "zh")
	h.planDuty(sup, "/duty set 2026-11-28 开门 陈顾问")
	loc := shanghai()
	h.advance(time.Date(2026, 11, 28, 8, 0, 0, 0, loc).Sub(h.clock()))
	job := &jobs.DutyReminder{Store: h.db, Bot: h.bot, Shop: h.db.Stores.Default()}
	for range 2 {
		if err := job.Run(context.Background(), h.clock()); err != nil {
			t.Fatal(err)
		}
		h.waitOutboxEmpty(10 * time.Second)
	}
	msgs := h.emu.Messages(g.ID)
	if len(msgs) != 1 {
		t.Fatalf("%d roster messages", len(msgs))
	}
	contains(t, msgs[0].Plain, "2026-11-28 值班表", "陈顾问：开门")
}

// TestR5_3_AcceptRegistersTheNamedCustomersVisit: reception names the
// waiting customer; the consultant who accepts gets their visit.
func TestR5_3_AcceptRegistersTheNamedCustomersVisit(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	rec := h.enroll("前台", "reception", "zh")
	a := h.enroll("甲顾问", "consultant", "zh")
	id := leadID(t, h.reply(a, "/lead 王石 13800138000 轩逸 A 到店"))
	h.planDuty(sup, "/duty set 今天 showroom 甲顾问")
	contains(t, h.reply(rec, "/next 13800138000"), "已呼叫 甲顾问")
	h.waitOutboxEmpty(10 * time.Second) // the call reaches the consultant before they answer it
	msgs := h.press(a, "✅ 接待")
	contains(t, msgs[len(msgs)-1].Plain, "到店登记", "王石", "接待 甲顾问")
	if vs, _ := h.db.Visits(context.Background(), id, 5); len(vs) != 1 {
		t.Fatalf("%d visits", len(vs))
	}
	contains(t, h.reply(rec, "/next 13900000000"), "没有电话为 13900000000 的客户")
}

// TestR5_2_DutyUnset: a duty taken off a day, and off the weekly pattern.
func TestR5_2_DutyUnset(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	h.enroll("陈顾问", "consultant", "zh")
	for _, short := range []string{"/duty set", "/duty unset 2026-12-03", "/duty weekly 周四 开门"} {
		contains(t, h.reply(sup, short), "用法")
	}
	h.planDuty(sup, "/duty set 2026-12-03 开门 陈顾问")
	contains(t, h.reply(sup, "/duty unset 2026-12-03 开门 陈顾问"), "已取消 陈顾问 在 2026-12-03 的值班")
	contains(t, h.reply(sup, "/duty 2026-12-03"), "没有")
	contains(t, h.reply(sup, "/duty unset 2026-12-03 开门 陈顾问"), "没有这项值班")
	h.planDuty(sup, "/duty weekly 周四 开门 陈顾问")
	contains(t, h.reply(sup, "/duty 2026-12-03"), "陈顾问")
	contains(t, h.reply(sup, "/duty unset 周四 开门 陈顾问"), "已取消 陈顾问 在 星期四 的值班")
	contains(t, h.reply(sup, "/duty 2026-12-03"), "没有")
	// A weekday typed as a number is named, not repeated.
	h.planDuty(sup, "/duty weekly 1 开门 陈顾问")
	got := h.reply(sup, "/duty unset 1 开门 陈顾问")
	contains(t, got, "已取消 陈顾问 在 星期一 的值班")
	lacks(t, got, "在 1 的")
	contains(t, h.reply(sup, "/duty unset 1 开门 陈顾问"), "陈顾问 在 星期一 没有这项值班")
}

// TestR5_2_PutOnDutyAfterTheReminderIsTold: someone put on duty for today
// after the 08:00 reminder, or for a later day, or on a weekly pattern, is
// pushed the day, the role and its tasks; for today before the reminder the
// reminder tells them, and a supervisor who puts themselves on duty is not
// pushed.
func TestR5_2_PutOnDutyAfterTheReminderIsTold(t *testing.T) {
	h := newHarness(t) // Friday 2026-11-27 09:30, after the 08:00 reminder
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	liu := h.enroll("刘顾问", "consultant", "en")
	count := func(u telegramtest.User) int { h.waitOutboxEmpty(10 * time.Second); return len(h.emu.Messages(u.ID)) }

	h.planDuty(sup, "/duty set 今天 开门 陈顾问")
	contains(t, h.lastText(chen), "陈顾问", "2026-11-27（周五）", "值班", "开门")
	h.planDuty(sup, "/duty set 2026-11-30 closing 刘顾问")
	contains(t, h.lastText(liu), "on duty on 2026-11-30 (Mon)", "closing", "锁好展厅和钥匙柜")

	supBefore := count(sup)
	h.planDuty(sup, "/duty set 今天 showroom 李主管")
	if n := count(sup); n != supBefore+1 {
		t.Errorf("the supervisor got %d messages for their own duty, want only the answer", n-supBefore)
	}

	// Saturday 07:00: the reminder at 08:00 will tell them.
	h.advance(21*time.Hour + 30*time.Minute)
	before := count(chen)
	h.planDuty(sup, "/duty set 今天 closing 陈顾问")
	if n := count(chen); n != before {
		t.Errorf("pushed %d messages before the reminder", n-before)
	}
	h.planDuty(sup, "/duty weekly 周一 opening 陈顾问")
	contains(t, h.lastText(chen), "每星期一值班", "2026-11-30（周一）", "开门")
}

// TestR5_3_ReceptionCardShowsTheConfiguredTimeout: the card asks for an
// answer within rules.rota.reception_answer_timeout as configured, not
// rounded to minutes.
func TestR5_3_ReceptionCardShowsTheConfiguredTimeout(t *testing.T) {
	for _, c := range []struct {
		limit  time.Duration
		zh, en string
	}{
		{30 * time.Second, "请在 30 秒内回应", "within 30 seconds"},
		{time.Minute, "请在 1 分钟内回应", "within 1 minute."},
		{90 * time.Second, "请在 1 分 30 秒内回应", "within 1 minute 30 seconds"},
	} {
		t.Run(c.limit.String(), func(t *testing.T) {
			h := newHarnessWith(t, harnessOptions{rules: func(r *domain.Rules) { r.Rota.ReceptionAnswerLimit = c.limit }})
			sup := h.enroll("李主管", "supervisor", "zh")
			rec := h.enroll("前台", "reception", "zh")
			a := h.enroll("甲顾问", "consultant", "zh")
			b := h.enroll("Bob", "consultant", "en")
			h.planDuty(sup, "/duty set 今天 showroom 甲顾问")
			h.planDuty(sup, "/duty set 今天 showroom Bob")
			contains(t, h.reply(rec, "/next"), "已呼叫 甲顾问")
			contains(t, h.lastText(a), c.zh)
			contains(t, h.press(a, "⏳ 忙")[0].Plain, "您保留位置")
			contains(t, h.lastText(b), c.en)
		})
	}
}

// planDuty sends /duty set or weekly as u and waits until the push to the
// person put on duty is delivered, so that it is not taken for an answer
// to their next message.
func (h *harness) planDuty(u telegramtest.User, text string) string {
	h.t.Helper()
	got := h.reply(u, text)
	h.waitOutboxEmpty(10 * time.Second)
	return got
}

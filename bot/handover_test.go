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

func (h *harness) reminders() *jobs.Reminders {
	return &jobs.Reminders{Store: h.db, Bot: h.bot, Stores: h.db.Stores}
}

// morning is the default store's morning push.
func (h *harness) morning() *jobs.MorningPush {
	return &jobs.MorningPush{Store: h.db, Bot: h.bot, Shop: h.db.Stores.Default()}
}

// runJob runs a job at the harness's clock and waits for what it sent.
func (h *harness) runJob(j jobs.Job) {
	h.t.Helper()
	if err := j.Run(context.Background(), h.clock()); err != nil {
		h.t.Fatal(err)
	}
	h.waitOutboxEmpty(10 * time.Second)
}

func last(h *harness, chat int64) string {
	m, _ := h.emu.LastMessage(chat)
	return m.Plain
}

// TestR1_8_R1_10_InvitationArrivalHandover: telesales books a visit,
// reception is reminded 30 minutes before, the arrival reaches telesales at
// once, the handover form goes to the consultant, who accepts: the lead is
// the consultant's, in the showroom pool, and telesales keeps the credit.
func TestR1_8_R1_10_InvitationArrivalHandover(t *testing.T) {
	h := newHarness(t) // 2026-11-27 09:30
	zhang := h.enroll("张电销", "telesales", "zh")
	zhao := h.enroll("赵接待", "reception", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))

	contains(t, h.reply(zhang, fmt.Sprintf("/appoint %d 昨天 10:00", id)), "不是有效时间")
	contains(t, h.reply(zhang, fmt.Sprintf("/appoint %d 今天 08:00", id)), "已经过去")
	contains(t, h.reply(zhang, fmt.Sprintf("/appoint %d 明天 20:00", id)), "不在营业时间")
	contains(t, h.reply(zhang, fmt.Sprintf("/appoint %d 明天 14:30", id)), "2026-11-28 14:30")

	// The morning push names it for telesales and reception.
	h.advance(23 * time.Hour) // 11-28 08:30
	job := h.morning()
	h.runJob(job)
	contains(t, last(h, zhao.ID), "今天的邀约到店", "14:30 #1 王石")
	contains(t, last(h, zhang.ID), "今天的邀约到店")

	h.advance(5*time.Hour + 25*time.Minute) // 13:55: not yet
	before := len(h.emu.Messages(zhao.ID))
	h.runJob(h.reminders())
	h.advance(10 * time.Minute) // 14:05: 25 minutes before
	h.runJob(h.reminders())
	h.runJob(h.reminders())
	if n := len(h.emu.Messages(zhao.ID)) - before; n != 1 {
		t.Fatalf("reception reminded %d times", n)
	}
	contains(t, last(h, zhao.ID), "约 14:30 到店", "张电销")

	h.advance(25 * time.Minute)
	card := h.reply(zhao, "/visit 13800138000")
	contains(t, card, "邀约客户", "张电销")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, zhang.ID), "您邀约的客户", "王石", "赵接待")

	contains(t, h.reply(zhang, fmt.Sprintf("/handover %d 赵接待", id)), "不是在职的销售顾问")
	other := h.enroll("孙电销", "telesales", "zh")
	contains(t, h.reply(other, fmt.Sprintf("/handover %d 陈顾问", id)), "不是您的客户")
	contains(t, h.reply(other, fmt.Sprintf("/appoint %d 明天 10:00", id)), "不是您的客户")
	contains(t, h.reply(zhang, fmt.Sprintf("/handover %d 陈顾问 12-20", id)), "交接表发给 陈顾问")
	contains(t, h.reply(zhang, fmt.Sprintf("/handover %d 陈顾问", id)), "已有待接收")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, chen.ID), "交接表", "王石", "13800138000", "轩逸", "来电", "2026-12-20", "A 1个月内", "待接收")

	accepted := h.press(chen, "接收")
	contains(t, accepted[len(accepted)-1].Plain, "已接收", "负责人 陈顾问（展厅）", "交接")
	l, _ := h.db.LeadByID(context.Background(), id)
	me, _ := h.db.StaffByTelegramID(context.Background(), chen.ID)
	tele, _ := h.db.StaffByTelegramID(context.Background(), zhang.ID)
	if l.OwnerID != me.ID || l.Pool != domain.PoolShowroom || l.InvitedBy != tele.ID {
		t.Fatalf("after the handover: %+v", l)
	}
	contains(t, last(h, zhang.ID), "已由 陈顾问 接收", "邀约业绩仍归您")
	contains(t, h.reply(zhang, fmt.Sprintf("/fu %d 再问问", id)), "不是您的客户")
	mgr := h.enroll("王经理", "manager", "zh")
	contains(t, h.reply(mgr, "/transfers 2026-11"), "#1 张电销→陈顾问", "交接")
}

// TestR1_10_HandoverUnansweredRemindsThenSupervisor: 2 working hours
// without an answer remind the consultant; as long again, the supervisor.
func TestR1_10_HandoverUnansweredRemindsThenSupervisor(t *testing.T) {
	h := newHarness(t) // Friday 09:30
	sup := h.enroll("李主管", "supervisor", "zh")
	zhang := h.enroll("张电销", "telesales", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	h.reply(zhang, fmt.Sprintf("/handover %d 陈顾问", id))
	h.waitOutboxEmpty(10 * time.Second)
	c0, s0 := len(h.emu.Messages(chen.ID)), len(h.emu.Messages(sup.ID))
	h.advance(time.Hour + 50*time.Minute)
	h.runJob(h.reminders())
	if len(h.emu.Messages(chen.ID)) != c0 {
		t.Fatal("reminded before 2 working hours")
	}
	h.advance(15 * time.Minute)
	h.runJob(h.reminders())
	contains(t, last(h, chen.ID), "请接收或拒绝")
	h.advance(2 * time.Hour)
	h.runJob(h.reminders())
	h.runJob(h.reminders())
	if n := len(h.emu.Messages(sup.ID)) - s0; n != 1 {
		t.Fatalf("supervisor told %d times", n)
	}
	contains(t, last(h, sup.ID), "张电销 交给 陈顾问", "未接收")
	// Declining asks why and tells telesales.
	contains(t, h.press(chen, "拒绝")[0].Plain, "原因")
	contains(t, h.reply(chen, "本周休假"), "已拒绝")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, zhang.ID), "陈顾问 拒绝接收", "本周休假")
}

// TestR1_14_CollisionRuledOnceWithEscalations: a consultant logs a walk-in
// whose phone is a telesales lead; no duplicate, a case opens; the
// supervisor is reminded at 24 h and the manager told at 48 h; the ruling
// moves the lead, is final, and a consultant cannot rule.
func TestR1_14_CollisionRuledOnceWithEscalations(t *testing.T) {
	h := newHarness(t)
	mgr := h.enroll("王经理", "manager", "zh")
	sup := h.enroll("李主管", "supervisor", "zh")
	zhang := h.enroll("张电销", "telesales", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	h.reply(zhang, fmt.Sprintf("/fu %d 约了周末", id))

	told := h.reply(chen, "/lead 王先生 138-0013-8000 天籁 H 到店")
	contains(t, told, "已有负责人：#1 王石（张电销）", "不另建档", "主管判定")
	if _, err := h.db.LeadByID(context.Background(), 2); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatal("a duplicate lead was stored")
	}
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, zhang.ID), "撞单", "陈顾问 也登记了您的客户")
	card := last(h, sup.ID)
	contains(t, card, "撞单 #C1", "A：张电销", "跟进 1 次", "约了周末", "来源 来电", "B：陈顾问", "来源 到店")

	// Notes within 24 hours.
	h.press(chen, "补充说明")
	contains(t, h.reply(chen, "客户今天第一次来店，是我接待的"), "已转给主管")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, sup.ID), "陈顾问 补充说明")

	s0, m0 := len(h.emu.Messages(sup.ID)), len(h.emu.Messages(mgr.ID))
	h.advance(23 * time.Hour)
	h.runJob(h.reminders())
	if len(h.emu.Messages(sup.ID)) != s0 {
		t.Fatal("supervisor reminded before 24 h")
	}
	h.advance(2 * time.Hour)
	h.runJob(h.reminders())
	h.runJob(h.reminders())
	if n := len(h.emu.Messages(sup.ID)) - s0; n != 1 {
		t.Fatalf("supervisor reminded %d times at 24 h", n)
	}
	contains(t, last(h, sup.ID), "未判定")
	h.advance(24 * time.Hour)
	h.runJob(h.reminders())
	if n := len(h.emu.Messages(mgr.ID)) - m0; n != 1 {
		t.Fatalf("manager told %d times at 48 h", n)
	}

	// A consultant's forged press changes nothing.
	qid := h.emu.PressRaw(chen, chen.ID, 1, "col:b:1")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if a, err := h.emu.WaitCallbackAnswer(ctx, qid); err != nil || !strings.Contains(a.Text, "无权") {
		t.Fatalf("forged ruling answered %q, %v", a.Text, err)
	}
	// The supervisor awards the customer to the consultant.
	h.press(sup, "判给 陈顾问")
	l, _ := h.db.LeadByID(context.Background(), id)
	me, _ := h.db.StaffByTelegramID(context.Background(), chen.ID)
	if l.OwnerID != me.ID || l.Pool != domain.PoolShowroom {
		t.Fatalf("after the ruling %+v", l)
	}
	contains(t, last(h, zhang.ID), "已判定：归 陈顾问", "不可再议")
	contains(t, last(h, chen.ID), "已判定：归 陈顾问")
	for _, chat := range []int64{sup.ID, mgr.ID} {
		for _, m := range h.emu.Messages(chat) {
			if len(m.Buttons) > 0 && strings.HasPrefix(m.Buttons[0][0].Text, "判给") {
				t.Errorf("ruling buttons left on %q", m.Plain)
			}
		}
	}
	// A second ruling (a replayed press of the manager's escalation) is refused.
	qid = h.emu.PressRaw(mgr, mgr.ID, 1, "col:a:1")
	if a, err := h.emu.WaitCallbackAnswer(ctx, qid); err != nil || !strings.Contains(a.Text, "不可再议") {
		t.Fatalf("second ruling answered %q, %v", a.Text, err)
	}
	if l, _ := h.db.LeadByID(context.Background(), id); l.OwnerID != me.ID {
		t.Fatal("second ruling moved the lead")
	}
	contains(t, h.reply(chen, fmt.Sprintf("/show %d", id)), "判单")
}

// TestR1_14_VisitByAnotherConsultantOpensACase: a consultant registers a
// visit for another consultant's customer: the visit is served and
// registered, and a collision opens.
func TestR1_14_VisitByAnotherConsultantOpensACase(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	liu := h.enroll("刘顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 A 到店"))
	msgs := plains(h.say(liu, "/visit 13800138000"))
	if len(msgs) != 2 || !strings.Contains(msgs[0], "到店登记") || !strings.Contains(msgs[1], "主管判定") {
		t.Fatalf("answers %q", msgs)
	}
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, sup.ID), "撞单 #C1", "A：陈顾问", "B：刘顾问")
	if vs, _ := h.db.Visits(context.Background(), id, 5); len(vs) != 1 {
		t.Fatalf("%d visits", len(vs))
	}
}

// TestR1_8_MissedAppointmentReportedNextMorning: nobody came to a booked
// visit; the next morning telesales is told, once.
func TestR1_8_MissedAppointmentReportedNextMorning(t *testing.T) {
	h := newHarness(t) // 11-27 09:30
	zhang := h.enroll("张电销", "telesales", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	h.reply(zhang, fmt.Sprintf("/appoint %d 今天 15:00", id))
	job := h.morning()
	h.advance(23 * time.Hour) // 11-28 08:30
	h.runJob(job)
	contains(t, last(h, zhang.ID), "未到店的邀约", "15:00 #1 王石")
	h.advance(24 * time.Hour)
	h.runJob(job)
	lacks(t, last(h, zhang.ID), "未到店")
}

// TestR1_8_NewBookingReplacesTheOld: a second /appoint moves the visit;
// reception is reminded once, and no false no-show follows.
func TestR1_8_NewBookingReplacesTheOld(t *testing.T) {
	h := newHarness(t) // 11-27 09:30
	zhang := h.enroll("张电销", "telesales", "zh")
	zhao := h.enroll("赵接待", "reception", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	h.reply(zhang, fmt.Sprintf("/appoint %d 今天 11:00", id))
	h.reply(zhang, fmt.Sprintf("/appoint %d 今天 15:00", id))
	before := len(h.emu.Messages(zhao.ID))
	h.advance(75 * time.Minute) // 10:45: the first booking would be due
	h.runJob(h.reminders())
	if len(h.emu.Messages(zhao.ID)) != before {
		t.Fatal("reminded of a replaced booking")
	}
	h.advance(4 * time.Hour) // 14:45
	h.runJob(h.reminders())
	contains(t, last(h, zhao.ID), "约 15:00 到店")
	h.reply(zhao, "/visit 13800138000")
	job := h.morning()
	h.advance(18 * time.Hour)
	h.runJob(job)
	lacks(t, last(h, zhang.ID), "未到店")
}

// TestR1_10_HandoverVoidAfterRuling: the lead was ruled to someone else
// while the handover waited; accepting it is refused.
func TestR1_10_HandoverVoidAfterRuling(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	zhang := h.enroll("张电销", "telesales", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	liu := h.enroll("刘顾问", "consultant", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	h.reply(zhang, fmt.Sprintf("/handover %d 陈顾问", id))
	h.reply(liu, "/lead 王先生 13800138000 轩逸 H 到店")
	h.waitOutboxEmpty(10 * time.Second)
	h.press(sup, "判给 刘顾问")
	ans := h.press(chen, "接收")
	_ = ans
	l, _ := h.db.LeadByID(context.Background(), id)
	me, _ := h.db.StaffByTelegramID(context.Background(), liu.ID)
	if l.OwnerID != me.ID {
		t.Fatalf("a stale handover overturned the ruling: owner %d", l.OwnerID)
	}
}

// TestR1_10_HandoverToUnlinkedConsultantRefused: a consultant who has not
// linked Telegram cannot receive the handover form (R1.10): telesales is
// told so, by name, and nothing is written.
func TestR1_10_HandoverToUnlinkedConsultantRefused(t *testing.T) {
	h := newHarness(t)
	zhang := h.enroll("张电销", "telesales", "zh")
	rs, _ := domain.ParseRoles("consultant")
	if _, _, err := h.db.InviteStaff(context.Background(), "周新", rs, 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	got := h.reply(zhang, fmt.Sprintf("/handover %d 周新", id))
	contains(t, got, "周新", "还没有绑定 Telegram")
	lacks(t, got, "交接表发给")
	if n, err := h.db.QueryCount(context.Background(), `SELECT COUNT(*) FROM handovers`); err != nil || n != 0 {
		t.Errorf("%d handovers written, %v", n, err)
	}
}

// enrollAt adds a member of store st with the roles, on Telegram, who has
// opened the chat with the bot (as an invited member has).
func (h *harness) enrollAt(st *domain.Store, name string, roles ...domain.Role) telegramtestUser {
	h.t.Helper()
	u := h.user(name, "zh")
	if err := h.db.CreateStaff(context.Background(), &domain.Staff{StoreID: st.ID, Name: name, Roles: roles,
		TelegramID: u.ID, Lang: domain.LangZH}); err != nil {
		h.t.Fatal(err)
	}
	h.reply(u, "/help")
	return u
}

// TestStores_R1_10_HandoverStaysInItsStore: a handover goes to the
// consultant of the lead's store, not to a namesake in another store;
// unanswered, it reminds that consultant and escalates to that store's
// supervisor; the other store's people hear nothing of it.
func TestStores_R1_10_HandoverStaysInItsStore(t *testing.T) {
	h := newHarness(t) // Friday 09:30 in Shanghai
	xj := storagetest.AddStore(t, h.db, "xj", "Asia/Urumqi")
	sup := h.enroll("李主管", "supervisor", "zh")
	zhang := h.enroll("张电销", "telesales", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	xChen := h.enrollAt(xj, "陈顾问", domain.RoleConsultant) // the same name, in xj
	xSup := h.enrollAt(xj, "马主管", domain.RoleSupervisor)
	x0, xs0 := len(h.emu.Messages(xChen.ID)), len(h.emu.Messages(xSup.ID))

	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	contains(t, h.reply(zhang, fmt.Sprintf("/handover %d 陈顾问", id)), "交接表发给 陈顾问")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, chen.ID), "交接表", "王石")
	h.advance(4*time.Hour + 10*time.Minute) // past 2 and 4 working hours
	h.runJob(h.reminders())
	contains(t, last(h, chen.ID), "请接收或拒绝")
	contains(t, last(h, sup.ID), "张电销 交给 陈顾问", "未接收")
	if x, xs := len(h.emu.Messages(xChen.ID)), len(h.emu.Messages(xSup.ID)); x != x0 || xs != xs0 {
		t.Errorf("the other store's namesake got %d, its supervisor %d messages", x-x0, xs-xs0)
	}
	accepted := h.press(chen, "接收")
	contains(t, accepted[len(accepted)-1].Plain, "负责人 陈顾问（展厅）")
}

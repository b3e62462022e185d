package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// Tests of issue 10's flows from the invitation to the visit register
// (R1.8, R1.10, R1.11, R1.12, R1.14).

// TestR1_8_SameDayBookingRemindsTelesalesAndReception: a booking made after
// the morning push for later today promises only what happens, and both the
// telesales owner and reception are reminded before the visit.
func TestR1_8_SameDayBookingRemindsTelesalesAndReception(t *testing.T) {
	h := newHarness(t) // 11-27 09:30, after the 08:30 push
	zhang := h.enroll("张电销", "telesales", "zh")
	zhao := h.enroll("赵接待", "reception", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	ok := h.reply(zhang, fmt.Sprintf("/appoint %d 今天 15:00", id))
	contains(t, ok, "2026-11-27 15:00", "到店前 30 分钟会提醒您和展厅接待")
	lacks(t, ok, "早上")

	h.advance(5*time.Hour + 5*time.Minute) // 14:35
	z0, t0 := len(h.emu.Messages(zhao.ID)), len(h.emu.Messages(zhang.ID))
	h.runJob(h.reminders())
	h.runJob(h.reminders())
	if n, m := len(h.emu.Messages(zhao.ID))-z0, len(h.emu.Messages(zhang.ID))-t0; n != 1 || m != 1 {
		t.Fatalf("reception reminded %d times, telesales %d", n, m)
	}
	contains(t, last(h, zhao.ID), "约 15:00 到店", "张电销")
	contains(t, last(h, zhang.ID), "您邀约的客户", "王石", "约 15:00 到店")
}

// TestR1_8_BookingWithinTheReminderIsRemindedAtOnce: a visit booked less
// than 30 minutes ahead says so and is reminded at the next minute.
func TestR1_8_BookingWithinTheReminderIsRemindedAtOnce(t *testing.T) {
	h := newHarness(t) // 11-27 09:30
	zhang := h.enroll("Zhang", "telesales", "en")
	zhao := h.enroll("赵接待", "reception", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	contains(t, h.reply(zhang, fmt.Sprintf("/appoint %d today 09:50", id)), "reminded right away")
	contains(t, h.reply(zhang, fmt.Sprintf("/appoint %d tomorrow 10:00", id)), "that morning's list", "30 minutes before")
	contains(t, h.reply(zhang, fmt.Sprintf("/appoint %d today 09:50", id)), "reminded right away")
	h.advance(time.Minute)
	h.runJob(h.reminders())
	contains(t, last(h, zhao.ID), "约 09:50 到店")
	contains(t, last(h, zhang.ID), "Your invited customer", "09:50")
}

// TestR1_10_FormNamesTheConsultantAndADeclineClosesIt: the form names the
// receiving consultant (attachment 2); declining it turns the form and its
// reminder into the declined form with the reason, without buttons.
func TestR1_10_FormNamesTheConsultantAndADeclineClosesIt(t *testing.T) {
	h := newHarness(t)
	zhang := h.enroll("张电销", "telesales", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	h.reply(zhang, fmt.Sprintf("/handover %d 陈顾问", id))
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, chen.ID), "交接表", "接收顾问：陈顾问", "待接收")
	h.advance(2*time.Hour + 5*time.Minute)
	h.runJob(h.reminders())
	contains(t, last(h, chen.ID), "请接收或拒绝")

	h.press(chen, "拒绝")
	contains(t, h.reply(chen, "不是我的车型"), "已拒绝")
	h.waitOutboxEmpty(10 * time.Second)
	forms := 0
	for _, m := range h.emu.Messages(chen.ID) {
		if len(m.Buttons) > 0 && (m.Buttons[0][0].Text == "接收" || m.Buttons[0][0].Text == "拒绝") {
			t.Errorf("live buttons left on %q", m.Plain)
		}
		if strings.Contains(m.Plain, "交接表") {
			forms++
			contains(t, m.Plain, "接收顾问：陈顾问", "已拒绝（不是我的车型）")
			lacks(t, m.Plain, "待接收")
		}
	}
	if forms != 2 {
		t.Fatalf("%d forms, want the form and its reminder", forms)
	}
}

// TestR1_9_UnbookedTelesalesCustomerIsNotCalledInvited: a telesales lead
// who comes without a booking is announced as the owner's customer, not as
// an invited one.
func TestR1_9_UnbookedTelesalesCustomerIsNotCalledInvited(t *testing.T) {
	h := newHarness(t)
	zhang := h.enroll("张电销", "telesales", "zh")
	zhao := h.enroll("赵接待", "reception", "zh")
	h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电")
	card := h.reply(zhao, "/visit 13800138000")
	contains(t, card, "电销客户")
	lacks(t, card, "邀约客户")
	h.waitOutboxEmpty(10 * time.Second)
	notice := last(h, zhang.ID)
	contains(t, notice, "您的客户", "王石", "未预约到店", "赵接待")
	lacks(t, notice, "邀约", "异议")
}

// TestR1_14_TelesalesDisputesAConsultantsVisit: a consultant registers a
// visit for a telesales lead; telesales is told (R1.14.2) and disputes it,
// which opens the collision case for the supervisor (R1.14.4), once.
func TestR1_14_TelesalesDisputesAConsultantsVisit(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	zhang := h.enroll("张电销", "telesales", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	s0 := len(h.emu.Messages(sup.ID))
	contains(t, h.reply(chen, "/visit 13800138000"), "电销客户", "张电销")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, zhang.ID), "您的客户", "陈顾问 以销售顾问身份登记")
	if n := len(h.emu.Messages(sup.ID)) - s0; n != 0 {
		t.Fatalf("supervisor told %d times before any dispute", n)
	}

	msgs := h.press(zhang, "提出异议")
	contains(t, msgs[len(msgs)-1].Plain, "撞单 #C1", "陈顾问", "主管判定")
	contains(t, last(h, chen.ID), "张电销 对您登记的到店客户", "提出异议")
	contains(t, last(h, sup.ID), "撞单 #C1", "A：张电销", "B：陈顾问")
	msgs = h.press(zhang, "提出异议")
	contains(t, msgs[len(msgs)-1].Plain, "已在处理中")

	h.press(sup, "判给 陈顾问")
	l, _ := h.db.LeadByID(context.Background(), id)
	me, _ := h.db.StaffByTelegramID(context.Background(), chen.ID)
	if l.OwnerID != me.ID || l.Pool != domain.PoolShowroom {
		t.Fatalf("after the ruling %+v", l)
	}
	contains(t, last(h, zhang.ID), "已判定：归 陈顾问", "不可再议")
}

// TestR1_11_R1_14_ReturningTelesalesCustomerStaysWithTelesales: an
// unreachable (L) customer of the telesales pool — where the month-end
// clean-up puts every L and F — comes back and a consultant registers the
// visit: the lead reopens but telesales keeps it and is told, with the
// dispute button (R1.14.2, R1.14.4); the supervisor hears of the reopening.
func TestR1_11_R1_14_ReturningTelesalesCustomerStaysWithTelesales(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	zhang := h.enroll("张电销", "telesales", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	h.reply(zhang, fmt.Sprintf("/grade %d L", id))
	h.press(zhang, "确认：L 失控")
	h.advance(48 * time.Hour)

	contains(t, h.reply(chen, "/visit 13800138000"), "到店登记", "重新打开", "张电销")
	h.waitOutboxEmpty(10 * time.Second)
	l, _ := h.db.LeadByID(context.Background(), id)
	owner, _ := h.db.StaffByTelegramID(context.Background(), zhang.ID)
	if l.Grade != domain.GradeN || l.OwnerID != owner.ID || l.Pool != domain.PoolTelesales {
		t.Fatalf("after the visit: grade %s, owner %d (telesales %d), pool %s", l.Grade, l.OwnerID, owner.ID, l.Pool)
	}
	m, _ := h.emu.LastMessage(zhang.ID)
	contains(t, m.Plain, "您的客户", "陈顾问 以销售顾问身份登记")
	contains(t, buttonLabels(m), "提出异议")
	contains(t, last(h, sup.ID), "再次到店", "原 L 级", "归 张电销")
}

// TestR1_11_LostCustomerWhoComesBackIsReopened: reception registers the
// visit of a customer marked lost: the lead reopens to its consultant, the
// supervisor is told, and the lead's history says why.
func TestR1_11_LostCustomerWhoComesBackIsReopened(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	zhao := h.enroll("赵接待", "reception", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 A 到店"))
	h.reply(chen, fmt.Sprintf("/lost %d 竞品 去了别家", id))
	h.waitOutboxEmpty(10 * time.Second)
	h.press(sup, "批准")
	if l, _ := h.db.LeadByID(context.Background(), id); l.Grade != domain.GradeF {
		t.Fatalf("not lost: %s", l.Grade)
	}
	h.advance(48 * time.Hour)

	card := h.reply(zhao, "/visit 13800138000")
	contains(t, card, "到店登记", "王石", "重新打开", "陈顾问")
	h.waitOutboxEmpty(10 * time.Second)
	l, _ := h.db.LeadByID(context.Background(), id)
	me, _ := h.db.StaffByTelegramID(context.Background(), chen.ID)
	if l.Grade != domain.GradeN || l.OwnerID != me.ID || l.Pool != domain.PoolShowroom || l.NextDueAt == nil {
		t.Fatalf("after the visit: %+v", l)
	}
	contains(t, last(h, sup.ID), "再次到店", "原 F 级", "赵接待 登记", "归 陈顾问")
	contains(t, last(h, chen.ID), "您的客户", "再次到店")
	contains(t, h.reply(chen, fmt.Sprintf("/show %d", id)), "F→N", "再次到店")
}

// TestR5_3_WalkInNobodyInLineSaidBeforeTypingAndAnswersKept: reception
// hears that nobody is in the reception line when pressing the walk-in
// button, before typing anything; and if the line empties while they type,
// the name typed is kept and the model sent again logs the customer once
// someone is on duty.
func TestR5_3_WalkInNobodyInLineSaidBeforeTypingAndAnswersKept(t *testing.T) {
	h := newHarness(t) // Friday 11-27
	sup := h.enroll("李主管", "supervisor", "zh")
	liu := h.enroll("刘顾问", "consultant", "zh")
	zhao := h.enroll("赵接待", "reception", "zh")

	h.reply(zhao, "/visit 13700137000")
	msgs, popup := h.pressFull(zhao, "登记新到店客户")
	got := strings.Join(append(plains(msgs), popup), "\n")
	contains(t, got, "没有可接待的销售顾问")
	lacks(t, got, "客户姓名")

	h.reply(sup, "/duty set 今天 开门 刘顾问")
	h.reply(zhao, "/visit 13700137000")
	contains(t, h.press(zhao, "登记新到店客户")[0].Plain, "客户姓名")
	h.reply(zhao, "赵六")
	h.reply(sup, "/duty unset 今天 开门 刘顾问")
	contains(t, strings.Join(plains(h.say(zhao, "轩逸")), "\n"), "没有可接待的销售顾问", "赵六 的意向车型")
	h.reply(sup, "/duty set 今天 开门 刘顾问")
	contains(t, strings.Join(plains(h.say(zhao, "轩逸")), "\n"), "到店登记", "赵六")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, liu.ID), "新到店客户", "赵六", "13700137000")
}

// TestR1_12_UnknownPhoneAtVisitLogsTheWalkIn: /visit with a phone nobody
// has offers to log the walk-in; a consultant's becomes theirs, and
// reception's goes to the first in the reception line, visit registered.
func TestR1_12_UnknownPhoneAtVisitLogsTheWalkIn(t *testing.T) {
	h := newHarness(t) // Friday 11-27
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	liu := h.enroll("刘顾问", "consultant", "zh")
	zhao := h.enroll("赵接待", "reception", "zh")

	t.Run("Consultant", func(t *testing.T) {
		contains(t, h.reply(chen, "/visit 13900139000"), "没有电话为 13900139000 的客户", "当场登记")
		contains(t, h.press(chen, "登记新到店客户")[0].Plain, "13900139000", "姓名")
		contains(t, h.reply(chen, "李四"), "意向车型")
		msgs := plains(h.say(chen, "天籁"))
		contains(t, strings.Join(msgs, "\n"), "到店登记", "李四", "首次")
		l, err := h.db.LeadByPhone(context.Background(), "13900139000")
		me, _ := h.db.StaffByTelegramID(context.Background(), chen.ID)
		if err != nil || l.OwnerID != me.ID || l.Source != domain.SourceWalkIn || l.Pool != domain.PoolShowroom || l.Model != "天籁" {
			t.Fatalf("walk-in lead %+v, %v", l, err)
		}
		if vs, _ := h.db.Visits(context.Background(), l.ID, 5); len(vs) != 1 {
			t.Fatalf("%d visits", len(vs))
		}
	})
	t.Run("Reception", func(t *testing.T) {
		h.reply(zhao, "/visit 13700137000")
		msgs, popup := h.pressFull(zhao, "登记新到店客户")
		contains(t, strings.Join(append(plains(msgs), popup), "\n"), "没有可接待的销售顾问")
		if _, err := h.db.LeadByPhone(context.Background(), "13700137000"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("a lead without a consultant: %v", err)
		}
		h.reply(sup, "/duty set 今天 开门 刘顾问")
		h.reply(zhao, "/visit 13700137000")
		h.press(zhao, "登记新到店客户")
		h.reply(zhao, "赵六")
		contains(t, strings.Join(plains(h.say(zhao, "轩逸")), "\n"), "到店登记", "赵六")
		h.waitOutboxEmpty(10 * time.Second)
		contains(t, last(h, liu.ID), "新到店客户", "赵六", "13700137000", "赵接待")
		l, _ := h.db.LeadByPhone(context.Background(), "13700137000")
		him, _ := h.db.StaffByTelegramID(context.Background(), liu.ID)
		if l.OwnerID != him.ID {
			t.Fatalf("owner %d, want %d", l.OwnerID, him.ID)
		}
	})
}

package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestR1_8_AppointmentMoreThanAYearAheadRefused: a year typed wrong (2126)
// is refused with the reason, and nothing is booked.
func TestR1_8_AppointmentMoreThanAYearAheadRefused(t *testing.T) {
	h := newHarness(t)
	zhang := h.enroll("张电销", "telesales", "zh")
	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 H 来电"))
	contains(t, h.reply(zhang, fmt.Sprintf("/appoint %d 2126-01-01 10:00", id)), "2126-01-01 10:00 距今超过一年")
	contains(t, h.reply(zhang, fmt.Sprintf("/appoint %d 2027-11-20 10:00", id)), "2027-11-20 10:00")
	lacks(t, h.reply(zhang, fmt.Sprintf("/show %d", id)), "2126")
}

// TestR1_2_FindIgnoresControlCharacters: a NUL or another control
// character in /find never matches every lead: alone it is refused, beside
// a name it is dropped.
func TestR1_2_FindIgnoresControlCharacters(t *testing.T) {
	h := newHarness(t)
	mgr := h.enroll("王经理", "manager", "zh")
	h.reply(mgr, "/lead 王大 13800000001 轩逸 H 来电")
	h.reply(mgr, "/lead 李四 13800000002 轩逸 H 来电")
	for _, q := range []string{"\x00", "\x01", " \x00\x01 "} {
		got := h.reply(mgr, "/find "+q)
		contains(t, got, "请写上要查找的姓名或电话")
		lacks(t, got, "王大", "李四")
	}
	for _, q := range []string{"王\x00", "\x01王"} {
		got := h.reply(mgr, "/find "+q)
		contains(t, got, "王大")
		lacks(t, got, "李四")
	}
}

// TestR1_2_PhoneTypedAsNameQuestioned: a phone number typed where the
// customer's name goes is refused in one line and asked again in the
// dialogue; nothing is stored under a number for a name.
func TestR1_2_PhoneTypedAsNameQuestioned(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	contains(t, h.reply(chen, "/lead 13800138000 13900139000 轩逸 H 到店"), "“13800138000”是电话号码，不是姓名")
	contains(t, h.reply(chen, "/lead 138-0013-8000 13900139000 轩逸 H 到店"), "是电话号码，不是姓名")
	h.reply(chen, "/lead")
	contains(t, h.reply(chen, "13800138000"), "是电话号码，不是姓名", "客户姓名")
	contains(t, h.reply(chen, "王石"), "王石 的电话")
	me, _ := h.db.StaffByTelegramID(context.Background(), chen.ID)
	if _, total, _ := h.db.LeadsByOwner(context.Background(), me.ID, 0, 10); total != 0 {
		t.Fatalf("%d leads stored", total)
	}
}

// TestR1_5_FollowUpNoteEndingInALetterKeepsTheGrade: a note about 奔驰 C
// is a note; only 级别= / grade= changes the grade, and a bad one is
// refused rather than stored as the note.
func TestR1_5_FollowUpNoteEndingInALetterKeepsTheGrade(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 B 到店"))
	got := h.reply(chen, fmt.Sprintf("/fu %d 客户对比了奔驰 C", id))
	contains(t, got, "已记录跟进")
	lacks(t, got, "→")
	l, _ := h.db.LeadByID(context.Background(), id)
	fus, _ := h.db.FollowUps(context.Background(), id, 1)
	if l.Grade != "B" || len(fus) != 1 || fus[0].Note != "客户对比了奔驰 C" {
		t.Fatalf("grade %s, follow-ups %+v", l.Grade, fus)
	}
	contains(t, h.reply(chen, fmt.Sprintf("/fu %d 又比了奥迪 A 级别=A", id)), "B → A")
	contains(t, h.reply(chen, fmt.Sprintf("/fu %d wechat grade=h 发了报价", id)), "A → H")
	contains(t, h.reply(chen, fmt.Sprintf("/fu %d 说好了 级别=F", id)), "不是有效级别")
	contains(t, h.reply(chen, fmt.Sprintf("/fu %d 说好了 级别=A 级别=B", id)), "只能写一个")
	fus, _ = h.db.FollowUps(context.Background(), id, 10)
	l, _ = h.db.LeadByID(context.Background(), id)
	if len(fus) != 3 || fus[0].Note != "发了报价" || fus[1].Note != "又比了奥迪 A" || l.Grade != "H" {
		t.Fatalf("grade %s, follow-ups %+v", l.Grade, fus)
	}
}

// TestR1_5_GradeLAsksToConfirm: L is one tap from C on the buttons and
// ends the follow-ups, so every way to it asks first; Cancel keeps the
// grade.
func TestR1_5_GradeLAsksToConfirm(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 C 到店"))
	grade := func() string {
		l, _ := h.db.LeadByID(context.Background(), id)
		return string(l.Grade)
	}
	h.reply(chen, fmt.Sprintf("/show %d", id))
	h.press(chen, "改级别")
	contains(t, h.press(chen, "L 失控")[0].Plain, "确认将 #1 王石 的级别从 C 改为 L 失控")
	contains(t, h.press(chen, "取消")[0].Plain, "级别仍为 C")
	if g := grade(); g != "C" {
		t.Fatalf("grade %s after cancel", g)
	}
	got := h.reply(chen, fmt.Sprintf("/fu %d 连续三天打不通 级别=L", id))
	contains(t, got, "已记录跟进", "确认将 #1 王石 的级别从 C 改为 L 失控")
	if g := grade(); g != "C" {
		t.Fatalf("grade %s before confirming", g)
	}
	contains(t, h.reply(chen, fmt.Sprintf("/grade %d L", id)), "确认将")
	contains(t, h.press(chen, "确认：L 失控")[0].Plain, "C → L")
	if g := grade(); g != "L" {
		t.Fatalf("grade %s after confirming", g)
	}
}

// TestR1_2_RelogOfClosedLeadPointsToItAndSupervisorReopens: the phone is
// the customer's identity (R1.2): logging an L or F customer again makes
// no second record but points at the first; a supervisor reopens it, back
// to its owner with a grade, on its history. Nobody else may.
func TestR1_2_RelogOfClosedLeadPointsToItAndSupervisorReopens(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 C 到店"))
	h.reply(chen, fmt.Sprintf("/grade %d L", id))
	h.press(chen, "确认：L 失控")

	got := h.reply(chen, "/lead 王石 13800138000 轩逸 A 到店")
	contains(t, got, "该客户已有记录：#1 王石（L 失控，负责人 陈顾问），未重复登记", "/reopen 1")
	h.reply(chen, "/lead")
	h.reply(chen, "王石")
	contains(t, h.reply(chen, "138 0013 8000"), "该客户已有记录：#1")
	contains(t, h.reply(chen, "随便说点什么"), "/help") // the dialogue ended
	contains(t, h.reply(chen, "/reopen 1 A"), "/reopen")
	lacks(t, h.reply(chen, "/help"), "/reopen")
	contains(t, h.reply(sup, "/help"), "/reopen")

	contains(t, h.reply(sup, "/lead 王石 13800138000 轩逸 A 到店"), "该客户已有记录：#1")
	contains(t, h.press(sup, "恢复 #1")[0].Plain, "恢复 #1 王石（现为 L 失控），改为哪个级别")
	contains(t, h.press(sup, "A")[0].Plain, "已恢复 #1 王石（L → A），交还负责人 陈顾问", "下次跟进")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, chen.ID), "李主管 恢复了您的客户 #1 王石（L → A）")
	contains(t, h.reply(chen, "/show 1"), "A 1个月内", "陈顾问", "恢复")
	contains(t, h.reply(sup, "/reopen 1 B"), "不需要恢复")

	// A lost (F) lead likewise, with the grade typed.
	h.reply(chen, "/lost 1 竞品 买了别家")
	h.waitOutboxEmpty(10 * time.Second)
	h.press(sup, "批准")
	contains(t, h.reply(sup, "/reopen 1 B"), "F → B")
	me, _ := h.db.StaffByTelegramID(context.Background(), chen.ID)
	if _, total, _ := h.db.LeadsByOwner(context.Background(), me.ID, 0, 10); total != 1 {
		t.Fatalf("%d leads: a second record was made", total)
	}
}

// TestR1_6_ManagersReopeningToldToTheSupervisor: the supervisors, who
// approve lost leads, hear of a lead a manager reopens (as of one a visit
// reopens), but not of their own reopening.
func TestR1_6_ManagersReopeningToldToTheSupervisor(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	mgr := h.enroll("王经理", "manager", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 C 到店"))
	h.reply(chen, fmt.Sprintf("/grade %d L", id))
	h.press(chen, "确认：L 失控")

	contains(t, h.reply(mgr, fmt.Sprintf("/reopen %d B", id)), "L → B")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, sup.ID), "王经理 恢复了 #1 王石（L → B），交还负责人 陈顾问")
	contains(t, last(h, chen.ID), "王经理 恢复了您的客户 #1 王石")

	h.reply(chen, fmt.Sprintf("/grade %d L", id))
	h.press(chen, "确认：L 失控")
	h.reply(sup, fmt.Sprintf("/reopen %d A", id))
	h.waitOutboxEmpty(10 * time.Second)
	told := 0
	for _, m := range h.emu.Messages(sup.ID) {
		if strings.Contains(m.Plain, "恢复了 #1") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("supervisor told %d times of reopenings, want 1 (the manager's)", told)
	}
}

package bot_test

import (
	"context"
	"fmt"
	"testing"
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

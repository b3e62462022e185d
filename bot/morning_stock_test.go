package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR3_2_AgingInTheMorningPush: cars in stock 95 and 50 days reach the
// supervisor's and the manager's 08:30 message, overdue first; the
// consultant and the stock keeper get nothing (no empty message).
func TestR3_2_AgingInTheMorningPush(t *testing.T) {
	h := newHarness(t)
	keeper := h.enroll("库管员小周", "stock_keeper", "zh")
	boss := h.enroll("王经理", "manager", "zh")
	sup := h.enroll("李主管", "supervisor", "zh")
	seller := h.enroll("陈顾问", "consultant", "zh")
	vin := storagetest.VIN
	stock := func(i int) {
		h.arrive(keeper, i)
		contains(t, h.reply(keeper, "/pdi "+vin(i)+" ok E"+vin(i)[11:]+" C"+vin(i)[11:]), "到店检查合格，已入库")
	}
	stock(1)                       // arrives 2026-11-27
	h.advance(45 * 24 * time.Hour) // 2027-01-11
	stock(2)
	h.reply(keeper, "/car add "+vin(3)+" 天籁 舒适版 黑") // in transit: no age

	// 2027-03-02 08:30: car 1 is 95 days in stock, car 2 50.
	morning := time.Date(2027, 3, 2, 8, 30, 0, 0, shanghai())
	before := map[int64]int{}
	for _, u := range []telegramtest.User{keeper, boss, sup, seller} {
		before[u.ID] = len(h.emu.Messages(u.ID))
	}
	if err := h.morning().Run(context.Background(), morning); err != nil {
		t.Fatal(err)
	}
	h.waitOutboxEmpty(10 * time.Second)
	for _, u := range []telegramtest.User{boss, sup} {
		m, _ := h.emu.LastMessage(u.ID)
		contains(t, m.Plain, "早上好", "库龄严重超期（超过 90 天）1 辆", vin(1)+" 轩逸 舒适版 白 95 天",
			"库龄预警（超过 45 天）1 辆", vin(2)+" 轩逸 舒适版 白 50 天")
		if strings.Index(m.Plain, vin(1)) > strings.Index(m.Plain, vin(2)) {
			t.Errorf("overdue not first: %q", m.Plain)
		}
		lacks(t, m.Plain, vin(3))
	}
	for _, u := range []telegramtest.User{keeper, seller} {
		if n := len(h.emu.Messages(u.ID)); n != before[u.ID] {
			t.Errorf("%s got a morning message: %v", u.FirstName, plains(h.emu.Messages(u.ID)[before[u.ID]:]))
		}
	}
}

package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// expiryTimers is a scheduler with only the reservation-expiry job, on the
// harness's clock.
func (h *harness) expiryTimers() *jobs.Scheduler {
	s := jobs.NewScheduler(shanghai(), h.clock, nil)
	s.AddDeadline(&jobs.ReservationExpiry{Store: h.db, Bot: h.bot})
	return s
}

// reserveCar puts car i in stock (added, received, inspected) and has
// seller reserve it with the card's button at a second past the minute;
// it returns the VIN and the reservation's expiry.
func reserveCar(t *testing.T, h *harness, keeper, seller telegramtest.User, i int) (string, time.Time) {
	t.Helper()
	vin := storagetest.VIN(i)
	h.reply(keeper, "/car add "+vin+" 轩逸 舒适版 白 E1")
	h.press(keeper, "→ 已到店待检")
	contains(t, h.reply(keeper, "/pdi "+vin+" ok E1 C1"), "已入库")
	h.reply(seller, "/car "+vin)
	h.advance(17 * time.Second)
	until := h.clock().AddDate(0, 0, 7)
	got := h.press(seller, "预留 7 天")
	contains(t, got[len(got)-1].Plain, "状态：已预留")
	return vin, until
}

// TestR3_1_ReservationLapsesAtItsSecond: a reservation made at 09:xx:17
// for 7 days lapses at its second, not at the next minute: a second
// before, the car is still reserved; at it, the car is back in stock with
// the system's event at the expiry, the consultant who reserved it and the
// supervisor are told once; running the job again tells nobody twice.
func TestR3_1_ReservationLapsesAtItsSecond(t *testing.T) {
	h := newHarness(t)
	keeper := h.enroll("库管员小周", "stock_keeper", "zh")
	seller := h.enroll("陈顾问", "consultant", "zh")
	sup := h.enroll("李主管", "supervisor", "zh")
	vin, until := reserveCar(t, h, keeper, seller, 1)
	s := h.expiryTimers()
	s0, p0 := len(h.emu.Messages(seller.ID)), len(h.emu.Messages(sup.ID))

	if ran := h.advanceTo(s, until.Add(-time.Second), "reservation-expiry"); len(ran) != 0 {
		t.Fatalf("expiry ran at %v, before %s", ran, until)
	}
	if n := len(h.emu.Messages(seller.ID)) - s0; n != 0 {
		t.Fatalf("consultant told %d times a second early", n)
	}
	if ran := h.advanceTo(s, until, "reservation-expiry"); !sameInstants(ran, until) {
		t.Fatalf("expiry ran at %v, want %s", ran, until)
	}
	contains(t, h.lastText(seller), "⏰", vin, "的预留已于 "+until.In(shanghai()).Format(domain.MinuteLayout)+" 到期", "退回在库")
	contains(t, h.lastText(sup), "陈顾问 预留的车辆 "+vin)
	contains(t, h.reply(seller, "/car "+vin), "状态：在库", "在库 — 系统")

	// Again, by the timers and by a fresh instance run twice: nothing more.
	if ran := h.advanceTo(s, until.Add(time.Hour), "reservation-expiry"); len(ran) != 0 {
		t.Fatalf("expiry ran again at %v", ran)
	}
	job := &jobs.ReservationExpiry{Store: h.db, Bot: h.bot}
	for i := 0; i < 2; i++ {
		if err := job.Run(context.Background(), h.clock()); err != nil {
			t.Fatal(err)
		}
	}
	h.waitOutboxEmpty(10 * time.Second)
	if n, m := len(h.emu.Messages(seller.ID))-s0, len(h.emu.Messages(sup.ID))-p0; n != 2 || m != 1 {
		// The consultant: the lapse, then the card they asked for.
		t.Fatalf("consultant got %d messages, supervisor %d; want 2 and 1", n, m)
	}
}

// TestR3_1_ReservationLapsedWhileDown: the bot was down past a
// reservation's expiry; timers started afresh (a new job instance) find
// it in the database and put the car back at once, its event at the
// expiry itself.
func TestR3_1_ReservationLapsedWhileDown(t *testing.T) {
	h := newHarness(t)
	keeper := h.enroll("库管员小周", "stock_keeper", "zh")
	seller := h.enroll("陈顾问", "consultant", "zh")
	vin, until := reserveCar(t, h, keeper, seller, 2)
	s0 := len(h.emu.Messages(seller.ID))
	h.stop()
	h.advance(8 * 24 * time.Hour)
	h.start()
	s := h.expiryTimers()
	s.Start()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Error(err)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(h.emu.Messages(seller.ID)) == s0 {
		if time.Now().After(deadline) {
			t.Fatal("no expiry after the restart")
		}
		time.Sleep(20 * time.Millisecond)
	}
	contains(t, h.lastText(seller), vin, "的预留已于 "+until.In(shanghai()).Format(domain.MinuteLayout)+" 到期")
	contains(t, h.reply(seller, "/car "+vin), "状态：在库", until.In(shanghai()).Format(domain.MinuteLayout)+" 在库 — 系统")
}

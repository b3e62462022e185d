package delivery_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/delivery"
)

// BenchmarkOutboxDrain broadcasts to many chats through the outbox against
// an emulator that enforces Telegram's limits. The floor is Telegram's own
// limit, 30 msg/s: the figure is the share of it reached, with the 429s
// provoked (the goal is none).
func BenchmarkOutboxDrain(b *testing.B) {
	const chats = 300
	for range b.N {
		h := newHarness(b, harnessOptions{realClock: true, enforce: true,
			limits: delivery.Limits{GlobalPerSecond: 30, PerChatPerSecond: 1, GroupPerMinute: 20}})
		var pushes []func(ctx context.Context) error
		for i := range chats {
			u := h.user("U", "zh")
			h.emu.OpenChat(u)
			pushes = append(pushes, h.message(fmt.Sprintf("bench:%d", i), u.ID, "今日跟进提醒"))
		}
		start := time.Now()
		h.push(pushes...)
		h.waitOutboxEmpty(time.Minute)
		sent := h.emu.Sent()
		elapsed := sent[len(sent)-1].At.Sub(start)
		// The sender paces its sends, one every 1/30 s (no burst of 30 at
		// the start of each second): N messages need (N-1)/30 seconds from
		// the first to the last, and the rate is N-1 intervals over that.
		rate := float64(chats-1) / sent[len(sent)-1].At.Sub(sent[0].At).Seconds()
		share := rate / 30
		b.ReportMetric(rate, "msg/s")
		b.ReportMetric(100*share, "%limit")
		b.ReportMetric(float64(h.emu.RateLimited()), "429s")
		b.ReportMetric(elapsed.Seconds(), "s/broadcast")
		h.stop()
	}
}

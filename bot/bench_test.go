package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot"
	"github.com/dealerbot/dealerbot/bot/telegramtest"
)

// BenchmarkOutboxDrain broadcasts to many chats through the outbox against
// an emulator that enforces Telegram's limits. The floor is Telegram's own
// limit, 30 msg/s: the figure is the share of it reached, with the 429s
// provoked (the goal is none).
func BenchmarkOutboxDrain(b *testing.B) {
	const chats = 300
	for range b.N {
		h := newHarnessWith(b, harnessOptions{realClock: true, enforce: true,
			limits: bot.Limits{GlobalPerSecond: 30, PerChatPerSecond: 1, GroupPerMinute: 20}})
		var pushes []func(ctx context.Context) error
		for i := range chats {
			u := h.user("U", "zh")
			h.emu.OpenChat(u)
			key := fmt.Sprintf("bench:%d", i)
			pushes = append(pushes, func(ctx context.Context) error { return h.bot.Push(ctx, key, u.ID, 0, "今日跟进提醒", nil) })
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

// BenchmarkCommandThroughput sends commands from many chats through the
// whole stack — emulator, poller, inbox, handler, SQLite, outbox, sender,
// emulator — and reports updates a second. "noop" answers without touching
// the store: the floor of the stack itself. "staff" reads and renders the
// staff list, "lang" writes. Telegram's send limits are lifted here: they
// would measure Telegram, not the bot.
func BenchmarkCommandThroughput(b *testing.B) {
	noop := bot.Command{Name: "noop", Handler: func(ctx context.Context, r *bot.Request) error {
		r.Reply(ctx, "text.hint")
		return nil
	}}
	for _, cmd := range []string{"/noop", "/help", "/staff", "/lang zh"} {
		name := strings.Fields(cmd)[0][1:]
		b.Run(name, func(b *testing.B) {
			h := newHarnessWith(b, harnessOptions{realClock: true, extra: []bot.Command{noop}})
			const chats = 50
			users := make([]telegramtest.User, chats)
			for i := range users {
				users[i] = h.enroll(fmt.Sprintf("主管%02d", i), "supervisor", "zh")
			}
			ctx := context.Background()
			b.ResetTimer()
			start := time.Now()
			ids := make([]int, 0, b.N)
			for i := range b.N {
				ids = append(ids, h.emu.SendText(users[i%chats], cmd))
			}
			for _, id := range ids {
				if err := h.bot.WaitHandled(ctx, int64(id)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "updates/s")
			b.StopTimer()
			h.stop()
		})
	}
}

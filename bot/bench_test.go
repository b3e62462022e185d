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

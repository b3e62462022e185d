package delivery_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestOutbox_1000MessagesDeliveredOnceWithinLimits: 1,000 messages to 100
// chats, a fifth of the sends failing with 429 or 500, all arrive once, in
// order, and Telegram never sees a chat above 1 msg/s or a second above 30.
func TestOutbox_1000MessagesDeliveredOnceWithinLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 45 s: Telegram's 30 msg/s")
	}
	h := newHarness(t, harnessOptions{realClock: true, limits: delivery.Limits{GlobalPerSecond: 30, PerChatPerSecond: 1, GroupPerMinute: 20}})
	var users []telegramtest.User
	for range 100 {
		u := h.user("U", "zh")
		h.emu.OpenChat(u)
		users = append(users, u)
	}
	var msgs []func(ctx context.Context) error
	for n := range 10 {
		for _, u := range users {
			msgs = append(msgs, h.message(fmt.Sprintf("t:%d:%d", u.ID, n), u.ID, fmt.Sprintf("消息 %d", n)))
		}
	}
	h.push(msgs...)
	h.push(msgs[:50]...) // the same keys again: stored once
	h.emu.FailRandomly("sendMessage", 0.2, 42,
		telegramtest.Fault{Kind: telegramtest.FaultTooManyRequests, RetryAfter: 1},
		telegramtest.Fault{Kind: telegramtest.FaultServerError},
		telegramtest.Fault{Kind: telegramtest.FaultDrop})

	h.waitOutboxEmpty(3 * time.Minute)
	for _, u := range users {
		got := plains(h.emu.Messages(u.ID))
		want := make([]string, 10)
		for n := range want {
			want[n] = fmt.Sprintf("消息 %d", n)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("chat %d got %v", u.ID, got)
		}
	}
	checkLimits(t, h.emu.Sent(), 30)
	if h.emu.RateLimited() == 0 {
		t.Error("no fault was injected: the test proves nothing")
	}
}

// TestOrdering_PerChatUnderConcurrentLoad: each chat's commands are handled
// in the order sent while the chats progress side by side. On PostgreSQL
// handlers of different chats also overlap in time; SQLite has a single
// writer, so there each update's transaction takes its turn.
func TestOrdering_PerChatUnderConcurrentLoad(t *testing.T) {
	drivers := []string{storage.DriverSQLite}
	if os.Getenv(storagetest.PostgresDSNEnv) != "" {
		drivers = append(drivers, storage.DriverPostgres)
	}
	for _, driver := range drivers {
		t.Run(driver, func(t *testing.T) { testOrdering(t, driver) })
	}
}

func testOrdering(t *testing.T, driver string) {
	var running, peak atomic.Int32
	var mu sync.Mutex
	seen := map[int64][]string{}
	var order []int64 // chat of each handled update, in handling order
	echo := func(_ context.Context, upd *models.Update, _ *delivery.Effects) error {
		args, ok := strings.CutPrefix(upd.Message.Text, "/echo ")
		if !ok {
			return nil
		}
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		mu.Lock()
		seen[upd.Message.Chat.ID] = append(seen[upd.Message.Chat.ID], args)
		order = append(order, upd.Message.Chat.ID)
		mu.Unlock()
		return nil
	}
	h := newHarness(t, harnessOptions{handler: echo, driver: driver})
	const chats, per = 20, 15
	var users []telegramtest.User
	for i := range chats {
		users = append(users, h.user(fmt.Sprintf("员工%02d", i), "zh"))
	}
	var last int
	for n := range per {
		for _, u := range users {
			last = h.emu.SendText(u, fmt.Sprintf("/echo %02d", n))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for id := last - chats*per + 1; id <= last; id++ {
		if err := h.rt.WaitHandled(ctx, int64(id)); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range users {
		got := seen[u.ID]
		if len(got) != per || !sort.StringsAreSorted(got) {
			t.Fatalf("chat %d handled %v", u.ID, got)
		}
	}
	// Side by side: the first chat's last command is not handled before the
	// last chat's first one.
	lastOfFirst, firstOfLast := -1, -1
	for i, c := range order {
		if c == users[0].ID {
			lastOfFirst = i
		}
		if c == users[chats-1].ID && firstOfLast < 0 {
			firstOfLast = i
		}
	}
	if lastOfFirst < firstOfLast {
		t.Errorf("chats served one after another: first chat done at %d, last chat started at %d", lastOfFirst, firstOfLast)
	}
	if driver == storage.DriverPostgres && peak.Load() < 2 {
		t.Errorf("PostgreSQL: handlers never overlapped (peak %d)", peak.Load())
	}
	t.Logf("%s: peak %d handlers at once", driver, peak.Load())
}

// TestSender_SpreadsSendsEvenly: a broadcast leaves at 30 a second spread
// over the second, not as a burst of 30 at its start, so a crash leaves as
// few messages in doubt as the rate allows.
func TestSender_SpreadsSendsEvenly(t *testing.T) {
	h := newHarness(t, harnessOptions{realClock: true, enforce: true,
		limits: delivery.Limits{GlobalPerSecond: 30, PerChatPerSecond: 1, GroupPerMinute: 20}})
	var pushes []func(ctx context.Context) error
	for i := range 45 {
		u := h.user("U", "zh")
		h.emu.OpenChat(u)
		pushes = append(pushes, h.message(fmt.Sprintf("spread:%d", i), u.ID, "提醒"))
	}
	h.push(pushes...)
	h.waitOutboxEmpty(30 * time.Second)
	sent := h.emu.Sent()
	if len(sent) != 45 || h.emu.RateLimited() != 0 {
		t.Fatalf("%d sent, %d refused with 429", len(sent), h.emu.RateLimited())
	}
	for i := range sent {
		n := 0
		for j := i; j < len(sent) && sent[j].At.Sub(sent[i].At) < 100*time.Millisecond; j++ {
			n++
		}
		if n > 4 { // 30 a second is 3 in 100 ms
			t.Fatalf("%d sends within 100 ms of send %d", n, i)
		}
	}
}

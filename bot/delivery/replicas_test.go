package delivery_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// startSender runs a webhook-mode runtime named owner on db, sending
// within limits; it is stopped when the test ends.
func startSender(t *testing.T, emu *telegramtest.Server, db *storage.DB, owner string, limits delivery.Limits) *delivery.Runtime {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	api, err := tgbot.New(emu.Token(), tgbot.WithServerURL(emu.URL()), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	rt, err := delivery.New(delivery.Options{
		API: api, Token: emu.Token(), APIURL: emu.URL(), Store: db, Owner: owner, Limits: limits,
		ShutdownTimeout: 5 * time.Second, ReplicaBeat: 200 * time.Millisecond,
		Webhook: &delivery.Webhook{Listener: ln, Path: "/telegram/hook", PublicURL: "http://" + ln.Addr().String() + "/telegram/hook",
			Secret: testSecret, MaxConnections: 10, SweepInterval: 200 * time.Millisecond},
		Handler: func(context.Context, *models.Update, *delivery.Effects) error { return nil },
		Failed: func(context.Context, *models.Update, error, *delivery.Effects) delivery.Failure {
			return delivery.Failure{}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("replica %s stopped with %v", owner, err)
		}
	})
	return rt
}

// enqueueBurst queues n messages to each of the chats, numbered in order,
// as a morning push does, and returns how many.
func enqueueBurst(t *testing.T, db *storage.DB, chats []int64, n int) int {
	t.Helper()
	var msgs []domain.OutboxMessage
	for i := range n {
		for _, c := range chats {
			msgs = append(msgs, domain.OutboxMessage{Key: fmt.Sprintf("burst:%d:%d", c, i), ChatID: c,
				Text: fmt.Sprint(i), Priority: domain.PriorityPush})
		}
	}
	if _, err := db.Enqueue(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
	return len(msgs)
}

// waitDrained waits until db's outbox has nothing pending.
func waitDrained(t *testing.T, db *storage.DB, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		st, err := db.OutboxStats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Pending == 0 {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			t.Fatalf("outbox still has %d pending after %s", st.Pending, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReplicas_TwoSendersShareTelegramsLimits: two runtimes on one
// PostgreSQL drain one outbox. Every message goes out once, each chat's in
// order and at most one a second, both replicas send, and the emulator,
// which refuses more than 30 a second for the bot, refuses none: each
// replica sent at half the rate.
func TestReplicas_TwoSendersShareTelegramsLimits(t *testing.T) {
	if os.Getenv(storagetest.PostgresDSNEnv) == "" {
		t.Skipf("%s is not set", storagetest.PostgresDSNEnv)
	}
	emu := telegramtest.New(telegramtest.Options{EnforceLimits: true, AllowHTTPWebhook: true})
	t.Cleanup(emu.Close)
	db := storagetest.OpenDriver(t, storage.DriverPostgres)
	limits := delivery.Limits{GlobalPerSecond: 30, PerChatPerSecond: 1, GroupPerMinute: 20}
	a := startSender(t, emu, db, "replica-a", limits)
	startSender(t, emu, db, "replica-b", limits)

	var chats []int64
	for i := range 40 {
		u := emu.User(int64(7000+i), "U", "", "zh")
		emu.OpenChat(u)
		chats = append(chats, u.ID)
	}
	total := enqueueBurst(t, db, chats, 4)
	took := waitDrained(t, db, 60*time.Second)

	sent := emu.Sent()
	if len(sent) != total || emu.RateLimited() != 0 {
		t.Fatalf("%d sends for %d messages, %d refused with 429", len(sent), total, emu.RateLimited())
	}
	checkLimits(t, sent, 30)
	for _, c := range chats {
		if got := strings.Join(plains(emu.Messages(c)), ","); got != "0,1,2,3" {
			t.Errorf("chat %d got %s", c, got)
		}
	}
	for _, r := range []string{"replica-a", "replica-b"} {
		n, err := db.QueryCount(context.Background(), `SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND claimed_by = ?`, r)
		if err != nil || n < int64(total)/4 {
			t.Errorf("%s sent %d of %d, %v: not shared", r, n, total, err)
		}
	}
	// 160 messages at 30 a second take at least 5 s (the first second's
	// 30 included): the time until the last person has theirs.
	if took < 4*time.Second {
		t.Errorf("drained in %s: faster than 30 a second", took)
	}
	h, err := a.Health(context.Background())
	if err != nil || len(h.Replicas) != 2 || h.PerSecond != 30 {
		t.Fatalf("health %+v, %v", h, err)
	}
	t.Logf("%d messages to %d chats by two replicas in %s", total, len(chats), took)
}

// TestReplicas_PaidBroadcast: with delivery.paid_broadcast the sender
// passes allow_paid_broadcast and goes beyond 30 a second, which the
// emulator accepts only with the flag: the same rate without it is
// refused with 429.
func TestReplicas_PaidBroadcast(t *testing.T) {
	run := func(t *testing.T, limits delivery.Limits) (*telegramtest.Server, time.Duration) {
		emu := telegramtest.New(telegramtest.Options{EnforceLimits: true, AllowHTTPWebhook: true})
		t.Cleanup(emu.Close)
		db := storagetest.Open(t)
		var chats []int64
		for i := range 150 {
			u := emu.User(int64(8000+i), "U", "", "zh")
			emu.OpenChat(u)
			chats = append(chats, u.ID)
		}
		startSender(t, emu, db, "solo", limits)
		enqueueBurst(t, db, chats, 1)
		return emu, waitDrained(t, db, 30*time.Second)
	}
	t.Run("Paid", func(t *testing.T) {
		emu, took := run(t, delivery.Limits{PaidBroadcast: true, PaidBroadcastRate: 300})
		sent := emu.Sent()
		if len(sent) != 150 || emu.RateLimited() != 0 {
			t.Fatalf("%d sent, %d refused", len(sent), emu.RateLimited())
		}
		for _, r := range sent {
			if !r.Paid {
				t.Fatalf("sent without allow_paid_broadcast: %+v", r)
			}
		}
		if took > 3*time.Second {
			t.Errorf("150 paid messages took %s: not beyond 30 a second", took)
		}
		checkLimits(t, sent, 300)
	})
	t.Run("UnpaidAtThatRate", func(t *testing.T) {
		emu, _ := run(t, delivery.Limits{GlobalPerSecond: 300})
		if emu.RateLimited() == 0 {
			t.Fatal("300 a second without allow_paid_broadcast was accepted")
		}
	})
}

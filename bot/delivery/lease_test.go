package delivery_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/bot/delivery"
)

// secondPoller is another `dealerbot run` in polling mode on h's database.
func secondPoller(t *testing.T, h *harness, owner string) *delivery.Runtime {
	t.Helper()
	api, err := tgbot.New(h.emu.Token(), tgbot.WithServerURL(h.emu.URL()), tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(2*time.Second, &http.Client{Timeout: 60 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := delivery.New(delivery.Options{
		API: api, Token: h.emu.Token(), APIURL: h.emu.URL(), Store: h.db, Now: h.clock,
		PollTimeout: 2 * time.Second, ShutdownTimeout: 5 * time.Second, Owner: owner,
		Handler: func(context.Context, *models.Update, *delivery.Effects) error { return nil },
		Failed: func(context.Context, *models.Update, error, *delivery.Effects) delivery.Failure {
			return delivery.Failure{}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// TestPoller_SecondRefusedWhileLeaseLive: a second poller on the same
// database stops at once naming the first; once the first's lease has
// expired (it died without releasing it) a new poller starts.
func TestPoller_SecondRefusedWhileLeaseLive(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// The first is polling once it handled an update.
	if err := h.rt.WaitHandled(ctx, int64(h.emu.SendText(h.user("Qian", "zh"), "first"))); err != nil {
		t.Fatal(err)
	}
	err := secondPoller(t, h, "host-b/pid 2").Run(ctx)
	if err == nil || !strings.Contains(err.Error(), delivery.DefaultOwner()) || !strings.Contains(err.Error(), "another poller") {
		t.Fatalf("second poller: %v", err)
	}

	// The first stops; a poller that then died holds the lease.
	h.stop()
	if err := h.db.AcquireLease(ctx, "telegram.poller", "host-dead/pid 3", 15*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := secondPoller(t, h, "host-b/pid 2").Run(ctx); err == nil || !strings.Contains(err.Error(), "host-dead/pid 3") {
		t.Fatalf("while the dead poller's lease is live: %v", err)
	}
	h.mu.Lock()
	h.now = h.now.Add(16 * time.Second)
	h.mu.Unlock()
	rt := secondPoller(t, h, "host-b/pid 2")
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- rt.Run(runCtx) }()
	u := h.user("Zhao", "zh")
	id := h.emu.SendText(u, "hello")
	if err := rt.WaitHandled(ctx, int64(id)); err != nil {
		t.Fatalf("after the lease expired: %v", err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

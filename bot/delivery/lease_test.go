package delivery_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
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

// TestPoller_RestartTakesOverAGoneProcessesLease: a poller killed with
// kill -9 leaves its lease live; its restart on the same host takes it
// over at once, since the holder's process is gone — while a holder on
// this host that still runs, or on another host, is refused.
func TestPoller_RestartTakesOverAGoneProcessesLease(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.rt.WaitHandled(ctx, int64(h.emu.SendText(h.user("Qian", "zh"), "first"))); err != nil {
		t.Fatal(err)
	}
	h.stop()
	host, err := os.Hostname()
	if err != nil {
		t.Skip("no host name")
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skip("cannot run true")
	}
	for _, tc := range []struct {
		holder  string
		refused bool
	}{
		{fmt.Sprintf("%s/pid %d", host, os.Getppid()), true}, // alive: the test's parent
		{fmt.Sprintf("%s/pid %d/abcd", "another-host", gone.Process.Pid), true},
		{fmt.Sprintf("%s/pid %d/abcd", host, gone.Process.Pid), false},
	} {
		if _, err := h.db.TakeOverLease(ctx, "telegram.poller", mustHolder(t, h), tc.holder, 15*time.Second); err != nil {
			t.Fatal(err)
		}
		if err := h.db.AcquireLease(ctx, "telegram.poller", tc.holder, 15*time.Second); err != nil {
			t.Fatal(err)
		}
		rt := secondPoller(t, h, "restarted/pid 9")
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- rt.Run(runCtx) }()
		if tc.refused {
			if err := <-done; err == nil || !strings.Contains(err.Error(), tc.holder) {
				t.Fatalf("holder %s: %v", tc.holder, err)
			}
			stop()
			continue
		}
		id := h.emu.SendText(h.user("Zhao", "zh"), "hello")
		if err := rt.WaitHandled(ctx, int64(id)); err != nil {
			t.Fatalf("holder %s gone: %v", tc.holder, err)
		}
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// mustHolder is who holds the poller's lease now ("" when nobody).
func mustHolder(t *testing.T, h *harness) string {
	t.Helper()
	holder, _, _, err := h.db.LeaseHolder(context.Background(), "telegram.poller")
	if err != nil {
		t.Fatal(err)
	}
	return holder
}

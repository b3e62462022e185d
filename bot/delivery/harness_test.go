package delivery_test

import (
	"context"
	"net/http"
	"sync"
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

// harness runs delivery alone — emulator, runtime, SQLite — with a
// handler of the test's own in place of the chat layer.
type harness struct {
	t   testing.TB
	emu *telegramtest.Server
	db  *storage.DB
	rt  *delivery.Runtime

	mu  sync.Mutex
	now time.Time

	nextUser int64
	opts     harnessOptions
	cancel   context.CancelFunc
	done     chan error
}

// testStart is the harness clock's start.
var testStart = time.Date(2026, 11, 27, 1, 30, 0, 0, time.UTC)

// harnessOptions vary the harness.
type harnessOptions struct {
	realClock bool            // time.Now instead of the fixed testStart (retries need time to pass)
	limits    delivery.Limits // default: far above Telegram's, so tests do not wait
	driver    string          // storage driver, default sqlite
	enforce   bool            // the emulator answers 429 beyond Telegram's limits
	// handler applies each update (default: nothing).
	handler func(ctx context.Context, upd *models.Update, fx *delivery.Effects) error
}

func newHarness(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	h := &harness{t: t, now: testStart, nextUser: 1000, opts: o}
	if o.limits == (delivery.Limits{}) {
		h.opts.limits = delivery.Limits{GlobalPerSecond: 100000, PerChatPerSecond: 100000, GroupPerMinute: 100000}
	}
	if o.handler == nil {
		h.opts.handler = func(context.Context, *models.Update, *delivery.Effects) error { return nil }
	}
	h.emu = telegramtest.New(telegramtest.Options{Now: h.clock, EnforceLimits: o.enforce})
	t.Cleanup(h.emu.Close)
	if o.driver == "" || o.driver == storage.DriverSQLite {
		h.db = storagetest.Open(t)
	} else {
		h.db = storagetest.OpenDriver(t, o.driver)
	}
	h.db.Now = h.clock
	h.start()
	t.Cleanup(h.stop)
	return h
}

// start connects a new runtime to the harness's emulator and database.
func (h *harness) start() {
	h.t.Helper()
	api, err := tgbot.New(h.emu.Token(), tgbot.WithServerURL(h.emu.URL()), tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(2*time.Second, &http.Client{Timeout: 60 * time.Second}))
	if err != nil {
		h.t.Fatal(err)
	}
	rt, err := delivery.New(delivery.Options{
		API:             api,
		Token:           h.emu.Token(),
		APIURL:          h.emu.URL(),
		Store:           h.db,
		Now:             h.clock,
		Limits:          h.opts.limits,
		PollTimeout:     2 * time.Second,
		ShutdownTimeout: 5 * time.Second,
		Handler:         h.opts.handler,
		Failed: func(context.Context, *models.Update, error, *delivery.Effects) delivery.Failure {
			return delivery.Failure{}
		},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.rt, h.cancel, h.done = rt, cancel, make(chan error, 1)
	go func() { h.done <- rt.Run(ctx) }()
}

// stop shuts the runtime down as SIGTERM would, and reports how it went.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	err := <-h.done
	h.cancel = nil
	if err != nil {
		h.t.Errorf("delivery stopped with %v", err)
	}
}

func (h *harness) clock() time.Time {
	if h.opts.realClock {
		return time.Now()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

// user registers a new Telegram user.
func (h *harness) user(name, lang string) telegramtest.User {
	h.nextUser++
	return h.emu.User(h.nextUser, name, "", lang)
}

// message queues text to chatID under key, as a job's push is queued.
func (h *harness) message(key string, chatID int64, text string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		_, err := h.rt.Outbox().Enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: chatID, Text: text, Priority: domain.PriorityPush}, nil)
		return err
	}
}

// push queues messages the way a job does: in a transaction, with keys.
func (h *harness) push(msgs ...func(ctx context.Context) error) {
	h.t.Helper()
	err := h.db.InTx(context.Background(), func(ctx context.Context) error {
		for _, m := range msgs {
			if err := m(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

// waitOutboxEmpty waits until nothing is pending in the outbox.
func (h *harness) waitOutboxEmpty(timeout time.Duration) {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st, err := h.db.OutboxStats(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if st.Pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("outbox still has %d pending after %s", st.Pending, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkLimits fails the test if the emulator saw more than one message a
// second to a private chat or more than max in any second overall.
func checkLimits(t *testing.T, sent []telegramtest.SentRecord, max int) {
	t.Helper()
	last := map[int64]time.Time{}
	for _, r := range sent {
		if prev, ok := last[r.ChatID]; ok && r.ChatID > 0 && r.At.Sub(prev) < time.Second {
			t.Errorf("chat %d got two messages %s apart", r.ChatID, r.At.Sub(prev))
		}
		last[r.ChatID] = r.At
	}
	peak := 0
	for i, j := 0, 0; j < len(sent); j++ {
		for !sent[i].At.After(sent[j].At.Add(-time.Second)) {
			i++
		}
		peak = maxInt(peak, j-i+1)
	}
	if peak > max {
		t.Errorf("%d messages within one second, limit %d", peak, max)
	}
	t.Logf("%d sends, peak %d in a second", len(sent), peak)
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func plains(msgs []telegramtest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Plain)
	}
	return out
}

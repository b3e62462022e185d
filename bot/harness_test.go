package bot_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot"
	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// harness runs the whole bot — emulator, bot, SQLite — the way a person
// uses it: updates go into the emulator, replies come out of it.
type harness struct {
	t   testing.TB
	emu *telegramtest.Server
	db  *storage.DB
	bot *bot.Bot

	mu  sync.Mutex
	now time.Time

	nextUser int64
	opts     harnessOptions
	cancel   context.CancelFunc
	done     chan error
}

// testStart is the harness clock's start: a Friday morning in the store.
var testStart = time.Date(2026, 11, 27, 9, 30, 0, 0, shanghai())

func shanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}

// harnessOptions vary the harness for delivery tests.
type harnessOptions struct {
	realClock bool       // time.Now instead of the fixed testStart (retries need time to pass)
	limits    bot.Limits // default: far above Telegram's, so tests do not wait
	extra     []bot.Command
	callbacks []bot.Callback
	driver    string // storage driver, default sqlite
	enforce   bool   // the emulator answers 429 beyond Telegram's limits
	// wrap, if set, puts something (a fault injector) between bot and store.
	wrap           func(*storage.DB) bot.Store
	handlerTimeout time.Duration
	sendTimeout    time.Duration // bot.Options.SendTimeout (default 10 s)
	db             *storage.DB   // an open, migrated database to use (a benchmark's seed)
	groupChatID    int64
	committed      func()               // bot.Options.Committed
	rules          func(*domain.Rules)  // changes the default rules
	emu            *telegramtest.Server // an emulator to share (replicas), default a new one
	webhook        *delivery.Webhook    // bot.Options.Webhook: webhook mode instead of polling
}

// newHarness starts a bot against a fresh emulator and database; extra
// commands (a panicking one, say) are registered before it starts.
func newHarness(t *testing.T, extra ...bot.Command) *harness {
	return newHarnessWith(t, harnessOptions{extra: extra})
}

func newHarnessWith(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	h := &harness{t: t, now: testStart, nextUser: 1000, opts: o}
	if o.limits == (bot.Limits{}) {
		h.opts.limits = bot.Limits{GlobalPerSecond: 100000, PerChatPerSecond: 100000, GroupPerMinute: 100000}
	}
	if h.emu = o.emu; h.emu == nil {
		h.emu = telegramtest.New(telegramtest.Options{Now: h.clock, EnforceLimits: o.enforce})
		t.Cleanup(h.emu.Close)
	}
	switch {
	case o.db != nil:
		h.db = o.db
	case o.driver == "" || o.driver == storage.DriverSQLite:
		h.db = storagetest.Open(t)
	default:
		h.db = storagetest.OpenDriver(t, o.driver)
	}
	h.db.Now = h.clock
	h.start()
	t.Cleanup(h.stop)
	return h
}

// start connects a new bot to the harness's emulator and database.
func (h *harness) start() {
	h.t.Helper()
	rules := domain.DefaultRules()
	if h.opts.rules != nil {
		h.opts.rules(&rules)
	}
	if err := rules.Validate(); err != nil {
		h.t.Fatal(err)
	}
	cal := &domain.Calendar{Location: shanghai(), Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	// The services' regulation is the bot's: the database's default store.
	st := h.db.Stores.Default()
	st.Name, st.Rules, st.Calendar, st.GroupChatID = "示例4S店", rules, cal, h.opts.groupChatID
	var store bot.Store = h.db
	if h.opts.wrap != nil {
		store = h.opts.wrap(h.db)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b, err := bot.New(ctx, bot.Options{
		Token:           h.emu.Token(),
		APIURL:          h.emu.URL(),
		Store:           store,
		Lost:            h.db,
		Cleanup:         h.db,
		Duty:            h.db,
		Reception:       h.db,
		Complaints:      h.db,
		Register:        h.db,
		Staff:           h.db,
		Rest:            h.db,
		Collisions:      h.db,
		Handovers:       h.db,
		Appointments:    h.db,
		Leads:           h.db,
		Visits:          h.db,
		Vehicles:        h.db,
		TestDrives:      h.db,
		Demos:           h.db,
		Stocktakes:      h.db,
		SubDealers:      h.db,
		Orders:          h.db,
		Allocations:     h.db,
		HandlerTimeout:  h.opts.handlerTimeout,
		SendTimeout:     h.opts.sendTimeout,
		Now:             h.clock,
		Stores:          h.db.Stores,
		PollTimeout:     2 * time.Second,
		ShutdownTimeout: 5 * time.Second,
		Limits:          h.opts.limits,
		Committed:       h.opts.committed,
		Webhook:         h.opts.webhook,
	})
	if err != nil {
		cancel()
		h.t.Fatal(err)
	}
	for _, c := range h.opts.extra {
		b.Register(c)
	}
	for _, c := range h.opts.callbacks {
		b.RegisterCallback(c)
	}
	h.bot, h.cancel, h.done = b, cancel, make(chan error, 1)
	go func() { h.done <- b.Start(ctx) }()
}

// stop shuts the bot down as SIGTERM would, and reports how it went.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	err := <-h.done
	h.cancel = nil
	if err != nil {
		h.t.Errorf("bot stopped with %v", err)
	}
}

// restart stops the bot and starts a new one on the same database.
func (h *harness) restart() {
	h.t.Helper()
	h.stop()
	h.start()
}

func (h *harness) clock() time.Time {
	if h.opts.realClock {
		return time.Now()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

// advance moves the clock forward.
func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

// user registers a new Telegram user (a stranger until enrolled).
func (h *harness) user(name, lang string) telegramtest.User {
	h.nextUser++
	return h.emu.User(h.nextUser, name, "", lang)
}

// say sends text as u in their private chat, waits until the bot has
// handled it, and returns what the bot sent to that chat in answer.
func (h *harness) say(u telegramtest.User, text string) []telegramtest.Message {
	h.t.Helper()
	return h.sayIn(u, u.ID, func() int { return h.emu.SendText(u, text) })
}

// sayIn runs send (which queues one update) and returns the bot's new
// messages in chatID once the update is handled.
func (h *harness) sayIn(_ telegramtest.User, chatID int64, send func() int) []telegramtest.Message {
	h.t.Helper()
	before := 0
	if m, ok := h.emu.LastMessage(chatID); ok {
		before = m.ID
	}
	id := send()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.bot.WaitHandled(ctx, int64(id)); err != nil {
		h.t.Fatalf("update %d: %v", id, err)
	}
	var out []telegramtest.Message
	for _, m := range h.emu.Messages(chatID) {
		if m.ID > before {
			out = append(out, m)
		}
	}
	return out
}

// reply is say that expects exactly one answer and returns its plain text.
func (h *harness) reply(u telegramtest.User, text string) string {
	h.t.Helper()
	msgs := h.say(u, text)
	if len(msgs) != 1 {
		h.t.Fatalf("%q: got %d replies, want 1: %v", text, len(msgs), plains(msgs))
	}
	return msgs[0].Plain
}

func plains(msgs []telegramtest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Plain)
	}
	return out
}

// codeRE finds the invite code in an invite reply.
var codeRE = regexp.MustCompile(`start=([A-Z2-7]{16})`)

// enroll adds a staff member through the store (as `dealerbot staff add`
// does) and has their Telegram user redeem the invite with /start.
func (h *harness) enroll(name, roles, lang string) telegramtest.User {
	h.t.Helper()
	rs, err := domain.ParseRoles(roles)
	if err != nil {
		h.t.Fatal(err)
	}
	_, inv, err := h.db.InviteStaff(context.Background(), name, rs, 48*time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	u := h.user(name, lang)
	if got := h.reply(u, "/start "+inv.Code); !strings.Contains(got, name) {
		h.t.Fatalf("enrol %s: %q", name, got)
	}
	return u
}

// contains fails the test unless s contains every part.
func contains(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%q does not contain %q", s, p)
		}
	}
}

// lacks fails the test if s contains any part.
func lacks(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(s, p) {
			t.Errorf("%q contains %q", s, p)
		}
	}
}

type telegramtestUser = telegramtest.User

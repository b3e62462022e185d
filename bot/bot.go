// Package bot speaks Telegram: a handler parses an update, calls one domain
// service (reached through Options) and renders its outcome from the
// message catalogue; *Bot also implements the jobs' notifiers by turning
// outcomes into outbox rows. It decides no business rule and builds no SQL.
package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/domain"
)

// Store is what the bot needs of storage (implemented by *storage.DB):
// what delivery needs (the inbox, the outbox, InTx) and the chat layer's own.
type Store interface {
	delivery.Store
	staffStore
	dialogStore
}

// dialogStore keeps the guided dialogues' state (dialog.go).
type dialogStore interface {
	SaveDialog(ctx context.Context, d domain.Dialog) error
	DialogByChat(ctx context.Context, chatID int64) (*domain.Dialog, error)
	DeleteDialog(ctx context.Context, chatID int64) error
}

type staffStore interface {
	StaffByTelegramID(ctx context.Context, telegramID int64) (*domain.Staff, error)
	StaffByName(ctx context.Context, store int64, name string) (*domain.Staff, error)
	StaffByID(ctx context.Context, id int64) (*domain.Staff, error)
}

// Limits are Telegram's flood limits the sender keeps to.
type Limits = delivery.Limits

// Options configure a Bot. Token, APIURL, Store, the services and Stores
// are required.
type Options struct {
	Token  string
	APIURL string // the Bot API server, e.g. https://api.telegram.org
	Store  Store
	// The services the handlers call, one per noun (implemented by
	// *storage.DB): a handler parses, calls one, and renders its outcome.
	Lost      domain.LostService
	Cleanup   domain.CleanupService
	Duty      domain.DutyService
	Reception domain.ReceptionService
	Staff     domain.StaffService
	Rest      domain.RestService
	Log       *slog.Logger
	Now       func() time.Time
	// Stores are the group's stores: each with its name, calendar, rules
	// and group chat. A reader's texts use their own store's
	// (Request.Store, Bot.StoreOf).
	Stores *domain.Stores

	// Complaints registers and carries complaints (R2); Register is their
	// weekly register (R2.8).
	Complaints domain.ComplaintService
	Register   domain.RegisterService
	// Chapter 1's passage of a lead: collisions (R1.14), handovers (R1.10),
	// appointments and arrivals (R1.8, R1.9).
	Collisions   domain.CollisionService
	Handovers    domain.HandoverService
	Appointments domain.AppointmentService
	// Leads and Visits are the daily work on leads and the visit register
	// (R1.1–R1.7, R1.11, R1.12).
	Leads  domain.LeadService
	Visits domain.VisitService
	// Vehicles is the stock ledger (R3.1, R3.2).
	Vehicles domain.VehicleService
	// TestDrives and Demos are test drives and the demo fleet (R3.4–R3.6).
	TestDrives domain.TestDriveService
	Demos      domain.DemoFleetService
	// Stocktakes is the monthly stocktake (R3.3).
	Stocktakes domain.StocktakeService
	// SubDealers is the sub-dealer contracts (R4.6).
	SubDealers domain.SubDealerService
	// Orders places orders and carries their rulings (R4.1, R4.2, R4.4).
	Orders domain.OrderService
	// Allocations allocates cars to orders (R4.3).
	Allocations domain.AllocationService

	// PollTimeout is the long-poll wait of getUpdates (default 50 s).
	PollTimeout time.Duration
	// Webhook, when set, serves Telegram's webhook instead of polling.
	Webhook *delivery.Webhook
	// Owner names this replica among those sharing the database (default
	// host and pid).
	Owner string
	// Workers bounds how many chats are served at once (default 8).
	Workers int
	// ShutdownTimeout bounds the wait for handlers in flight (default 10 s).
	ShutdownTimeout time.Duration
	// SendTimeout bounds one send's wait for Telegram's answer (default
	// 10 s); past it the message is tried again.
	SendTimeout time.Duration
	// HandlerTimeout bounds one update's handling (default 30 s).
	HandlerTimeout time.Duration
	// Limits are Telegram's flood limits (default 30/s, 1/s a chat, 20/min a group).
	Limits Limits
	// Committed, if set, is called after each update's changes commit, so
	// that the jobs' timers recompute their next instant at once: a new
	// complaint or a reception call may bring a deadline nearer. It must
	// not block.
	Committed func()
}

// Bot is the running Telegram bot.
type Bot struct {
	api      *tgbot.Bot
	opts     Options
	log      *slog.Logger
	now      func() time.Time
	username string
	store    Store

	mu        sync.RWMutex
	commands  []*Command
	byName    map[string]*Command
	callbacks map[string]*Callback

	// run polls, applies updates (calling handle) and drains the outbox;
	// out is its outbox.
	run *delivery.Runtime
	out *delivery.Outbox
}

// New connects to the Bot API (getMe) and registers the built-in commands.
func New(ctx context.Context, opts Options) (*Bot, error) {
	if err := opts.required(); err != nil {
		return nil, err
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PollTimeout <= 0 {
		opts.PollTimeout = 50 * time.Second // delivery's default, and the API client's
	}
	b := &Bot{
		opts:      opts,
		log:       opts.Log,
		now:       opts.Now,
		store:     opts.Store,
		byName:    map[string]*Command{},
		callbacks: map[string]*Callback{},
	}
	api, err := tgbot.New(opts.Token,
		tgbot.WithServerURL(opts.APIURL),
		tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(opts.PollTimeout, &http.Client{Timeout: 60 * time.Second}),
		tgbot.WithErrorsHandler(func(err error) { b.log.Warn("telegram", slog.Any("error", err)) }),
	)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	b.api = api
	b.run, err = delivery.New(delivery.Options{
		API:             api,
		Token:           opts.Token,
		APIURL:          opts.APIURL,
		Store:           opts.Store,
		Log:             opts.Log,
		Now:             opts.Now,
		Limits:          opts.Limits,
		PollTimeout:     opts.PollTimeout,
		Webhook:         opts.Webhook,
		Owner:           opts.Owner,
		Workers:         opts.Workers,
		ShutdownTimeout: opts.ShutdownTimeout,
		SendTimeout:     opts.SendTimeout,
		HandlerTimeout:  opts.HandlerTimeout,
		Handler:         b.handle,
		Failed:          b.failed,
		Committed:       opts.Committed,
		Apology:         b.apology,
		Blocked:         b.chatBlocked,
	})
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	b.out = b.run.Outbox()
	me, err := api.GetMe(ctx)
	if err != nil {
		return nil, fmt.Errorf("bot: getMe (is the token right?): %w", err)
	}
	b.username = me.Username
	b.registerBuiltins()
	b.registerLeads()
	b.registerHandovers()
	b.registerCollisions()
	b.registerCleanup()
	b.registerComplaints()
	b.registerRegister()
	b.registerRest()
	b.registerDuty()
	b.registerVehicles()
	b.registerTestDrives()
	b.registerDemoFleet()
	b.registerStocktake()
	b.registerSubDealers()
	b.registerOrders()
	b.registerAllocation()
	return b, nil
}

// Username is the bot's Telegram username, without the @.
func (b *Bot) Username() string { return b.username }

// Start serves until ctx is cancelled: it long-polls Telegram and drains
// the outbox. Then it shuts down in order, within ShutdownTimeout: stop
// fetching, let the handlers in flight finish (their answers are in the
// outbox), let the sends in flight finish. What is left stays in the inbox
// or the outbox for the next start.
func (b *Bot) Start(ctx context.Context) error { return b.run.Run(ctx) }

// WaitHandled blocks until the update with this id has been handled and
// its answers delivered to Telegram, or ctx ends.
func (b *Bot) WaitHandled(ctx context.Context, updateID int64) error {
	return b.run.WaitHandled(ctx, updateID)
}

// InviteLink is the deep link that opens the bot with an invite code.
func (b *Bot) InviteLink(code string) string {
	return "https://t.me/" + b.username + "?start=" + code
}

// dispatch routes an update to the command or callback that handles it.
// Updates of other kinds (edits, member changes, …) are ignored.
func (b *Bot) dispatch(ctx context.Context, _ *tgbot.Bot, upd *models.Update) {
	switch {
	case upd.Message != nil:
		b.onMessage(ctx, upd.Message)
	case upd.CallbackQuery != nil:
		b.onCallback(ctx, upd.CallbackQuery)
	}
}

// formatTime writes an instant in the time zone of store (a record's
// Store.ID: where it happened).
func (b *Bot) formatTime(store int64, t time.Time) string {
	return t.In(b.opts.Stores.Of(store).Calendar.Location).Format("2006-01-02 15:04")
}

// required reports the first option the bot cannot run without.
func (o *Options) required() error {
	for _, r := range []struct {
		name    string
		missing bool
	}{
		{"Store", o.Store == nil}, {"Stores", o.Stores == nil},
		{"Lost", o.Lost == nil}, {"Cleanup", o.Cleanup == nil},
		{"Duty", o.Duty == nil}, {"Reception", o.Reception == nil},
		{"Complaints", o.Complaints == nil}, {"Register", o.Register == nil},
		{"Staff", o.Staff == nil},
		{"Rest", o.Rest == nil}, {"Collisions", o.Collisions == nil},
		{"Handovers", o.Handovers == nil}, {"Appointments", o.Appointments == nil},
		{"Leads", o.Leads == nil}, {"Visits", o.Visits == nil},
		{"Vehicles", o.Vehicles == nil},
		{"TestDrives", o.TestDrives == nil}, {"Demos", o.Demos == nil}, {"Stocktakes", o.Stocktakes == nil},
		{"SubDealers", o.SubDealers == nil},
		{"Orders", o.Orders == nil}, {"Allocations", o.Allocations == nil},
	} {
		if r.missing {
			return fmt.Errorf("bot: Options.%s is required", r.name)
		}
	}
	return nil
}

// StoreOf returns the store of a person (domain.Staff.StoreID): whose
// calendar their times are written in and whose rules their texts quote.
// nil or an unknown store reads as the default store.
func (b *Bot) StoreOf(s *domain.Staff) *domain.Store {
	if s == nil {
		return b.opts.Stores.Default()
	}
	return b.opts.Stores.Of(s.StoreID)
}

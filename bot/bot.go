// Package bot speaks Telegram: it turns updates into calls on the store and
// renders the answers from the message catalogue. It decides no business
// rule and builds no SQL.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Store is what the bot needs of storage (implemented by *storage.DB).
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	staffStore
	updateStore
	outboxStore
	leadStore
	handoverStore
}

type staffStore interface {
	StaffByTelegramID(ctx context.Context, telegramID int64) (*domain.Staff, error)
	StaffByName(ctx context.Context, name string) (*domain.Staff, error)
	StaffWithRole(ctx context.Context, r domain.Role) ([]*domain.Staff, error)
	ListStaff(ctx context.Context, includeInactive bool) ([]*domain.Staff, error)
	InviteStaff(ctx context.Context, name string, roles domain.Roles, ttl time.Duration) (*domain.Staff, *domain.Invite, error)
	RedeemInvite(ctx context.Context, code string, telegramID int64, lang domain.Lang) (*domain.Staff, error)
	DeactivateStaff(ctx context.Context, id int64) error
	SetStaffLang(ctx context.Context, id int64, lang domain.Lang) error
	SetStaffDepartment(ctx context.Context, id int64, dept string) error
	StaffByID(ctx context.Context, id int64) (*domain.Staff, error)
}

// updateStore is the inbox of updates (poller.go, apply.go).
type updateStore interface {
	SaveUpdates(ctx context.Context, ups []domain.InboundUpdate, nextOffset int64) error
	UpdateOffset(ctx context.Context) (int64, error)
	LastUpdateAt(ctx context.Context) (time.Time, bool, error)
	PendingUpdates(ctx context.Context) ([]domain.InboundUpdate, error)
	ClaimUpdate(ctx context.Context, id int64) (bool, error)
	MarkUpdateApplied(ctx context.Context, id int64) error
}

// outboxStore is the outbox (outbox.go, sender.go).
type outboxStore interface {
	Enqueue(ctx context.Context, msgs ...domain.OutboxMessage) (int, error)
	DueMessages(ctx context.Context, limit int, skipChats []int64) ([]domain.OutboxMessage, error)
	MarkSending(ctx context.Context, id int64) error
	MarkSent(ctx context.Context, id int64, telegramMsgID int) error
	MarkRetry(ctx context.Context, id int64, next time.Time, errText string) error
	MarkFailed(ctx context.Context, id int64, errText string) error
	MarkChatUndeliverable(ctx context.Context, chatID int64, errText string) (int64, error)
	RecoverSending(ctx context.Context) (int64, error)
	OutboxStats(ctx context.Context) (domain.OutboxStats, error)
	OutboxByKey(ctx context.Context, key string) (*domain.OutboxMessage, error)
	SetChatBlocked(ctx context.Context, chatID int64, blocked bool) (bool, error)
	BlockedChats(ctx context.Context) ([]int64, error)
	SaveCallbackData(ctx context.Context, data string) (int64, error)
	CallbackData(ctx context.Context, id int64) (string, error)
}

// Options configure a Bot. Token, APIURL, Store, the services and Calendar
// are required.
type Options struct {
	Token  string
	APIURL string // the Bot API server, e.g. https://api.telegram.org
	Store  Store
	// The services the handlers call, one per noun (implemented by
	// *storage.DB): a handler parses, calls one, and renders its outcome.
	Lost      domain.LostService
	Log       *slog.Logger
	Now       func() time.Time
	Calendar  *domain.Calendar
	Rules     domain.Rules
	StoreName string

	// Chapter 1's passage of a lead: collisions (R1.14), handovers (R1.10),
	// appointments and arrivals (R1.8, R1.9).
	Collisions   domain.CollisionService
	Handovers    domain.HandoverService
	Appointments domain.AppointmentService

	// PollTimeout is the long-poll wait of getUpdates (default 50 s).
	PollTimeout time.Duration
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
	// GroupChatID is the team's group chat, where rosters are posted; 0: none.
	GroupChatID int64
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

	queues     *chatQueues
	handled    *handledSet
	sender     *sender
	pollClient *http.Client

	abandonMu sync.Mutex
	abandoned []int64 // updates answered "try again" but not yet marked
}

// New connects to the Bot API (getMe) and registers the built-in commands.
func New(ctx context.Context, opts Options) (*Bot, error) {
	if opts.Store == nil || opts.Lost == nil || opts.Calendar == nil {
		return nil, errors.New("bot: Store, Lost and Calendar are required")
	}
	if opts.Collisions == nil || opts.Handovers == nil || opts.Appointments == nil {
		return nil, errors.New("bot: Collisions, Handovers and Appointments are required")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PollTimeout <= 0 {
		opts.PollTimeout = 50 * time.Second
	}
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = 10 * time.Second
	}
	if opts.HandlerTimeout <= 0 {
		opts.HandlerTimeout = 30 * time.Second
	}
	b := &Bot{
		opts:      opts,
		log:       opts.Log,
		now:       opts.Now,
		store:     opts.Store,
		byName:    map[string]*Command{},
		callbacks: map[string]*Callback{},
		queues:    newChatQueues(opts.Workers),
		handled:   newHandledSet(),
		// The poll's HTTP timeout must outlast the long-poll wait.
		pollClient: &http.Client{Timeout: opts.PollTimeout + 10*time.Second},
	}
	b.sender = newSender(b, opts.Limits)
	api, err := tgbot.New(opts.Token,
		tgbot.WithServerURL(opts.APIURL),
		tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(opts.PollTimeout, &http.Client{Timeout: 60 * time.Second}),
		// poll() feeds ProcessUpdate; serializePerChat then queues each
		// update on its chat, so the library's loop never blocks.
		tgbot.WithNotAsyncHandlers(),
		tgbot.WithMiddlewares(b.serializePerChat, b.recoverPanics, b.logUpdate, b.applyOnce, b.resolveStaff),
		tgbot.WithDefaultHandler(b.dispatch),
		tgbot.WithErrorsHandler(func(err error) { b.log.Warn("telegram", slog.Any("error", err)) }),
	)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	b.api = api
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
	return b, nil
}

// Username is the bot's Telegram username, without the @.
func (b *Bot) Username() string { return b.username }

// Start serves until ctx is cancelled: it long-polls Telegram and drains
// the outbox. Then it shuts down in order, within ShutdownTimeout: stop
// fetching, let the handlers in flight finish (their answers are in the
// outbox), let the sends in flight finish. What is left stays in the inbox
// or the outbox for the next start.
func (b *Bot) Start(ctx context.Context) error {
	senderCtx, stopSender := context.WithCancel(context.WithoutCancel(ctx))
	deadline, cancel := context.WithCancel(context.Background())
	defer cancel()
	senderDone := make(chan error, 1)
	go func() { senderDone <- b.sender.run(senderCtx, deadline) }()

	b.poll(ctx)

	timer := time.AfterFunc(b.opts.ShutdownTimeout, cancel)
	defer timer.Stop()
	errHandlers := b.queues.wait(deadline)
	if errHandlers != nil {
		errHandlers = fmt.Errorf("bot: handlers still running after %s: %w", b.opts.ShutdownTimeout, errHandlers)
	}
	// Close the updates users were told to send again, while there is time.
	for b.hasAbandoned() && deadline.Err() == nil {
		b.flushAbandoned(deadline)
		if b.hasAbandoned() {
			select {
			case <-deadline.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	stopSender()
	return errors.Join(errHandlers, <-senderDone)
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

// formatTime writes an instant in the store's time zone.
func (b *Bot) formatTime(t time.Time) string {
	return t.In(b.opts.Calendar.Location).Format("2006-01-02 15:04")
}

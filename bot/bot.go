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
	StaffByTelegramID(ctx context.Context, telegramID int64) (*domain.Staff, error)
	StaffByName(ctx context.Context, name string) (*domain.Staff, error)
	ListStaff(ctx context.Context, includeInactive bool) ([]*domain.Staff, error)
	InviteStaff(ctx context.Context, name string, roles domain.Roles, ttl time.Duration) (*domain.Staff, *domain.Invite, error)
	RedeemInvite(ctx context.Context, code string, telegramID int64, lang domain.Lang) (*domain.Staff, error)
	DeactivateStaff(ctx context.Context, id int64) error
	SetStaffLang(ctx context.Context, id int64, lang domain.Lang) error
}

// Options configure a Bot. Token, APIURL, Store and Calendar are required.
type Options struct {
	Token     string
	APIURL    string // the Bot API server, e.g. https://api.telegram.org
	Store     Store
	Log       *slog.Logger
	Now       func() time.Time
	Calendar  *domain.Calendar
	Rules     domain.Rules
	StoreName string
	// PollTimeout is the long-poll wait of getUpdates (default 50 s).
	PollTimeout time.Duration
	// Workers bounds how many chats are served at once (default 8).
	Workers int
	// ShutdownTimeout bounds the wait for handlers in flight (default 10 s).
	ShutdownTimeout time.Duration
	// HandlerTimeout bounds one update's handling (default 30 s).
	HandlerTimeout time.Duration
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

	queues  *chatQueues
	handled *handledSet
}

// New connects to the Bot API (getMe) and registers the built-in commands.
func New(ctx context.Context, opts Options) (*Bot, error) {
	if opts.Store == nil || opts.Calendar == nil {
		return nil, errors.New("bot: Store and Calendar are required")
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
	}
	api, err := tgbot.New(opts.Token,
		tgbot.WithServerURL(opts.APIURL),
		tgbot.WithSkipGetMe(),
		// The poll's HTTP timeout must outlast the long-poll wait.
		tgbot.WithHTTPClient(opts.PollTimeout, &http.Client{Timeout: opts.PollTimeout + 10*time.Second}),
		tgbot.WithNotAsyncHandlers(),
		tgbot.WithMiddlewares(b.serializePerChat, b.recoverPanics, b.logUpdate, b.resolveStaff),
		tgbot.WithDefaultHandler(b.dispatch),
		tgbot.WithErrorsHandler(func(err error) { b.log.Warn("telegram", slog.Any("error", err)) }),
		tgbot.WithAllowedUpdates(tgbot.AllowedUpdates{"message", "callback_query"}),
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
	return b, nil
}

// Username is the bot's Telegram username, without the @.
func (b *Bot) Username() string { return b.username }

// Start long-polls Telegram until ctx is cancelled, then waits (at most
// ShutdownTimeout) for the handlers in flight, and returns.
func (b *Bot) Start(ctx context.Context) error {
	b.api.Start(ctx)
	wait, cancel := context.WithTimeout(context.Background(), b.opts.ShutdownTimeout)
	defer cancel()
	if err := b.queues.wait(wait); err != nil {
		return fmt.Errorf("bot: handlers still running after %s: %w", b.opts.ShutdownTimeout, err)
	}
	return nil
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

// send sends an HTML text to a chat, split at line boundaries when it is
// longer than Telegram allows.
func (b *Bot) send(ctx context.Context, chatID int64, text string, markup models.ReplyMarkup) error {
	parts := splitText(text, maxMessageLen)
	for i, part := range parts {
		p := &tgbot.SendMessageParams{
			ChatID:             chatID,
			Text:               part,
			ParseMode:          models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
		}
		if i == len(parts)-1 {
			p.ReplyMarkup = markup
		}
		if _, err := b.api.SendMessage(ctx, p); err != nil {
			return fmt.Errorf("send to chat %d: %w", chatID, err)
		}
	}
	return nil
}

// formatTime writes an instant in the store's time zone.
func (b *Bot) formatTime(t time.Time) string {
	return t.In(b.opts.Calendar.Location).Format("2006-01-02 15:04")
}

// Package delivery is the Telegram-generic runtime under the chat layer:
// it long-polls Telegram into a durable inbox, applies each update once in
// a transaction, one chat after another in order, and drains the outbox
// within Telegram's limits. It knows no command, text or role: the chat
// layer (package bot) hands it a Handler and answers what failed.
//
// Exactly once, in short: an update is stored before Telegram is told it
// was received (poller.go); it is claimed in the transaction that applies
// it (apply.go); every message is an outbox row written in that same
// transaction (outbox.go) and marked sent only after Telegram accepted it
// (sender.go).
package delivery

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

// Inbox is the durable inbox of updates (implemented by *storage.DB).
type Inbox interface {
	SaveUpdates(ctx context.Context, ups []domain.InboundUpdate, nextOffset int64) error
	UpdateOffset(ctx context.Context) (int64, error)
	LastUpdateAt(ctx context.Context) (time.Time, bool, error)
	PendingUpdates(ctx context.Context) ([]domain.InboundUpdate, error)
	ClaimUpdate(ctx context.Context, id int64) (bool, error)
	MarkUpdateApplied(ctx context.Context, id int64) error
}

// OutboxStore is the outbox and the chats that blocked the bot.
type OutboxStore interface {
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
}

// CallbackStore keeps button data longer than Telegram's 64 bytes.
type CallbackStore interface {
	SaveCallbackData(ctx context.Context, data string) (int64, error)
	CallbackData(ctx context.Context, id int64) (string, error)
}

// Store is what delivery needs of storage. InTx inside an outer InTx joins
// it, so the chat layer's writes and its answers commit together.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	Inbox
	OutboxStore
	CallbackStore
}

// Options configure a Runtime. API, Token, APIURL, Store, Handler and
// Failed are required.
type Options struct {
	// API is the Bot API client the sender sends with.
	API *tgbot.Bot
	// Token and APIURL are for getUpdates, which the poller calls itself.
	Token  string
	APIURL string
	Store  Store
	Log    *slog.Logger
	Now    func() time.Time
	Limits Limits
	// PollTimeout is the long-poll wait of getUpdates (default 50 s).
	PollTimeout time.Duration
	// Workers bounds how many chats are served at once (default 8).
	Workers int
	// ShutdownTimeout bounds the wait for handlers and sends in flight
	// (default 10 s).
	ShutdownTimeout time.Duration
	// SendTimeout bounds one send's wait for Telegram's answer (default
	// 10 s); past it the message is tried again.
	SendTimeout time.Duration
	// HandlerTimeout bounds one update's handling (default 30 s).
	HandlerTimeout time.Duration
	// Webhook, when set, has Telegram POST updates to this replica instead
	// of long polling (webhook.go); Store must then be a WebhookStore.
	Webhook *Webhook
	// Owner names this process in the poller's lease (default host and
	// pid), and LeaseTTL is how long the lease lasts unrenewed (default
	// 15 s): a poller needs a Store that is a LeaseStore.
	Owner    string
	LeaseTTL time.Duration
	// ReplicaBeat is how often this replica beats in the replicas table
	// and recounts the live ones (default 2 s); one not seen for three
	// beats is taken for dead.
	ReplicaBeat time.Duration

	// Handler applies one update inside the transaction that claims it
	// (called again if the transaction is retried). It records in fx what
	// it does besides its writes; an error rolls the writes back and the
	// update is answered by Failed.
	Handler func(ctx context.Context, upd *models.Update, fx *Effects) error
	// Failed answers an update that did not apply: cause is the error (a
	// *PanicError for a panic), fx the last attempt's effects (nil when
	// none ran).
	Failed func(ctx context.Context, upd *models.Update, cause error, fx *Effects) Failure
	// Committed, if set, is called after each update's changes commit. It
	// must not block.
	Committed func()
	// Apology, if set, is the text sent in place of a message Telegram
	// refused for good (400), in its reader's language; it runs in the
	// transaction that records the refusal.
	Apology func(ctx context.Context, m domain.OutboxMessage) string
	// Blocked, if set, runs in the transaction that first marks a chat as
	// having blocked the bot, to tell whoever must know.
	Blocked func(ctx context.Context, chatID int64) error
}

// Runtime polls, applies and sends.
type Runtime struct {
	opts   Options
	log    *slog.Logger
	now    func() time.Time
	store  Store
	outbox *Outbox

	queues     *chatQueues
	handled    *handledSet
	sender     *sender
	pollClient *http.Client

	abandonMu sync.Mutex
	abandoned []int64 // updates answered "try again" but not yet marked

	drainMu     sync.Mutex
	drainQueued map[int64]bool // chats with a drain queued, not started (webhook)
}

// New makes a Runtime; Run starts it.
func New(opts Options) (*Runtime, error) {
	if opts.API == nil || opts.Store == nil || opts.Handler == nil || opts.Failed == nil {
		return nil, errors.New("delivery: API, Store, Handler and Failed are required")
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
	if opts.Owner == "" {
		opts.Owner = DefaultOwner()
	}
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = 15 * time.Second
	}
	if opts.ReplicaBeat <= 0 {
		opts.ReplicaBeat = 2 * time.Second
	}
	if wh := opts.Webhook; wh != nil {
		if _, ok := opts.Store.(WebhookStore); !ok {
			return nil, errors.New("delivery: webhook mode needs a Store that is a WebhookStore")
		}
		if wh.Path == "" || wh.PublicURL == "" || wh.Secret == "" || (wh.Listen == "" && wh.Listener == nil) {
			return nil, errors.New("delivery: webhook mode needs Listen, Path, PublicURL and Secret")
		}
		if wh.MaxConnections <= 0 {
			wh.MaxConnections = 40
		}
	} else if _, ok := opts.Store.(LeaseStore); !ok {
		return nil, errors.New("delivery: polling needs a Store that is a LeaseStore")
	}
	r := &Runtime{
		opts:    opts,
		log:     opts.Log,
		now:     opts.Now,
		store:   opts.Store,
		outbox:  NewOutbox(opts.Store),
		queues:  newChatQueues(opts.Workers),
		handled: newHandledSet(),

		drainQueued: map[int64]bool{},
		// The poll's HTTP timeout must outlast the long-poll wait.
		pollClient: &http.Client{Timeout: opts.PollTimeout + 10*time.Second},
	}
	r.sender = newSender(r, opts.Limits)
	return r, nil
}

// Outbox is where messages are queued.
func (r *Runtime) Outbox() *Outbox { return r.outbox }

// Run serves until ctx is cancelled: it long-polls Telegram (or serves
// its webhook) and drains the outbox. Then it shuts down in order, within
// ShutdownTimeout: stop fetching, let the handlers in flight finish (their
// answers are in the outbox), let the sends in flight finish. What is left
// stays in the inbox or the outbox for the next start. A poller that finds
// another one's live lease on the database returns at once with an error
// naming it.
func (r *Runtime) Run(ctx context.Context) error {
	var fetchErr error
	if r.opts.Webhook == nil {
		if err := r.acquirePollerLease(ctx); err != nil {
			return err
		}
	}
	senderCtx, stopSender := context.WithCancel(context.WithoutCancel(ctx))
	deadline, cancel := context.WithCancel(context.Background())
	defer cancel()
	senderDone := make(chan error, 1)
	go func() { senderDone <- r.sender.run(senderCtx, deadline) }()

	if r.opts.Webhook != nil {
		fetchErr = r.serveWebhook(ctx)
	} else {
		pollCtx, stopPoll := context.WithCancel(ctx)
		leaseDone := make(chan struct{})
		go func() { defer close(leaseDone); r.keepPollerLease(pollCtx, stopPoll) }()
		r.poll(pollCtx)
		if ctx.Err() == nil {
			fetchErr = errors.New("delivery: the poller lease was lost to another instance")
		}
		stopPoll()
		<-leaseDone
	}

	timer := time.AfterFunc(r.opts.ShutdownTimeout, cancel)
	defer timer.Stop()
	errHandlers := r.queues.wait(deadline)
	if errHandlers != nil {
		errHandlers = fmt.Errorf("delivery: handlers still running after %s: %w", r.opts.ShutdownTimeout, errHandlers)
	}
	// Close the updates users were told to send again, while there is time.
	for r.hasAbandoned() && deadline.Err() == nil {
		r.flushAbandoned(deadline)
		if r.hasAbandoned() {
			select {
			case <-deadline.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	stopSender()
	return errors.Join(fetchErr, errHandlers, <-senderDone)
}

// Health is what /health shows of delivery.
type Health struct {
	Outbox domain.OutboxStats
	// LastUpdateAt is when the last update came in; zero when none has.
	LastUpdateAt time.Time
	// PerSecond is the bot's send rate, shared by its replicas, and
	// DrainIn how long the backlog takes at it: when the last person has
	// their message (per-chat limits and retries only add to it).
	PerSecond int
	DrainIn   time.Duration
	// Self is this replica's name; Replicas every replica the database
	// knows, the latest beat first, live if seen at or after LiveSince;
	// Leases who holds what (domain.SchedulerLease: the leader). All empty
	// when the store keeps no replicas.
	Self      string
	Replicas  []domain.Replica
	LiveSince time.Time
	Leases    []domain.Lease
}

// Health reads the outbox backlog and when the last update came in, the
// replicas and the leases.
func (r *Runtime) Health(ctx context.Context) (Health, error) {
	st, err := r.store.OutboxStats(ctx)
	if err != nil {
		return Health{}, err
	}
	rate := r.sender.limits.PerSecond()
	h := Health{Outbox: st, PerSecond: rate, DrainIn: domain.DrainTime(st.Pending, rate), Self: r.opts.Owner}
	if t, ok, err := r.store.LastUpdateAt(ctx); err != nil {
		return Health{}, err
	} else if ok {
		h.LastUpdateAt = t
	}
	if rs := r.replicaStore(); rs != nil {
		h.LiveSince = r.liveSince(r.now())
		if h.Replicas, err = rs.Replicas(ctx); err != nil {
			return Health{}, err
		}
		if h.Leases, err = rs.Leases(ctx); err != nil {
			return Health{}, err
		}
	}
	return h, nil
}

// WaitHandled blocks until the update with this id has been handled and
// its answers delivered to Telegram, or ctx ends.
func (r *Runtime) WaitHandled(ctx context.Context, updateID int64) error {
	for {
		r.handled.mu.Lock()
		keys, ok := r.handled.done[updateID]
		wake := r.handled.wake
		r.handled.mu.Unlock()
		if ok {
			return r.sender.waitSettled(ctx, keys)
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return fmt.Errorf("update %d not handled: %w", updateID, ctx.Err())
		}
	}
}

package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The sender drains the outbox within Telegram's limits. A message is
// marked sent only after Telegram accepted it. On 429 it waits the
// retry_after it was given; on 5xx or a network error it retries with
// backoff and jitter; on 403 (the user blocked the bot) it stops sending to
// that chat and has Options.Blocked tell whoever must know, once; a 400 is a
// bug, kept as failed, and the chat gets a short apology (Options.Apology)
// in its place (refused).
//
// Telegram has no idempotency key, so one case stays open: a crash after
// Telegram accepted a message and before it was marked sent. Such a
// message is "sending" at the restart and is sent again: at least once,
// never lost.

// sendConcurrency bounds the sends in flight (each to a different chat).
const sendConcurrency = 32

type sender struct {
	r      *Runtime
	limits Limits
	lim    *limiter
	pace   *pacer // only the sender's loop (round) uses it
	paced  int    // the pacer's rate: share() when last applied

	nrep atomic.Int64 // live replicas sharing the rate (replicas.go)

	wakeCh chan struct{}
	sem    chan struct{}
	sends  sync.WaitGroup

	mu       sync.Mutex
	inflight map[int64]bool // chats with a send in flight: one at a time keeps their order
	blocked  map[int64]bool
	changed  chan struct{} // closed and replaced whenever a message is settled
}

func newSender(r *Runtime, l Limits) *sender {
	l = l.withDefaults()
	s := &sender{
		r: r, limits: l, lim: newLimiter(l), pace: newPacer(l.PerSecond()), paced: l.PerSecond(),
		wakeCh:   make(chan struct{}, 1),
		sem:      make(chan struct{}, sendConcurrency),
		inflight: map[int64]bool{},
		blocked:  map[int64]bool{},
		changed:  make(chan struct{}),
	}
	s.nrep.Store(1)
	return s
}

// replicas is how many replicas share the rate.
func (s *sender) replicas() int { return int(s.nrep.Load()) }

// setReplicas sets how many replicas share the rate and returns the
// number before.
func (s *sender) setReplicas(n int) int {
	old := int(s.nrep.Swap(int64(max(n, 1))))
	s.lim.setGlobal(s.share())
	return old
}

// share is this replica's rate: the bot's divided among the replicas.
func (s *sender) share() int { return max(s.limits.PerSecond()/s.replicas(), 1) }

// wake makes the sender look at the outbox now.
func (s *sender) wake() {
	select {
	case s.wakeCh <- struct{}{}:
	default:
	}
}

func (s *sender) isBlocked(chat int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocked[chat]
}

func (s *sender) unblock(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, chat)
}

// run drains the outbox until ctx ends, then waits for the sends in
// flight (bounded by waitCtx): what was not sent stays in the outbox.
func (s *sender) run(ctx, waitCtx context.Context) error {
	log := s.r.log
	// Joining may recover what a dead replica was sending (webhook mode),
	// so it comes first; a poller is alone (its lease), and what is sending
	// at its start is what it left itself.
	start := s.r.join(ctx)
	if s.r.opts.Webhook == nil {
		if n, err := s.r.store.RecoverSending(ctx); err != nil {
			log.Error("outbox recover", slog.Any("error", err))
		} else if n > 0 {
			log.Warn("outbox: messages in doubt after a crash are sent again", slog.Int64("count", n))
		}
	}
	beatCtx, stopBeat := context.WithCancel(ctx)
	beating := make(chan struct{})
	go func() { defer close(beating); s.r.keepBeating(beatCtx) }()
	defer func() { stopBeat(); <-beating; s.r.leave() }()
	if start > 0 {
		log.Info("outbox: other replicas are sending; waiting for them to share the rate", slog.Duration("wait", start))
		select {
		case <-ctx.Done():
		case <-time.After(start):
		}
	}
	if chats, err := s.r.store.BlockedChats(ctx); err == nil {
		s.mu.Lock()
		for _, c := range chats {
			s.blocked[c] = true
		}
		s.mu.Unlock()
	}
	for ctx.Err() == nil {
		wait := s.round(ctx)
		select {
		case <-ctx.Done():
		case <-s.wakeCh:
		case <-time.After(wait):
		}
	}
	done := make(chan struct{})
	go func() { s.sends.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-waitCtx.Done():
		return fmt.Errorf("sends still in flight: %w", waitCtx.Err())
	}
}

// round starts every due message that fits the limits now and says how
// long to sleep before the next round.
func (s *sender) round(ctx context.Context) time.Duration {
	const idle = 500 * time.Millisecond
	s.mu.Lock()
	skip := make([]int64, 0, len(s.inflight))
	for c := range s.inflight {
		skip = append(skip, c)
	}
	s.mu.Unlock()
	if share := s.share(); share != s.paced {
		s.pace.setRate(share)
		s.paced = share
	}
	due, err := s.due(ctx, skip)
	if err != nil {
		if ctx.Err() == nil {
			s.r.log.Warn("outbox read", slog.Any("error", err))
		}
		return idle
	}
	wait := idle
	for _, m := range due {
		if s.isBlocked(m.ChatID) {
			s.settle(func(c context.Context) error {
				_, err := s.r.store.MarkChatUndeliverable(c, m.ChatID, "chat blocked the bot")
				return err
			})
			continue
		}
		now := time.Now()
		if w := s.pace.wait(now); w > 0 {
			wait = min(wait, w) // no other message may start before it either
			break
		}
		if w := s.lim.acquire(m.ChatID, now); w > 0 {
			wait = min(wait, w)
			continue
		}
		s.pace.take(now)
		if err := s.claim(ctx, m.ID); err != nil {
			s.lim.release(m.ChatID, time.Time{})
			continue
		}
		s.mu.Lock()
		s.inflight[m.ChatID] = true
		s.mu.Unlock()
		s.sem <- struct{}{}
		s.sends.Add(1)
		go s.send(m)
	}
	if len(due) == 0 {
		return idle
	}
	return max(wait, time.Millisecond)
}

// due reads the heads of the chats' queues that may be sent now, with
// each chat's limits counted across replicas when the store can.
func (s *sender) due(ctx context.Context, skip []int64) ([]domain.OutboxMessage, error) {
	if rs := s.r.replicaStore(); rs != nil {
		return rs.DueMessagesSpaced(ctx, 200, skip, s.limits.PerChatPerSecond, s.limits.GroupPerMinute)
	}
	return s.r.store.DueMessages(ctx, 200, skip)
}

// claim marks message id sending by this replica; ECONFLICT when another
// took it first.
func (s *sender) claim(ctx context.Context, id int64) error {
	if rs := s.r.replicaStore(); rs != nil {
		return rs.ClaimSend(ctx, id, s.r.opts.Owner)
	}
	return s.r.store.MarkSending(ctx, id)
}

// send delivers one message and records the outcome. It runs on its own
// context: a shutdown lets it finish.
func (s *sender) send(m domain.OutboxMessage) {
	defer func() {
		s.mu.Lock()
		delete(s.inflight, m.ChatID)
		s.mu.Unlock()
		<-s.sem
		s.sends.Done()
		s.wake()
	}()
	// Its own context: a send in flight at shutdown finishes (within
	// SendTimeout; the shutdown waits at most ShutdownTimeout for it).
	ctx, cancel := context.WithTimeout(context.Background(), s.r.opts.SendTimeout)
	defer cancel()
	msgID, err := s.deliver(ctx, m)
	if err != nil && strings.Contains(err.Error(), "error decode response result") {
		// Telegram answered ok: the message is there, we just cannot read
		// its id. Sending again would duplicate it.
		err = nil
	}
	answered := time.Now()
	s.lim.release(m.ChatID, answered)

	var tooMany *tgbot.TooManyRequestsError
	var migrated *tgbot.MigrateError
	switch {
	case err == nil:
		s.settle(func(c context.Context) error { return s.r.store.MarkSent(c, m.ID, msgID) })
	case errors.As(err, &tooMany):
		wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
		s.lim.pause(m.ChatID, answered.Add(wait))
		s.settle(func(c context.Context) error { return s.r.store.MarkRetry(c, m.ID, s.r.now().Add(wait), err.Error()) })
	case errors.Is(err, tgbot.ErrorForbidden):
		s.settle(func(c context.Context) error { return s.chatBlocked(c, m, err) })
	case errors.As(err, &migrated):
		// The group became a supergroup under a new id: retrying the old id
		// would block the chat's queue forever.
		s.r.log.Error("outbox: group moved", slog.Int64("chat_id", m.ChatID), slog.Int("new_chat_id", migrated.MigrateToChatID))
		s.settle(func(c context.Context) error { return s.r.store.MarkFailed(c, m.ID, err.Error()) })
	case errors.Is(err, tgbot.ErrorBadRequest):
		s.r.log.Error("outbox: Telegram refused a message", slog.String("key", m.Key), slog.Int64("chat_id", m.ChatID), slog.Any("error", err))
		s.settle(func(c context.Context) error { return s.refused(c, m, err) })
	default: // 5xx, network, timeouts: try again later
		next := s.r.now().Add(backoff(m.Attempts))
		s.settle(func(c context.Context) error { return s.r.store.MarkRetry(c, m.ID, next, err.Error()) })
	}
}

// backoff is the wait before attempt n+1: 1 s doubling to 5 min, ±50 %.
func backoff(attempts int) time.Duration {
	d := time.Second << min(max(attempts-1, 0), 9)
	d = min(d, 5*time.Minute)
	return time.Duration(float64(d) * (0.5 + rand.Float64()))
}

// deliver makes the Telegram call for m and returns the message id.
func (s *sender) deliver(ctx context.Context, m domain.OutboxMessage) (int, error) {
	var markup models.ReplyMarkup
	if m.Markup != "" {
		markup = json.RawMessage(m.Markup)
	}
	if m.EditMsgID != 0 {
		_, err := s.r.opts.API.EditMessageText(ctx, &tgbot.EditMessageTextParams{
			ChatID:             m.ChatID,
			MessageID:          m.EditMsgID,
			Text:               m.Text,
			ParseMode:          models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
			ReplyMarkup:        markup,
		})
		if err != nil && strings.Contains(err.Error(), "message is not modified") {
			err = nil // the message already says this: the edit is done
		}
		return m.EditMsgID, err
	}
	if m.Photo {
		msg, err := s.r.opts.API.SendPhoto(ctx, &tgbot.SendPhotoParams{
			ChatID:      m.ChatID,
			Photo:       &models.InputFileUpload{Filename: m.FileName, Data: bytes.NewReader(m.File)},
			Caption:     m.Text,
			ParseMode:   models.ParseModeHTML,
			ReplyMarkup: markup,

			AllowPaidBroadcast: s.limits.PaidBroadcast,
		})
		if err != nil {
			return 0, err
		}
		return msg.ID, nil
	}
	if m.FileName != "" {
		msg, err := s.r.opts.API.SendDocument(ctx, &tgbot.SendDocumentParams{
			ChatID:      m.ChatID,
			Document:    &models.InputFileUpload{Filename: m.FileName, Data: bytes.NewReader(m.File)},
			Caption:     m.Text,
			ParseMode:   models.ParseModeHTML,
			ReplyMarkup: markup,

			AllowPaidBroadcast: s.limits.PaidBroadcast,
		})
		if err != nil {
			return 0, err
		}
		return msg.ID, nil
	}
	msg, err := s.r.opts.API.SendMessage(ctx, &tgbot.SendMessageParams{
		ChatID:             m.ChatID,
		Text:               m.Text,
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
		ReplyMarkup:        markup,
		AllowPaidBroadcast: s.limits.PaidBroadcast,
	})
	if err != nil {
		return 0, err
	}
	return msg.ID, nil
}

// refusedKeyPrefix keys the apology for a refused message: "refused:<key>".
const refusedKeyPrefix = "refused:"

// refused records that Telegram refused m for good (400) and, in the same
// transaction, queues a short plain apology to the same chat, so the person
// waiting is never left with silence. The apology is keyed on m's key
// (without the "#2" of a split part): one per message, and none for an
// apology.
func (s *sender) refused(ctx context.Context, m domain.OutboxMessage, cause error) error {
	return s.r.store.InTx(ctx, func(tx context.Context) error {
		if err := s.r.store.MarkFailed(tx, m.ID, cause.Error()); err != nil {
			return err
		}
		if strings.HasPrefix(m.Key, refusedKeyPrefix) || s.r.opts.Apology == nil {
			return nil
		}
		key := m.Key
		if i := strings.LastIndexByte(key, '#'); i > 0 && strings.Trim(key[i+1:], "0123456789") == "" {
			key = key[:i] // a part of a split message (enqueue)
		}
		_, err := s.r.store.Enqueue(tx, domain.OutboxMessage{Key: refusedKeyPrefix + key, ChatID: m.ChatID,
			StaffID: m.StaffID, Text: s.r.opts.Apology(tx, m), Priority: domain.PriorityReply})
		return err
	})
}

// chatBlocked stops sending to a chat that blocked the bot and, the first
// time, tells whoever must know (Options.Blocked), in one transaction.
func (s *sender) chatBlocked(ctx context.Context, m domain.OutboxMessage, cause error) error {
	return s.r.store.InTx(ctx, func(tx context.Context) error {
		if _, err := s.r.store.MarkChatUndeliverable(tx, m.ChatID, cause.Error()); err != nil {
			return err
		}
		changed, err := s.r.store.SetChatBlocked(tx, m.ChatID, true)
		if err != nil || !changed {
			return err
		}
		s.mu.Lock()
		s.blocked[m.ChatID] = true
		s.mu.Unlock()
		if s.r.opts.Blocked == nil {
			return nil
		}
		return s.r.opts.Blocked(tx, m.ChatID)
	})
}

// settle records a send's outcome, retrying a busy database a few times;
// a message that cannot be recorded stays "sending" and is sent again
// after a restart.
func (s *sender) settle(fn func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	for attempt := range 5 {
		if err = fn(ctx); err == nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
	}
	if err != nil {
		s.r.log.Error("outbox: record outcome", slog.Any("error", err))
	}
	s.mu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// waitSettled blocks until every key is sent, failed or undeliverable.
func (s *sender) waitSettled(ctx context.Context, keys []string) error {
	for _, k := range keys {
		for {
			s.mu.Lock()
			changed := s.changed
			s.mu.Unlock()
			m, err := s.r.store.OutboxByKey(ctx, k)
			if err != nil {
				return err
			}
			if m.Status != domain.OutboxPending && m.Status != domain.OutboxSending {
				break
			}
			select {
			case <-changed:
			case <-ctx.Done():
				return fmt.Errorf("message %s not delivered: %w", k, ctx.Err())
			}
		}
	}
	return nil
}

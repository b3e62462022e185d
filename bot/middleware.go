package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The middlewares run in this order for every update: serializePerChat
// (in the library's single update loop), then recoverPanics, logUpdate and
// resolveStaff on the chat's own goroutine, then dispatch.

// chatQueues runs the updates of one chat one after another, in the order
// they arrived, and different chats at the same time (at most `workers`).
type chatQueues struct {
	mu      sync.Mutex
	pending map[int64][]func()
	sem     chan struct{}
	wg      sync.WaitGroup
}

func newChatQueues(workers int) *chatQueues {
	return &chatQueues{pending: map[int64][]func(){}, sem: make(chan struct{}, workers)}
}

// push queues fn behind the chat's earlier updates.
func (q *chatQueues) push(chatID int64, fn func()) {
	q.wg.Add(1)
	q.mu.Lock()
	defer q.mu.Unlock()
	list, running := q.pending[chatID]
	q.pending[chatID] = append(list, fn)
	if !running {
		go q.run(chatID)
	}
}

// run drains one chat's queue; a chat with a key in pending has a runner.
func (q *chatQueues) run(chatID int64) {
	for {
		q.mu.Lock()
		list := q.pending[chatID]
		if len(list) == 0 {
			delete(q.pending, chatID)
			q.mu.Unlock()
			return
		}
		fn := list[0]
		q.pending[chatID] = list[1:]
		q.mu.Unlock()

		q.sem <- struct{}{}
		fn()
		<-q.sem
		q.wg.Done()
	}
}

// wait blocks until every queued update is handled or ctx ends.
func (q *chatQueues) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// serializePerChat hands the update to its chat's queue and returns at
// once. The handler gets a context that outlives the polling loop's, so a
// shutdown lets it finish instead of failing its writes halfway.
func (b *Bot) serializePerChat(next tgbot.HandlerFunc) tgbot.HandlerFunc {
	return func(ctx context.Context, api *tgbot.Bot, upd *models.Update) {
		chatID, _ := updateChat(upd)
		b.queues.push(chatID, func() {
			hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.opts.HandlerTimeout)
			defer cancel()
			next(hctx, api, upd)
		})
	}
}

// recoverPanics keeps the bot serving when a handler panics: the panic is
// logged with its stack and the user is told something went wrong.
func (b *Bot) recoverPanics(next tgbot.HandlerFunc) tgbot.HandlerFunc {
	return func(ctx context.Context, api *tgbot.Bot, upd *models.Update) {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			b.log.Error("handler panic", slog.Int64("update_id", upd.ID),
				slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
			// The update's transaction rolled back; record it with an apology
			// so that it is not run again.
			b.answerFailure(ctx, upd, T(langOf(ctx, upd), "err.internal"), 0)
		}()
		next(ctx, api, upd)
	}
}

// logUpdate logs each update once it is handled: its kind, chat, staff and
// duration. It never logs message text, which may hold phone numbers.
func (b *Bot) logUpdate(next tgbot.HandlerFunc) tgbot.HandlerFunc {
	return func(ctx context.Context, api *tgbot.Bot, upd *models.Update) {
		start := time.Now()
		next(ctx, api, upd)
		chatID, _ := updateChat(upd)
		attrs := []any{slog.Int64("update_id", upd.ID), slog.String("kind", updateKind(upd)),
			slog.Int64("chat_id", chatID), slog.Duration("took", time.Since(start))}
		if s := staffFrom(ctx); s != nil {
			attrs = append(attrs, slog.Int64("staff_id", s.ID))
		}
		b.log.Info("update", attrs...)
	}
}

type staffKey struct{}

// resolveStaff puts the active staff member who sent the update on the
// context; strangers and deactivated staff get none.
func (b *Bot) resolveStaff(next tgbot.HandlerFunc) tgbot.HandlerFunc {
	return func(ctx context.Context, api *tgbot.Bot, upd *models.Update) {
		if u := updateSender(upd); u != nil && !u.IsBot {
			s, err := b.opts.Staff.StaffByTelegramID(ctx, u.ID)
			switch {
			case err == nil && s.Active:
				ctx = context.WithValue(ctx, staffKey{}, s)
				if fx := effectsFrom(ctx); fx != nil {
					fx.lang = s.Lang
				}
			case err != nil && domain.ErrorCode(err) != domain.ENOTFOUND:
				b.log.Error("resolve staff", slog.Int64("update_id", upd.ID), slog.Any("error", err))
				fail(ctx, err, "")
				return
			}
		}
		next(ctx, api, upd)
	}
}

// staffFrom returns the staff member on ctx, or nil for a stranger.
func staffFrom(ctx context.Context) *domain.Staff {
	s, _ := ctx.Value(staffKey{}).(*domain.Staff)
	return s
}

// langOf is the staff member's language, or a stranger's Telegram language.
func langOf(ctx context.Context, upd *models.Update) domain.Lang {
	if s := staffFrom(ctx); s != nil && s.Lang != "" {
		return s.Lang
	}
	if u := updateSender(upd); u != nil {
		return domain.LangFromTelegram(u.LanguageCode)
	}
	return domain.LangZH
}

func updateSender(upd *models.Update) *models.User {
	switch {
	case upd.Message != nil:
		return upd.Message.From
	case upd.CallbackQuery != nil:
		return &upd.CallbackQuery.From
	case upd.EditedMessage != nil:
		return upd.EditedMessage.From
	}
	return nil
}

// updateChat is the chat an update belongs to (a callback's message chat,
// or the presser's private chat when the message is too old to carry one).
func updateChat(upd *models.Update) (int64, bool) {
	switch {
	case upd.Message != nil:
		return upd.Message.Chat.ID, true
	case upd.EditedMessage != nil:
		return upd.EditedMessage.Chat.ID, true
	case upd.CallbackQuery != nil:
		if m := upd.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID, true
		}
		return upd.CallbackQuery.From.ID, true
	case upd.MyChatMember != nil:
		return upd.MyChatMember.Chat.ID, false
	}
	return 0, false
}

func updateKind(upd *models.Update) string {
	switch {
	case upd.Message != nil && upd.Message.Text != "":
		return "message"
	case upd.Message != nil:
		return "message_other"
	case upd.CallbackQuery != nil:
		return "callback_query"
	case upd.EditedMessage != nil:
		return "edited_message"
	}
	return "other"
}

// errUsage makes the bot answer with the command's usage line.
var errUsage = errors.New("usage")

// handledSet remembers which updates have been handled and the outbox
// keys of their answers, so a demo or a test can wait for one update's
// effects without sleeping.
type handledSet struct {
	mu   sync.Mutex
	done map[int64][]string
	wake chan struct{}
}

func newHandledSet() *handledSet {
	return &handledSet{done: map[int64][]string{}, wake: make(chan struct{})}
}

// mark records id as handled and wakes the waiters.
func (h *handledSet) mark(id int64, keys []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.done) > 10000 { // only recent ids are ever waited for
		for k := range h.done {
			if k < id-5000 {
				delete(h.done, k)
			}
		}
	}
	h.done[id] = append([]string{}, keys...)
	close(h.wake)
	h.wake = make(chan struct{})
}

// WaitHandled blocks until the update with this id has been handled and
// its answers delivered to Telegram, or ctx ends.
func (b *Bot) WaitHandled(ctx context.Context, updateID int64) error {
	for {
		b.handled.mu.Lock()
		keys, ok := b.handled.done[updateID]
		wake := b.handled.wake
		b.handled.mu.Unlock()
		if ok {
			return b.sender.waitSettled(ctx, keys)
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return fmt.Errorf("update %d not handled: %w", updateID, ctx.Err())
		}
	}
}

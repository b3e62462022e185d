package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Each update is applied exactly once: its effects, the messages it sends
// (to the outbox) and the mark that it was applied commit in one
// transaction. A replayed update finds the mark and is skipped. A handler
// that fails leaves nothing behind but its answer.

// effects collects what one update's handling does beside its writes.
type effects struct {
	updateID int64
	replies  int
	keys     []string                // outbox keys written, to wait for their delivery
	after    []func(context.Context) // Telegram calls that must follow the commit
	abort    error                   // the handler failed: roll its writes back
	failText string                  // … and answer this instead
	skip     bool                    // the update had been applied already
	lang     domain.Lang             // the sender's language, once known
	// dropDialog, when set, is a chat whose dialogue ends if the update fails.
	dropDialog int64
}

type effectsKey struct{}

func withEffects(ctx context.Context, fx *effects) context.Context {
	return context.WithValue(ctx, effectsKey{}, fx)
}

func effectsFrom(ctx context.Context) *effects {
	fx, _ := ctx.Value(effectsKey{}).(*effects)
	return fx
}

// afterCommit runs fn once the update's transaction has committed (at once
// outside an update): answers to button presses and menu changes are
// Telegram calls that must not happen for a transaction that rolls back.
func afterCommit(ctx context.Context, fn func(context.Context)) {
	if fx := effectsFrom(ctx); fx != nil {
		fx.after = append(fx.after, fn)
		return
	}
	fn(ctx)
}

// fail makes the update roll back and answer text instead.
func fail(ctx context.Context, err error, text string) {
	if fx := effectsFrom(ctx); fx != nil && fx.abort == nil {
		fx.abort, fx.failText = err, text
	}
}

// applyOnce runs the rest of the chain in a transaction that claims the
// update; InTx retries it whole when the database is busy.
func (b *Bot) applyOnce(next tgbot.HandlerFunc) tgbot.HandlerFunc {
	return func(ctx context.Context, api *tgbot.Bot, upd *models.Update) {
		var fx *effects
		lang := func() domain.Lang {
			if fx != nil && fx.lang != "" {
				return fx.lang
			}
			return langOf(ctx, upd)
		}
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			b.log.Error("handler panic", slog.Int64("update_id", upd.ID),
				slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
			// The transaction rolled back; record the update with an apology
			// so that it is not run again.
			b.answerFailure(ctx, upd, T(lang(), "err.internal"), 0)
		}()
		err := b.retryUnavailable(ctx, func() error {
			return b.store.InTx(ctx, func(tx context.Context) error {
				fx = &effects{updateID: upd.ID}
				claimed, err := b.store.ClaimUpdate(tx, upd.ID)
				if err != nil {
					return err
				}
				if !claimed {
					fx.skip = true
					return nil
				}
				if chatID, ok := updateChat(upd); ok && upd.Message != nil && b.sender.isBlocked(chatID) {
					// They write again, so they unblocked the bot. The sender
					// learns it now, before this update's answer is committed,
					// so it does not mark the answer undeliverable.
					if _, err := b.store.SetChatBlocked(tx, chatID, false); err != nil {
						return err
					}
					b.sender.unblock(chatID)
				}
				next(withEffects(tx, fx), api, upd)
				return fx.abort
			})
		})
		switch {
		case err == nil && fx.skip:
			b.log.Info("update already applied", slog.Int64("update_id", upd.ID))
			b.handled.mark(upd.ID, nil)
		case err == nil:
			for _, fn := range fx.after {
				fn(ctx)
			}
			if b.opts.Committed != nil {
				b.opts.Committed()
			}
			b.sender.wake()
			b.handled.mark(upd.ID, fx.keys)
		default:
			text := T(lang(), "err.unavailable")
			if fx != nil && fx.abort != nil && errors.Is(err, fx.abort) && fx.failText != "" {
				text = fx.failText
			} else {
				b.log.Error("apply update", slog.Int64("update_id", upd.ID), slog.Any("error", err))
			}
			var drop int64
			if fx != nil {
				drop = fx.dropDialog
			}
			b.answerFailure(ctx, upd, text, drop)
		}
	}
}

// retryUnavailable runs fn again while the database is out of reach
// (PostgreSQL restarting, SQLite busy beyond InTx's own retries), with
// backoff, as long as the handler's time allows; it keeps a moment at the
// end to answer.
func (b *Bot) retryUnavailable(ctx context.Context, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if domain.ErrorCode(err) != domain.EUNAVAILABLE {
			return err
		}
		wait := min(100*time.Millisecond<<attempt, 2*time.Second)
		if deadline, ok := ctx.Deadline(); !ok || time.Until(deadline) < wait+time.Second {
			return err
		}
		b.log.Warn("database unavailable, retrying", slog.Any("error", err), slog.Duration("in", wait))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
	}
}

// answerFailure records an update that did not apply as handled, with only
// its answer, so it never runs again later: the user was told.
func (b *Bot) answerFailure(ctx context.Context, upd *models.Update, text string, dropDialog int64) {
	// The handler's own time may be used up: answering gets its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	chatID, hasChat := updateChat(upd)
	fx := &effects{updateID: upd.ID}
	err := b.store.InTx(ctx, func(tx context.Context) error {
		fx = &effects{updateID: upd.ID}
		claimed, err := b.store.ClaimUpdate(tx, upd.ID)
		if err != nil || !claimed {
			return err
		}
		if dropDialog != 0 {
			if err := b.store.DeleteDialog(tx, dropDialog); err != nil {
				return err
			}
		}
		if hasChat && upd.CallbackQuery == nil && text != "" {
			b.reply(withEffects(tx, fx), chatID, text)
		}
		return fx.abort
	})
	if upd.CallbackQuery != nil {
		b.answerCallback(ctx, upd.CallbackQuery.ID, stripTags(text))
	}
	if err != nil {
		// The database is out of reach: say so directly, best effort.
		b.log.Error("record failed update", slog.Int64("update_id", upd.ID), slog.Any("error", err))
		b.abandon(upd.ID)
		if hasChat && upd.CallbackQuery == nil {
			if _, err := b.api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chatID, Text: T(langOf(ctx, upd), "err.unavailable"), ParseMode: models.ParseModeHTML}); err != nil {
				b.log.Warn("direct answer", slog.Int64("chat_id", chatID), slog.Any("error", err))
			}
		}
		b.handled.mark(upd.ID, nil)
		return
	}
	b.sender.wake()
	b.handled.mark(upd.ID, fx.keys)
}

// reply queues an answer to the update being handled. Its outbox key is
// derived from the update, so a retried transaction writes the same keys.
func (b *Bot) reply(ctx context.Context, chatID int64, text string) {
	b.replyMarkup(ctx, chatID, text, nil)
}

// replyMarkup is reply with buttons.
func (b *Bot) replyMarkup(ctx context.Context, chatID int64, text string, markup models.ReplyMarkup) {
	b.replyMarkupKeys(ctx, chatID, text, markup)
}

// replyMarkupKeys is replyMarkup returning the answer's outbox keys, for a
// card that is edited later.
func (b *Bot) replyMarkupKeys(ctx context.Context, chatID int64, text string, markup models.ReplyMarkup) []string {
	fx := effectsFrom(ctx)
	if fx == nil {
		b.log.Error("reply outside an update", slog.Int64("chat_id", chatID))
		return nil
	}
	fx.replies++
	key := fmt.Sprintf("upd:%d:%d", fx.updateID, fx.replies)
	keys, err := b.enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: chatID, Text: text, Priority: domain.PriorityReply}, markup)
	if err != nil {
		fail(ctx, err, "") // the caller answers "try again" in the user's language
		return nil
	}
	fx.keys = append(fx.keys, keys...)
	return keys
}

// abandon remembers an update the user was told to send again while the
// database was out of reach; the poller marks it applied as soon as the
// database answers, so it does not run later by surprise. (If the process
// dies before that, the restart runs it.)
func (b *Bot) abandon(id int64) {
	b.abandonMu.Lock()
	defer b.abandonMu.Unlock()
	b.abandoned = append(b.abandoned, id)
}

func (b *Bot) hasAbandoned() bool {
	b.abandonMu.Lock()
	defer b.abandonMu.Unlock()
	return len(b.abandoned) > 0
}

// flushAbandoned marks the abandoned updates applied, keeping those the
// database still refuses.
func (b *Bot) flushAbandoned(ctx context.Context) {
	b.abandonMu.Lock()
	ids := b.abandoned
	b.abandoned = nil
	b.abandonMu.Unlock()
	var left []int64
	for _, id := range ids {
		if err := b.store.MarkUpdateApplied(ctx, id); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			left = append(left, id)
		}
	}
	if len(left) > 0 {
		b.abandonMu.Lock()
		b.abandoned = append(b.abandoned, left...)
		b.abandonMu.Unlock()
	}
}

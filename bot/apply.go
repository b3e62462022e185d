package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/domain"
)

// Delivery (bot/delivery) applies each update once, in a transaction that
// claims it, and calls handle inside it; what the handlers write and the
// answers they queue commit together. A handler that fails leaves nothing
// behind but its answer (failed).

// effects collects what one attempt at an update does beside its writes.
type effects struct {
	updateID int64
	replies  int
	keys     []string                // outbox keys written, to wait for their delivery
	after    []func(context.Context) // Telegram calls that must follow the commit
	abort    error                   // the handler failed: roll its writes back
	failText string                  // … and answer this instead
	lang     domain.Lang             // the sender's language, once known
	// dropDialog, when set, is a chat whose dialogue ends if the update fails.
	dropDialog int64
	// fetched is what an earlier attempt's delivery.Prefetch returned
	// (fetchFile).
	fetched any
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

// handle applies one update inside the transaction that claims it
// (delivery.Options.Handler): it puts the staff member on the context and
// dispatches. Its effects go to delivery; its own record of the attempt
// (the sender's language, the failure text) goes in dfx.Note for failed.
func (b *Bot) handle(ctx context.Context, upd *models.Update, dfx *delivery.Effects) error {
	fx := &effects{updateID: upd.ID, fetched: dfx.Fetched}
	dfx.Note = fx
	b.resolveStaff(b.dispatch)(withEffects(ctx, fx), b.api, upd)
	dfx.Keys, dfx.After = fx.keys, fx.after
	return fx.abort
}

// failed answers an update that did not apply (delivery.Options.Failed):
// the handler's failure text, "something went wrong" after a panic, "try
// again" otherwise, in the sender's language; a button press is answered
// in its bubble. When the database is out of reach the answer goes to
// Telegram directly, best effort.
func (b *Bot) failed(ctx context.Context, upd *models.Update, cause error, dfx *delivery.Effects) delivery.Failure {
	var fx *effects
	if dfx != nil {
		fx, _ = dfx.Note.(*effects)
	}
	lang := langOf(ctx, upd)
	if fx != nil && fx.lang != "" {
		lang = fx.lang
	}
	var text string
	var drop int64
	var panicked *delivery.PanicError
	switch {
	case errors.As(cause, &panicked):
		text = T(lang, "err.internal")
	case fx != nil && fx.abort != nil && errors.Is(cause, fx.abort) && fx.failText != "":
		text, drop = fx.failText, fx.dropDialog
	default:
		b.log.Error("apply update", slog.Int64("update_id", upd.ID), slog.Any("error", cause))
		text = T(lang, "err.unavailable")
		if fx != nil {
			drop = fx.dropDialog
		}
	}
	chatID, hasChat := updateChat(upd)
	return delivery.Failure{
		Write: func(tx context.Context) ([]string, error) {
			if drop != 0 {
				if err := b.store.DeleteDialog(tx, drop); err != nil {
					return nil, err
				}
			}
			fx := &effects{updateID: upd.ID}
			if hasChat && upd.CallbackQuery == nil && text != "" {
				b.reply(withEffects(tx, fx), chatID, text)
			}
			return fx.keys, fx.abort
		},
		After: func(ctx context.Context, closeErr error) {
			if upd.CallbackQuery != nil {
				b.answerCallback(ctx, upd.CallbackQuery.ID, stripTags(text))
			}
			if closeErr == nil || !hasChat || upd.CallbackQuery != nil {
				return
			}
			// The database is out of reach: say so directly, best effort.
			if _, err := b.api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chatID, Text: T(langOf(ctx, upd), "err.unavailable"), ParseMode: models.ParseModeHTML}); err != nil {
				b.log.Warn("direct answer", slog.Int64("chat_id", chatID), slog.Any("error", err))
			}
		},
	}
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

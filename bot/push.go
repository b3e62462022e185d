package bot

import (
	"context"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Everything the bot sends goes through the outbox (bot/delivery): written
// in the transaction of the change that caused it, delivered by the sender.

// Push queues a message the bot sends on its own initiative (a reminder,
// a notification, a job's output) under key: writing the same key twice
// stores one message. Call it inside the transaction of the change that
// causes it.
func (b *Bot) Push(ctx context.Context, key string, chatID, staffID int64, text string, markup models.ReplyMarkup) error {
	_, err := b.enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: chatID, StaffID: staffID, Text: text, Priority: domain.PriorityPush}, markup)
	return err
}

// PushDocument queues a file with an HTML caption (at most 1024 UTF-16
// units: a longer one is an error).
func (b *Bot) PushDocument(ctx context.Context, key string, chatID, staffID int64, name string, data []byte, caption string) error {
	_, err := b.out.Enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: chatID, StaffID: staffID, Text: caption,
		FileName: name, File: data, Priority: domain.PriorityPush}, nil)
	return err
}

// enqueue writes m to the outbox, split to Telegram's limits, and returns
// its keys (delivery.Outbox.Enqueue).
func (b *Bot) enqueue(ctx context.Context, m domain.OutboxMessage, markup models.ReplyMarkup) ([]string, error) {
	return b.out.Enqueue(ctx, m, markup)
}

// expandCallbackData turns "~<id>" back into the data it stands for.
func (b *Bot) expandCallbackData(ctx context.Context, data string) (string, error) {
	return b.out.ExpandCallbackData(ctx, data)
}

// apology is the short plain text sent in place of a message Telegram
// refused for good (delivery.Options.Apology).
func (b *Bot) apology(ctx context.Context, m domain.OutboxMessage) string {
	return T(b.chatLang(ctx, m.ChatID, m.StaffID), "refused")
}

// chatLang is the language of whoever reads a chat: the staff member it
// belongs to, or the default for a group or a stranger.
func (b *Bot) chatLang(ctx context.Context, chatID, staffID int64) domain.Lang {
	var who *domain.Staff
	var err error
	switch {
	case staffID != 0:
		who, err = b.store.StaffByID(ctx, staffID)
	case chatID > 0:
		who, err = b.store.StaffByTelegramID(ctx, chatID)
	default:
		return domain.LangZH
	}
	if err != nil {
		return domain.LangZH
	}
	return who.Lang
}

// chatBlocked tells the supervisors that a staff member's chat blocked
// the bot, in the transaction that first marks it blocked
// (delivery.Options.Blocked).
func (b *Bot) chatBlocked(ctx context.Context, chatID int64) error {
	who, err := b.store.StaffByTelegramID(ctx, chatID)
	if err != nil {
		return nil // not a staff chat (a group): nobody to tell
	}
	return b.notifyBlocked(ctx, who)
}

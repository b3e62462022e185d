package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Everything the bot sends goes through the outbox: written in the
// transaction of the change that caused it, delivered by the sender.

// maxCallbackData is Telegram's limit on a button's callback data, in bytes.
const maxCallbackData = 64

// storedCallbackPrefix marks button data kept server-side: "~<id>".
const storedCallbackPrefix = "~"

// Push queues a message the bot sends on its own initiative (a reminder,
// a notification, a job's output) under key: writing the same key twice
// stores one message. Call it inside the transaction of the change that
// causes it.
func (b *Bot) Push(ctx context.Context, key string, chatID, staffID int64, text string, markup models.ReplyMarkup) error {
	_, err := b.enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: chatID, StaffID: staffID, Text: text, Priority: domain.PriorityPush}, markup)
	return err
}

// PushDocument queues a file with an HTML caption.
func (b *Bot) PushDocument(ctx context.Context, key string, chatID, staffID int64, name string, data []byte, caption string) error {
	if n := telegramLen(caption); n > maxCaptionLen {
		return fmt.Errorf("push document %s: a caption of %d UTF-16 units, over %d", key, n, maxCaptionLen)
	}
	_, err := b.store.Enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: chatID, StaffID: staffID, Text: caption,
		FileName: name, File: data, Priority: domain.PriorityPush})
	return err
}

// enqueue writes m, split into parts of at most 4096 UTF-16 units (as
// Telegram counts; counted on the raw HTML, which is never shorter than
// the text Telegram counts) at line boundaries (keys key, key#2, …; the buttons go with the last part), with
// callback data longer than 64 bytes kept server-side. It returns the keys.
func (b *Bot) enqueue(ctx context.Context, m domain.OutboxMessage, markup models.ReplyMarkup) ([]string, error) {
	if markup != nil {
		raw, err := b.compactMarkup(ctx, markup)
		if err != nil {
			return nil, err
		}
		m.Markup = raw
	}
	parts := splitText(m.Text, maxMessageLen)
	if m.EditMsgID != 0 && len(parts) > 1 {
		// An edit replaces one message; its callers keep texts short.
		return nil, fmt.Errorf("enqueue %s: an edit of %d UTF-16 units does not fit one message", m.Key, telegramLen(m.Text))
	}
	msgs := make([]domain.OutboxMessage, len(parts))
	keys := make([]string, len(parts))
	for i, p := range parts {
		msgs[i] = m
		msgs[i].Text = p
		if i > 0 {
			msgs[i].Key = m.Key + "#" + strconv.Itoa(i+1)
		}
		if i < len(parts)-1 {
			msgs[i].Markup = ""
		}
		keys[i] = msgs[i].Key
	}
	if _, err := b.store.Enqueue(ctx, msgs...); err != nil {
		return nil, fmt.Errorf("enqueue %s: %w", m.Key, err)
	}
	return keys, nil
}

// compactMarkup marshals reply markup, replacing callback data over 64
// bytes by the id of a server-side copy.
func (b *Bot) compactMarkup(ctx context.Context, markup models.ReplyMarkup) (string, error) {
	if kb, ok := markup.(models.InlineKeyboardMarkup); ok {
		markup = &kb
	}
	if kb, ok := markup.(*models.InlineKeyboardMarkup); ok {
		rows := make([][]models.InlineKeyboardButton, len(kb.InlineKeyboard))
		for i, row := range kb.InlineKeyboard {
			rows[i] = append([]models.InlineKeyboardButton(nil), row...)
			for j, btn := range rows[i] {
				if len(btn.CallbackData) <= maxCallbackData && !strings.HasPrefix(btn.CallbackData, storedCallbackPrefix) {
					continue
				}
				id, err := b.store.SaveCallbackData(ctx, btn.CallbackData)
				if err != nil {
					return "", fmt.Errorf("keep callback data: %w", err)
				}
				rows[i][j].CallbackData = storedCallbackPrefix + strconv.FormatInt(id, 10)
			}
		}
		markup = &models.InlineKeyboardMarkup{InlineKeyboard: rows}
	}
	raw, err := json.Marshal(markup)
	if err != nil {
		return "", fmt.Errorf("marshal markup: %w", err)
	}
	return string(raw), nil
}

// expandCallbackData turns "~<id>" back into the data it stands for.
func (b *Bot) expandCallbackData(ctx context.Context, data string) (string, error) {
	if !strings.HasPrefix(data, storedCallbackPrefix) {
		return data, nil
	}
	id, err := strconv.ParseInt(data[len(storedCallbackPrefix):], 10, 64)
	if err != nil {
		return "", domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad stored callback %q", data)
	}
	return b.store.CallbackData(ctx, id)
}

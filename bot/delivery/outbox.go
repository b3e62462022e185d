package delivery

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

// storedCallbackPrefix marks button data kept server-side: "~<id>".
const storedCallbackPrefix = "~"

// OutboxWriter is what the Outbox writes to.
type OutboxWriter interface {
	Enqueue(ctx context.Context, msgs ...domain.OutboxMessage) (int, error)
	CallbackStore
}

// Outbox queues messages in the caller's transaction, fitted to
// Telegram's limits.
type Outbox struct {
	store OutboxWriter
}

// NewOutbox makes an Outbox over store.
func NewOutbox(store OutboxWriter) *Outbox { return &Outbox{store: store} }

// Enqueue writes m, split into parts of at most 4096 UTF-16 units (as
// Telegram counts; counted on the raw HTML, which is never shorter than
// the text Telegram counts) at line boundaries (keys key, key#2, …; the
// buttons go with the last part), with callback data longer than 64 bytes
// kept server-side. It returns the keys. Writing a key twice stores one
// message. A document or a photo (m.FileName set) is written as it is:
// its caption must be within 1024 units.
func (o *Outbox) Enqueue(ctx context.Context, m domain.OutboxMessage, markup models.ReplyMarkup) ([]string, error) {
	if m.Photo && m.FileName == "" {
		return nil, fmt.Errorf("enqueue photo %s: no file name", m.Key)
	}
	if m.FileName != "" {
		if n := TelegramLen(m.Text); n > MaxCaptionLen {
			return nil, fmt.Errorf("enqueue document %s: a caption of %d UTF-16 units, over %d", m.Key, n, MaxCaptionLen)
		}
	}
	if markup != nil {
		raw, err := o.compactMarkup(ctx, markup)
		if err != nil {
			return nil, err
		}
		m.Markup = raw
	}
	parts := []string{m.Text}
	if m.FileName == "" {
		parts = SplitText(m.Text, MaxMessageLen)
	}
	if m.EditMsgID != 0 && len(parts) > 1 {
		// An edit replaces one message; its callers keep texts short.
		return nil, fmt.Errorf("enqueue %s: an edit of %d UTF-16 units does not fit one message", m.Key, TelegramLen(m.Text))
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
	if _, err := o.store.Enqueue(ctx, msgs...); err != nil {
		return nil, fmt.Errorf("enqueue %s: %w", m.Key, err)
	}
	return keys, nil
}

// compactMarkup marshals reply markup, replacing callback data over 64
// bytes by the id of a server-side copy.
func (o *Outbox) compactMarkup(ctx context.Context, markup models.ReplyMarkup) (string, error) {
	if kb, ok := markup.(models.InlineKeyboardMarkup); ok {
		markup = &kb
	}
	if kb, ok := markup.(*models.InlineKeyboardMarkup); ok {
		rows := make([][]models.InlineKeyboardButton, len(kb.InlineKeyboard))
		for i, row := range kb.InlineKeyboard {
			rows[i] = append([]models.InlineKeyboardButton(nil), row...)
			for j, btn := range rows[i] {
				if len(btn.CallbackData) <= MaxCallbackData && !strings.HasPrefix(btn.CallbackData, storedCallbackPrefix) {
					continue
				}
				id, err := o.store.SaveCallbackData(ctx, btn.CallbackData)
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

// ExpandCallbackData turns "~<id>" back into the data it stands for;
// other data is returned as it is. A bad or forgotten id is ENOTFOUND
// (catalogue key "callback.stale").
func (o *Outbox) ExpandCallbackData(ctx context.Context, data string) (string, error) {
	if !strings.HasPrefix(data, storedCallbackPrefix) {
		return data, nil
	}
	id, err := strconv.ParseInt(data[len(storedCallbackPrefix):], 10, 64)
	if err != nil {
		return "", domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad stored callback %q", data)
	}
	return o.store.CallbackData(ctx, id)
}

package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The library's poller tells Telegram an update was received (by asking for
// the next offset) before any handler has run, and keeps the offset only in
// memory: a crash loses what was fetched. This poller writes each batch to
// the inbox, with the next offset, before it asks for more; handlers then
// apply each inbox update exactly once (apply.go).

// allowedUpdates are the update kinds the bot handles.
var allowedUpdates = []string{"message", "callback_query"}

// poll fetches updates until ctx ends. It first hands over what the inbox
// still holds from before a restart.
func (b *Bot) poll(ctx context.Context) {
	var backoff time.Duration
	for {
		// What the inbox holds from before a restart goes first; the
		// database may be slow to come up.
		pending, err := b.store.PendingUpdates(ctx)
		if err == nil {
			for _, u := range pending {
				b.dispatchInbound(ctx, u)
			}
			break
		}
		backoff = min(max(backoff*2, 100*time.Millisecond), 5*time.Second)
		b.log.Error("read inbox", slog.Any("error", err), slog.Duration("retry_in", backoff))
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
	}
	backoff = 0
	for ctx.Err() == nil {
		if backoff > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
		}
		b.flushAbandoned(ctx)
		if err := b.pollOnce(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			backoff = min(max(backoff*2, 100*time.Millisecond), 5*time.Second)
			b.log.Warn("get updates", slog.Any("error", err), slog.Duration("retry_in", backoff))
			continue
		}
		backoff = 0
	}
}

// pollOnce makes one long poll and stores what it brings.
func (b *Bot) pollOnce(ctx context.Context) error {
	offset, err := b.store.UpdateOffset(ctx)
	if err != nil {
		return err
	}
	ups, err := b.getUpdates(ctx, offset)
	if err != nil || len(ups) == 0 {
		return err
	}
	in := make([]domain.InboundUpdate, 0, len(ups))
	for _, raw := range ups {
		var head struct {
			ID int64 `json:"update_id"`
		}
		var upd models.Update
		if err := json.Unmarshal(raw, &head); err != nil {
			return fmt.Errorf("decode update: %w", err)
		}
		if err := json.Unmarshal(raw, &upd); err != nil {
			// An update the library cannot read is kept, and skipped when applied.
			b.log.Warn("undecodable update", slog.Int64("update_id", head.ID), slog.Any("error", err))
		}
		chatID, _ := updateChat(&upd)
		in = append(in, domain.InboundUpdate{ID: head.ID, ChatID: chatID, Raw: raw})
	}
	if err := b.store.SaveUpdates(ctx, in, in[len(in)-1].ID+1); err != nil {
		// Nothing confirmed: the next poll fetches the same batch again.
		return fmt.Errorf("save updates: %w", err)
	}
	for _, u := range in {
		b.dispatchInbound(ctx, u)
	}
	return nil
}

// dispatchInbound hands a stored update to the library's middleware chain,
// which queues it on its chat.
func (b *Bot) dispatchInbound(ctx context.Context, u domain.InboundUpdate) {
	var upd models.Update
	if err := json.Unmarshal(u.Raw, &upd); err != nil {
		upd = models.Update{ID: u.ID} // applied as a no-op, so it leaves the inbox
	}
	b.api.ProcessUpdate(ctx, &upd)
}

// getUpdates calls the Bot API's getUpdates. The library keeps its own
// poller private, so this is a plain HTTP call, kept to what Telegram
// documents.
func (b *Bot) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	body, _ := json.Marshal(map[string]any{
		"offset":          offset,
		"timeout":         int(b.opts.PollTimeout / time.Second),
		"allowed_updates": allowedUpdates,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.opts.APIURL+"/bot"+b.opts.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("getUpdates: bad api url")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.pollClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", redactToken(err, b.opts.Token))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: read: %w", err)
	}
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("getUpdates: HTTP %d, not JSON", resp.StatusCode)
	}
	if !r.OK {
		return nil, fmt.Errorf("getUpdates: %d %s", r.ErrorCode, r.Description)
	}
	return r.Result, nil
}

// redactToken keeps the token out of an error that quotes the URL.
func redactToken(err error, token string) error {
	msg := err.Error()
	if token == "" || !bytes.Contains([]byte(msg), []byte(token)) {
		return err
	}
	return errors.New(string(bytes.ReplaceAll([]byte(msg), []byte(token), []byte("***"))))
}

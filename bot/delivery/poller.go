package delivery

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
func (r *Runtime) poll(ctx context.Context) {
	var backoff time.Duration
	for {
		// What the inbox holds from before a restart goes first; the
		// database may be slow to come up.
		pending, err := r.store.PendingUpdates(ctx)
		if err == nil {
			for _, u := range pending {
				r.dispatch(ctx, u)
			}
			break
		}
		backoff = min(max(backoff*2, 100*time.Millisecond), 5*time.Second)
		r.log.Error("read inbox", slog.Any("error", err), slog.Duration("retry_in", backoff))
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
		r.flushAbandoned(ctx)
		if err := r.pollOnce(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			backoff = min(max(backoff*2, 100*time.Millisecond), 5*time.Second)
			r.log.Warn("get updates", slog.Any("error", err), slog.Duration("retry_in", backoff))
			continue
		}
		backoff = 0
	}
}

// pollOnce makes one long poll and stores what it brings.
func (r *Runtime) pollOnce(ctx context.Context) error {
	offset, err := r.store.UpdateOffset(ctx)
	if err != nil {
		return err
	}
	ups, err := r.getUpdates(ctx, offset)
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
			r.log.Warn("undecodable update", slog.Int64("update_id", head.ID), slog.Any("error", err))
		}
		chatID, _ := UpdateChat(&upd)
		in = append(in, domain.InboundUpdate{ID: head.ID, ChatID: chatID, Raw: raw})
	}
	if err := r.store.SaveUpdates(ctx, in, in[len(in)-1].ID+1); err != nil {
		// Nothing confirmed: the next poll fetches the same batch again.
		return fmt.Errorf("save updates: %w", err)
	}
	for _, u := range in {
		r.dispatch(ctx, u)
	}
	return nil
}

// getUpdates calls the Bot API's getUpdates. The library keeps its own
// poller private, so this is a plain HTTP call, kept to what Telegram
// documents.
func (r *Runtime) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	body, _ := json.Marshal(map[string]any{
		"offset":          offset,
		"timeout":         int(r.opts.PollTimeout / time.Second),
		"allowed_updates": allowedUpdates,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.opts.APIURL+"/bot"+r.opts.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("getUpdates: bad api url")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.pollClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", redactToken(err, r.opts.Token))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: read: %w", err)
	}
	var res struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("getUpdates: HTTP %d, not JSON", resp.StatusCode)
	}
	if !res.OK {
		return nil, fmt.Errorf("getUpdates: %d %s", res.ErrorCode, res.Description)
	}
	return res.Result, nil
}

// redactToken keeps the token out of an error that quotes the URL.
func redactToken(err error, token string) error {
	msg := err.Error()
	if token == "" || !bytes.Contains([]byte(msg), []byte(token)) {
		return err
	}
	return errors.New(string(bytes.ReplaceAll([]byte(msg), []byte(token), []byte("***"))))
}

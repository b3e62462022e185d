package delivery

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// In webhook mode Telegram POSTs each update to every replica behind the
// reverse proxy (which terminates TLS). A replica answers 200 only once
// the update is committed to the shared inbox, so a replica that dies or a
// database that fails makes Telegram send it again; an update sent twice
// is stored once. Telegram sends one chat's updates one at a time (the next
// after the previous was answered), so they reach the inbox in update_id
// order; ClaimChatHead then applies them in that order whichever replica
// stored them.

// secretHeader carries the webhook's secret_token on every request.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// stateWebhookSecret keeps a hash of the secret setWebhook was last called
// with: getWebhookInfo does not show the secret, so this is how a start
// knows whether it changed.
const stateWebhookSecret = "telegram.webhook_secret_sha256"

// maxUpdateBody bounds a webhook request's body; an update is a few KB.
const maxUpdateBody = 4 << 20

// Webhook configures webhook mode.
type Webhook struct {
	// Listen is the address the replica serves on (":8080"); ignored when
	// Listener is set.
	Listen string
	// Listener, if set, is used instead of listening on Listen (tests).
	Listener net.Listener
	// Path is the request path Telegram POSTs to, "/telegram/<secret path>".
	Path string
	// PublicURL is the https URL Telegram is given, the reverse proxy's
	// address ending in Path.
	PublicURL string
	// Secret is the secret_token: Telegram sends it in a header with every
	// request, and a request without it is refused.
	Secret string
	// MaxConnections is how many requests Telegram may have open at once
	// (1–100, default 40).
	MaxConnections int
	// SweepInterval is how often the replica looks for updates left
	// unapplied in the shared inbox (by a replica that died), default 2 s.
	SweepInterval time.Duration
}

// WebhookStore is what webhook mode needs of storage beyond the inbox.
type WebhookStore interface {
	SaveUpdate(ctx context.Context, u domain.InboundUpdate) (bool, error)
	ClaimChatHead(ctx context.Context, chatID int64) (u domain.InboundUpdate, ok, busy bool, err error)
	PendingChats(ctx context.Context) ([]int64, error)
	GetState(ctx context.Context, key string) (string, bool, error)
	SetState(ctx context.Context, key, value string) error
}

// serveWebhook registers the webhook with Telegram if it differs, serves
// Telegram's requests and sweeps the inbox until ctx ends, then stops
// accepting requests (those in flight finish their inbox write).
func (r *Runtime) serveWebhook(ctx context.Context) error {
	wh := r.opts.Webhook
	if err := r.ensureWebhook(ctx); err != nil {
		return err
	}
	ln := wh.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", wh.Listen); err != nil {
			return fmt.Errorf("delivery: webhook: listen on %s: %w", wh.Listen, err)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+wh.Path, func(w http.ResponseWriter, req *http.Request) { r.receive(ctx, w, req) })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	r.log.Info("webhook serving", slog.String("addr", ln.Addr().String()))

	r.sweep(ctx)

	shut, cancel := context.WithTimeout(context.Background(), r.opts.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(shut)
	if errors.Is(err, context.DeadlineExceeded) {
		// A connection still open at the bound: a request not yet answered
		// (its update is not acknowledged, so Telegram sends it again, and
		// a second copy is stored once), or one opened but silent, which
		// net/http counts as active for its first 5 s. Close them.
		r.log.Warn("webhook connections still open at shutdown; closed", slog.Duration("after", r.opts.ShutdownTimeout))
		err = srv.Close()
	}
	if serr := <-served; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// receive stores one update Telegram POSTed. It refuses a request without
// the secret (401) or with a wrong one (403) and a body that is not an
// update (400), writing nothing; it answers 200 only after the update is
// committed, and 503 when the database failed, so that Telegram sends it
// again.
func (r *Runtime) receive(ctx context.Context, w http.ResponseWriter, req *http.Request) {
	got := req.Header.Get(secretHeader)
	if got == "" {
		http.Error(w, "missing secret token", http.StatusUnauthorized)
		return
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(r.opts.Webhook.Secret)) != 1 {
		r.log.Warn("webhook request with a wrong secret", slog.String("remote", req.RemoteAddr))
		http.Error(w, "wrong secret token", http.StatusForbidden)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxUpdateBody))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	var head struct {
		ID *int64 `json:"update_id"`
	}
	if err := json.Unmarshal(body, &head); err != nil || head.ID == nil || *head.ID <= 0 {
		http.Error(w, "not an update", http.StatusBadRequest)
		return
	}
	var upd models.Update
	if err := json.Unmarshal(body, &upd); err != nil {
		// As in polling: kept, and applied as a no-op.
		r.log.Warn("undecodable update", slog.Int64("update_id", *head.ID), slog.Any("error", err))
	}
	chatID, _ := UpdateChat(&upd)
	stored, err := r.webhookStore().SaveUpdate(req.Context(), domain.InboundUpdate{ID: *head.ID, ChatID: chatID, Raw: body})
	if err != nil {
		r.log.Error("webhook: save update", slog.Int64("update_id", *head.ID), slog.Any("error", err))
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
	if !stored {
		r.log.Info("update delivered twice", slog.Int64("update_id", *head.ID))
		return
	}
	r.dispatchChat(ctx, chatID)
}

// sweep looks for chats with unapplied updates (a replica died holding
// them, or the database was out of reach) until ctx ends.
func (r *Runtime) sweep(ctx context.Context) {
	interval := r.opts.Webhook.SweepInterval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	for {
		r.flushAbandoned(ctx)
		chats, err := r.webhookStore().PendingChats(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.Warn("webhook: read inbox", slog.Any("error", err))
		}
		for _, c := range chats {
			r.dispatchChat(ctx, c)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// dispatchChat queues a drain of the chat's unapplied updates, unless one
// is queued and not started yet (it will find this update too).
func (r *Runtime) dispatchChat(ctx context.Context, chatID int64) {
	r.drainMu.Lock()
	if r.drainQueued[chatID] {
		r.drainMu.Unlock()
		return
	}
	r.drainQueued[chatID] = true
	r.drainMu.Unlock()
	r.queues.push(chatID, func() {
		r.drainMu.Lock()
		delete(r.drainQueued, chatID)
		r.drainMu.Unlock()
		r.drain(context.WithoutCancel(ctx), chatID)
	})
}

// drain applies the chat's updates from the shared inbox, oldest first,
// until none is left or another replica holds the chat (that one goes on
// with the next update when it commits).
func (r *Runtime) drain(ctx context.Context, chatID int64) {
	defer func() {
		if p := recover(); p != nil {
			// Outside the handler's transaction (its After calls): the
			// update committed; the sweep goes on with the chat.
			r.log.Error("drain panic", slog.Int64("chat_id", chatID), slog.Any("panic", p))
		}
	}()
	for {
		hctx, cancel := context.WithTimeout(ctx, r.opts.HandlerTimeout)
		start := time.Now()
		upd := r.applyClaim(hctx, r.claimHead(chatID), nil)
		cancel()
		if upd == nil {
			return
		}
		r.log.Info("update", slog.Int64("update_id", upd.ID), slog.String("kind", updateKind(upd)),
			slog.Int64("chat_id", chatID), slog.Duration("took", time.Since(start)))
	}
}

// claimHead claims the chat's oldest unapplied update in the transaction.
func (r *Runtime) claimHead(chatID int64) func(tx context.Context) (*models.Update, error) {
	return func(tx context.Context) (*models.Update, error) {
		u, ok, _, err := r.webhookStore().ClaimChatHead(tx, chatID)
		if err != nil || !ok {
			return nil, err
		}
		var upd models.Update
		if err := json.Unmarshal(u.Raw, &upd); err != nil {
			upd = models.Update{} // applied as a no-op
		}
		upd.ID = u.ID
		return &upd, nil
	}
}

// ensureWebhook calls setWebhook when Telegram's webhook differs from the
// configured one (URL, allowed updates, max connections, or the secret,
// whose hash the database keeps), so that replicas starting together do
// not reset it over and over.
func (r *Runtime) ensureWebhook(ctx context.Context) error {
	wh := r.opts.Webhook
	sum := sha256.Sum256([]byte(wh.Secret))
	secretHash := hex.EncodeToString(sum[:])
	info, err := r.opts.API.GetWebhookInfo(ctx)
	if err != nil {
		return fmt.Errorf("delivery: getWebhookInfo: %w", redactToken(err, r.opts.Token))
	}
	stored, _, err := r.webhookStore().GetState(ctx, stateWebhookSecret)
	if err != nil {
		return fmt.Errorf("delivery: webhook: %w", err)
	}
	allowed := slices.Clone(info.AllowedUpdates)
	slices.Sort(allowed)
	want := slices.Clone(allowedUpdates)
	slices.Sort(want)
	if info.URL == wh.PublicURL && info.MaxConnections == wh.MaxConnections &&
		slices.Equal(allowed, want) && stored == secretHash {
		r.log.Info("webhook already set", slog.Int("pending", info.PendingUpdateCount))
		return nil
	}
	ok, err := r.opts.API.SetWebhook(ctx, &tgbot.SetWebhookParams{
		URL:            wh.PublicURL,
		SecretToken:    wh.Secret,
		AllowedUpdates: allowedUpdates,
		MaxConnections: wh.MaxConnections,
	})
	if err == nil && !ok {
		err = errors.New("refused")
	}
	if err != nil {
		return fmt.Errorf("delivery: setWebhook: %w", redactToken(err, r.opts.Token))
	}
	r.log.Info("webhook set", slog.Int("max_connections", wh.MaxConnections))
	return r.webhookStore().SetState(ctx, stateWebhookSecret, secretHash)
}

// webhookStore is the store's webhook side; New checks it is there.
func (r *Runtime) webhookStore() WebhookStore { return r.store.(WebhookStore) }

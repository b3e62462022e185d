package telegramtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// Webhooks, as strict as Telegram: setWebhook wants an https URL on port
// 443, 80, 88 or 8443 (or, with Options.AllowHTTPWebhook, any
// http://127.0.0.1 URL, since a test has no certificate) and a
// secret_token of 1–256 characters A-Z, a-z, 0-9, _ and -. While a webhook
// is set getUpdates answers 409. Updates are POSTed with the secret in
// X-Telegram-Bot-Api-Secret-Token, like the Bot API server does: one chat's
// updates one at a time (the next once the previous was answered 2xx), at
// most max_connections requests in flight, an update answered otherwise
// sent again after Options.WebhookRetry.

// webhookSecretRE is what Telegram accepts as a secret_token.
var webhookSecretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// webhookState is the webhook setWebhook set.
type webhookState struct {
	url      string
	secret   string
	maxConn  int
	allowed  []string
	stop     chan struct{}
	inflight map[int64]bool      // update ids being POSTed
	retryAt  map[int64]time.Time // update ids answered non-2xx, and when to try again
	lastErr  string
	lastErrT time.Time
	posts    int // requests made
	refused  int // requests answered non-2xx or failed
}

// WebhookStats is what the emulator did with the webhook: requests made
// and those refused or failed (and so retried).
type WebhookStats struct {
	Posts, Refused int
	MaxInFlight    int
}

func handleSetWebhook(s *Server, c *call) (any, *apiError) {
	raw := c.p.str("url")
	if raw == "" {
		s.deleteWebhookLocked(false)
		return true, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, badRequest("bad webhook: Failed to resolve host: Name or service not known")
	}
	loopback := s.opts.AllowHTTPWebhook && u.Scheme == "http" && u.Hostname() == "127.0.0.1"
	if !loopback {
		if u.Scheme != "https" {
			return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
		}
		if p := u.Port(); p != "" && p != "443" && p != "80" && p != "88" && p != "8443" {
			return nil, badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
		}
	}
	secret := c.p.str("secret_token")
	if c.p.has("secret_token") && !webhookSecretRE.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConn := 40
	if c.p.has("max_connections") {
		maxConn = min(max(c.p.int("max_connections"), 1), 100)
	}
	var allowed []string
	if v := c.p.str("allowed_updates"); v != "" {
		if err := json.Unmarshal([]byte(v), &allowed); err != nil {
			return nil, badRequest("can't parse allowed updates JSON array")
		}
	}
	s.deleteWebhookLocked(c.p.bool("drop_pending_updates"))
	if c.p.has("allowed_updates") {
		s.allowed = nil
		if len(allowed) > 0 {
			s.allowed = map[string]bool{}
			for _, k := range allowed {
				s.allowed[k] = true
			}
		}
	}
	if s.pollStop != nil { // a getUpdates waiting ends with 409
		close(s.pollStop)
		s.pollStop = nil
	}
	wh := &webhookState{url: raw, secret: secret, maxConn: maxConn, allowed: allowed,
		stop: make(chan struct{}), inflight: map[int64]bool{}, retryAt: map[int64]time.Time{}}
	s.webhook = wh
	go s.webhookLoop(wh)
	return true, nil
}

func handleGetWebhookInfo(s *Server, _ *call) (any, *apiError) {
	info := models.WebhookInfo{PendingUpdateCount: len(s.queue)}
	if wh := s.webhook; wh != nil {
		info.URL, info.MaxConnections, info.AllowedUpdates = wh.url, wh.maxConn, wh.allowed
		if wh.lastErr != "" {
			info.LastErrorDate, info.LastErrorMessage = int(wh.lastErrT.Unix()), wh.lastErr
		}
	}
	return info, nil
}

func handleDeleteWebhook(s *Server, c *call) (any, *apiError) {
	s.deleteWebhookLocked(c.p.bool("drop_pending_updates"))
	return true, nil
}

// deleteWebhookLocked stops the webhook's deliveries; requests in flight
// finish, and their updates stay queued unless answered 2xx.
func (s *Server) deleteWebhookLocked(dropPending bool) {
	if s.webhook != nil {
		close(s.webhook.stop)
		s.webhook = nil
	}
	if dropPending {
		s.queue = nil
	}
	s.notifyLocked()
}

// errWebhookActive is getUpdates' answer while a webhook is set.
var errWebhookActive = &apiError{code: http.StatusConflict,
	desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}

// Webhook is the URL set with setWebhook, "" when none.
func (s *Server) Webhook() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook == nil {
		return ""
	}
	return s.webhook.url
}

// WebhookStats reports the requests made to the current webhook.
func (s *Server) WebhookStats() WebhookStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook == nil {
		return WebhookStats{MaxInFlight: s.webhookPeak}
	}
	return WebhookStats{Posts: s.webhook.posts, Refused: s.webhook.refused, MaxInFlight: s.webhookPeak}
}

// webhookLoop POSTs queued updates to wh until it is deleted or the
// emulator closes.
func (s *Server) webhookLoop(wh *webhookState) {
	client := &http.Client{Timeout: 30 * time.Second}
	for {
		s.mu.Lock()
		if s.webhook != wh {
			s.mu.Unlock()
			return
		}
		next := s.startPostsLocked(wh, client)
		changed := s.changed
		s.mu.Unlock()
		var timer <-chan time.Time
		if !next.IsZero() {
			timer = time.After(time.Until(next))
		}
		select {
		case <-changed:
		case <-timer:
		case <-wh.stop:
			return
		case <-s.done:
			return
		}
	}
}

// startPostsLocked starts a request for each chat's first queued update
// that is not in flight or waiting to be retried, within max_connections.
// It returns the earliest retry time ahead (zero when none).
func (s *Server) startPostsLocked(wh *webhookState, client *http.Client) time.Time {
	var next time.Time
	seen := map[int64]bool{}
	kept := s.queue[:0:0]
	for _, q := range s.queue {
		if !s.allowedLocked(q.kind) {
			continue // never created for the bot, as in getUpdates
		}
		kept = append(kept, q)
	}
	s.queue = kept
	for _, q := range s.queue {
		chat := updateChat(q.raw)
		if seen[chat] {
			continue // the chat's earlier update goes first
		}
		seen[chat] = true
		if wh.inflight[q.id] {
			continue
		}
		if at, ok := wh.retryAt[q.id]; ok && time.Now().Before(at) {
			if next.IsZero() || at.Before(next) {
				next = at
			}
			continue
		}
		if len(wh.inflight) >= wh.maxConn {
			break
		}
		wh.inflight[q.id] = true
		wh.posts++
		s.webhookPeak = max(s.webhookPeak, len(wh.inflight))
		go s.post(wh, client, q)
	}
	return next
}

// post sends one update and records the answer: 2xx confirms it, anything
// else (or no answer) schedules it again.
func (s *Server) post(wh *webhookState, client *http.Client, q queuedUpdate) {
	status, errText := 0, ""
	target := wh.url
	if via := s.opts.WebhookVia; via != "" {
		if u, err := url.Parse(wh.url); err == nil {
			target = strings.TrimRight(via, "/") + u.RequestURI()
		}
	}
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(q.raw))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		if wh.secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", wh.secret)
		}
		var resp *http.Response
		if resp, err = client.Do(req); err == nil {
			status = resp.StatusCode
			resp.Body.Close()
		}
	}
	if err != nil {
		errText = "Connection refused"
	} else if status < 200 || status > 299 {
		errText = "Wrong response from the webhook: " + http.StatusText(status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(wh.inflight, q.id)
	if errText == "" {
		delete(wh.retryAt, q.id)
		for i, x := range s.queue {
			if x.id == q.id {
				s.queue = append(s.queue[:i:i], s.queue[i+1:]...)
				break
			}
		}
	} else {
		wh.refused++
		wh.lastErr, wh.lastErrT = errText, s.now()
		wh.retryAt[q.id] = time.Now().Add(s.opts.WebhookRetry)
	}
	s.notifyLocked()
}

// updateChat is the chat whose queue an update joins: Telegram sends one
// chat's updates in order, one at a time.
func updateChat(raw json.RawMessage) int64 {
	var u models.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		return 0
	}
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil:
		if m := u.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID
		}
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}

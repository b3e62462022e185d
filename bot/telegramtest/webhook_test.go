package telegramtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

func TestSetWebhook_Validation(t *testing.T) {
	s := newEmu(t, Options{})
	loose := newEmu(t, Options{AllowHTTPWebhook: true})
	for _, tc := range []struct {
		name string
		emu  *Server
		args map[string]string
		want string
	}{
		{"ErrHTTP", s, map[string]string{"url": "http://bot.example.com/telegram/x"}, "An HTTPS URL must be provided"},
		{"ErrHTTPLoopbackNotAllowed", s, map[string]string{"url": "http://127.0.0.1:8080/telegram/x"}, "An HTTPS URL must be provided"},
		{"ErrPort", s, map[string]string{"url": "https://bot.example.com:8080/x"}, "ports 80, 88, 443 or 8443"},
		{"ErrSecretChars", s, map[string]string{"url": "https://bot.example.com/x", "secret_token": "a b"}, "secret token contains unallowed characters"},
		{"ErrSecretLong", s, map[string]string{"url": "https://bot.example.com/x", "secret_token": strings.Repeat("a", 257)}, "secret token"},
		{"ErrSecretEmpty", s, map[string]string{"url": "https://bot.example.com/x", "secret_token": ""}, "secret token"},
		{"ErrHTTPOtherHost", loose, map[string]string{"url": "http://10.0.0.1/x"}, "An HTTPS URL must be provided"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, r := post(t, tc.emu, "setWebhook", tc.args)
			if status != http.StatusBadRequest || !strings.Contains(r.Description, tc.want) {
				t.Fatalf("got %d %q, want 400 with %q", status, r.Description, tc.want)
			}
			if tc.emu.Webhook() != "" {
				t.Fatal("a refused webhook was set")
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		status, r := post(t, s, "setWebhook", map[string]string{"url": "https://bot.example.com:8443/telegram/x",
			"secret_token": "Ab_9-" + strings.Repeat("z", 251), "max_connections": "500", "allowed_updates": `["message"]`})
		if status != http.StatusOK {
			t.Fatalf("%d %s", status, r.Description)
		}
		_, info := post(t, s, "getWebhookInfo", nil)
		if got := string(info.Result); !strings.Contains(got, `"url":"https://bot.example.com:8443/telegram/x"`) ||
			!strings.Contains(got, `"max_connections":100`) || !strings.Contains(got, `"allowed_updates":["message"]`) {
			t.Fatalf("getWebhookInfo %s", got)
		}
		status, r = post(t, s, "getUpdates", nil)
		if status != http.StatusConflict || !strings.Contains(r.Description, "can't use getUpdates method while webhook is active") {
			t.Fatalf("getUpdates with a webhook: %d %q", status, r.Description)
		}
		post(t, s, "deleteWebhook", nil)
		if status, r = post(t, s, "getUpdates", nil); status != http.StatusOK {
			t.Fatalf("getUpdates after deleteWebhook: %d %q", status, r.Description)
		}
	})
}

// TestWebhook_Delivery: updates are POSTed with the secret; a non-2xx
// answer is retried; one chat's updates go one at a time and in order;
// never more than max_connections at once.
func TestWebhook_Delivery(t *testing.T) {
	s := newEmu(t, Options{AllowHTTPWebhook: true, WebhookRetry: 10 * time.Millisecond})
	var (
		mu       sync.Mutex
		got      = map[int64][]string{}
		inflight atomic.Int32
		peak     atomic.Int32
		perChat  sync.Map
		failed   atomic.Int32
	)
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cret" {
			t.Errorf("secret header %q", r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		}
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		raw, _ := io.ReadAll(r.Body)
		var u models.Update
		_ = json.Unmarshal(raw, &u)
		chat := updateChat(raw)
		if _, busy := perChat.LoadOrStore(chat, true); busy {
			t.Errorf("two requests of chat %d at once", chat)
		}
		defer perChat.Delete(chat)
		time.Sleep(5 * time.Millisecond)
		if failed.Add(1)%4 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		mu.Lock()
		got[chat] = append(got[chat], u.Message.Text)
		mu.Unlock()
	}))
	defer bot.Close()
	status, r := post(t, s, "setWebhook", map[string]string{"url": bot.URL + "/telegram/x", "secret_token": "s3cret", "max_connections": "3"})
	if status != http.StatusOK {
		t.Fatalf("%d %s", status, r.Description)
	}
	var users []User
	for i := range 6 {
		users = append(users, s.User(int64(100+i), "U", "", "zh"))
	}
	for n := range 5 {
		for _, u := range users {
			s.SendText(u, "m"+string(rune('0'+n)))
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.Pending() > 0 {
		t.Fatalf("%d updates not delivered", s.Pending())
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range users {
		if g := strings.Join(got[u.ID], ","); g != "m0,m1,m2,m3,m4" {
			t.Errorf("chat %d got %s", u.ID, g)
		}
	}
	st := s.WebhookStats()
	if st.Refused == 0 || st.Posts != 30+st.Refused {
		t.Errorf("stats %+v: want every refusal retried", st)
	}
	if p := peak.Load(); p > 3 || st.MaxInFlight > 3 {
		t.Errorf("%d requests at once, max_connections 3", p)
	}
}

// TestWebhook_Via: with WebhookVia the https URL a deployment sets is
// checked as Telegram checks it, and its requests reach the loopback
// server standing in for the reverse proxy, path and secret kept.
func TestWebhook_Via(t *testing.T) {
	got := make(chan string, 1)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case got <- r.URL.Path + " " + r.Header.Get("X-Telegram-Bot-Api-Secret-Token"):
		default:
		}
	}))
	defer proxy.Close()
	s := newEmu(t, Options{WebhookVia: proxy.URL})
	if status, r := post(t, s, "setWebhook", map[string]string{"url": "https://bot.example.com/telegram/hook", "secret_token": "s3cret"}); status != http.StatusOK {
		t.Fatalf("setWebhook: %d %q", status, r.Description)
	}
	s.SendText(s.User(7, "Li", "", "zh"), "hi")
	select {
	case g := <-got:
		if g != "/telegram/hook s3cret" {
			t.Fatalf("the proxy got %q", g)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no request reached WebhookVia")
	}
}

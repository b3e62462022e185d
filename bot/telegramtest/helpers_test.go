package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// newEmu starts an emulator closed at the end of the test.
func newEmu(t *testing.T, opts Options) *Server {
	t.Helper()
	s := New(opts)
	t.Cleanup(s.Close)
	return s
}

// newClient is the real go-telegram client pointed at the emulator, without
// polling. Its getMe at construction doubles as a smoke test.
func newClient(t *testing.T, s *Server) *bot.Bot {
	t.Helper()
	b, err := bot.New(s.Token(), bot.WithServerURL(s.URL()), bot.WithErrorsHandler(func(error) {}))
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

// startBot runs a polling bot with the given options until the test ends.
func startBot(t *testing.T, s *Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	all := append([]bot.Option{
		bot.WithServerURL(s.URL()),
		bot.WithErrorsHandler(func(error) {}),
		bot.WithDefaultHandler(func(context.Context, *bot.Bot, *models.Update) {}),
		bot.WithHTTPClient(3*time.Second, &http.Client{Timeout: 10 * time.Second}),
	}, opts...)
	b, err := bot.New(s.Token(), all...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		b.Start(ctx)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return b
}

func ctxTimeout(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// rawReply is the Bot API envelope as the tests decode it.
type rawReply struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// post calls a method with form-urlencoded arguments and returns the HTTP
// status and decoded envelope, for checks the typed client cannot express.
func post(t *testing.T, s *Server, method string, args map[string]string) (int, rawReply) {
	t.Helper()
	status, r, err := postRaw(s, method, args)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return status, r
}

// postRaw is post for goroutines, where t.Fatal must not be called.
func postRaw(s *Server, method string, args map[string]string) (int, rawReply, error) {
	form := url.Values{}
	for k, v := range args {
		form.Set(k, v)
	}
	resp, err := http.PostForm(s.URL()+"/bot"+s.Token()+"/"+method, form)
	if err != nil {
		return 0, rawReply{}, err
	}
	return decodeReplyRaw(resp)
}

func decodeReplyRaw(resp *http.Response) (int, rawReply, error) {
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r rawReply
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, r, fmt.Errorf("decode %q: %w", body, err)
	}
	if r.OK != (resp.StatusCode == http.StatusOK) || (!r.OK && r.ErrorCode != resp.StatusCode) {
		return 0, r, fmt.Errorf("status %d disagrees with body %s", resp.StatusCode, body)
	}
	return resp.StatusCode, r, nil
}

// waitParked waits until a getUpdates long poll is parked in the emulator.
func waitParked(t *testing.T, s *Server) {
	t.Helper()
	err := s.waitLocked(ctxTimeout(t), func() bool { return s.pollStop != nil })
	if err != nil {
		t.Fatalf("no long poll parked: %v", err)
	}
}

// wantAPIError asserts that err is a Bot API error with this description.
func wantAPIError(t *testing.T, err error, desc string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %q, got success", desc)
	}
	if !strings.Contains(err.Error(), desc) {
		t.Fatalf("want error %q, got %q", desc, err.Error())
	}
}

func wantIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("want %v, got %v", target, err)
	}
}

// fakeClock is a settable Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// chatWith registers a user who has started the bot.
func chatWith(s *Server, id int64) User {
	u := s.User(id, "Ivan", "ivan", "ru")
	s.OpenChat(u)
	return u
}

func inlineKB(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func decodeReply(t *testing.T, resp *http.Response) (int, rawReply) {
	t.Helper()
	status, r, err := decodeReplyRaw(resp)
	if err != nil {
		t.Fatal(err)
	}
	return status, r
}

// Package telegramtest is an in-process emulator of the Telegram Bot API,
// used as the test double for every feature of the bot.
//
// The emulator is a real HTTP server on 127.0.0.1 so that the unmodified
// go-telegram/bot client (bot.WithServerURL(emu.URL())) and the demo binary
// talk to it exactly as they would talk to api.telegram.org. It is
// deliberately as strict as Telegram: a request that real Telegram rejects
// must be rejected here too, otherwise a test could pass while production
// fails. Where the emulator is stricter than Telegram (bare "&" in HTML, an
// inline button with several actions) that is called out in the doc comment
// of the code that does it.
//
// Emulated methods: getMe, getUpdates, sendMessage, editMessageText,
// editMessageReplyMarkup, deleteMessage, answerCallbackQuery, sendDocument,
// sendPhoto, getFile and the file download route /file/bot<token>/<path>
// (files.go), sendChatAction, setMyCommands, getMyCommands, deleteMyCommands,
// setWebhook, getWebhookInfo, deleteWebhook (webhook.go). Every other method answers 404 "Not Found", which is what
// Telegram answers for an unknown method, so a feature that needs one more
// method fails loudly instead of silently.
//
// Tests drive the emulator from the user's side (SendText, PressButton, …)
// and read what the bot did (Messages, WaitMessage, CallbackAnswer, …). All
// of those methods are safe for concurrent use.
package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Token is the bot token the emulator accepts; requests carrying any
	// other token get 401. Default "123456:TEST-TOKEN" (or "<BotID>:TEST-TOKEN"
	// when BotID is set).
	Token string
	// BotUsername is the bot's @username without "@". Default "dealer_test_bot".
	BotUsername string
	// BotID is the bot's user id. Default: the numeric prefix of Token, as on
	// real Telegram where the token starts with the bot id.
	BotID int64
	// BotFirstName is the bot's display name. Default "Dealer Test Bot".
	BotFirstName string
	// Now is the clock used for message dates, the 48-hour delete window and
	// rate limits. Default time.Now. Waiting (long poll, WaitMessage) always
	// uses the real clock, so a frozen fake clock cannot hang a test.
	Now func() time.Time

	// EnforceLimits turns on Telegram's flood limits for send* methods:
	// beyond them a send gets 429 with retry_after, like real Telegram.
	EnforceLimits bool
	// PerChatPerSecond is the sends allowed to one chat in any 1-second
	// window. Default 1.
	PerChatPerSecond int
	// GlobalPerSecond is the sends allowed to all chats together in any
	// 1-second window. Default 30.
	GlobalPerSecond int
	// PaidPerSecond is the sends with allow_paid_broadcast allowed in any
	// 1-second window, all sends counted. Default 1000.
	PaidPerSecond int
	// GroupPerMinute is the sends allowed to one group in any 60-second
	// window. Default 20.
	GroupPerMinute int

	// AllowHTTPWebhook lets setWebhook take an http://127.0.0.1 URL, which
	// Telegram refuses (it wants https), because a test has no
	// certificate. Every other rule of setWebhook stays.
	AllowHTTPWebhook bool
	// WebhookVia, when set (an http://127.0.0.1:port base URL), is where
	// webhook requests go: the path of the URL setWebhook was given, on
	// WebhookVia's scheme and host. It stands in for the DNS and TLS that
	// lead Telegram to a reverse proxy, so a test can set the https URL a
	// deployment does and still receive its requests. setWebhook checks
	// the URL it is given as before.
	WebhookVia string
	// WebhookRetry is how long an update the webhook did not answer 2xx
	// waits before it is sent again. Default 100 ms (Telegram waits
	// longer; tests should not).
	WebhookRetry time.Duration
}

// DefaultWaitTimeout bounds the Wait* helpers when the context passed to them
// has no deadline, so that a forgotten timeout fails the test in seconds
// instead of hanging until `go test` kills the binary.
const DefaultWaitTimeout = 5 * time.Second

// Server is a running Telegram Bot API emulator. Create it with New and stop
// it with Close.
type Server struct {
	opts    Options
	botUser models.User
	url     string
	http    *http.Server
	done    chan struct{}
	closed  sync.Once

	// mu guards everything below. One lock keeps the emulator simple and makes
	// every API call atomic, which is also how Telegram behaves per request.
	mu sync.Mutex
	// changed is closed and replaced on every state change; waiters (long
	// polls, WaitMessage) select on it so they wake without polling.
	changed chan struct{}

	users    map[int64]models.User
	chats    map[int64]*chatState
	queue    []queuedUpdate
	history  map[int64]queuedUpdate // every update ever queued, for Replay
	lastUpd  int64
	allowed  map[string]bool
	pollStop chan struct{}
	queries  map[string]*queryState
	lastQry  int64
	commands map[string][]models.BotCommand
	files    map[string]*fileState
	lastFile int
	paths    map[string]*fileState // by file_path, for the download route
	lastPath int
	faults   map[string][]*faultEntry
	// slowDownloads are the delays of the next file downloads (DelayDownloads).
	slowDownloads []time.Duration
	random        map[string]*randomFault
	calls         map[string]int
	sent          []SentRecord
	served429     int
	inflight      int
	activity      time.Time

	webhook     *webhookState // set by setWebhook, nil for long polling
	webhookPeak int           // most webhook requests ever in flight at once

	observers []func(Event)
	events    []Event
	// obsMu serialises observer delivery so that events reach observers in
	// the order they happened even when HTTP handlers run concurrently.
	obsMu sync.Mutex
}

// New starts an emulator listening on a random 127.0.0.1 port. It panics if
// it cannot listen, like httptest.NewServer, because a test cannot proceed.
func New(opts Options) *Server {
	opts = withDefaults(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("telegramtest: listen: %v", err))
	}
	s := &Server{
		opts: opts,
		botUser: models.User{
			ID:                      opts.BotID,
			IsBot:                   true,
			FirstName:               opts.BotFirstName,
			Username:                opts.BotUsername,
			CanJoinGroups:           true,
			CanReadAllGroupMessages: false,
			SupportInlineQueries:    false,
		},
		url:      "http://" + ln.Addr().String(),
		done:     make(chan struct{}),
		changed:  make(chan struct{}),
		users:    map[int64]models.User{},
		chats:    map[int64]*chatState{},
		queries:  map[string]*queryState{},
		commands: map[string][]models.BotCommand{},
		files:    map[string]*fileState{},
		faults:   map[string][]*faultEntry{},
		calls:    map[string]int{},
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	return s
}

func withDefaults(o Options) Options {
	if o.Token == "" {
		id := o.BotID
		if id == 0 {
			id = 123456
		}
		o.Token = strconv.FormatInt(id, 10) + ":TEST-TOKEN"
	}
	if o.BotID == 0 {
		prefix, _, _ := strings.Cut(o.Token, ":")
		o.BotID, _ = strconv.ParseInt(prefix, 10, 64)
	}
	if o.BotUsername == "" {
		o.BotUsername = "dealer_test_bot"
	}
	if o.BotFirstName == "" {
		o.BotFirstName = "Dealer Test Bot"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PerChatPerSecond <= 0 {
		o.PerChatPerSecond = 1
	}
	if o.GlobalPerSecond <= 0 {
		o.GlobalPerSecond = 30
	}
	if o.GroupPerMinute <= 0 {
		o.GroupPerMinute = 20
	}
	if o.PaidPerSecond <= 0 {
		o.PaidPerSecond = 1000
	}
	if o.WebhookRetry <= 0 {
		o.WebhookRetry = 100 * time.Millisecond
	}
	return o
}

// URL is the base URL to pass to bot.WithServerURL, e.g. "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.url }

// Token is the only bot token the emulator accepts.
func (s *Server) Token() string { return s.opts.Token }

// BotUsername is the bot's username without "@".
func (s *Server) BotUsername() string { return s.opts.BotUsername }

// Bot is the bot's own User object, as returned by getMe.
func (s *Server) Bot() models.User { return s.botUser }

// Close wakes every pending long poll and waiter, then shuts the HTTP server
// down. It is safe to call more than once.
func (s *Server) Close() {
	s.closed.Do(func() {
		s.mu.Lock()
		close(s.done)
		s.notifyLocked()
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.http.Shutdown(ctx)
		_ = s.http.Close()
	})
}

func (s *Server) now() time.Time { return s.opts.Now() }

// notifyLocked wakes everybody waiting for a state change.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// ServeHTTP routes /bot<token>/<method>. It is exported only because Server
// must be an http.Handler; tests talk to it over the network via URL.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, r, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || method == "" || strings.Contains(method, "/") {
		s.writeReply(w, nil, errNotFound)
		return
	}
	if token != s.opts.Token {
		s.writeReply(w, nil, errUnauthorized)
		return
	}
	name := strings.ToLower(method)
	h, ok := handlers[name]
	if !ok {
		s.writeReply(w, nil, errNotFound)
		return
	}
	p, aerr := parseParams(r)
	if aerr != nil {
		s.writeReply(w, nil, aerr)
		return
	}
	s.beginActivity(name)
	defer s.endActivity(name)

	s.mu.Lock()
	fault, faulted := s.takeFaultLocked(name)
	s.mu.Unlock()
	if faulted && fault.Kind != FaultSlowAnswer {
		s.serveFault(w, r, fault)
		return
	}

	c := &call{s: s, ctx: r.Context(), name: name, p: p}
	var result json.RawMessage
	if h.selfLocked {
		var res any
		res, aerr = h.fn(s, c)
		if aerr == nil {
			result, _ = json.Marshal(res)
		}
		s.mu.Lock()
	} else {
		s.mu.Lock()
		var res any
		res, aerr = h.fn(s, c)
		if aerr == nil {
			// Marshal under the lock: the result may point into stored state
			// that a concurrent edit could change.
			result, _ = json.Marshal(res)
		}
	}
	if aerr == nil {
		s.calls[name]++
		s.events = append(s.events, c.events...)
		s.notifyLocked()
	}
	s.mu.Unlock()
	s.flushEvents()
	if faulted {
		holdAnswer(r, fault)
	}
	s.writeReply(w, result, aerr)
}

// call carries one API request through its handler.
type call struct {
	s      *Server
	ctx    context.Context
	name   string
	p      *params
	events []Event
}

func (c *call) emit(ev Event) { c.events = append(c.events, ev) }

// handler is one emulated method. Unless selfLocked, fn runs with s.mu held.
type handler struct {
	fn         func(s *Server, c *call) (any, *apiError)
	selfLocked bool
}

// handlers maps lower-cased method names (Telegram ignores case) to handlers.
var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"getme":                  {fn: handleGetMe},
		"getupdates":             {fn: handleGetUpdates, selfLocked: true},
		"sendmessage":            {fn: handleSendMessage},
		"editmessagetext":        {fn: handleEditMessageText},
		"editmessagereplymarkup": {fn: handleEditMessageReplyMarkup},
		"deletemessage":          {fn: handleDeleteMessage},
		"answercallbackquery":    {fn: handleAnswerCallbackQuery},
		"senddocument":           {fn: handleSendDocument},
		"sendphoto":              {fn: handleSendPhoto},
		"getfile":                {fn: handleGetFile},
		"sendchataction":         {fn: handleSendChatAction},
		"setmycommands":          {fn: handleSetMyCommands},
		"getmycommands":          {fn: handleGetMyCommands},
		"deletemycommands":       {fn: handleDeleteMyCommands},
		"setwebhook":             {fn: handleSetWebhook},
		"getwebhookinfo":         {fn: handleGetWebhookInfo},
		"deletewebhook":          {fn: handleDeleteWebhook},
	}
}

func handleGetMe(s *Server, _ *call) (any, *apiError) { return s.botUser, nil }

// beginActivity/endActivity feed WaitIdle: it needs to know whether the bot
// is in the middle of an API call and when it last made one.
func (s *Server) beginActivity(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name != "getupdates" {
		s.inflight++
	}
	s.activity = time.Now()
	s.notifyLocked()
}

func (s *Server) endActivity(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name != "getupdates" {
		s.inflight--
	}
	s.activity = time.Now()
	s.notifyLocked()
}

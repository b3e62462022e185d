package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

const testSecret = "test_Secret-42"

// echo answers each message with its text, under a key unique to each
// application, so that an update applied twice shows twice.
func echo(rt **delivery.Runtime) func(ctx context.Context, upd *models.Update, fx *delivery.Effects) error {
	var n atomic.Int64
	return func(ctx context.Context, upd *models.Update, fx *delivery.Effects) error {
		if upd.Message == nil {
			return nil
		}
		key := fmt.Sprintf("echo:%d:%d", upd.ID, n.Add(1))
		fx.Keys = append(fx.Keys, key)
		_, err := (*rt).Outbox().Enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: upd.Message.Chat.ID, Text: upd.Message.Text}, nil)
		return err
	}
}

// replica is one runtime in webhook mode, listening on its own port.
type replica struct {
	rt   *delivery.Runtime
	addr string
	stop func()
}

// startReplica runs a webhook runtime on store; its public URL is
// publicURL, or its own address when that is "".
func startReplica(t *testing.T, emu *telegramtest.Server, store delivery.Store, publicURL string) *replica {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String() + "/telegram/hook"
	}
	api, err := tgbot.New(emu.Token(), tgbot.WithServerURL(emu.URL()), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	r := &replica{addr: ln.Addr().String()}
	r.rt, err = delivery.New(delivery.Options{
		API: api, Token: emu.Token(), APIURL: emu.URL(), Store: store,
		Limits:          delivery.Limits{GlobalPerSecond: 100000, PerChatPerSecond: 100000, GroupPerMinute: 100000},
		ShutdownTimeout: 5 * time.Second,
		Webhook: &delivery.Webhook{Listener: ln, Path: "/telegram/hook", PublicURL: publicURL,
			Secret: testSecret, MaxConnections: 10, SweepInterval: 200 * time.Millisecond},
		Handler: echo(&r.rt),
		Failed: func(context.Context, *models.Update, error, *delivery.Effects) delivery.Failure {
			return delivery.Failure{}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.rt.Run(ctx) }()
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("replica stopped with %v", err)
			}
		})
	}
	t.Cleanup(r.stop)
	// Serving once the webhook is set.
	deadline := time.Now().Add(5 * time.Second)
	for emu.Webhook() == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	return r
}

// postUpdate POSTs body to the replica as Telegram would, with secret.
func postUpdate(t *testing.T, r *replica, secret string, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+r.addr+"/telegram/hook", strings.NewReader(body))
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func webhookEmu(t *testing.T) *telegramtest.Server {
	emu := telegramtest.New(telegramtest.Options{AllowHTTPWebhook: true, WebhookRetry: 20 * time.Millisecond})
	t.Cleanup(emu.Close)
	return emu
}

// TestWebhook_RefusesBadRequestsAndWritesNothing: no secret is 401, a
// wrong one 403, a body that is not an update 400; the inbox stays empty.
func TestWebhook_RefusesBadRequestsAndWritesNothing(t *testing.T) {
	emu := webhookEmu(t)
	db := storagetest.Open(t)
	r := startReplica(t, emu, db, "")
	update := `{"update_id":5,"message":{"message_id":1,"date":1,"chat":{"id":77,"type":"private"},"text":"hi"}}`
	for _, tc := range []struct {
		name, secret, body string
		want               int
	}{
		{"ErrNoSecret", "", update, http.StatusUnauthorized},
		{"ErrWrongSecret", "test_Secret-43", update, http.StatusForbidden},
		{"ErrNotJSON", testSecret, `{"update_id":5,`, http.StatusBadRequest},
		{"ErrNoUpdateID", testSecret, `{"message":{}}`, http.StatusBadRequest},
		{"ErrArray", testSecret, `[1]`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := postUpdate(t, r, tc.secret, tc.body); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}
	if _, ok, _ := db.LastUpdateAt(context.Background()); ok {
		t.Error("a refused request wrote to the inbox")
	}
	if ups, _ := db.PendingUpdates(context.Background()); len(ups) != 0 {
		t.Errorf("inbox holds %d updates", len(ups))
	}
	if emu.Calls("setWebhook") != 1 {
		t.Errorf("setWebhook called %d times", emu.Calls("setWebhook"))
	}
}

// TestWebhook_DuplicateDeliveryStoredOnce: Telegram sends an update again
// (its first answer was lost): it is answered 200 and applied once.
func TestWebhook_DuplicateDeliveryStoredOnce(t *testing.T) {
	emu := webhookEmu(t)
	db := storagetest.Open(t)
	r := startReplica(t, emu, db, "")
	u := emu.User(501, "Wang", "", "zh")
	emu.OpenChat(u)
	update := fmt.Sprintf(`{"update_id":9,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"text":"once"}}`, u.ID)
	for i := range 2 {
		if got := postUpdate(t, r, testSecret, update); got != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i+1, got)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.rt.WaitHandled(ctx, 9); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // a sweep round: nothing more to apply
	if got := plains(emu.Messages(u.ID)); len(got) != 1 || got[0] != "once" {
		t.Fatalf("chat got %v", got)
	}
}

// flakyInbox fails the first n webhook inbox writes, as a database that
// is out of reach does.
type flakyInbox struct {
	*storage.DB
	fail atomic.Int32
}

func (f *flakyInbox) SaveUpdate(ctx context.Context, u domain.InboundUpdate) (bool, error) {
	if f.fail.Add(-1) >= 0 {
		return false, errors.New("injected: database unavailable")
	}
	return f.DB.SaveUpdate(ctx, u)
}

// TestWebhook_OKOnlyAfterInboxWrite: while the inbox write fails the
// replica answers non-2xx, Telegram sends the update again, and it is
// applied once it is stored — once.
func TestWebhook_OKOnlyAfterInboxWrite(t *testing.T) {
	emu := webhookEmu(t)
	store := &flakyInbox{DB: storagetest.Open(t)}
	store.fail.Store(3)
	startReplica(t, emu, store, "")
	u := emu.User(502, "Li", "", "zh")
	id := emu.SendText(u, "后来")
	if _, err := emu.WaitMessage(context.Background(), u.ID, func(m telegramtest.Message) bool { return m.Plain == "后来" }); err != nil {
		t.Fatal(err)
	}
	st := emu.WebhookStats()
	if st.Refused != 3 || st.Posts != 4 {
		t.Errorf("webhook stats %+v: want 3 refusals then the write", st)
	}
	time.Sleep(300 * time.Millisecond)
	if got := plains(emu.Messages(u.ID)); len(got) != 1 {
		t.Fatalf("update %d applied %d times: %v", id, len(got), got)
	}
}

// TestWebhook_TwoReplicasOnePostgres: two replicas behind a proxy that
// alternates between them share one PostgreSQL inbox; 20 chats × 10
// updates are applied each chat in order, none twice, none lost.
func TestWebhook_TwoReplicasOnePostgres(t *testing.T) {
	if os.Getenv(storagetest.PostgresDSNEnv) == "" {
		t.Skipf("%s is not set", storagetest.PostgresDSNEnv)
	}
	emu := webhookEmu(t)
	db := storagetest.OpenDriver(t, storage.DriverPostgres)
	// The proxy in front: round robin, as a load balancer.
	pln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + pln.Addr().String() + "/telegram/hook"
	var backends [2]*url.URL
	var turn atomic.Int64
	var perReplica [2]atomic.Int64
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		i := turn.Add(1) % 2
		perReplica[i].Add(1)
		pr.SetURL(backends[i])
	}}
	srv := &http.Server{Handler: proxy}
	go srv.Serve(pln)
	t.Cleanup(func() { srv.Close() })
	a := startReplica(t, emu, db, public)
	b := startReplica(t, emu, db, public)
	for i, r := range []*replica{a, b} {
		backends[i], _ = url.Parse("http://" + r.addr)
	}
	if emu.Calls("setWebhook") != 1 {
		t.Errorf("setWebhook called %d times; the second replica found it set", emu.Calls("setWebhook"))
	}
	var users []telegramtest.User
	for i := range 20 {
		u := emu.User(int64(9000+i), "U", "", "zh")
		emu.OpenChat(u)
		users = append(users, u)
	}
	want := make([]string, 10)
	for n := range 10 {
		want[n] = fmt.Sprint(n)
		for _, u := range users {
			emu.SendText(u, want[n])
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, u := range users {
		for len(emu.Messages(u.ID)) < 10 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	time.Sleep(500 * time.Millisecond) // anything applied twice would show now
	for _, u := range users {
		if got := strings.Join(plains(emu.Messages(u.ID)), ","); got != strings.Join(want, ",") {
			t.Errorf("chat %d got %s", u.ID, got)
		}
	}
	if perReplica[0].Load() < 50 || perReplica[1].Load() < 50 {
		t.Errorf("requests per replica %d and %d: not spread", perReplica[0].Load(), perReplica[1].Load())
	}
	if ups, _ := db.PendingUpdates(context.Background()); len(ups) != 0 {
		t.Errorf("%d updates left unapplied", len(ups))
	}
}

package bot_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// BenchmarkReplicaThroughput sends /help from 50 chats through the whole
// bot and reports updates a second: "sqlite-1" is one bot long-polling a
// SQLite file (the single-store default, the reference); "postgres-N" is
// N bots in webhook mode on one fresh PostgreSQL schema, each with its own
// connection pool as separate processes would have, behind a round-robin
// proxy the emulator POSTs updates to. An update counts once its answer
// has reached the emulator. Telegram's send limits are lifted, as in
// BenchmarkCommandThroughput. The postgres runs are skipped unless
// DEALERBOT_TEST_POSTGRES_DSN is set.
func BenchmarkReplicaThroughput(b *testing.B) {
	b.Run("sqlite-1", func(b *testing.B) {
		h := newHarnessWith(b, harnessOptions{realClock: true})
		benchHelp(b, h.emu, h.db)
	})
	for _, n := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("postgres-%d", n), func(b *testing.B) {
			benchReplicas(b, n)
		})
	}
}

// benchReplicas starts n webhook bots on one PostgreSQL schema behind a
// round-robin proxy and runs benchHelp against them.
func benchReplicas(b *testing.B, n int) {
	dsn := storagetest.PostgresDSN(b)
	emu := telegramtest.New(telegramtest.Options{AllowHTTPWebhook: true, WebhookRetry: 20 * time.Millisecond})
	b.Cleanup(emu.Close)
	dbs := make([]*storage.DB, n)
	for i := range dbs {
		db, err := storage.Open(storage.Config{Driver: storage.DriverPostgres, DSN: dsn})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	if err := dbs[0].Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	// The proxy in front, a load balancer taking turns.
	pln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	backends := make([]*url.URL, n)
	var turn atomic.Int64
	srv := &http.Server{Handler: &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(backends[turn.Add(1)%int64(n)])
	}}}
	go srv.Serve(pln)
	b.Cleanup(func() { srv.Close() })
	const path = "/telegram/bench"
	for i, db := range dbs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		backends[i], _ = url.Parse("http://" + ln.Addr().String())
		newHarnessWith(b, harnessOptions{realClock: true, db: db, emu: emu, webhook: &delivery.Webhook{
			Listener: ln, Path: path, PublicURL: "http://" + pln.Addr().String() + path,
			Secret: "bench_secret", MaxConnections: 40,
		}})
	}
	deadline := time.Now().Add(10 * time.Second)
	for emu.Webhook() == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	benchHelp(b, emu, dbs[0])
}

// benchHelp enrols 50 supervisors, has each send /help once to warm up
// (and to learn how many messages one /help sends), then sends b.N /help
// round the chats and waits until every answer has reached the emulator.
func benchHelp(b *testing.B, emu *telegramtest.Server, db *storage.DB) {
	ctx := context.Background()
	var sent atomic.Int64
	emu.OnBotMessage(func(ev telegramtest.Event) {
		if ev.Kind == telegramtest.EventSent {
			sent.Add(1)
		}
	})
	const chats = 50
	users := make([]telegramtest.User, chats)
	for i := range users {
		name := fmt.Sprintf("主管%02d", i)
		_, inv, err := db.InviteStaff(ctx, name, domain.Roles{domain.RoleSupervisor}, 48*time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		users[i] = emu.User(int64(5000+i), name, "", "zh")
		if _, err := db.RedeemInvite(ctx, inv.Code, users[i].ID, domain.LangZH); err != nil {
			b.Fatal(err)
		}
		emu.OpenChat(users[i])
	}
	wait := func(want int64) {
		deadline := time.Now().Add(2 * time.Minute)
		for sent.Load() < want {
			if time.Now().After(deadline) {
				b.Fatalf("%d messages sent, want %d", sent.Load(), want)
			}
			time.Sleep(time.Millisecond)
		}
	}
	for _, u := range users {
		emu.SendText(u, "/help")
	}
	wait(chats)
	if err := emu.WaitIdle(ctx, 300*time.Millisecond); err != nil {
		b.Fatal(err)
	}
	perHelp := sent.Load() / chats
	if perHelp < 1 || sent.Load()%chats != 0 {
		b.Fatalf("%d messages for %d /help", sent.Load(), chats)
	}
	sent.Store(0)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		emu.SendText(users[i%chats], "/help")
	}
	wait(int64(b.N) * perHelp)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "updates/s")
	b.StopTimer()
}

package storage_test

import (
	"fmt"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

func TestDueMessages(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		reply := func(key string, chat int64) domain.OutboxMessage {
			m := msg(key, chat)
			m.Priority = domain.PriorityReply
			return m
		}
		notYet := msg("c1", 3)
		notYet.NextAttemptAt = now.Add(time.Minute)
		MustEnqueue(t, db,
			msg("a1", 1), reply("a2", 1), // a2 waits for a1 although it is urgent
			reply("b1", 2),
			notYet, reply("c2", 3), // c1 is not due and holds c2 back
			msg("d1", 4), msg("d2", 4), // d1 will be sending
			msg("e1", 5),
			msg("f1", 6), msg("f2", 6), // f1 will be sent
			msg("g1", 7), msg("g2", 7), // g1 will fail
			msg("h1", 8), msg("h2", 8), // h1 will be retried later
		)
		id := func(key string) int64 { return MustGet(t, db, key).ID }
		must(t, db.MarkSending(ctx, id("d1")))
		must(t, db.MarkSending(ctx, id("f1")))
		must(t, db.MarkSent(ctx, id("f1"), 1))
		must(t, db.MarkFailed(ctx, id("g1"), "bad request"))
		must(t, db.MarkRetry(ctx, id("h1"), now.Add(time.Second), "429"))

		for name, tc := range map[string]struct {
			limit int
			skip  []int64
			want  []string
		}{
			"OK":        {0, nil, []string{"b1", "a1", "e1", "f2", "g2"}},
			"Limit":     {2, nil, []string{"b1", "a1"}},
			"SkipChats": {0, []int64{2, 6, 99}, []string{"a1", "e1", "g2"}},
		} {
			t.Run(name, func(t *testing.T) {
				got, err := db.DueMessages(ctx, tc.limit, tc.skip)
				if err != nil || fmt.Sprint(keys(got)) != fmt.Sprint(tc.want) {
					t.Fatalf("got %v, %v; want %v", keys(got), err, tc.want)
				}
				if got[0].Text != "text of "+tc.want[0] || got[0].ID == 0 {
					t.Fatalf("message %+v", got[0])
				}
			})
		}
		t.Run("LaterOn", func(t *testing.T) {
			db.Now = func() time.Time { return now.Add(time.Minute) }
			defer fixClock(db)
			must(t, db.MarkSent(ctx, id("d1"), 2))
			got, err := db.DueMessages(ctx, 0, []int64{1, 2, 5, 6, 7})
			want := []string{"c1", "d2", "h1"}
			if err != nil || fmt.Sprint(keys(got)) != fmt.Sprint(want) {
				t.Fatalf("got %v, %v; want %v", keys(got), err, want)
			}
		})
	})
}

// loadOutbox fills db with a busy outbox: chat 1 with a history of 2,000
// finished messages, then 10,000 pending messages over 2,001 chats (chat 1
// and five each for chats 2–2001), one in seven of them a reply.
func loadOutbox(tb testing.TB, db *storage.DB) {
	tb.Helper()
	history := make([]domain.OutboxMessage, 2000)
	for i := range history {
		history[i] = msg(fmt.Sprintf("history.%d", i), 1)
	}
	MustEnqueue(tb, db, history...)
	if n, err := db.MarkChatUndeliverable(ctx, 1, "blocked"); err != nil || n != int64(len(history)) {
		tb.Fatalf("finished %d, %v", n, err)
	}
	pending := make([]domain.OutboxMessage, 10000)
	pending[0] = msg("load.0", 1)
	for i := 1; i < len(pending); i++ {
		pending[i] = msg(fmt.Sprintf("load.%d", i), int64(2+(i-1)%2000))
		if i%7 == 0 {
			pending[i].Priority = domain.PriorityReply
		}
	}
	MustEnqueue(tb, db, pending...)
}

func TestDueMessagesLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 12,000 messages")
	}
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		start := time.Now()
		loadOutbox(t, db)
		t.Logf("loaded 12,000 messages in %v", time.Since(start))

		skip := []int64{2, 3, 4, 5, 6, 7, 8, 9}
		var slowest time.Duration
		for range 5 {
			start := time.Now()
			due, err := db.DueMessages(ctx, 50, skip)
			slowest = max(slowest, time.Since(start))
			if err != nil || len(due) != 50 {
				t.Fatalf("%d due, %v", len(due), err)
			}
			seen := map[int64]bool{}
			for i, m := range due {
				if seen[m.ChatID] || slices.Contains(skip, m.ChatID) {
					t.Fatalf("message %d: chat %d again or skipped", i, m.ChatID)
				}
				seen[m.ChatID] = true
				// The heads are load.1–load.2000; the replies among them
				// (every seventh) come first.
				if i > 0 && (m.Priority > due[i-1].Priority || m.Priority == due[i-1].Priority && m.ID < due[i-1].ID) {
					t.Fatalf("message %d (%s) out of order", i, m.Key)
				}
			}
			if due[0].Key != "load.14" || due[0].Priority != domain.PriorityReply {
				t.Fatalf("first due %s", due[0].Key)
			}
		}
		t.Logf("DueMessages over 10,000 pending: slowest of 5 calls %v", slowest)
		// It takes a few milliseconds; the race detector slows SQLite (Go
		// translated from C) some fortyfold.
		limit := 50 * time.Millisecond
		if raceEnabled() {
			limit = time.Second
		}
		if slowest > limit {
			t.Errorf("DueMessages took %v, more than %v", slowest, limit)
		}
	})
}

// raceEnabled reports whether the test runs with the race detector.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

func BenchmarkDueMessages(b *testing.B) {
	for _, driver := range []string{storage.DriverSQLite, storage.DriverPostgres} {
		b.Run(driver, func(b *testing.B) {
			db := fixClock(storagetest.OpenDriver(b, driver))
			loadOutbox(b, db)
			for b.Loop() {
				if _, err := db.DueMessages(ctx, 50, []int64{2, 3}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

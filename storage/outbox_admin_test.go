package storage_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

func TestOutboxStats(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		t.Run("Empty", func(t *testing.T) {
			fixClock(db)
			if s, err := db.OutboxStats(ctx); err != nil || !reflect.DeepEqual(s, domain.OutboxStats{}) {
				t.Fatalf("%+v, %v", s, err)
			}
		})
		t.Run("OK", func(t *testing.T) {
			for i, key := range []string{"sent", "oldest", "retrying", "sending", "failed", "blocked"} {
				db.Now = func() time.Time { return now.Add(time.Duration(i) * time.Minute) }
				MustEnqueue(t, db, msg(key, int64(i+1)))
			}
			fixClock(db)
			must(t, db.MarkSending(ctx, MustGet(t, db, "sent").ID))
			must(t, db.MarkSent(ctx, MustGet(t, db, "sent").ID, 1))
			must(t, db.MarkSending(ctx, MustGet(t, db, "retrying").ID))
			must(t, db.MarkRetry(ctx, MustGet(t, db, "retrying").ID, now, "timeout"))
			must(t, db.MarkSending(ctx, MustGet(t, db, "sending").ID))
			must(t, db.MarkFailed(ctx, MustGet(t, db, "failed").ID, "bad"))
			if _, err := db.MarkChatUndeliverable(ctx, MustGet(t, db, "blocked").ChatID, "blocked"); err != nil {
				t.Fatal(err)
			}
			s, err := db.OutboxStats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			oldest := now.Add(time.Minute)
			if s.Pending != 3 || s.Retrying != 1 || s.Failed != 1 || s.Undeliverable != 1 ||
				s.OldestPending == nil || !s.OldestPending.Equal(oldest) {
				t.Fatalf("%+v (oldest %v), want oldest %v", s, s.OldestPending, oldest)
			}
		})
		t.Run("LastFailure", func(t *testing.T) {
			// The newest refusal, by when it was refused, not by id.
			MustEnqueue(t, db, msg("refused-last", 20), msg("refused-first", 21))
			at := func(m time.Duration) { db.Now = func() time.Time { return now.Add(m * time.Minute) } }
			at(10)
			must(t, db.MarkFailed(ctx, MustGet(t, db, "refused-first").ID, "Bad Request: first"))
			at(20)
			must(t, db.MarkFailed(ctx, MustGet(t, db, "refused-last").ID, "Bad Request: last"))
			fixClock(db)
			s, err := db.OutboxStats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if s.Failed != 3 || s.LastFailure != "Bad Request: last" || s.LastFailedAt == nil || !s.LastFailedAt.Equal(now.Add(20*time.Minute)) {
				t.Fatalf("%+v (last failed at %v)", s, s.LastFailedAt)
			}
		})
	})
}

func TestListOutbox(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		doc := msg("doc", 1)
		doc.FileName, doc.File = "leads.csv", []byte("name\nWang\n")
		ids := MustEnqueue(t, db, msg("one", 1), doc, msg("three", 2))
		must(t, db.MarkFailed(ctx, ids[0], "bad"))
		for name, tc := range map[string]struct {
			statuses []string
			limit    int
			want     string
		}{
			"All":      {nil, 0, "[three doc one]"},
			"Limit":    {nil, 2, "[three doc]"},
			"Statuses": {[]string{domain.OutboxFailed, domain.OutboxSent}, 10, "[one]"},
			"None":     {[]string{domain.OutboxUndeliverable}, 10, "[]"},
		} {
			t.Run(name, func(t *testing.T) {
				got, err := db.ListOutbox(ctx, tc.statuses, tc.limit)
				if err != nil || fmt.Sprint(keys(got)) != tc.want {
					t.Fatalf("got %v, %v; want %s", keys(got), err, tc.want)
				}
			})
		}
		t.Run("NoFileContents", func(t *testing.T) {
			got, err := db.ListOutbox(ctx, []string{domain.OutboxPending}, 0)
			must(t, err)
			if got[1].Key != "doc" || got[1].FileName != "leads.csv" || got[1].File != nil || got[1].Text != "text of doc" {
				t.Fatalf("%+v", got[1])
			}
			if m := MustGet(t, db, "doc"); string(m.File) != "name\nWang\n" {
				t.Fatalf("file %q", m.File)
			}
		})
	})
}

func TestPurgeOutbox(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		ids := MustEnqueue(t, db, msg("sent", 1), msg("failed", 2), msg("pending", 3))
		must(t, db.MarkSent(ctx, ids[0], 1))
		must(t, db.MarkFailed(ctx, ids[1], "bad"))
		db.Now = func() time.Time { return now.Add(time.Hour) }
		MustEnqueue(t, db, msg("sent.later", 4))
		must(t, db.MarkSent(ctx, MustGet(t, db, "sent.later").ID, 2))
		n, err := db.PurgeOutbox(ctx, now.Add(time.Minute))
		if err != nil || n != 2 {
			t.Fatalf("purged %d, %v; want 2", n, err)
		}
		list, err := db.ListOutbox(ctx, nil, 0)
		if err != nil || fmt.Sprint(keys(list)) != "[sent.later pending]" {
			t.Fatalf("left %v, %v", keys(list), err)
		}
	})
}

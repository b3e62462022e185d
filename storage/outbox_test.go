package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// msg returns a message to chat with key.
func msg(key string, chat int64) domain.OutboxMessage {
	return domain.OutboxMessage{Key: key, ChatID: chat, Text: "text of " + key}
}

// MustEnqueue stores msgs, each of which must be new, and returns their ids.
func MustEnqueue(tb testing.TB, db *storage.DB, msgs ...domain.OutboxMessage) []int64 {
	tb.Helper()
	n, err := db.Enqueue(ctx, msgs...)
	if err != nil || n != len(msgs) {
		tb.Fatalf("enqueued %d of %d: %v", n, len(msgs), err)
	}
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		if m.ID == 0 {
			tb.Fatalf("message %q got no id", m.Key)
		}
		ids[i] = m.ID
	}
	return ids
}

// MustGet returns the message stored under key.
func MustGet(tb testing.TB, db *storage.DB, key string) *domain.OutboxMessage {
	tb.Helper()
	m, err := db.OutboxByKey(ctx, key)
	if err != nil {
		tb.Fatalf("outbox %q: %v", key, err)
	}
	return m
}

// must fails the test on err.
func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// keys returns the messages' keys in order.
func keys(list []domain.OutboxMessage) []string {
	out := make([]string, len(list))
	for i, m := range list {
		out[i] = m.Key
	}
	return out
}

func TestEnqueue(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		t.Run("OK", func(t *testing.T) {
			m := domain.OutboxMessage{Key: "report:1", ChatID: -100123, StaffID: 7, Text: "<b>Report</b>",
				Markup: `{"inline_keyboard":[]}`, FileName: "report.csv", File: []byte("a,b\n1,2\n"), Priority: domain.PriorityReply,
				EditMsgID: 4711, Status: domain.OutboxSent, Attempts: 9, LastError: "ignored"}
			ids := MustEnqueue(t, db, m)
			got := MustGet(t, db, "report:1")
			want := m
			want.ID, want.Status, want.Attempts, want.LastError = ids[0], domain.OutboxPending, 0, ""
			want.NextAttemptAt, want.CreatedAt = now, now
			if fmt.Sprint(*got) != fmt.Sprint(want) || got.NextAttemptAt.Location() != time.UTC {
				t.Fatalf("got  %+v\nwant %+v", *got, want)
			}
		})
		t.Run("Photo", func(t *testing.T) {
			p := domain.OutboxMessage{Key: "chart:1", ChatID: 5, Text: "chart", FileName: "report.png", File: []byte("png"), Photo: true}
			MustEnqueue(t, db, p)
			if got := MustGet(t, db, "chart:1"); !got.Photo || string(got.File) != "png" {
				t.Fatalf("photo read back as %+v", got)
			}
			if got := MustGet(t, db, "report:1"); got.Photo {
				t.Fatal("a document read back as a photo")
			}
			_, err := db.Enqueue(ctx, domain.OutboxMessage{Key: "chart:2", ChatID: 5, Text: "no file", Photo: true})
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("photo without a file: %v", err)
			}
		})
		t.Run("EditMsgIDListed", func(t *testing.T) {
			edit := msg("edit:1", 9)
			edit.EditMsgID = 321
			MustEnqueue(t, db, edit)
			due, err := db.DueMessages(ctx, 0, nil)
			must(t, err)
			if i := slices.IndexFunc(due, func(m domain.OutboxMessage) bool { return m.Key == "edit:1" }); i < 0 || due[i].EditMsgID != 321 {
				t.Fatalf("due messages %+v", due)
			}
			list, err := db.ListOutbox(ctx, nil, 1)
			must(t, err)
			if len(list) != 1 || list[0].Key != "edit:1" || list[0].EditMsgID != 321 {
				t.Fatalf("listed %+v", list)
			}
		})
		t.Run("Later", func(t *testing.T) {
			later := msg("later", 1)
			later.NextAttemptAt = now.Add(time.Hour).In(time.FixedZone("CST", 8*3600))
			past := msg("past", 1)
			past.NextAttemptAt = now.Add(-time.Hour)
			MustEnqueue(t, db, later, past)
			if got := MustGet(t, db, "later").NextAttemptAt; !got.Equal(now.Add(time.Hour)) {
				t.Fatalf("later is due at %v", got)
			}
			if got := MustGet(t, db, "past").NextAttemptAt; !got.Equal(now) {
				t.Fatalf("past is due at %v, want now", got)
			}
		})
		t.Run("DedupByKey", func(t *testing.T) {
			MustEnqueue(t, db, msg("dup", 1))
			second := msg("dup", 2)
			second.Text = "second"
			batch := []domain.OutboxMessage{msg("dup.new", 1), second, msg("dup.new", 3)}
			n, err := db.Enqueue(ctx, batch...)
			if err != nil || n != 1 {
				t.Fatalf("enqueued %d, %v; want 1", n, err)
			}
			if batch[0].ID == 0 || batch[1].ID != 0 || batch[2].ID != 0 {
				t.Fatalf("ids %d %d %d: want only the first set", batch[0].ID, batch[1].ID, batch[2].ID)
			}
			if got := MustGet(t, db, "dup"); got.ChatID != 1 || got.Text != "text of dup" {
				t.Fatalf("the first write is not kept: %+v", got)
			}
			if got := MustGet(t, db, "dup.new"); got.ChatID != 1 {
				t.Fatalf("the first of a batch is not kept: %+v", got)
			}
		})
		t.Run("DedupConcurrent", func(t *testing.T) {
			const writers = 10
			var wg sync.WaitGroup
			ns := make([]int, writers)
			errs := make([]error, writers)
			for i := range writers {
				wg.Go(func() {
					errs[i] = db.InTx(ctx, func(ctx context.Context) (err error) {
						ns[i], err = db.Enqueue(ctx, msg("race", int64(i+1)), msg(fmt.Sprintf("race.%d", i), 1))
						return err
					})
				})
			}
			wg.Wait()
			total := 0
			for i := range writers {
				if errs[i] != nil {
					t.Fatalf("writer %d: %v", i, errs[i])
				}
				total += ns[i]
			}
			if total != writers+1 {
				t.Fatalf("%d messages enqueued, want %d", total, writers+1)
			}
			list, err := db.ListOutbox(ctx, nil, 0)
			must(t, err)
			if n := countKey(list, "race"); n != 1 {
				t.Fatalf("%d rows with key race", n)
			}
		})
		t.Run("RollbackKeepsNothing", func(t *testing.T) {
			err := db.InTx(ctx, func(ctx context.Context) error {
				if n, err := db.Enqueue(ctx, msg("ghost", 1)); err != nil || n != 1 {
					t.Errorf("enqueued %d, %v", n, err)
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatal(err)
			}
			_, err = db.OutboxByKey(ctx, "ghost")
			AssertError(t, err, domain.ENOTFOUND, "")
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for name, m := range map[string]domain.OutboxMessage{
				"NoKey":     {ChatID: 1, Text: "x"},
				"NoChat":    {Key: "k", Text: "x"},
				"NoContent": {Key: "k", ChatID: 1},
			} {
				t.Run(name, func(t *testing.T) {
					n, err := db.Enqueue(ctx, msg("valid", 1), m)
					AssertError(t, err, domain.EINVALID, "err.invalid")
					if n != 0 {
						t.Fatalf("enqueued %d", n)
					}
				})
			}
			if _, err := db.OutboxByKey(ctx, "valid"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("a batch with an invalid message was partly stored: %v", err)
			}
		})
		t.Run("None", func(t *testing.T) {
			if n, err := db.Enqueue(ctx); err != nil || n != 0 {
				t.Fatalf("%d, %v", n, err)
			}
		})
	})
}

// countKey counts the messages with key.
func countKey(list []domain.OutboxMessage, key string) int {
	n := 0
	for _, m := range list {
		if m.Key == key {
			n++
		}
	}
	return n
}

func TestOutboxTransitions(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		t.Run("OK", func(t *testing.T) {
			id := MustEnqueue(t, db, msg("life", 1))[0]
			must(t, db.MarkSending(ctx, id))
			AssertError(t, db.MarkSending(ctx, id), domain.ECONFLICT, "err.conflict")
			next := now.Add(30 * time.Second)
			must(t, db.MarkRetry(ctx, id, next, "429 Too Many Requests"))
			m := MustGet(t, db, "life")
			if m.Status != domain.OutboxPending || m.Attempts != 1 || !m.NextAttemptAt.Equal(next) || m.LastError != "429 Too Many Requests" {
				t.Fatalf("after retry %+v", m)
			}
			must(t, db.MarkSending(ctx, id))
			db.Now = func() time.Time { return next }
			defer fixClock(db)
			for range 2 { // idempotent
				must(t, db.MarkSent(ctx, id, 4242))
			}
			m = MustGet(t, db, "life")
			if m.Status != domain.OutboxSent || m.Attempts != 2 || m.SentAt == nil || !m.SentAt.Equal(next) || m.TelegramMsgID != 4242 {
				t.Fatalf("after sent %+v", m)
			}
			AssertError(t, db.MarkRetry(ctx, id, next, "x"), domain.ECONFLICT, "")
			AssertError(t, db.MarkFailed(ctx, id, "x"), domain.ECONFLICT, "")
			AssertError(t, db.MarkSending(ctx, id), domain.ECONFLICT, "")
		})
		t.Run("Failed", func(t *testing.T) {
			id := MustEnqueue(t, db, msg("bad", 1))[0]
			must(t, db.MarkSending(ctx, id))
			for range 2 { // idempotent
				must(t, db.MarkFailed(ctx, id, "400 Bad Request: can't parse entities"))
			}
			if m := MustGet(t, db, "bad"); m.Status != domain.OutboxFailed || m.LastError != "400 Bad Request: can't parse entities" {
				t.Fatalf("%+v", m)
			}
			AssertError(t, db.MarkSending(ctx, id), domain.ECONFLICT, "")
			AssertError(t, db.MarkRetry(ctx, id, now, "x"), domain.ECONFLICT, "")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			AssertError(t, db.MarkSending(ctx, 999), domain.ENOTFOUND, "err.not_found")
			AssertError(t, db.MarkSent(ctx, 999, 1), domain.ENOTFOUND, "")
			AssertError(t, db.MarkRetry(ctx, 999, now, ""), domain.ENOTFOUND, "")
			AssertError(t, db.MarkFailed(ctx, 999, ""), domain.ENOTFOUND, "")
			_, err := db.OutboxByKey(ctx, "nope")
			AssertError(t, err, domain.ENOTFOUND, "err.not_found")
		})
		t.Run("RollbackUndoesSending", func(t *testing.T) {
			id := MustEnqueue(t, db, msg("undo", 1))[0]
			err := db.InTx(ctx, func(ctx context.Context) error {
				must(t, db.MarkSending(ctx, id))
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatal(err)
			}
			if m := MustGet(t, db, "undo"); m.Status != domain.OutboxPending || m.Attempts != 0 {
				t.Fatalf("%+v", m)
			}
		})
	})
}

func TestMarkChatUndeliverable(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		ids := MustEnqueue(t, db, msg("sent", 1), msg("sending", 1), msg("pending", 1), msg("other", 2))
		must(t, db.MarkSending(ctx, ids[0]))
		must(t, db.MarkSent(ctx, ids[0], 1))
		must(t, db.MarkSending(ctx, ids[1]))
		n, err := db.MarkChatUndeliverable(ctx, 1, "403 Forbidden: bot was blocked by the user")
		if err != nil || n != 2 {
			t.Fatalf("%d, %v; want 2", n, err)
		}
		for key, want := range map[string]string{"sent": domain.OutboxSent, "sending": domain.OutboxUndeliverable,
			"pending": domain.OutboxUndeliverable, "other": domain.OutboxPending} {
			if m := MustGet(t, db, key); m.Status != want {
				t.Errorf("%s is %s, want %s", key, m.Status, want)
			}
		}
		if m := MustGet(t, db, "pending"); m.LastError != "403 Forbidden: bot was blocked by the user" {
			t.Errorf("last error %q", m.LastError)
		}
		// The message in flight was accepted after all: Telegram's word wins.
		must(t, db.MarkSent(ctx, ids[1], 2))
		AssertError(t, db.MarkRetry(ctx, ids[2], now, "x"), domain.ECONFLICT, "")
		if due, err := db.DueMessages(ctx, 0, nil); err != nil || fmt.Sprint(keys(due)) != "[other]" {
			t.Fatalf("due %v, %v", keys(due), err)
		}
	})
}

func TestRecoverSending(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		ids := MustEnqueue(t, db, msg("a", 1), msg("b", 2), msg("c", 3))
		must(t, db.MarkSending(ctx, ids[0]))
		must(t, db.MarkSending(ctx, ids[1]))
		n, err := db.RecoverSending(ctx)
		if err != nil || n != 2 {
			t.Fatalf("%d, %v; want 2", n, err)
		}
		due, err := db.DueMessages(ctx, 0, nil)
		if err != nil || fmt.Sprint(keys(due)) != "[a b c]" {
			t.Fatalf("due %v, %v", keys(due), err)
		}
		if due[0].Attempts != 1 {
			t.Fatalf("attempts %d, want the one in doubt counted", due[0].Attempts)
		}
		if n, err := db.RecoverSending(ctx); err != nil || n != 0 {
			t.Fatalf("again: %d, %v", n, err)
		}
	})
}

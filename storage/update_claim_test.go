package storage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

func TestSaveUpdate(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		u := domain.InboundUpdate{ID: 7, ChatID: 70, Raw: []byte(`{"update_id":7}`)}
		for i, want := range []bool{true, false} {
			stored, err := db.SaveUpdate(ctx, u)
			if err != nil || stored != want {
				t.Fatalf("delivery %d: stored %v, %v; want %v", i+1, stored, err, want)
			}
		}
		if got := pendingIDs(t, db); fmt.Sprint(got) != "[7]" {
			t.Fatalf("pending %v", got)
		}
		if off, _ := db.UpdateOffset(ctx); off != 0 {
			t.Errorf("a webhook update moved the poller's offset to %d", off)
		}
	})
}

// TestClaimChatHead: a chat's updates are claimed oldest first, one at a
// time: while the head is held by an open transaction nothing of that chat
// is claimed, and another chat is not held up.
func TestClaimChatHead(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		for _, u := range []domain.InboundUpdate{{ID: 1, ChatID: 5}, {ID: 2, ChatID: 6}, {ID: 3, ChatID: 5}} {
			if _, err := db.SaveUpdate(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		chats, err := db.PendingChats(ctx)
		if err != nil || fmt.Sprint(chats) != "[5 6]" {
			t.Fatalf("pending chats %v, %v", chats, err)
		}
		claim := func(ctx context.Context, chat int64) (int64, bool) {
			t.Helper()
			u, ok, busy, err := db.ClaimChatHead(ctx, chat)
			if err != nil {
				t.Fatal(err)
			}
			return u.ID, busy && !ok
		}
		if db.Driver() == storage.DriverPostgres {
			// A transaction holds chat 5's head: a second finds the chat busy,
			// not update 3, and chat 6 is free.
			release := make(chan struct{})
			held := make(chan int64)
			done := make(chan error)
			go func() {
				done <- db.InTx(ctx, func(tx context.Context) error {
					u, _, _, err := db.ClaimChatHead(tx, 5)
					held <- u.ID
					<-release
					return err
				})
			}()
			if id := <-held; id != 1 {
				t.Fatalf("first claim took %d", id)
			}
			if id, busy := claim(ctx, 5); id != 0 || !busy {
				t.Errorf("while update 1 is held: claimed %d, busy %v", id, busy)
			}
			if id, _ := claim(ctx, 6); id != 2 {
				t.Errorf("chat 6 claimed %d", id)
			}
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		} else {
			for _, want := range [][2]int64{{5, 1}, {6, 2}} {
				if id, _ := claim(ctx, want[0]); id != want[1] {
					t.Fatalf("chat %d claimed %d", want[0], id)
				}
			}
		}
		// A rolled-back claim leaves the update to claim again.
		errRollback := errors.New("rollback")
		_ = db.InTx(ctx, func(tx context.Context) error {
			if id, _ := claim(tx, 5); id != 3 {
				t.Errorf("chat 5 claimed %d", id)
			}
			return errRollback
		})
		if id, _ := claim(ctx, 5); id != 3 {
			t.Errorf("after rollback chat 5 claimed %d", id)
		}
		if id, busy := claim(ctx, 5); id != 0 || busy {
			t.Errorf("empty chat: claimed %d, busy %v", id, busy)
		}
	})
}

// TestPollerLease: a live lease is refused to another owner with the
// holder's name; its holder renews it; once expired anyone takes it.
func TestPollerLease(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		now := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		if err := db.AcquireLease(ctx, "poller", "host-a/pid 1", 15*time.Second); err != nil {
			t.Fatal(err)
		}
		err := db.AcquireLease(ctx, "poller", "host-b/pid 2", 15*time.Second)
		if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), "host-a/pid 1") {
			t.Fatalf("second owner: %v", err)
		}
		now = now.Add(10 * time.Second)
		if err := db.AcquireLease(ctx, "poller", "host-a/pid 1", 15*time.Second); err != nil {
			t.Fatalf("renew: %v", err)
		}
		now = now.Add(14 * time.Second)
		if err := db.AcquireLease(ctx, "poller", "host-b/pid 2", 15*time.Second); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("renewed lease taken: %v", err)
		}
		now = now.Add(2 * time.Second)
		if err := db.AcquireLease(ctx, "poller", "host-b/pid 2", 15*time.Second); err != nil {
			t.Fatalf("expired lease: %v", err)
		}
		if err := db.ReleaseLease(ctx, "poller", "host-b/pid 2"); err != nil {
			t.Fatal(err)
		}
		if err := db.AcquireLease(ctx, "poller", "host-a/pid 1", 15*time.Second); err != nil {
			t.Fatalf("released lease: %v", err)
		}
	})
}

package storage_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// assertBlocked fails unless chat's recorded flag is want.
func assertBlocked(tb testing.TB, db *storage.DB, chat int64, want bool) {
	tb.Helper()
	if got, err := db.ChatBlocked(ctx, chat); err != nil || got != want {
		tb.Fatalf("chat %d blocked %v, %v; want %v", chat, got, err, want)
	}
}

func TestSetChatBlocked(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		t.Run("Unknown", func(t *testing.T) {
			assertBlocked(t, db, 1, false)
			if ids, err := db.BlockedChats(ctx); err != nil || len(ids) != 0 || ids == nil {
				t.Fatalf("%#v, %v; want an empty list", ids, err)
			}
		})
		t.Run("OK", func(t *testing.T) {
			for i, step := range []struct{ blocked, changed bool }{
				{false, false}, // a chat never heard of is not blocked
				{true, true},
				{true, false},
				{false, true},
				{false, false},
				{true, true},
			} {
				changed, err := db.SetChatBlocked(ctx, 5, step.blocked)
				if err != nil || changed != step.changed {
					t.Fatalf("step %d: set %v: changed %v, %v; want %v", i, step.blocked, changed, err, step.changed)
				}
				assertBlocked(t, db, 5, step.blocked)
			}
		})
		t.Run("BlockedChats", func(t *testing.T) {
			for _, chat := range []int64{-1001, 9, 3} {
				if _, err := db.SetChatBlocked(ctx, chat, true); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.SetChatBlocked(ctx, 9, false); err != nil {
				t.Fatal(err)
			}
			if ids, err := db.BlockedChats(ctx); err != nil || fmt.Sprint(ids) != "[-1001 3 5]" {
				t.Fatalf("%v, %v", ids, err)
			}
		})
		t.Run("Concurrent", func(t *testing.T) {
			const writers = 10
			var wg sync.WaitGroup
			changed := make([]bool, writers)
			errs := make([]error, writers)
			for i := range writers {
				wg.Go(func() { changed[i], errs[i] = db.SetChatBlocked(ctx, 77, true) })
			}
			wg.Wait()
			n := 0
			for i := range writers {
				if errs[i] != nil {
					t.Fatalf("writer %d: %v", i, errs[i])
				}
				if changed[i] {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d writers saw the change, want 1", n)
			}
		})
		t.Run("ErrZero", func(t *testing.T) {
			_, err := db.SetChatBlocked(ctx, 0, true)
			AssertError(t, err, domain.EINVALID, "err.invalid")
		})
	})
}

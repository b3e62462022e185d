package storage_test

import (
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

func TestCallbackData(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		t.Run("OK", func(t *testing.T) {
			long := "lead:assign:" + strings.Repeat("报价", 81) + "end" // 12 + 486 + 3 bytes
			if len(long) < 500 {
				t.Fatalf("test data is %d bytes", len(long))
			}
			id, err := db.SaveCallbackData(ctx, long)
			if err != nil || id == 0 {
				t.Fatalf("%d, %v", id, err)
			}
			id2, err := db.SaveCallbackData(ctx, long)
			if err != nil || id2 == id {
				t.Fatalf("second id %d, %v; want a new one", id2, err)
			}
			if got, err := db.CallbackData(ctx, id); err != nil || got != long {
				t.Fatalf("got %q, %v", got, err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := db.CallbackData(ctx, 12345)
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		})
		t.Run("ErrEmpty", func(t *testing.T) {
			_, err := db.SaveCallbackData(ctx, "")
			AssertError(t, err, domain.EINVALID, "err.invalid")
		})
		t.Run("Purge", func(t *testing.T) {
			old, err := db.SaveCallbackData(ctx, "old")
			if err != nil {
				t.Fatal(err)
			}
			db.Now = func() time.Time { return now.Add(time.Hour) }
			defer fixClock(db)
			fresh, err := db.SaveCallbackData(ctx, "fresh")
			if err != nil {
				t.Fatal(err)
			}
			if n, err := db.PurgeCallbackData(ctx, now.Add(time.Minute)); err != nil || n != 3 {
				t.Fatalf("purged %d, %v; want 3", n, err)
			}
			_, err = db.CallbackData(ctx, old)
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
			if got, err := db.CallbackData(ctx, fresh); err != nil || got != "fresh" {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	})
}

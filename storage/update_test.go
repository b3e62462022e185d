package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// inbound returns updates with the given ids, each with a raw body naming
// its id and tag.
func inbound(tag string, ids ...int64) []domain.InboundUpdate {
	ups := make([]domain.InboundUpdate, len(ids))
	for i, id := range ids {
		ups[i] = domain.InboundUpdate{ID: id, ChatID: 1000 + id, Raw: fmt.Appendf(nil, `{"update_id":%d,"tag":%q}`, id, tag)}
	}
	return ups
}

// MustSaveUpdates saves updates with the given ids and the offset after
// the last.
func MustSaveUpdates(tb testing.TB, db *storage.DB, ids ...int64) {
	tb.Helper()
	if err := db.SaveUpdates(ctx, inbound("", ids...), ids[len(ids)-1]+1); err != nil {
		tb.Fatal(err)
	}
}

// pendingIDs returns the ids of the pending updates, in order.
func pendingIDs(tb testing.TB, db *storage.DB) []int64 {
	tb.Helper()
	ups, err := db.PendingUpdates(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	ids := []int64{}
	for _, u := range ups {
		ids = append(ids, u.ID)
	}
	return ids
}

func TestSaveUpdates(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		t.Run("Unset", func(t *testing.T) {
			if off, err := db.UpdateOffset(ctx); err != nil || off != 0 {
				t.Fatalf("offset %d, %v", off, err)
			}
			if at, ok, err := db.LastUpdateAt(ctx); err != nil || ok {
				t.Fatalf("last update at %v, %v, %v", at, ok, err)
			}
		})
		t.Run("OK", func(t *testing.T) {
			if err := db.SaveUpdates(ctx, inbound("first", 10, 11), 12); err != nil {
				t.Fatal(err)
			}
			// Telegram was not told: the batch comes again, with one more.
			if err := db.SaveUpdates(ctx, inbound("again", 11, 12), 13); err != nil {
				t.Fatal(err)
			}
			ups, err := db.PendingUpdates(ctx)
			if err != nil || len(ups) != 3 {
				t.Fatalf("pending %+v, %v", ups, err)
			}
			// The first copy of update 11 is kept.
			want := append(inbound("first", 10, 11), inbound("again", 12)...)
			for i, u := range ups {
				w := want[i]
				if u.ID != w.ID || u.ChatID != w.ChatID || string(u.Raw) != string(w.Raw) ||
					!u.ReceivedAt.Equal(now) || u.AppliedAt != nil {
					t.Fatalf("update %d: %+v (raw %s), want %s", i, u, u.Raw, w.Raw)
				}
			}
			if off, err := db.UpdateOffset(ctx); err != nil || off != 13 {
				t.Fatalf("offset %d, %v", off, err)
			}
			if at, ok, err := db.LastUpdateAt(ctx); err != nil || !ok || !at.Equal(now) || at.Location() != time.UTC {
				t.Fatalf("last update at %v, %v, %v", at, ok, err)
			}
		})
		t.Run("EmptyMovesOffsetOnly", func(t *testing.T) {
			later := now.Add(time.Minute)
			db.Now = func() time.Time { return later }
			defer fixClock(db)
			if err := db.SaveUpdates(ctx, nil, 20); err != nil {
				t.Fatal(err)
			}
			if off, err := db.UpdateOffset(ctx); err != nil || off != 20 {
				t.Fatalf("offset %d, %v", off, err)
			}
			if at, _, err := db.LastUpdateAt(ctx); err != nil || !at.Equal(now) {
				t.Fatalf("last update at %v, %v; want unchanged %v", at, err, now)
			}
		})
		t.Run("NoRaw", func(t *testing.T) {
			if err := db.SaveUpdates(ctx, []domain.InboundUpdate{{ID: 15}}, 20); err != nil {
				t.Fatal(err)
			}
			if ok, err := db.ClaimUpdate(ctx, 15); err != nil || !ok {
				t.Fatalf("claim: %v, %v", ok, err)
			}
		})
		t.Run("RollbackKeepsNothing", func(t *testing.T) {
			err := db.InTx(ctx, func(ctx context.Context) error {
				if err := db.SaveUpdates(ctx, inbound("", 30), 31); err != nil {
					return err
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatal(err)
			}
			if off, _ := db.UpdateOffset(ctx); off != 20 {
				t.Fatalf("offset %d, want 20", off)
			}
			if ids := pendingIDs(t, db); len(ids) != 3 {
				t.Fatalf("pending %v", ids)
			}
		})
	})
}

func TestClaimUpdate(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		MustSaveUpdates(t, db, 1, 2, 3, 4, 5)
		t.Run("OK", func(t *testing.T) {
			for i, want := range []bool{true, false} {
				var got bool
				err := db.InTx(ctx, func(ctx context.Context) (err error) {
					got, err = db.ClaimUpdate(ctx, 1)
					return err
				})
				if err != nil || got != want {
					t.Fatalf("claim %d: %v, %v; want %v", i+1, got, err, want)
				}
			}
			if ids := pendingIDs(t, db); fmt.Sprint(ids) != "[2 3 4 5]" {
				t.Fatalf("pending %v", ids)
			}
		})
		t.Run("RollbackUndoesClaim", func(t *testing.T) {
			err := db.InTx(ctx, func(ctx context.Context) error {
				if ok, err := db.ClaimUpdate(ctx, 2); err != nil || !ok {
					t.Errorf("claim in tx: %v, %v", ok, err)
				}
				if err := db.SetState(ctx, "effect.2", "1"); err != nil {
					return err
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatal(err)
			}
			assertNoState(t, db, "effect.2")
			if ids := pendingIDs(t, db); fmt.Sprint(ids) != "[2 3 4 5]" {
				t.Fatalf("pending %v", ids)
			}
			if ok, err := db.ClaimUpdate(ctx, 2); err != nil || !ok {
				t.Fatalf("claim after rollback: %v, %v", ok, err)
			}
		})
		t.Run("Concurrent", func(t *testing.T) {
			const claimers = 10
			var wg sync.WaitGroup
			won := make([]bool, claimers)
			errs := make([]error, claimers)
			for i := range claimers {
				wg.Go(func() {
					errs[i] = db.InTx(ctx, func(ctx context.Context) (err error) {
						won[i], err = db.ClaimUpdate(ctx, 3)
						if err == nil && won[i] {
							time.Sleep(5 * time.Millisecond) // hold the claim a moment
						}
						return err
					})
				})
			}
			wg.Wait()
			winners := 0
			for i := range claimers {
				if errs[i] != nil {
					t.Fatalf("claimer %d: %v", i, errs[i])
				}
				if won[i] {
					winners++
				}
			}
			if winners != 1 {
				t.Fatalf("%d claimers got the update, want 1", winners)
			}
		})
		t.Run("MarkApplied", func(t *testing.T) {
			for range 2 { // idempotent
				if err := db.MarkUpdateApplied(ctx, 4); err != nil {
					t.Fatal(err)
				}
			}
			if ok, err := db.ClaimUpdate(ctx, 4); err != nil || ok {
				t.Fatalf("claim of an applied update: %v, %v", ok, err)
			}
			if ids := pendingIDs(t, db); fmt.Sprint(ids) != "[5]" {
				t.Fatalf("pending %v", ids)
			}
		})
		t.Run("ErrUnknown", func(t *testing.T) {
			ok, err := db.ClaimUpdate(ctx, 99)
			AssertError(t, err, domain.ENOTFOUND, "")
			if ok {
				t.Fatal("claimed an unknown update")
			}
			AssertError(t, db.MarkUpdateApplied(ctx, 99), domain.ENOTFOUND, "")
		})
	})
}

func TestPurgeUpdates(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		MustSaveUpdates(t, db, 1, 2, 3)
		if err := db.MarkUpdateApplied(ctx, 1); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return now.Add(time.Hour) }
		if err := db.MarkUpdateApplied(ctx, 2); err != nil {
			t.Fatal(err)
		}
		n, err := db.PurgeUpdates(ctx, now.Add(time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("purged %d, %v; want 1", n, err)
		}
		// Update 2, applied later, and update 3, never applied, stay.
		if ok, err := db.ClaimUpdate(ctx, 2); err != nil || ok {
			t.Fatalf("claim 2: %v, %v", ok, err)
		}
		if _, err := db.ClaimUpdate(ctx, 1); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("claim of purged 1: %v", err)
		}
		if ids := pendingIDs(t, db); fmt.Sprint(ids) != "[3]" {
			t.Fatalf("pending %v", ids)
		}
	})
}

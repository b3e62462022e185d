package storage_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

var errBoom = errors.New("boom")

// assertNoStaff fails if a member named name exists.
func assertNoStaff(tb testing.TB, db *storage.DB, name string) {
	tb.Helper()
	_, err := db.StaffByName(ctx, 1, name)
	AssertError(tb, err, domain.ENOTFOUND, "err.staff_not_found")
}

// assertNoState fails if key holds a value.
func assertNoState(tb testing.TB, db *storage.DB, key string) {
	tb.Helper()
	if v, ok, err := db.GetState(ctx, key); err != nil || ok {
		tb.Fatalf("state %q = %q, %v, %v; want none", key, v, ok, err)
	}
}

func TestInTx(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		t.Run("OK", func(t *testing.T) {
			err := db.InTx(ctx, func(ctx context.Context) error {
				if err := db.CreateStaff(ctx, &domain.Staff{Name: "Committed", Roles: domain.Roles{domain.RoleGM}}); err != nil {
					return err
				}
				if err := db.SetState(ctx, "tx.ok", "1"); err != nil {
					return err
				}
				// The transaction sees its own writes.
				_, err := db.StaffByName(ctx, 1, "Committed")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.StaffByName(ctx, 1, "Committed"); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ErrRollback", func(t *testing.T) {
			err := db.InTx(ctx, func(ctx context.Context) error {
				if err := db.CreateStaff(ctx, &domain.Staff{Name: "Ghost", Roles: domain.Roles{domain.RoleGM}}); err != nil {
					return err
				}
				if _, _, err := db.InviteStaff(ctx, "Ghost2", domain.Roles{domain.RoleGM}, time.Hour); err != nil {
					return err
				}
				if err := db.SetState(ctx, "tx.rollback", "1"); err != nil {
					return err
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatalf("got %v, want %v", err, errBoom)
			}
			assertNoStaff(t, db, "Ghost")
			assertNoStaff(t, db, "Ghost2")
			assertNoState(t, db, "tx.rollback")
		})
		t.Run("ErrPanic", func(t *testing.T) {
			defer func() {
				if p := recover(); p != "oops" {
					t.Fatalf("recovered %v, want the panic to go on", p)
				}
				assertNoState(t, db, "tx.panic")
			}()
			_ = db.InTx(ctx, func(ctx context.Context) error {
				if err := db.SetState(ctx, "tx.panic", "1"); err != nil {
					return err
				}
				panic("oops")
			})
		})
		t.Run("NestedReusesOuter", func(t *testing.T) {
			err := db.InTx(ctx, func(ctx context.Context) error {
				if err := db.InTx(ctx, func(ctx context.Context) error {
					return db.SetState(ctx, "tx.nested", "1")
				}); err != nil {
					return err
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatalf("got %v", err)
			}
			assertNoState(t, db, "tx.nested")
		})
		t.Run("RetrySerializationFailure", func(t *testing.T) {
			calls := 0
			err := db.InTx(ctx, func(ctx context.Context) error {
				calls++
				if err := db.SetState(ctx, "tx.retry", strconv.Itoa(calls)); err != nil {
					return err
				}
				if calls < 3 {
					return fmt.Errorf("update: %w", &pgconn.PgError{Code: "40001"})
				}
				return nil
			})
			if err != nil || calls != 3 {
				t.Fatalf("got %v after %d calls", err, calls)
			}
			if v, _, _ := db.GetState(ctx, "tx.retry"); v != "3" {
				t.Fatalf("state %q, want the third attempt's", v)
			}
		})
		t.Run("ErrRetriesExhausted", func(t *testing.T) {
			calls := 0
			err := db.InTx(ctx, func(ctx context.Context) error {
				calls++
				return &pgconn.PgError{Code: "40P01"}
			})
			AssertError(t, err, domain.EUNAVAILABLE, "err.unavailable")
			if calls != 5 {
				t.Fatalf("%d calls, want 5", calls)
			}
			if msg := domain.ErrorMessage(err); msg != "database busy, try again" {
				t.Fatalf("message %q", msg)
			}
		})
		t.Run("ErrNotRetried", func(t *testing.T) {
			calls := 0
			err := db.InTx(ctx, func(ctx context.Context) error {
				calls++
				return db.CreateStaff(ctx, &domain.Staff{Name: "Committed", Roles: domain.Roles{domain.RoleGM}})
			})
			AssertError(t, err, domain.ECONFLICT, "err.staff_exists")
			if calls != 1 {
				t.Fatalf("%d calls, want 1", calls)
			}
		})
		t.Run("ConcurrentWriters", func(t *testing.T) {
			const writers, writes = 8, 25
			var wg sync.WaitGroup
			errs := make(chan error, writers*writes)
			for w := range writers {
				wg.Go(func() {
					key := fmt.Sprintf("writer.%d", w)
					for i := range writes {
						errs <- db.InTx(ctx, func(ctx context.Context) error {
							v, _, err := db.GetState(ctx, key)
							if err != nil {
								return err
							}
							n, _ := strconv.Atoi(v)
							if n != i {
								return fmt.Errorf("%s: read %d, want %d", key, n, i)
							}
							return db.SetState(ctx, key, strconv.Itoa(n+1))
						})
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			for w := range writers {
				if v, _, _ := db.GetState(ctx, fmt.Sprintf("writer.%d", w)); v != strconv.Itoa(writes) {
					t.Errorf("writer %d: state %q, want %d", w, v, writes)
				}
			}
		})
	})
}

// TestInTxBusy holds SQLite's write lock in one store and writes through a
// second store on the same file, which gives up after its retries.
func TestInTxBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	holder, err := storage.Open(storage.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if err := holder.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	other, err := storage.Open(storage.Config{Path: path, BusyTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	locked, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- holder.InTx(ctx, func(ctx context.Context) error {
			if err := holder.SetState(ctx, "held", "1"); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked

	t.Run("ErrUnavailable", func(t *testing.T) {
		AssertError(t, other.SetState(ctx, "k", "v"), domain.EUNAVAILABLE, "err.unavailable")
	})
	t.Run("ReadersGoOn", func(t *testing.T) {
		assertNoState(t, other, "held") // WAL: readers see the last commit
	})
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Run("OKAfterRelease", func(t *testing.T) {
		if err := other.SetState(ctx, "k", "v"); err != nil {
			t.Fatal(err)
		}
	})
}

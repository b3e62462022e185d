package storage_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

func TestMigrate(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		t.Run("TwiceIsNoOp", func(t *testing.T) {
			s := MustCreateStaff(t, db, "Kept")
			for range 2 {
				if err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if v, err := db.SchemaVersion(ctx); err != nil || v != 2 {
				t.Fatalf("version %d, %v", v, err)
			}
			if got, err := db.StaffByID(ctx, s.ID); err != nil || got.Name != "Kept" {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	})
}

// openSQLite opens, without migrating, a store on a new file.
func openSQLite(tb testing.TB) (*storage.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "m.db")
	db, err := storage.Open(storage.Config{Path: path})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, path
}

func TestMigrateSQLite(t *testing.T) {
	t.Run("Unmigrated", func(t *testing.T) {
		db, _ := openSQLite(t)
		if v, err := db.SchemaVersion(ctx); err != nil || v != 0 {
			t.Fatalf("version %d, %v", v, err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		_, path := openSQLite(t)
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			db, err := storage.Open(storage.Config{Path: path})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			wg.Go(func() { errs[i] = db.Migrate(ctx) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("ErrNewerSchema", func(t *testing.T) {
		db, path := openSQLite(t)
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		raw, err := gorm.Open(sqlite.Open(path), &gorm.Config{Logger: logger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		if err := raw.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (999, ?)", now).Error; err != nil {
			t.Fatal(err)
		}
		if sqlDB, err := raw.DB(); err == nil {
			sqlDB.Close()
		}
		if err := db.Migrate(ctx); err == nil {
			t.Fatal("migrated a database of a newer program")
		}
	})
}

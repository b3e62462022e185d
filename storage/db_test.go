package storage_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dealerbot/dealerbot/storage"
)

func TestOpen(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "new", "dir", "bot.db")
		db, err := storage.Open(storage.Config{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if db.Driver() != storage.DriverSQLite || db.Now == nil {
			t.Fatalf("driver %q, Now set %v", db.Driver(), db.Now != nil)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.SetState(ctx, "k", "v"); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path + "-wal"); err != nil {
			t.Fatalf("no write-ahead log: %v", err)
		}
	})
	for name, tc := range map[string]struct {
		cfg  storage.Config
		want string
	}{
		"ErrUnknownDriver": {storage.Config{Driver: "mysql"}, "unknown driver"},
		"ErrNoPath":        {storage.Config{}, "path is empty"},
		"ErrMemory":        {storage.Config{Path: ":memory:"}, "in-memory"},
		"ErrNoDSN":         {storage.Config{Driver: storage.DriverPostgres}, "DSN is empty"},
		"ErrUnreachable": {storage.Config{Driver: storage.DriverPostgres,
			DSN: "host=127.0.0.1 port=1 user=nobody dbname=none sslmode=disable connect_timeout=2"}, "open postgres"},
	} {
		t.Run(name, func(t *testing.T) {
			db, err := storage.Open(tc.cfg)
			if err == nil {
				db.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

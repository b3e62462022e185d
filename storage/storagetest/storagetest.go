// Package storagetest opens migrated stores for tests: a SQLite file in the
// test's temporary directory and, when DEALERBOT_TEST_POSTGRES_DSN names a
// server, a PostgreSQL database of its own, copied from a migrated template
// (template.go), that is dropped afterwards.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
)

// PostgresDSNEnv names the environment variable holding the DSN of a
// PostgreSQL database the tests may create schemas in, e.g.
// "host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable".
const PostgresDSNEnv = "DEALERBOT_TEST_POSTGRES_DSN"

// Open returns a migrated SQLite store in a file under tb.TempDir(); it is
// closed when the test ends.
func Open(tb testing.TB) *storage.DB {
	tb.Helper()
	return OpenDriver(tb, storage.DriverSQLite)
}

// OpenDriver returns a migrated store on driver, closed when the test ends.
// For "postgres" it skips the test when PostgresDSNEnv is unset, and fails
// it when the server named there cannot be reached.
func OpenDriver(tb testing.TB, driver string) *storage.DB {
	tb.Helper()
	var db *storage.DB
	if driver == storage.DriverPostgres {
		db = openCopy(tb)
	} else {
		db = OpenUnmigrated(tb, driver)
	}
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate %s store: %v", driver, err)
	}
	return db
}

// OpenUnmigrated is OpenDriver without the migration: an empty database,
// for tests of the migrations themselves.
func OpenUnmigrated(tb testing.TB, driver string) *storage.DB {
	tb.Helper()
	var cfg storage.Config
	switch driver {
	case storage.DriverSQLite:
		cfg = storage.Config{Driver: driver, Path: filepath.Join(tb.TempDir(), "dealerbot.db")}
	case storage.DriverPostgres:
		dsn := os.Getenv(PostgresDSNEnv)
		if dsn == "" {
			tb.Skipf("%s is not set", PostgresDSNEnv)
		}
		cfg = storage.Config{Driver: driver, DSN: withSearchPath(dsn, newSchema(tb, dsn))}
	default:
		tb.Fatalf("storagetest: unknown driver %q", driver)
	}
	db, err := storage.Open(cfg)
	if err != nil {
		tb.Fatalf("open %s store: %v", driver, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close %s store: %v", driver, err)
		}
	})
	return db
}

// ForEachDriver runs fn as subtest "sqlite" and, when PostgresDSNEnv is
// set, as subtest "postgres", each on a fresh migrated store.
func ForEachDriver(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	drivers := []string{storage.DriverSQLite}
	if os.Getenv(PostgresDSNEnv) != "" {
		drivers = append(drivers, storage.DriverPostgres)
	}
	for _, d := range drivers {
		t.Run(d, func(t *testing.T) { fn(t, OpenDriver(t, d)) })
	}
}

// newSchema creates a schema with a random name on the server dsn names
// and drops it, with everything in it, when the test ends.
func newSchema(tb testing.TB, dsn string) string {
	tb.Helper()
	admin, err := gorm.Open(postgres.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		tb.Fatalf("connect to postgres (%s): %v", PostgresDSNEnv, err)
	}
	sqlDB, err := admin.DB()
	if err != nil {
		tb.Fatalf("connect to postgres: %v", err)
	}
	tb.Cleanup(func() { sqlDB.Close() })

	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	schema := "dealerbot_test_" + hex.EncodeToString(b)
	if err := admin.Exec(`CREATE SCHEMA ` + schema).Error; err != nil {
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	// Cleanups run last registered first: the store, opened after this,
	// is closed before its schema is dropped.
	tb.Cleanup(func() {
		if err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`).Error; err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// withSearchPath adds search_path to a DSN in either form pgx reads:
// a URL or key=value pairs. pgx sends it to the server as a run-time
// parameter, so every pooled connection uses the schema.
func withSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + schema
	}
	return fmt.Sprintf("%s search_path=%s", dsn, schema)
}

// PostgresDSN returns a DSN for a fresh schema of its own on the server
// PostgresDSNEnv names, dropped when the test ends: for tests that start
// processes of their own on it (replicas of the binary). It skips the
// test when PostgresDSNEnv is unset.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(PostgresDSNEnv)
	if dsn == "" {
		tb.Skipf("%s is not set", PostgresDSNEnv)
	}
	return withSearchPath(dsn, newSchema(tb, dsn))
}

// AddStore registers one more store in db, next to the ones it has: code,
// its time zone (an IANA name), a Monday-to-Sunday 09:00–18:00 calendar
// there and the regulation's defaults. The stores keep their order; the
// new one is last. Tests of a group use it to get a second store.
func AddStore(tb testing.TB, db *storage.DB, code, timeZone string) *domain.Store {
	tb.Helper()
	loc, err := time.LoadLocation(timeZone)
	if err != nil {
		tb.Fatal(err)
	}
	st := &domain.Store{Code: code, Name: "门店" + code, Rules: domain.DefaultRules(),
		Calendar: &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60,
			WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}}
	stores, err := domain.NewStores(append(slices.Clone(db.Stores.All()), st)...)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.UseStores(context.Background(), stores); err != nil {
		tb.Fatal(err)
	}
	return st
}

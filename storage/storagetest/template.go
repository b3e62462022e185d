package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/dealerbot/dealerbot/storage"
)

// A PostgreSQL test store is a copy of a template database migrated once
// per schema (storage.PostgresSchemaKey): CREATE DATABASE … TEMPLATE copies
// it in tens of milliseconds, where running every migration into a fresh
// schema took most of a second per test. The template is built by the
// first test process that needs it, under an advisory lock, and renamed
// into place only when complete, so a process killed half-way leaves no
// half-built template behind; copies are dropped when their test ends.

// templatePrefix and copyPrefix start the names of the databases made here.
const (
	templatePrefix = "dealerbot_tmpl_"
	copyPrefix     = "dealerbot_t_"
)

var template struct {
	sync.Mutex
	name string // the built template, once known
}

// openCopy opens a fresh copy of the migrated template database on the
// server PostgresDSNEnv names; it skips the test when that is unset and
// drops the copy when the test ends.
func openCopy(tb testing.TB) *storage.DB {
	tb.Helper()
	dsn := os.Getenv(PostgresDSNEnv)
	if dsn == "" {
		tb.Skipf("%s is not set", PostgresDSNEnv)
	}
	admin := adminConn(tb, dsn)
	tmpl, err := templateDB(admin, dsn)
	if err != nil {
		tb.Fatalf("postgres template database: %v", err)
	}
	name := copyPrefix + randomHex(tb)
	if err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + tmpl).Error; err != nil {
		tb.Fatalf("create database %s from %s: %v", name, tmpl, err)
	}
	// Cleanups run last registered first: the store, opened after this,
	// is closed before its database is dropped.
	tb.Cleanup(func() {
		if err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`).Error; err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	db, err := storage.Open(storage.Config{Driver: storage.DriverPostgres, DSN: withDatabase(dsn, name)})
	if err != nil {
		tb.Fatalf("open postgres store %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close postgres store: %v", err)
		}
	})
	return db
}

// templateDB returns the name of the template database holding the
// current schema, building it if no process has yet.
func templateDB(admin *gorm.DB, dsn string) (string, error) {
	template.Lock()
	defer template.Unlock()
	if template.name != "" {
		return template.name, nil
	}
	name := templatePrefix + storage.PostgresSchemaKey()
	ctx := context.Background()
	// One connection holds the session lock for the whole build.
	conn, err := admin.DB()
	if err != nil {
		return "", err
	}
	c, err := conn.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext('dealerbot test template'))`); err != nil {
		return "", err
	}
	defer c.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtext('dealerbot test template'))`)
	var n int
	if err := c.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		return "", err
	}
	if n == 0 {
		if err := buildTemplate(ctx, c, dsn, name); err != nil {
			return "", err
		}
	}
	template.name = name
	return name, nil
}

// buildTemplate migrates a new database and renames it to name. Templates
// of other schemas stay: another checkout on the same server may be using
// one.
func buildTemplate(ctx context.Context, c *sql.Conn, dsn, name string) error {
	exec := c.ExecContext
	build := name + "_build"
	if _, err := exec(ctx, `DROP DATABASE IF EXISTS `+build+` WITH (FORCE)`); err != nil {
		return err
	}
	if _, err := exec(ctx, `CREATE DATABASE `+build); err != nil {
		return err
	}
	db, err := storage.Open(storage.Config{Driver: storage.DriverPostgres, DSN: withDatabase(dsn, build)})
	if err != nil {
		return err
	}
	err = db.Migrate(ctx)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("migrate %s: %w", build, err)
	}
	if _, err := exec(ctx, `ALTER DATABASE `+build+` RENAME TO `+name); err != nil {
		return err
	}
	return nil
}

// adminConn is a connection to the database the DSN names, closed when
// the test ends.
func adminConn(tb testing.TB, dsn string) *gorm.DB {
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
	return admin
}

func randomHex(tb testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}

var dbnameKV = regexp.MustCompile(`(^|\s)dbname=\S*`)

// withDatabase points a DSN in either form pgx reads (a URL or key=value
// pairs) at database name.
func withDatabase(dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return dsn
		}
		u.Path = "/" + name
		return u.String()
	}
	if dbnameKV.MatchString(dsn) {
		return dbnameKV.ReplaceAllString(dsn, "${1}dbname="+name)
	}
	return dsn + " dbname=" + name
}

// Package storage keeps the bot's records in SQLite or PostgreSQL and
// implements the domain services on them (*DB): one public method is one
// transaction, the permission check inside. It is the only package that
// knows gorm: row structs live here and are converted to domain types, and
// database errors become domain errors here.
package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/dealerbot/dealerbot/domain"
)

// Driver names accepted in Config.Driver.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// DefaultBusyTimeout is how long a SQLite connection waits for another
// writer before giving up, when Config.BusyTimeout is zero.
const DefaultBusyTimeout = 5 * time.Second

// Config says which database to open.
type Config struct {
	Driver      string        // "sqlite" (default) or "postgres"
	Path        string        // sqlite file path
	DSN         string        // postgres DSN
	BusyTimeout time.Duration // sqlite busy timeout; default 5s
}

// DB is the store. Its methods use the transaction carried by their context
// when there is one (see InTx), so callers can group them atomically.
type DB struct {
	// Now is the clock for every time the store writes (created, used,
	// expired). Open sets it to time.Now; tests set a fixed instant.
	Now func() time.Time
	// Stores are the group's stores, each with its regulation and
	// calendar, for the services whose use cases need them (deadlines,
	// limits, working time): a record's are its store's. Open sets one
	// store, store 1 "main", with the regulation's defaults and a
	// Monday-to-Sunday 09:00–18:00 calendar in Asia/Shanghai; cmd
	// registers the configured ones with UseStores.
	Stores *domain.Stores

	gorm   *gorm.DB
	driver string
	// turn orders this process's SQLite transactions first come, first
	// served (a channel's waiters are queued): SQLite's own busy handler
	// lets whoever retries at the right moment win, so a chat that
	// commits and begins again could starve the others. Waiting for the
	// turn is bounded by the busy timeout, after which SQLite's lock
	// decides as before. nil on PostgreSQL.
	turn chan struct{}
	busy time.Duration
}

// Open opens the database cfg names. It does not create or upgrade the
// schema: call Migrate for that.
func Open(cfg Config) (*DB, error) {
	stores, err := domain.NewStores(&domain.Store{ID: 1, Code: domain.DefaultStoreCode,
		Calendar: defaultCalendar(), Rules: domain.DefaultRules()})
	if err != nil {
		return nil, err
	}
	db := &DB{Now: time.Now, Stores: stores}
	var dialector gorm.Dialector
	switch cfg.Driver {
	case "", DriverSQLite:
		dsn, err := sqliteDSN(cfg)
		if err != nil {
			return nil, err
		}
		db.driver, dialector = DriverSQLite, sqlite.Open(dsn)
		db.turn, db.busy = make(chan struct{}, 1), cfg.BusyTimeout
		if db.busy <= 0 {
			db.busy = DefaultBusyTimeout
		}
	case DriverPostgres:
		if strings.TrimSpace(cfg.DSN) == "" {
			return nil, errors.New("storage: postgres DSN is empty")
		}
		db.driver, dialector = DriverPostgres, postgres.Open(cfg.DSN)
	default:
		return nil, fmt.Errorf("storage: unknown driver %q (want %q or %q)", cfg.Driver, DriverSQLite, DriverPostgres)
	}

	g, err := gorm.Open(dialector, &gorm.Config{
		// Statements are never printed: they would carry names and ids.
		Logger: logger.Discard,
		// One statement is atomic on its own; InTx groups the rest.
		SkipDefaultTransaction: true,
		// Every update runs the same few statements: parse them once per
		// connection (a fifth of the CPU of a command went to parsing).
		PrepareStmt: true,
		NowFunc:     func() time.Time { return db.now() },
	})
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", db.driver, err)
	}
	db.gorm = g
	if err := g.Callback().Create().Before("gorm:create").Register("dealerbot:store_id", requireStore); err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", db.driver, err)
	}

	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", db.driver, err)
	}
	// Idle connections keep their pragmas (SQLite) or their session
	// (PostgreSQL); a handful is enough for a bot.
	sqlDB.SetMaxIdleConns(4)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// requireStore refuses to insert a row whose struct has a StoreID field
// left at 0: every record that belongs to a store carries it (migration
// 17), and the column's default (store 1) is there only for the rows and
// replicas of the previous version, so a forgotten store would otherwise
// land silently in store 1.
func requireStore(tx *gorm.DB) {
	s := tx.Statement
	if s.Schema == nil {
		return
	}
	f := s.Schema.LookUpField("StoreID")
	if f == nil {
		return
	}
	rv := s.ReflectValue
	check := func(v reflect.Value) {
		if id, zero := f.ValueOf(s.Context, v); zero || id == int64(0) {
			_ = tx.AddError(fmt.Errorf("storage: insert into %s without its store (StoreID 0)", s.Table))
		}
	}
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := range rv.Len() {
			check(reflect.Indirect(rv.Index(i)))
		}
	case reflect.Struct:
		check(rv)
	}
}

// sqliteDSN builds the glebarez/go-sqlite DSN for cfg and creates the
// file's directory. WAL lets readers run beside the one writer;
// _txlock=immediate takes the write lock at BEGIN, so a transaction never
// finds the database locked half way through (where it could not be retried
// safely) but waits for the lock, up to the busy timeout, before it starts.
func sqliteDSN(cfg Config) (string, error) {
	path := cfg.Path
	switch {
	case strings.TrimSpace(path) == "":
		return "", errors.New("storage: sqlite path is empty")
	case path == ":memory:" || strings.Contains(path, "mode=memory"):
		// Every pooled connection would get its own empty database.
		return "", errors.New("storage: an in-memory sqlite database is not supported; use a file")
	case strings.Contains(path, "?"):
		return "", fmt.Errorf("storage: sqlite path %q must not contain '?'", path)
	}
	busy := cfg.BusyTimeout
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	if dir := filepath.Dir(strings.TrimPrefix(path, "file:")); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", fmt.Errorf("storage: create directory for sqlite database: %w", err)
		}
	}
	// Note: go-sqlite stops reading parameters after _time_format, so it is
	// not used; times are written in UTC and compare correctly as text.
	return fmt.Sprintf("%s?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"+
		"&_pragma=synchronous(NORMAL)&_txlock=immediate", path, busy.Milliseconds()), nil
}

// Close closes the database.
func (db *DB) Close() error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return fmt.Errorf("storage: close: %w", err)
	}
	if err := sqlDB.Close(); err != nil {
		return fmt.Errorf("storage: close: %w", err)
	}
	return nil
}

// Driver returns "sqlite" or "postgres".
func (db *DB) Driver() string { return db.driver }

// now returns the store's clock in UTC, cut to microseconds: PostgreSQL
// keeps no more, and SQLite's text timestamps then compare in time order.
func (db *DB) now() time.Time {
	clock := db.Now
	if clock == nil {
		clock = time.Now
	}
	return clock().UTC().Truncate(time.Microsecond)
}

// orderByName sorts by name in code-point order on both drivers, so that a
// list reads the same whichever database holds it.
func (db *DB) orderByName() string {
	if db.driver == DriverPostgres {
		return `name COLLATE "C", id`
	}
	return "name, id"
}

// utc returns t in UTC: PostgreSQL hands back local time, SQLite UTC.
func utc(t time.Time) time.Time { return t.UTC() }

// utcPtr is utc for a nullable time.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// dbTime returns t as the store writes it: in UTC, cut to microseconds
// like now, so that SQLite's text timestamps compare in time order.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// dbTimePtr is dbTime for a nullable time.
func dbTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := dbTime(*t)
	return &u
}

// conn returns the gorm handle for ctx: the transaction InTx put on it, or
// the pool.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{db}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return db.gorm.WithContext(ctx)
}

// defaultCalendar is the calendar Open starts with: every day open
// 09:00–18:00 in Asia/Shanghai (UTC+8 when the zone database is missing).
func defaultCalendar() *domain.Calendar {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60,
		WorkingDays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}}
}

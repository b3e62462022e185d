package storage

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"
)

// txKey is the context key of the transaction InTx runs; it names the DB so
// that a transaction of one store is never used by another.
type txKey struct{ db *DB }

// txAttempts is how many times InTx runs a transaction that failed for a
// reason worth retrying (database busy, serialization failure, lost
// connection) before it reports EUNAVAILABLE.
const txAttempts = 5

// txBackoff is the first pause between attempts; it doubles each time and
// gets up to half again as jitter, so that competing writers spread out.
const txBackoff = 10 * time.Millisecond

// InTx runs fn in a transaction: the ctx fn receives carries it, and every
// method of db called with that ctx uses it. The transaction commits when fn
// returns nil and rolls back when fn returns an error or panics (the panic
// goes on). An InTx inside another reuses the outer transaction.
//
// When the database is busy (SQLite), a serialization failure or deadlock
// is reported (PostgreSQL) or the connection is lost before the commit was
// sent, InTx runs fn again after a short pause, a few times, and then
// returns a domain error with code EUNAVAILABLE. fn may therefore run more
// than once: keep side effects such as sending messages out of it.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return db.transact(ctx, nil, fn)
}

// InReadTx is InTx for a use case that only reads, at length (a report
// over a whole group): one read-only snapshot of the database —
// PostgreSQL's REPEATABLE READ READ ONLY, SQLite's deferred BEGIN, which
// in WAL mode reads beside the writer — that takes neither the write lock
// nor this process's write turn, so the chats' writes go on meanwhile. A
// write inside it fails on PostgreSQL. Inside another transaction it
// reuses that one.
func (db *DB) InReadTx(ctx context.Context, fn func(ctx context.Context) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.driver == DriverPostgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return db.transact(ctx, opts, fn)
}

// transact is InTx (opts nil: a write transaction, in this process's
// turn) and InReadTx.
func (db *DB) transact(ctx context.Context, opts *sql.TxOptions, fn func(ctx context.Context) error) error {
	if db.inTx(ctx) {
		return fn(ctx)
	}
	if opts == nil {
		defer db.takeTurn(ctx)()
	}
	pause := txBackoff
	var err error
	for attempt := 1; ; attempt++ {
		var phase txPhase
		phase, err = db.runTx(ctx, opts, fn)
		if err == nil || !retryable(err, phase) || ctx.Err() != nil {
			return err
		}
		if attempt == txAttempts {
			break
		}
		sleep := pause + rand.N(pause/2+1)
		pause *= 2
		select {
		case <-ctx.Done():
			return fmt.Errorf("transaction: %w (after %w)", ctx.Err(), err)
		case <-time.After(sleep):
		}
	}
	return unavailable(fmt.Errorf("transaction failed %d times: %w", txAttempts, err))
}

// txPhase says where a transaction failed; it decides whether a lost
// connection may be retried.
type txPhase int

const (
	phaseBegin txPhase = iota
	phaseRun
	phaseCommit
)

// runTx makes one attempt at the transaction.
func (db *DB) runTx(ctx context.Context, opts *sql.TxOptions, fn func(ctx context.Context) error) (phase txPhase, err error) {
	var tx *gorm.DB
	if opts != nil {
		tx = db.gorm.WithContext(ctx).Begin(opts)
	} else {
		tx = db.gorm.WithContext(ctx).Begin()
	}
	if tx.Error != nil {
		return phaseBegin, fmt.Errorf("begin transaction: %w", tx.Error)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		// The rollback's own error (e.g. the connection is gone) adds
		// nothing: the server drops an unfinished transaction anyway.
		tx.Rollback()
	}()

	if err := fn(context.WithValue(ctx, txKey{db}, tx)); err != nil {
		return phaseRun, err
	}
	if err := tx.Commit().Error; err != nil {
		return phaseCommit, fmt.Errorf("commit transaction: %w", err)
	}
	committed = true
	return phaseCommit, nil
}

// inTx reports whether ctx carries a transaction of db.
func (db *DB) inTx(ctx context.Context) bool {
	return ctx.Value(txKey{db}) != nil
}

// takeTurn waits for this process's SQLite write turn (DB.turn), at most
// the busy timeout, and returns its release; on PostgreSQL it does
// nothing.
func (db *DB) takeTurn(ctx context.Context) (release func()) {
	if db.turn == nil {
		return func() {}
	}
	timer := time.NewTimer(db.busy)
	defer timer.Stop()
	select {
	case db.turn <- struct{}{}:
		return func() { <-db.turn }
	case <-timer.C: // SQLite's lock decides, as without a turn
	case <-ctx.Done():
	}
	return func() {}
}

package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/dealerbot/dealerbot/domain"
)

// errUnavailable is the safe-to-show face of a database that stays busy.
func errUnavailable() *domain.Error {
	return domain.Errorkf(domain.EUNAVAILABLE, "err.unavailable", nil, "database busy, try again")
}

// unavailable returns an EUNAVAILABLE domain error that still wraps cause,
// so logs keep the driver's own words.
func unavailable(cause error) error {
	return fmt.Errorf("%w: %w", errUnavailable(), cause)
}

// isNotFound reports whether err is gorm's "record not found".
func isNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

// formatError is applied to every error a single statement returns outside
// InTx's retries: a busy or unreachable database becomes EUNAVAILABLE,
// anything else is returned as is. (InTx retries those itself.)
func formatError(err error) error {
	if err == nil || domain.ErrorCode(err) != domain.EINTERNAL {
		return err
	}
	if retryable(err, phaseBegin) {
		return unavailable(err)
	}
	return err
}

// uniqueIndex names a unique index the way each driver reports its
// violation: PostgreSQL by the index's name, SQLite by table.column.
type uniqueIndex struct {
	name    string // e.g. "staff_name_key"
	columns string // e.g. "staff.name"
}

// The unique indexes whose violations mean something to a user.
var (
	staffNameKey       = uniqueIndex{"staff_store_id_name_key", "staff.store_id, staff.name"}
	staffTelegramIDKey = uniqueIndex{"staff_telegram_id_active_key", "staff.telegram_id"}
	leadOpenPhoneKey   = uniqueIndex{"leads_store_id_open_phone_key", "leads.store_id, leads.phone"}
)

// violatedBy reports whether err is a unique violation of this index.
func (u uniqueIndex) violatedBy(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == pgUniqueViolation && pe.ConstraintName == u.name
	}
	var se *gosqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT &&
			strings.Contains(se.Error(), "UNIQUE constraint failed: "+u.columns+" ")
	}
	return false
}

// foreignKeyViolated reports whether err says a row refers to one that
// does not exist (a lead, a staff member).
func foreignKeyViolated(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == pgForeignKeyViolation
	}
	var se *gosqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// PostgreSQL SQLSTATE codes the store acts on.
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
)

// retryable reports whether a transaction that failed with err in phase
// may simply be run again: nothing of it was committed, and another try may
// well succeed.
func retryable(err error, phase txPhase) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return false
	}
	var se *gosqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == pgSerializationFailure, pe.Code == pgDeadlockDetected:
			return true // the server rolled the transaction back
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "57P"):
			return phase != phaseCommit // connection exception, server shutting down
		}
		return false
	}
	if phase == phaseCommit {
		// Whether a COMMIT that lost its connection took effect is unknown;
		// run the transaction again only when pgx is sure it was not sent.
		return pgconn.SafeToRetry(err) || errors.Is(err, driver.ErrBadConn)
	}
	return connectionLost(err)
}

// connectionLost reports whether err says the connection to the server
// failed or broke; before a commit is sent that leaves nothing behind.
func connectionLost(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return pgconn.SafeToRetry(err) || errors.Is(err, driver.ErrBadConn) ||
		errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dealerbot/dealerbot/domain"
)

func TestRetryable(t *testing.T) {
	netErr := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	for _, tc := range []struct {
		name  string
		err   error
		phase txPhase
		want  bool
	}{
		{"SerializationAtCommit", &pgconn.PgError{Code: "40001"}, phaseCommit, true},
		{"DeadlockInRun", fmt.Errorf("x: %w", &pgconn.PgError{Code: "40P01"}), phaseRun, true},
		{"ConnectionExceptionAtBegin", &pgconn.PgError{Code: "08006"}, phaseBegin, true},
		{"ConnectionExceptionAtCommit", &pgconn.PgError{Code: "08006"}, phaseCommit, false},
		{"AdminShutdownInRun", &pgconn.PgError{Code: "57P01"}, phaseRun, true},
		{"UniqueViolation", &pgconn.PgError{Code: "23505"}, phaseRun, false},
		{"NetAtBegin", netErr, phaseBegin, true},
		{"NetAtCommit", netErr, phaseCommit, false},
		{"EOFInRun", fmt.Errorf("query: %w", io.ErrUnexpectedEOF), phaseRun, true},
		{"Canceled", context.Canceled, phaseBegin, false},
		{"Domain", domain.Errorf(domain.ECONFLICT, "x"), phaseRun, false},
		{"Other", errors.New("syntax error"), phaseRun, false},
		{"Nil", nil, phaseRun, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := retryable(tc.err, tc.phase); got != tc.want {
				t.Fatalf("retryable(%v, %d) = %v, want %v", tc.err, tc.phase, got, tc.want)
			}
		})
	}
}

func TestUniqueIndexViolatedBy(t *testing.T) {
	dup := &pgconn.PgError{Code: pgUniqueViolation, ConstraintName: "staff_store_id_name_key"}
	t.Run("OK", func(t *testing.T) {
		if !staffNameKey.violatedBy(fmt.Errorf("create: %w", dup)) {
			t.Fatal("not recognised")
		}
	})
	t.Run("OtherIndex", func(t *testing.T) {
		if staffTelegramIDKey.violatedBy(dup) || staffNameKey.violatedBy(errors.New("UNIQUE constraint failed: staff.telegram_id ")) {
			t.Fatal("wrongly recognised")
		}
	})
}

func TestFormatError(t *testing.T) {
	t.Run("Unavailable", func(t *testing.T) {
		err := formatError(fmt.Errorf("read: %w", &pgconn.PgError{Code: "40001"}))
		var pe *pgconn.PgError
		if domain.ErrorCode(err) != domain.EUNAVAILABLE || !errors.As(err, &pe) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("AsIs", func(t *testing.T) {
		for _, err := range []error{nil, errors.New("x"), domain.Errorf(domain.ENOTFOUND, "y")} {
			if got := formatError(err); got != err {
				t.Fatalf("got %v, want %v", got, err)
			}
		}
	})
}

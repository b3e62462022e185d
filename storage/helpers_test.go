package storage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
)

// now is the fixed instant the tests' stores live at.
var now = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// fixClock sets db's clock to now and returns db.
func fixClock(db *storage.DB) *storage.DB {
	db.Now = func() time.Time { return now }
	return db
}

// MustCreateStaff stores an active member with the given roles.
func MustCreateStaff(tb testing.TB, db *storage.DB, name string, roles ...domain.Role) *domain.Staff {
	tb.Helper()
	if len(roles) == 0 {
		roles = domain.Roles{domain.RoleConsultant}
	}
	s := &domain.Staff{Name: name, Roles: roles}
	if err := db.CreateStaff(ctx, s); err != nil {
		tb.Fatalf("create staff %q: %v", name, err)
	}
	return s
}

// AssertError fails unless err is a domain error with code and, when key
// is not empty, with that catalogue key.
func AssertError(tb testing.TB, err error, code, key string) {
	tb.Helper()
	var de *domain.Error
	switch {
	case err == nil:
		tb.Fatalf("got no error, want code %s key %q", code, key)
	case !errors.As(err, &de):
		tb.Fatalf("got %v, want a domain error with code %s", err, code)
	case de.Code != code || (key != "" && de.Key != key):
		tb.Fatalf("got code %s key %q (%v), want code %s key %q", de.Code, de.Key, err, code, key)
	}
}

// names returns the members' names in order.
func names(list []*domain.Staff) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Name
	}
	return out
}

package jobs

import (
	"context"
	"errors"
	"testing"
	"time"
)

// purgeStore records the cut-off of each purge; fail names one that fails.
type purgeStore struct {
	before map[string]time.Time
	fail   string
}

func (s *purgeStore) purge(what string, before time.Time) (int64, error) {
	if s.before == nil {
		s.before = map[string]time.Time{}
	}
	s.before[what] = before
	if what == s.fail {
		return 0, errors.New("db down")
	}
	return 1, nil
}

func (s *purgeStore) PurgeInvites(_ context.Context, t time.Time) (int64, error) {
	return s.purge("invites", t)
}
func (s *purgeStore) PurgeUpdates(_ context.Context, t time.Time) (int64, error) {
	return s.purge("updates", t)
}
func (s *purgeStore) PurgeOutbox(_ context.Context, t time.Time) (int64, error) {
	return s.purge("outbox", t)
}
func (s *purgeStore) PurgeCallbackData(_ context.Context, t time.Time) (int64, error) {
	return s.purge("callback_data", t)
}

// TestHousekeeping_CutOffs: each kind of row is purged from its own
// retention back, and one failing purge does not stop the others. (The
// same job on a real store: cmd/dealerbot's housekeeping test.)
func TestHousekeeping_CutOffs(t *testing.T) {
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	t.Run("OK", func(t *testing.T) {
		st := &purgeStore{}
		if err := (&Housekeeping{Store: st}).Run(context.Background(), now); err != nil {
			t.Fatal(err)
		}
		for what, keep := range map[string]time.Duration{
			"invites": KeepInvites, "updates": KeepUpdates, "outbox": KeepOutbox, "callback_data": KeepCallback,
		} {
			if got, want := st.before[what], now.Add(-keep); !got.Equal(want) {
				t.Errorf("%s purged before %s, want %s", what, got, want)
			}
		}
	})
	t.Run("ErrOneFails", func(t *testing.T) {
		st := &purgeStore{fail: "updates"}
		if err := (&Housekeeping{Store: st}).Run(context.Background(), now); err == nil {
			t.Fatal("the failed purge was not reported")
		}
		if len(st.before) != 4 {
			t.Errorf("purges run %v, want all four", st.before)
		}
	})
}

package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// lapseStore hands out due lapses once, as the database does: a lapsed
// allocation is not active any more.
type lapseStore struct {
	txStore
	due  []domain.AllocationLapse
	next time.Time
	at   []time.Time
	err  error
}

func (s *lapseStore) NextAllocationLapse(context.Context) (time.Time, bool, error) {
	return s.next, !s.next.IsZero(), s.err
}

func (s *lapseStore) LapseAllocations(_ context.Context, now time.Time, limit int) ([]domain.AllocationLapse, error) {
	s.at = append(s.at, now)
	n := min(limit, len(s.due))
	out := s.due[:n]
	s.due = s.due[n:]
	return out, s.err
}

type lapseBot struct {
	told []domain.AllocationLapse
	err  error
}

func (b *lapseBot) NotifyAllocationsLapsed(_ context.Context, l []domain.AllocationLapse) error {
	b.told = append(b.told, l...)
	return b.err
}

// TestR4_3_AllocationLapse_Job: every due lapse is handed to the notifier
// in the transaction that carried it out, a batch at a time, at the run's
// instant; a second run tells nobody; Next is the stored PayBy; failures
// are reported.
func TestR4_3_AllocationLapse_Job(t *testing.T) {
	payBy := time.Date(2026, 12, 5, 9, 30, 17, 0, time.UTC)
	t.Run("Run", func(t *testing.T) {
		st := &lapseStore{due: make([]domain.AllocationLapse, lapseBatch+2)}
		n := &lapseBot{}
		j := &AllocationLapse{Store: st, Bot: n}
		for i := 0; i < 2; i++ {
			if err := j.Run(context.Background(), payBy); err != nil {
				t.Fatal(err)
			}
		}
		if len(n.told) != lapseBatch+2 || st.txs != 3 {
			t.Fatalf("told %d in %d transactions", len(n.told), st.txs)
		}
		for _, at := range st.at {
			if !at.Equal(payBy) {
				t.Fatalf("lapsed at %s, run at %s", at, payBy)
			}
		}
	})
	t.Run("Errors", func(t *testing.T) {
		st := &lapseStore{due: make([]domain.AllocationLapse, 1)}
		if err := (&AllocationLapse{Store: st, Bot: &lapseBot{err: errors.New("full")}}).Run(context.Background(), payBy); err == nil {
			t.Fatal("a failed notification was not reported")
		}
		if err := (&AllocationLapse{Store: &lapseStore{err: errors.New("down")}, Bot: &lapseBot{}}).Run(context.Background(), payBy); err == nil {
			t.Fatal("a failed lapse was not reported")
		}
	})
	t.Run("Next", func(t *testing.T) {
		j := &AllocationLapse{Store: &lapseStore{next: payBy}}
		if at, ok, err := j.Next(context.Background(), payBy.Add(-time.Hour)); err != nil || !ok || !at.Equal(payBy) {
			t.Fatalf("next %s %v %v", at, ok, err)
		}
		if _, ok, err := (&AllocationLapse{Store: &lapseStore{}}).Next(context.Background(), payBy); err != nil || ok {
			t.Fatalf("nothing told: %v %v", ok, err)
		}
	})
}

package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// reservationStore hands out lapsed reservations once, as the database
// does: a car put back in stock is not reserved any more.
type reservationStore struct {
	txStore
	lapsed []domain.ReservationExpired
	next   time.Time
	err    error
}

func (s *reservationStore) NextReservationExpiry(context.Context) (time.Time, bool, error) {
	return s.next, !s.next.IsZero(), s.err
}

func (s *reservationStore) ExpireReservations(_ context.Context, _ time.Time, limit int) ([]domain.ReservationExpired, error) {
	n := min(limit, len(s.lapsed))
	out := s.lapsed[:n]
	s.lapsed = s.lapsed[n:]
	return out, s.err
}

type reservationBot struct {
	told []domain.ReservationExpired
	err  error
}

func (b *reservationBot) NotifyReservationsExpired(_ context.Context, lapsed []domain.ReservationExpired) error {
	b.told = append(b.told, lapsed...)
	return b.err
}

// TestR3_1_ReservationExpiry_Run: every lapsed reservation is handed to
// the notifier in the transaction that put its car back, a batch at a
// time; a second run tells nobody; a failure is reported.
func TestR3_1_ReservationExpiry_Run(t *testing.T) {
	now := time.Date(2026, 12, 8, 9, 30, 17, 0, time.UTC)
	t.Run("OK", func(t *testing.T) {
		st := &reservationStore{lapsed: make([]domain.ReservationExpired, expireBatch+3)}
		n := &reservationBot{}
		j := &ReservationExpiry{Store: st, Bot: n}
		for i := 0; i < 2; i++ {
			if err := j.Run(context.Background(), now); err != nil {
				t.Fatal(err)
			}
		}
		if len(n.told) != expireBatch+3 || st.txs != 3 {
			t.Fatalf("told %d in %d transactions", len(n.told), st.txs)
		}
	})
	t.Run("ErrNotifier", func(t *testing.T) {
		st := &reservationStore{lapsed: make([]domain.ReservationExpired, 1)}
		if err := (&ReservationExpiry{Store: st, Bot: &reservationBot{err: errors.New("full")}}).Run(context.Background(), now); err == nil {
			t.Fatal("a failed notification was not reported")
		}
	})
	t.Run("Next", func(t *testing.T) {
		j := &ReservationExpiry{Store: &reservationStore{next: now}}
		if at, ok, err := j.Next(context.Background(), now.Add(-time.Hour)); err != nil || !ok || !at.Equal(now) {
			t.Fatalf("next %s %v %v", at, ok, err)
		}
		if _, ok, err := (&ReservationExpiry{Store: &reservationStore{}}).Next(context.Background(), now); err != nil || ok {
			t.Fatalf("nothing reserved: %v %v", ok, err)
		}
	})
}

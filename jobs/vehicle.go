package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// ReservationExpiry puts a reserved car back in stock when its reservation
// lapses without a sale (R3.1: "reserved, for an order, with an expiry"),
// and tells the seller who reserved it and the store's supervisors. The
// timers run it at the second of the earliest expiry (Next, from the
// stored reservations, so a restart finds what lapsed while the bot was
// down). Each car's return and its messages commit in one transaction; a
// car put back is not reserved any more, so a second run finds nothing
// and tells nobody twice. One instance serves the group: expiries are
// instants, the same in every store's calendar.
type ReservationExpiry struct {
	Store ReservationStore
	Bot   ReservationNotifier
}

// ReservationStore finds the next expiry and puts the lapsed reservations'
// cars back in stock (joining the caller's transaction).
type ReservationStore interface {
	NextReservationExpiry(ctx context.Context) (time.Time, bool, error)
	ExpireReservations(ctx context.Context, now time.Time, limit int) ([]domain.ReservationExpired, error)
	Transactor
}

// ReservationNotifier tells who is to hear of each lapsed reservation.
type ReservationNotifier interface {
	NotifyReservationsExpired(ctx context.Context, lapsed []domain.ReservationExpired) error
}

// expireBatch bounds one transaction of the expiry job.
const expireBatch = 200

// Name implements Job.
func (j *ReservationExpiry) Name() string { return "reservation-expiry" }

// Run implements Job: every reservation lapsed by now, a batch per
// transaction.
func (j *ReservationExpiry) Run(ctx context.Context, now time.Time) error {
	for {
		var n int
		err := j.Store.InTx(ctx, func(ctx context.Context) error {
			lapsed, err := j.Store.ExpireReservations(ctx, now, expireBatch)
			if err != nil || len(lapsed) == 0 {
				n = 0
				return err
			}
			n = len(lapsed)
			return j.Bot.NotifyReservationsExpired(ctx, lapsed)
		})
		if err != nil {
			return fmt.Errorf("expire reservations: %w", err)
		}
		if n < expireBatch {
			return nil
		}
	}
}

// Next implements DeadlineJob: the earliest expiry of a reserved car. One
// already lapsed (the bot was down) is not after `after`: the timers run
// the job at once.
func (j *ReservationExpiry) Next(ctx context.Context, _ time.Time) (time.Time, bool, error) {
	at, ok, err := j.Store.NextReservationExpiry(ctx)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next reservation expiry: %w", err)
	}
	return at, ok, nil
}

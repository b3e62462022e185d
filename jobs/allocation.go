package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// AllocationLapse lapses an allocation whose customer was told the car has
// arrived and has not paid by its stored PayBy (R4.3): the car goes to the
// next order in line, or back in stock, and the lapsed order waits again
// in its place; both consultants and the store's supervisors are told. The
// timers run it at the exact second of the earliest PayBy across the group
// (Next), read from the database, so a restart loses nothing. Each lapse
// is claimed by a conditional update in the transaction that queues its
// messages: a second replica, or a rerun, finds nothing to do.
type AllocationLapse struct {
	Store AllocationLapseStore
	Bot   AllocationLapseNotifier
}

// AllocationLapseStore finds and carries out the lapses.
type AllocationLapseStore interface {
	NextAllocationLapse(ctx context.Context) (time.Time, bool, error)
	LapseAllocations(ctx context.Context, now time.Time, limit int) ([]domain.AllocationLapse, error)
	Transactor
}

// AllocationLapseNotifier tells a lapse's people, in the caller's
// transaction.
type AllocationLapseNotifier interface {
	NotifyAllocationsLapsed(ctx context.Context, lapses []domain.AllocationLapse) error
}

// lapseBatch bounds the lapses per transaction.
const lapseBatch = 100

// Name implements Job.
func (j *AllocationLapse) Name() string { return "allocation-lapse" }

// Run implements Job: every allocation lapsed by now, a batch per
// transaction.
func (j *AllocationLapse) Run(ctx context.Context, now time.Time) error {
	for {
		var n int
		err := j.Store.InTx(ctx, func(ctx context.Context) error {
			lapses, err := j.Store.LapseAllocations(ctx, now, lapseBatch)
			if err != nil || len(lapses) == 0 {
				n = 0
				return err
			}
			n = len(lapses)
			return j.Bot.NotifyAllocationsLapsed(ctx, lapses)
		})
		if err != nil {
			return fmt.Errorf("lapse allocations: %w", err)
		}
		if n < lapseBatch {
			return nil
		}
	}
}

// Next implements DeadlineJob: the earliest stored PayBy of a told,
// unpaid allocation. One past already (the bot was down) is not after
// `after`: the timers run the job at once.
func (j *AllocationLapse) Next(ctx context.Context, _ time.Time) (time.Time, bool, error) {
	at, ok, err := j.Store.NextAllocationLapse(ctx)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next allocation lapse: %w", err)
	}
	return at, ok, nil
}

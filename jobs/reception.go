package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// ReceptionTimeouts passes over a reception call left unanswered for the
// time its store configures (R5.3), at that instant: the miss is counted
// and the next is called. One instance serves every store's line: the
// service reads each line with its store's rules and calendar (Stores is
// the group's, for the record).
type ReceptionTimeouts struct {
	Store  ReceptionTimeoutStore
	Bot    ReceptionNotifier
	Stores *domain.Stores
}

// ReceptionTimeoutStore passes over unanswered calls and says when the
// pending one goes unanswered (domain.ReceptionService).
type ReceptionTimeoutStore interface {
	Timeouts(ctx context.Context, now time.Time) ([]*domain.ReceptionPassed, error)
	NextDeadline(ctx context.Context, after time.Time) (time.Time, bool, error)
	Transactor
}

// ReceptionNotifier sends the card to whoever is called next and tells
// reception who was passed over (nil: nothing timed out).
type ReceptionNotifier interface {
	NotifyReceptionPassed(ctx context.Context, p *domain.ReceptionPassed) error
}

// Name implements Job.
func (j *ReceptionTimeouts) Name() string { return "reception-timeouts" }

// Next implements DeadlineJob: when the pending call goes unanswered.
func (j *ReceptionTimeouts) Next(ctx context.Context, after time.Time) (time.Time, bool, error) {
	at, ok, err := j.Store.NextDeadline(ctx, after)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reception deadline: %w", err)
	}
	return at, ok, nil
}

// Run implements Job.
func (j *ReceptionTimeouts) Run(ctx context.Context, now time.Time) error {
	err := j.Store.InTx(ctx, func(ctx context.Context) error {
		passed, err := j.Store.Timeouts(ctx, now)
		if err != nil {
			return err
		}
		for _, p := range passed {
			if err := j.Bot.NotifyReceptionPassed(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reception timeouts: %w", err)
	}
	return nil
}

package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// VisitGradePrompt asks the consultant for a lead's grade 24 hours after
// its showroom visit (R1.11), at that instant (Next); each visit is
// prompted once (marked in the same transaction as the message).
type VisitGradePrompt struct {
	Store interface {
		VisitsToPrompt(ctx context.Context, arrivedBefore time.Time, limit int) ([]domain.Visit, error)
		MarkVisitPrompted(ctx context.Context, id int64) error
		InTx(ctx context.Context, fn func(ctx context.Context) error) error
	}
	Bot interface {
		PushVisitGradePrompt(ctx context.Context, v domain.Visit) error
	}
	After time.Duration // 24 h
}

// Name implements Job.
func (j *VisitGradePrompt) Name() string { return "visit-grade" }

// Run implements Job.
func (j *VisitGradePrompt) Run(ctx context.Context, now time.Time) error {
	for {
		visits, err := j.Store.VisitsToPrompt(ctx, now.Add(-j.After), 100)
		if err != nil || len(visits) == 0 {
			return err
		}
		err = j.Store.InTx(ctx, func(ctx context.Context) error {
			for _, v := range visits {
				if err := j.Bot.PushVisitGradePrompt(ctx, v); err != nil {
					return err
				}
				if err := j.Store.MarkVisitPrompted(ctx, v.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("visit grade prompts: %w", err)
		}
		if len(visits) < 100 {
			return nil
		}
	}
}

// Next implements DeadlineJob: when the oldest visit not yet prompted
// reaches After.
func (j *VisitGradePrompt) Next(ctx context.Context, after time.Time) (time.Time, bool, error) {
	visits, err := j.Store.VisitsToPrompt(ctx, farFuture, 1)
	if err != nil || len(visits) == 0 {
		return time.Time{}, false, err
	}
	return visits[0].ArrivedAt.Add(j.After), true, nil
}

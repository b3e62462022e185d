package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// VisitGradePrompt asks the consultant for a lead's grade 24 hours after
// its showroom visit (R1.11), at that instant (Next); each visit is
// prompted once (marked in the same transaction as the message). One
// instance serves the group: each prompt's visit carries its store
// (Visit.StoreID), and the 24 hours are the same in every time zone.
type VisitGradePrompt struct {
	Store VisitStore
	Bot   VisitNotifier
	After time.Duration // 24 h
}

// VisitStore is the visit register's part of domain.VisitService the job
// calls, and the transaction it wraps "service + notifier" in.
type VisitStore interface {
	GradePrompts(ctx context.Context, arrivedBefore time.Time, limit int) (*domain.VisitGradePrompts, error)
	NextGradePrompt(ctx context.Context) (time.Time, bool, error)
	Transactor
}

// VisitNotifier asks each prompt's consultant for the grade, keyed by the
// visit so that nothing is asked twice.
type VisitNotifier interface {
	NotifyVisitGrade(ctx context.Context, prompts []domain.VisitGradePrompt) error
}

// Name implements Job.
func (j *VisitGradePrompt) Name() string { return "visit-grade" }

// Run implements Job.
func (j *VisitGradePrompt) Run(ctx context.Context, now time.Time) error {
	for {
		var n int
		err := j.Store.InTx(ctx, func(ctx context.Context) error {
			out, err := j.Store.GradePrompts(ctx, now.Add(-j.After), 100)
			if err != nil {
				return err
			}
			n = out.Visits
			return j.Bot.NotifyVisitGrade(ctx, out.Prompts)
		})
		if err != nil {
			return fmt.Errorf("visit grade prompts: %w", err)
		}
		if n < 100 {
			return nil
		}
	}
}

// Next implements DeadlineJob: when the oldest visit not yet prompted
// reaches After.
func (j *VisitGradePrompt) Next(ctx context.Context, after time.Time) (time.Time, bool, error) {
	at, ok, err := j.Store.NextGradePrompt(ctx)
	if err != nil || !ok {
		return time.Time{}, false, err
	}
	return at.Add(j.After), true, nil
}

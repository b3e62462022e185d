package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// ComplaintChaser makes sure no complaint quietly passes a deadline
// (R2.4): 20 % of the time before one (at least 2 minutes) it reminds the
// owner (the manager, for the manager's opinion); at each breach it goes
// one step higher — supervisor, department manager, general manager. Every
// message is keyed by the complaint, the deadline, its due time and the
// person, so each person hears of a breach once, also after a take-over,
// and a reopened complaint's fresh deadlines start over.
type ComplaintChaser struct {
	Store interface {
		Complaints(ctx context.Context, f domain.ComplaintFilter) ([]*domain.Complaint, error)
		InTx(ctx context.Context, fn func(ctx context.Context) error) error
	}
	Bot interface {
		PushComplaintReminder(ctx context.Context, c *domain.Complaint, d domain.Deadline) error
		PushComplaintEscalation(ctx context.Context, c *domain.Complaint, d domain.Deadline, n int) error
	}
	Rules    domain.ComplaintRules
	Calendar *domain.Calendar
}

// Name implements Job.
func (j *ComplaintChaser) Name() string { return "complaint-chaser" }

// Run implements Job.
func (j *ComplaintChaser) Run(ctx context.Context, now time.Time) error {
	open, err := j.Store.Complaints(ctx, domain.ComplaintFilter{Statuses: []string{domain.ComplaintOpen}})
	if err != nil {
		return fmt.Errorf("open complaints: %w", err)
	}
	for _, c := range open {
		var due []func(context.Context) error
		for _, d := range c.Deadlines(j.Rules, j.Calendar) {
			if d.Done {
				continue
			}
			if !now.Before(d.RemindAt(j.Rules)) && now.Before(d.Due) {
				due = append(due, func(ctx context.Context) error { return j.Bot.PushComplaintReminder(ctx, c, d) })
			}
			// Three steps: supervisor, manager, general manager; no higher.
			for n := 1; n <= min(d.Breaches(now), 3); n++ {
				due = append(due, func(ctx context.Context) error { return j.Bot.PushComplaintEscalation(ctx, c, d, n) })
			}
		}
		if len(due) == 0 {
			continue
		}
		if err := j.Store.InTx(ctx, func(ctx context.Context) error {
			for _, push := range due {
				if err := push(ctx); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("complaint %d: %w", c.ID, err)
		}
	}
	return nil
}

// chaserSteps is how many breaches of one deadline Run escalates.
const chaserSteps = 3

// Next implements DeadlineJob: the first reminder or breach of an open
// complaint's deadlines after `after`, to the second.
func (j *ComplaintChaser) Next(ctx context.Context, after time.Time) (time.Time, bool, error) {
	open, err := j.Store.Complaints(ctx, domain.ComplaintFilter{Statuses: []string{domain.ComplaintOpen}})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("open complaints: %w", err)
	}
	var n nearest
	for _, c := range open {
		for _, d := range c.Deadlines(j.Rules, j.Calendar) {
			n.add(d.NextAlarm(j.Rules, after, chaserSteps))
		}
	}
	return n.at, n.ok, nil
}

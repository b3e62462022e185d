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
// and a reopened complaint's fresh deadlines start over. One chaser
// serves the whole group: each complaint's deadlines are on its own
// store's rules and calendar (Stores.Of(c.StoreID)).
type ComplaintChaser struct {
	Store  ComplaintAlarmStore
	Bot    ComplaintNotifier
	Stores *domain.Stores
}

// ComplaintAlarmStore finds what the open complaints' deadlines call for,
// each on its store's rules and calendar, with who of that store must
// hear it, and the open complaints themselves (for Next).
type ComplaintAlarmStore interface {
	ComplaintAlarms(ctx context.Context, now time.Time, stores *domain.Stores) ([]domain.ComplaintAlarm, error)
	Complaints(ctx context.Context, f domain.ComplaintFilter) ([]*domain.Complaint, error)
	Transactor
}

// ComplaintNotifier tells each alarm's recipients. It must key each
// message by complaint, deadline, due time and person, so a rerun (or a
// second breach counted from a new owner) tells nobody twice.
type ComplaintNotifier interface {
	NotifyComplaintAlarms(ctx context.Context, alarms []domain.ComplaintAlarm) error
}

// Name implements Job.
func (j *ComplaintChaser) Name() string { return "complaint-chaser" }

// Run implements Job.
func (j *ComplaintChaser) Run(ctx context.Context, now time.Time) error {
	err := j.Store.InTx(ctx, func(ctx context.Context) error {
		alarms, err := j.Store.ComplaintAlarms(ctx, now, j.Stores)
		if err != nil || len(alarms) == 0 {
			return err
		}
		return j.Bot.NotifyComplaintAlarms(ctx, alarms)
	})
	if err != nil {
		return fmt.Errorf("complaint alarms: %w", err)
	}
	return nil
}

// Next implements DeadlineJob: the first reminder or breach of an open
// complaint's deadlines after `after`, to the second.
func (j *ComplaintChaser) Next(ctx context.Context, after time.Time) (time.Time, bool, error) {
	open, err := j.Store.Complaints(ctx, domain.ComplaintFilter{Statuses: []string{domain.ComplaintOpen}})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("open complaints: %w", err)
	}
	var n nearest
	for _, c := range open {
		st := j.Stores.Of(c.StoreID)
		for _, d := range c.Deadlines(st.Rules.Complaints, st.Calendar) {
			n.add(d.NextAlarm(st.Rules.Complaints, after, domain.ChaserSteps))
		}
	}
	return n.at, n.ok, nil
}

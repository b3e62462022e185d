package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// DutyReminder sends, at the configured time (default 08:00, before the
// morning push), everyone on duty today their roles and tasks, and tells
// the supervisors of anyone on duty tomorrow who has an approved rest day
// (R5.2). The bot keys each message per day and person, so a rerun sends
// nothing twice.
type DutyReminder struct {
	Store    DutyReminderStore
	Bot      DutyNotifier
	Rules    domain.RotaRules
	Calendar *domain.Calendar
}

// DutyReminderStore finds a day's reminder and its rest conflicts
// (domain.DutyService).
type DutyReminderStore interface {
	DutyReminder(ctx context.Context, day time.Time) (*domain.DutyReminder, error)
	RestConflicts(ctx context.Context, day time.Time) ([]domain.DutyRestConflict, error)
	Transactor
}

// DutyNotifier tells the people on duty and the team's group, and the
// supervisors of duty-on-rest conflicts. It must key each message per
// day and person, so a rerun tells nobody twice.
type DutyNotifier interface {
	NotifyDutyReminder(ctx context.Context, r *domain.DutyReminder) error
	NotifyDutyRestConflicts(ctx context.Context, c []domain.DutyRestConflict) error
}

// Name implements Job.
func (j *DutyReminder) Name() string { return "duty-reminder" }

// Spec is the job's cron spec, from the configured time.
func (j *DutyReminder) Spec() string {
	return fmt.Sprintf("%d %d * * *", int(j.Rules.DutyReminder)%60, int(j.Rules.DutyReminder)/60)
}

// Run implements Job.
func (j *DutyReminder) Run(ctx context.Context, now time.Time) error {
	today := j.Calendar.StartOfDay(now)
	err := j.Store.InTx(ctx, func(ctx context.Context) error {
		rem, err := j.Store.DutyReminder(ctx, today)
		if err != nil {
			return err
		}
		if err := j.Bot.NotifyDutyReminder(ctx, rem); err != nil {
			return err
		}
		conflicts, err := j.Store.RestConflicts(ctx, today.AddDate(0, 0, 1))
		if err != nil || len(conflicts) == 0 {
			return err
		}
		return j.Bot.NotifyDutyRestConflicts(ctx, conflicts)
	})
	if err != nil {
		return fmt.Errorf("duty reminder: %w", err)
	}
	return nil
}

// CatchUp runs the day's reminder at start if its time passed while the
// bot was down and the store is still open; the per-day keys make it send
// only what did not go out.
func (j *DutyReminder) CatchUp(ctx context.Context, now time.Time) error {
	if now.Before(j.Rules.DutyReminder.On(now, j.Calendar.Location)) || !j.Calendar.IsOpen(now) {
		return nil
	}
	return j.Run(ctx, now)
}

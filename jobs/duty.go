package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// DutyReminder sends, at the store's configured time (default 08:00,
// before the morning push) in the store's own time zone, everyone on duty
// in Shop today their roles and tasks, and tells the store's supervisors
// of anyone on duty tomorrow who has an approved rest day (R5.2). There is
// one instance per store. The bot keys each message per day and person,
// so a rerun sends nothing twice.
type DutyReminder struct {
	Store DutyReminderStore
	Bot   DutyNotifier
	Shop  *domain.Store
}

// DutyReminderStore finds a store's reminder of a day and its rest
// conflicts (domain.DutyService).
type DutyReminderStore interface {
	DutyReminder(ctx context.Context, store int64, day time.Time) (*domain.DutyReminder, error)
	RestConflicts(ctx context.Context, store int64, day time.Time) ([]domain.DutyRestConflict, error)
	Transactor
}

// DutyNotifier tells the people on duty and the store's group, and the
// supervisors of duty-on-rest conflicts. It must key each message per
// day and person, so a rerun tells nobody twice.
type DutyNotifier interface {
	NotifyDutyReminder(ctx context.Context, r *domain.DutyReminder) error
	NotifyDutyRestConflicts(ctx context.Context, c []domain.DutyRestConflict) error
}

// Name implements Job: one name per store.
func (j *DutyReminder) Name() string { return "duty-reminder@" + j.Shop.Code }

// Spec is the job's cron spec, from the store's configured time in its
// time zone.
func (j *DutyReminder) Spec() string {
	return dailySpec(j.Shop, j.Shop.Rules.Rota.DutyReminder)
}

// Run implements Job.
func (j *DutyReminder) Run(ctx context.Context, now time.Time) error {
	today := j.Shop.Calendar.StartOfDay(now)
	err := j.Store.InTx(ctx, func(ctx context.Context) error {
		rem, err := j.Store.DutyReminder(ctx, j.Shop.ID, today)
		if err != nil {
			return err
		}
		if err := j.Bot.NotifyDutyReminder(ctx, rem); err != nil {
			return err
		}
		conflicts, err := j.Store.RestConflicts(ctx, j.Shop.ID, today.AddDate(0, 0, 1))
		if err != nil || len(conflicts) == 0 {
			return err
		}
		return j.Bot.NotifyDutyRestConflicts(ctx, conflicts)
	})
	if err != nil {
		return fmt.Errorf("duty reminder of store %s: %w", j.Shop.Code, err)
	}
	return nil
}

// CatchUp runs the store's reminder of the day at start if its time
// passed while the bot was down and the store is still open; the per-day
// keys make it send only what did not go out.
func (j *DutyReminder) CatchUp(ctx context.Context, now time.Time) error {
	if now.Before(j.Shop.Rules.Rota.DutyReminder.On(now, j.Shop.Calendar.Location)) || !j.Shop.Calendar.IsOpen(now) {
		return nil
	}
	return j.Run(ctx, now)
}

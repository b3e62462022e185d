package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// MorningPush sends each active staff member with anything due one
// message at the morning push time (default 08:30): follow-ups overdue and
// due today by grade, the first few to call, leads still ungraded after their
// first week (R1.4), and for supervisors who on the team is more than
// OverdueAlertDays behind. Nobody gets an empty message. Each message is keyed
// per person per day, so a rerun sends nothing twice.
//
// The digests are the store's (domain.MorningService.MorningDigests): it
// never loads all leads. One instance runs per store (Shop), at the
// store's own morning time in the store's own time zone, for the store's
// people only.
type MorningPush struct {
	Store MorningStore
	Bot   MorningNotifier
	Shop  *domain.Store
	Log   *slog.Logger
}

// MorningStore is the morning's domain.MorningService and the
// transaction each batch of messages is queued in, with the no-shows they
// report marked missed.
type MorningStore interface {
	domain.MorningService
	Transactor
}

// MorningNotifier tells each person their digest. It must key each
// message by person and digest day, so a rerun sends nothing twice.
type MorningNotifier interface {
	NotifyMorning(ctx context.Context, digests []*domain.MorningDigest) error
}

// batch is how many people's messages are queued per transaction.
const batch = 200

// Name implements Job: one name per store.
func (j *MorningPush) Name() string { return "morning-push@" + j.Shop.Code }

// Spec is the job's cron spec: the store's configured time in the store's
// zone.
func (j *MorningPush) Spec() string {
	return dailySpec(j.Shop, j.Shop.Rules.Leads.MorningPush)
}

// dailySpec is the cron spec of a job run every day at clock time at in
// st's time zone (robfig/cron's CRON_TZ= prefix).
func dailySpec(st *domain.Store, at domain.ClockTime) string {
	return fmt.Sprintf("CRON_TZ=%s %d %d * * *", st.Calendar.Location, int(at)%60, int(at)/60)
}

// Run implements Job.
func (j *MorningPush) Run(ctx context.Context, now time.Time) error {
	digests, err := j.Store.MorningDigests(ctx, j.Shop.ID, now)
	if err != nil {
		return fmt.Errorf("morning push %s: %w", j.Shop.Code, err)
	}
	for start := 0; start < len(digests); start += batch {
		part := digests[start:min(start+batch, len(digests))]
		err := j.Store.InTx(ctx, func(ctx context.Context) error {
			if err := j.Bot.NotifyMorning(ctx, part); err != nil {
				return err
			}
			return j.Store.MorningReported(ctx, part)
		})
		if err != nil {
			return fmt.Errorf("morning push %s: %w", j.Shop.Code, err)
		}
	}
	if j.Log != nil {
		j.Log.Info("morning push queued", slog.String("store", j.Shop.Code), slog.Int("people", len(digests)))
	}
	return nil
}

// CatchUp runs the push at start if the store's time today has passed
// while the bot was down and the store is still open: the per-day keys
// make it send only what did not go out.
func (j *MorningPush) CatchUp(ctx context.Context, now time.Time) error {
	cal := j.Shop.Calendar
	if now.Before(j.Shop.Rules.Leads.MorningPush.On(now, cal.Location)) || !cal.IsOpen(now) {
		return nil
	}
	return j.Run(ctx, now)
}

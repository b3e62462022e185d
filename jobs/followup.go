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
// never loads all leads.
type MorningPush struct {
	Store    MorningStore
	Bot      MorningNotifier
	Rules    domain.LeadRules
	Calendar *domain.Calendar
	Log      *slog.Logger
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

// Name implements Job.
func (j *MorningPush) Name() string { return "morning-push" }

// Spec is the job's cron spec, from the configured time.
func (j *MorningPush) Spec() string {
	return fmt.Sprintf("%d %d * * *", int(j.Rules.MorningPush)%60, int(j.Rules.MorningPush)/60)
}

// Run implements Job.
func (j *MorningPush) Run(ctx context.Context, now time.Time) error {
	digests, err := j.Store.MorningDigests(ctx, now)
	if err != nil {
		return fmt.Errorf("morning push: %w", err)
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
			return fmt.Errorf("morning push: %w", err)
		}
	}
	if j.Log != nil {
		j.Log.Info("morning push queued", slog.Int("people", len(digests)))
	}
	return nil
}

// CatchUp runs the push at start if today's time has passed while the bot
// was down and the store is still open: the per-day keys make it send only
// what did not go out.
func (j *MorningPush) CatchUp(ctx context.Context, now time.Time) error {
	if now.Before(j.Rules.MorningPush.On(now, j.Calendar.Location)) || !j.Calendar.IsOpen(now) {
		return nil
	}
	return j.Run(ctx, now)
}

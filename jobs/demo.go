package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// DemoUpkeep reminds a store's demo-car keepers and managers each morning
// of insurance and service due within demo_upkeep_remind_days, and
// proposes the retirement of cars past their age or mileage (R3.6). Each
// message is keyed per car, person and day, so a rerun sends nothing
// twice. One instance runs per store (Shop), in its time zone.
type DemoUpkeep struct {
	Store DemoUpkeepStore
	Bot   DemoUpkeepNotifier
	Shop  *domain.Store
}

// DemoUpkeepStore lists a store's upkeep notices of the day.
type DemoUpkeepStore interface {
	DemoUpkeep(ctx context.Context, store int64, now time.Time) ([]domain.DemoUpkeepNotice, error)
	Transactor
}

// DemoUpkeepNotifier tells each notice's recipients, keyed per car,
// person and day.
type DemoUpkeepNotifier interface {
	NotifyDemoUpkeep(ctx context.Context, notices []domain.DemoUpkeepNotice) error
}

// Name implements Job: one name per store.
func (j *DemoUpkeep) Name() string { return "demo-upkeep@" + j.Shop.Code }

// Spec is the job's cron spec: at the store's morning push time, in its zone.
func (j *DemoUpkeep) Spec() string {
	return dailySpec(j.Shop, j.Shop.Rules.Leads.MorningPush)
}

// CatchUp runs the reminders at start if the store's time today has
// passed while the bot was down: the per-day keys make it send only what
// did not go out.
func (j *DemoUpkeep) CatchUp(ctx context.Context, now time.Time) error {
	if now.Before(j.Shop.Rules.Leads.MorningPush.On(now, j.Shop.Calendar.Location)) {
		return nil
	}
	return j.Run(ctx, now)
}

// Run implements Job.
func (j *DemoUpkeep) Run(ctx context.Context, now time.Time) error {
	err := j.Store.InTx(ctx, func(ctx context.Context) error {
		notices, err := j.Store.DemoUpkeep(ctx, j.Shop.ID, now)
		if err != nil || len(notices) == 0 {
			return err
		}
		return j.Bot.NotifyDemoUpkeep(ctx, notices)
	})
	if err != nil {
		return fmt.Errorf("demo upkeep %s: %w", j.Shop.Code, err)
	}
	return nil
}

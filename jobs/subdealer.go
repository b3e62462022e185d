package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// DealerDeposits lapses a sub-dealer contract whose deposit was not
// recorded within deposit_working_days working days of signing (R4.6),
// and warns the store's managers one working day ahead (at the store's
// opening on the last day). The timers run it at the second of each
// warning and lapse (Next, from the stored deadlines, so a restart finds
// what fell due meanwhile); each mark commits with its messages, so a
// second run tells nobody twice. One instance serves the group.
type DealerDeposits struct {
	Store DealerDepositStore
	Bot   SubDealerNotifier
}

// DealerDepositStore finds the next deposit deadline and marks what fell
// due (joining the caller's transaction).
type DealerDepositStore interface {
	NextDealerDeposit(ctx context.Context) (time.Time, bool, error)
	DealerDepositsDue(ctx context.Context, now time.Time, limit int) ([]domain.SubDealerNotice, error)
	Transactor
}

// SubDealerNotifier tells each notice's managers, keyed per contract,
// kind, period and person.
type SubDealerNotifier interface {
	NotifySubDealers(ctx context.Context, notices []domain.SubDealerNotice) error
}

// Name implements Job.
func (j *DealerDeposits) Name() string { return "dealer-deposits" }

// Run implements Job: every warning and lapse due by now, a batch per
// transaction.
func (j *DealerDeposits) Run(ctx context.Context, now time.Time) error {
	for {
		var n int
		err := j.Store.InTx(ctx, func(ctx context.Context) error {
			due, err := j.Store.DealerDepositsDue(ctx, now, expireBatch)
			n = len(due)
			if err != nil || n == 0 {
				return err
			}
			return j.Bot.NotifySubDealers(ctx, due)
		})
		if err != nil {
			return fmt.Errorf("dealer deposits: %w", err)
		}
		if n < expireBatch {
			return nil
		}
	}
}

// Next implements DeadlineJob: the earliest warning or lapse to come.
func (j *DealerDeposits) Next(ctx context.Context, _ time.Time) (time.Time, bool, error) {
	at, ok, err := j.Store.NextDealerDeposit(ctx)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next dealer deposit: %w", err)
	}
	return at, ok, nil
}

// SubDealerDay is a store's daily sub-dealer round (R4.6) at its morning
// push time: contracts past their end expire; the managers are reminded
// of a month's target not yet set (up to targets_by_day, once a day per
// contract), of an expiry within expiry_remind_days (once), and told of a
// target missed months running or under its share (once per month
// judged), with the figures. One instance runs per store (Shop).
type SubDealerDay struct {
	Store SubDealerDayStore
	Bot   SubDealerNotifier
	Shop  *domain.Store
}

// SubDealerDayStore is the store's day of sub-dealer notices.
type SubDealerDayStore interface {
	SubDealerDaily(ctx context.Context, store int64, now time.Time) ([]domain.SubDealerNotice, error)
	Transactor
}

// Name implements Job: one name per store.
func (j *SubDealerDay) Name() string { return "sub-dealers@" + j.Shop.Code }

// Spec is the job's cron spec: at the store's morning push time, in its zone.
func (j *SubDealerDay) Spec() string {
	return dailySpec(j.Shop, j.Shop.Rules.Leads.MorningPush)
}

// CatchUp runs the day at start if the store's time today has passed
// while the bot was down: the per-day keys and the marks make it send
// only what did not go out.
func (j *SubDealerDay) CatchUp(ctx context.Context, now time.Time) error {
	if now.Before(j.Shop.Rules.Leads.MorningPush.On(now, j.Shop.Calendar.Location)) {
		return nil
	}
	return j.Run(ctx, now)
}

// Run implements Job.
func (j *SubDealerDay) Run(ctx context.Context, now time.Time) error {
	err := j.Store.InTx(ctx, func(ctx context.Context) error {
		notices, err := j.Store.SubDealerDaily(ctx, j.Shop.ID, now)
		if err != nil || len(notices) == 0 {
			return err
		}
		return j.Bot.NotifySubDealers(ctx, notices)
	})
	if err != nil {
		return fmt.Errorf("sub-dealers %s: %w", j.Shop.Code, err)
	}
	return nil
}

package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// MonthEndCleanup proposes the month-end clean-up (R1.13): at the
// configured time (default 17:00) on the configured day (default the last
// day of the month; CleanupDaysBefore days earlier if set), each
// supervisor gets one card per consultant with leads not graded H, A or O.
// The cards are keyed per month, so a rerun sends nothing twice. One
// instance runs per store (Shop), on the store's rules and in its zone,
// with the store's consultants and supervisors.
type MonthEndCleanup struct {
	Store CleanupStore
	Bot   CleanupNotifier
	Shop  *domain.Store
}

// CleanupStore finds a store's pending clean-up cases of the month and
// who must get a card for each (domain.CleanupService).
type CleanupStore interface {
	CleanupCases(ctx context.Context, store int64, month string) (*domain.CleanupProposal, error)
	Transactor
}

// CleanupNotifier sends the cards of the month's cases. It must key each
// card by month, consultant and recipient, so a rerun sends nothing twice.
type CleanupNotifier interface {
	NotifyCleanup(ctx context.Context, p *domain.CleanupProposal) error
}

// Name implements Job: one name per store.
func (j *MonthEndCleanup) Name() string { return "month-end-cleanup@" + j.Shop.Code }

// Spec runs the job daily at the store's clean-up time in the store's
// zone; Run decides the day.
func (j *MonthEndCleanup) Spec() string {
	return dailySpec(j.Shop, j.Shop.Rules.Leads.CleanupTime)
}

// Due reports whether now's date, in the store's zone, is the clean-up
// day: the last day of the month less CleanupDaysBefore.
func (j *MonthEndCleanup) Due(now time.Time) bool {
	loc := j.Shop.Calendar.Location
	y, m, d := now.In(loc).Date()
	last := time.Date(y, m+1, 0, 12, 0, 0, 0, loc).Day() // day 0 of next month
	return d == last-j.Shop.Rules.Leads.CleanupDaysBefore
}

// Run implements Job.
func (j *MonthEndCleanup) Run(ctx context.Context, now time.Time) error {
	if !j.Due(now) {
		return nil
	}
	month := domain.CleanupMonth(now, j.Shop.Calendar.Location)
	err := j.Store.InTx(ctx, func(ctx context.Context) error {
		p, err := j.Store.CleanupCases(ctx, j.Shop.ID, month)
		if err != nil || len(p.Cases) == 0 {
			return err
		}
		return j.Bot.NotifyCleanup(ctx, p)
	})
	if err != nil {
		return fmt.Errorf("month-end clean-up %s of %s: %w", month, j.Shop.Code, err)
	}
	return nil
}

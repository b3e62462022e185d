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
// The cards are keyed per month, so a rerun sends nothing twice.
type MonthEndCleanup struct {
	Store    CleanupStore
	Bot      CleanupNotifier
	Rules    domain.LeadRules
	Calendar *domain.Calendar
}

// CleanupStore finds the month's pending clean-up cases and who must get
// a card for each (domain.CleanupService).
type CleanupStore interface {
	CleanupCases(ctx context.Context, month string) (*domain.CleanupProposal, error)
	Transactor
}

// CleanupNotifier sends the cards of the month's cases. It must key each
// card by month, consultant and recipient, so a rerun sends nothing twice.
type CleanupNotifier interface {
	NotifyCleanup(ctx context.Context, p *domain.CleanupProposal) error
}

// Name implements Job.
func (j *MonthEndCleanup) Name() string { return "month-end-cleanup" }

// Spec runs the job daily at the clean-up time; Run decides the day.
func (j *MonthEndCleanup) Spec() string {
	return fmt.Sprintf("%d %d * * *", int(j.Rules.CleanupTime)%60, int(j.Rules.CleanupTime)/60)
}

// Due reports whether now's date, in the store's zone, is the clean-up
// day: the last day of the month less CleanupDaysBefore.
func (j *MonthEndCleanup) Due(now time.Time) bool {
	loc := now.Location()
	if j.Calendar != nil && j.Calendar.Location != nil {
		loc = j.Calendar.Location
	}
	y, m, d := now.In(loc).Date()
	last := time.Date(y, m+1, 0, 12, 0, 0, 0, loc).Day() // day 0 of next month
	return d == last-j.Rules.CleanupDaysBefore
}

// Run implements Job.
func (j *MonthEndCleanup) Run(ctx context.Context, now time.Time) error {
	if !j.Due(now) {
		return nil
	}
	loc := now.Location()
	if j.Calendar != nil && j.Calendar.Location != nil {
		loc = j.Calendar.Location
	}
	month := domain.CleanupMonth(now, loc)
	err := j.Store.InTx(ctx, func(ctx context.Context) error {
		p, err := j.Store.CleanupCases(ctx, month)
		if err != nil || len(p.Cases) == 0 {
			return err
		}
		return j.Bot.NotifyCleanup(ctx, p)
	})
	if err != nil {
		return fmt.Errorf("month-end clean-up %s: %w", month, err)
	}
	return nil
}

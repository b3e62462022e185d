package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// ScheduledReport sends a store's supervisors and managers their report
// summary (issue 15): the day's every day at rules.reports.daily_time
// (18:30), last week's on Monday at weekly_time, last month's on the 1st
// at monthly_time — one job per store and period kind, in the store's
// time zone. The service leaves out the empty reports (nobody gets an
// empty one) and keys each by reader and period (domain.ReportKey), so a
// rerun or a catch-up sends nothing twice.
//
// The job changes nothing, so it holds no transaction: drawing a reader's
// chart and workbook takes about 0.2 s, which inside one would keep every
// chat of a SQLite store waiting. Each message is queued on its own,
// under its key; a run cut short is completed by the next without
// repeating what was queued.
type ScheduledReport struct {
	Store ReportStore
	Bot   ReportNotifier
	Shop  *domain.Store
	Kind  domain.PeriodKind // day, week or month
}

// ReportStore computes the summaries (domain.ReportService).
type ReportStore interface {
	domain.ReportService
}

// ReportNotifier sends each summary to its reader, keyed by the
// summary's Key, so a rerun sends nothing twice. It is called outside any
// transaction.
type ReportNotifier interface {
	NotifyReports(ctx context.Context, sums []domain.ReportSummary) error
}

// Name implements Job: one per store and kind.
func (j *ScheduledReport) Name() string { return "report-" + string(j.Kind) + "@" + j.Shop.Code }

// at is the time of day the summary goes out.
func (j *ScheduledReport) at() domain.ClockTime {
	r := j.Shop.Rules.Reports
	switch j.Kind {
	case domain.PeriodWeek:
		return r.Weekly
	case domain.PeriodMonth:
		return r.Monthly
	}
	return r.Daily
}

// Spec is the job's cron spec: daily at its time in the store's zone
// (Due says on which days it sends).
func (j *ScheduledReport) Spec() string { return dailySpec(j.Shop, j.at()) }

// Due reports whether now's local day is a day the summary goes out:
// every day, Monday for the week's, the 1st for the month's.
func (j *ScheduledReport) Due(now time.Time) bool {
	day := now.In(j.Shop.Calendar.Location)
	switch j.Kind {
	case domain.PeriodWeek:
		return day.Weekday() == time.Monday
	case domain.PeriodMonth:
		return day.Day() == 1
	}
	return true
}

// Run implements Job.
func (j *ScheduledReport) Run(ctx context.Context, now time.Time) error {
	if !j.Due(now) {
		return nil
	}
	sums, err := j.Store.ReportSummaries(ctx, j.Shop.ID, j.Kind, now)
	if err != nil {
		return fmt.Errorf("%s: %w", j.Name(), err)
	}
	if len(sums) == 0 {
		return nil
	}
	if err := j.Bot.NotifyReports(ctx, sums); err != nil {
		return fmt.Errorf("%s: %w", j.Name(), err)
	}
	return nil
}

// CatchUp sends the day's summary at start if its time passed while the
// bot was down; the keys make it send only what did not go out.
func (j *ScheduledReport) CatchUp(ctx context.Context, now time.Time) error {
	if now.Before(j.at().On(now, j.Shop.Calendar.Location)) {
		return nil
	}
	return j.Run(ctx, now)
}

package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// WeeklyRegister runs the weekly complaint register (R2.8): on the
// register day (Monday by default) each department's register of last week
// goes to the service centre; on the results day (Tuesday) the service
// centre is reminded to report the results of that same week. It runs
// daily at the register time and acts only on those two days; the bot's
// keys are per week and person, so a rerun sends nothing twice. There is
// one per store (Shop), in the store's own time zone, with its rules: the
// register of the store's complaints, its departments, to its service
// centre.
type WeeklyRegister struct {
	Store RegisterStore
	Bot   RegisterNotifier
	Shop  *domain.Store
}

// RegisterStore assembles the week's register and the results reminder
// (domain.RegisterService). The job reads them as the server,
// domain.Console, which the service lets read the register.
type RegisterStore interface {
	domain.RegisterService
	Transactor
}

// RegisterNotifier sends the register and the reminder to their
// recipients, keyed per week, department and person, so that a rerun
// sends nothing twice.
type RegisterNotifier interface {
	NotifyWeeklyRegister(ctx context.Context, reg *domain.WeeklyRegister) error
	NotifyRegisterReminder(ctx context.Context, rem *domain.RegisterReminder) error
}

// Name implements Job: one per store.
func (j *WeeklyRegister) Name() string { return "weekly-register@" + j.Shop.Code }

// Spec is the job's cron spec: daily at the register time, in the store's
// time zone.
func (j *WeeklyRegister) Spec() string {
	return dailySpec(j.Shop, j.Shop.Rules.Complaints.WeeklyRegisterTime)
}

// Plan says what the job does at now: push the register of the week
// starting at week, remind about it, both or neither. The week is the
// one before the latest register day on or before now, so Tuesday's
// reminder is about the register Monday sent.
func (j *WeeklyRegister) Plan(now time.Time) (week time.Time, register, remind bool) {
	cal, r := j.Shop.Calendar, j.Shop.Rules.Complaints
	day := cal.StartOfDay(now)
	back := (int(day.Weekday()) - int(r.WeeklyRegisterDay) + 7) % 7
	regDay := day.AddDate(0, 0, -back)
	week = domain.WeekStart(regDay, cal.Location).AddDate(0, 0, -7)
	return week, back == 0, day.Weekday() == r.ResultsReminderDay
}

// Run implements Job.
func (j *WeeklyRegister) Run(ctx context.Context, now time.Time) error {
	week, register, remind := j.Plan(now)
	if !register && !remind {
		return nil
	}
	err := j.Store.InTx(ctx, func(ctx context.Context) error {
		if register {
			reg, err := j.Store.WeeklyRegister(ctx, domain.Console, j.Shop.ID, week)
			if err != nil {
				return err
			}
			if err := j.Bot.NotifyWeeklyRegister(ctx, reg); err != nil {
				return err
			}
		}
		if remind {
			rem, err := j.Store.RegisterReminder(ctx, domain.Console, j.Shop.ID, week)
			if err != nil {
				return err
			}
			return j.Bot.NotifyRegisterReminder(ctx, rem)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("weekly register of %s: %w", j.Shop.Code, err)
	}
	return nil
}

// CatchUp runs the day's register or reminder at start if its time passed
// while the bot was down: the per-week keys make it send only what did not
// go out.
func (j *WeeklyRegister) CatchUp(ctx context.Context, now time.Time) error {
	if now.Before(j.Shop.Rules.Complaints.WeeklyRegisterTime.On(now, j.Shop.Calendar.Location)) {
		return nil
	}
	return j.Run(ctx, now)
}

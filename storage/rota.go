package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The month's rest rota (R5.1): everyone's approved rest days, and the
// supervisor's plan for a whole month, saved all or nothing.

// Rota implements domain.RestService.
func (db *DB) Rota(ctx context.Context, month time.Time) (*domain.Rota, error) {
	var out *domain.Rota
	err := db.InTx(ctx, func(ctx context.Context) (err error) {
		out, err = db.rota(ctx, domain.FirstOfMonth(month.In(db.Stores.Default().Calendar.Location)))
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "rota of %s", month.Format(domain.RotaMonthLayout))
	}
	return out, nil
}

// rota returns the approved rest days of the month starting first.
func (db *DB) rota(ctx context.Context, first time.Time) (*domain.Rota, error) {
	last := first.AddDate(0, 1, -1)
	days, err := db.RestDaysBetween(ctx, first.Format(domain.DateLayout), last.Format(domain.DateLayout), []string{domain.RestApproved})
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, d := range days {
		if !slices.Contains(ids, d.StaffID) {
			ids = append(ids, d.StaffID)
		}
	}
	staff, err := db.staffByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if staff[id] == nil {
			return nil, errStaffNotFound(fmt.Sprintf("#%d", id))
		}
	}
	return domain.RotaOf(first, days, staff), nil
}

// PlanMonth implements domain.RestService.
func (db *DB) PlanMonth(ctx context.Context, byID int64, mp domain.MonthPlan) (*domain.RotaPlanned, error) {
	first := domain.FirstOfMonth(mp.First.In(db.Stores.Default().Calendar.Location))
	out := &domain.RotaPlanned{Month: first.Format(domain.RotaMonthLayout)}
	err := db.InTx(ctx, func(ctx context.Context) error {
		by, err := db.StaffByID(ctx, byID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "unknown planner %d", byID)
		} else if err != nil {
			return err
		}
		if err := domain.MayPlanRota(by); err != nil {
			return err
		}
		plan, err := db.planLines(ctx, first, mp.Lines, out)
		if err != nil || len(out.Problems) > 0 {
			return err
		}
		// The people listed get the rest of their month replaced (days
		// already past stay, and count); everyone else's days stay.
		from, to := domain.RestWindow(first)
		monthFrom, monthTo := domain.PlanFrom(first, db.now(), db.Stores.Default().Calendar), first.AddDate(0, 1, -1).Format(domain.DateLayout)
		existing, err := db.RestDaysBetween(ctx, from, to, holdingRest)
		if err != nil {
			return err
		}
		listed := map[int64]bool{}
		ids := make([]int64, 0, len(plan))
		for _, pl := range plan {
			listed[pl.Staff.ID] = true
			ids = append(ids, pl.Staff.ID)
		}
		var kept []domain.RestDay
		for _, d := range existing {
			if !listed[d.StaffID] || d.Day < monthFrom || d.Day > monthTo {
				kept = append(kept, d)
			}
		}
		accepted, problems := domain.CheckPlan(plan, kept, db.Stores.Default().Rules.Rota, db.Stores.Default().Calendar, db.now(), by.ID)
		if out.Problems = problems; len(problems) > 0 {
			return nil
		}
		if _, err := db.CancelRestDays(ctx, ids, monthFrom, monthTo); err != nil {
			return err
		}
		for i := range accepted {
			if err := db.CreateRestDay(ctx, &accepted[i]); err != nil {
				return err
			}
		}
		out.People, out.Days = len(plan), len(accepted)
		out.Rota, err = db.rota(ctx, first)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "plan %s", out.Month)
	}
	return out, nil
}

// planLines names the person of each line of a plan; the problems of a
// line that could not be read (domain.ParsePlan), names no active member
// (rota.line_unknown) or names one twice (rota.line_twice), or of a day
// not in the month starting first (rota.line_bad_day), go to out.
func (db *DB) planLines(ctx context.Context, first time.Time, lines []domain.PlanEntry, out *domain.RotaPlanned) ([]domain.PlanLine, error) {
	var plan []domain.PlanLine
	seen := map[int64]bool{}
	for _, l := range lines {
		n, name := l.N, l.Name
		if name == "" {
			out.Problems = append(out.Problems, l.Bad...)
			continue
		}
		s, err := db.StaffByName(ctx, db.Stores.Default().ID /* STORES-TODO: the record's store */, name)
		if domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && !s.Active {
			out.Problems = append(out.Problems, domain.Errorkf(domain.EINVALID, "rota.line_unknown", []any{n, name},
				"plan line %d: no active member %q", n, name))
			continue
		} else if err != nil {
			return nil, err
		}
		if seen[s.ID] {
			out.Problems = append(out.Problems, domain.Errorkf(domain.EINVALID, "rota.line_twice", []any{n, name},
				"plan line %d: %q listed before", n, name))
			continue
		}
		seen[s.ID] = true
		out.Problems = append(out.Problems, l.Bad...)
		days := make([]time.Time, 0, len(l.Days))
		for _, day := range l.Days {
			day = db.Stores.Default().Calendar.StartOfDay(day)
			if !domain.FirstOfMonth(day).Equal(first) {
				d := day.Format(domain.DateLayout)
				out.Problems = append(out.Problems, domain.Errorkf(domain.EINVALID, "rota.line_bad_day", []any{n, d, out.Month},
					"plan line %d: %s is not a day of %s", n, d, out.Month))
				continue
			}
			days = append(days, day)
		}
		plan = append(plan, domain.PlanLine{N: n, Staff: s, Days: days})
	}
	return plan, nil
}

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
func (db *DB) Rota(ctx context.Context, byID int64, month time.Time) (*domain.Rota, error) {
	var out *domain.Rota
	err := db.InTx(ctx, func(ctx context.Context) error {
		by, err := db.rotaActor(ctx, byID)
		if err != nil {
			return err
		}
		st := db.rotaStoreOf(by)
		out, err = db.rota(ctx, st.ID, domain.FirstOfMonth(month.In(st.Calendar.Location)))
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "rota of %s", month.Format(domain.RotaMonthLayout))
	}
	return out, nil
}

// rota returns the approved rest days in store of the month starting first.
func (db *DB) rota(ctx context.Context, store int64, first time.Time) (*domain.Rota, error) {
	last := first.AddDate(0, 1, -1)
	days, err := db.RestDaysBetween(ctx, store, first.Format(domain.DateLayout), last.Format(domain.DateLayout), []string{domain.RestApproved})
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
	out := &domain.RotaPlanned{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		by, err := db.rotaActor(ctx, byID)
		if err != nil {
			return err
		}
		if err := domain.MayPlanRota(by); err != nil {
			return err
		}
		// The plan is of the planner's store: its people, calendar and rules.
		st := db.rotaStoreOf(by)
		first := domain.FirstOfMonth(mp.First.In(st.Calendar.Location))
		*out = domain.RotaPlanned{Month: first.Format(domain.RotaMonthLayout)}
		plan, err := db.planLines(ctx, st, first, mp.Lines, out)
		if err != nil || len(out.Problems) > 0 {
			return err
		}
		// The people listed get the rest of their month replaced (days
		// already past stay, and count); everyone else's days stay.
		from, to := domain.RestWindow(first)
		monthFrom, monthTo := domain.PlanFrom(first, db.now(), st.Calendar), first.AddDate(0, 1, -1).Format(domain.DateLayout)
		existing, err := db.RestDaysBetween(ctx, st.ID, from, to, holdingRest)
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
		accepted, problems := domain.CheckPlan(plan, kept, st.Rules.Rota, st.Calendar, db.now(), by.ID)
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
		out.Rota, err = db.rota(ctx, st.ID, first)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "plan %s", out.Month)
	}
	return out, nil
}

// planLines names the person of each line of a plan among st's staff; the
// problems of a line that could not be read (domain.ParsePlan), names no
// active member of the store (rota.line_unknown) or names one twice (rota.line_twice), or of a day
// not in the month starting first (rota.line_bad_day), go to out.
func (db *DB) planLines(ctx context.Context, st *domain.Store, first time.Time, lines []domain.PlanEntry, out *domain.RotaPlanned) ([]domain.PlanLine, error) {
	var plan []domain.PlanLine
	seen := map[int64]bool{}
	for _, l := range lines {
		n, name := l.N, l.Name
		if name == "" {
			out.Problems = append(out.Problems, l.Bad...)
			continue
		}
		s, err := db.rotaStaffNamed(ctx, st.ID, name)
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
			day = st.Calendar.StartOfDay(day)
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

// rotaActor loads the member who reads or plans a rota. An unknown id is
// EFORBIDDEN (err.forbidden): there is no store to show.
func (db *DB) rotaActor(ctx context.Context, byID int64) (*domain.Staff, error) {
	by, err := db.StaffByID(ctx, byID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "unknown staff %d", byID)
	}
	return by, err
}

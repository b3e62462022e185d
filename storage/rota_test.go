package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// rotaText writes a rota as "A:3,10 B:2 ".
func rotaText(r *domain.Rota) string {
	out := r.Month + " "
	for _, l := range r.Lines {
		out += fmt.Sprintf("%s:%v ", l.Staff.Name, l.Days)
	}
	return out
}

// problemKeys lists a refused plan's problems as line keys.
func problemKeys(ps []*domain.Error) string {
	out := ""
	for _, p := range ps {
		out += fmt.Sprintf("%v:%s ", p.Args[0], p.Key)
		if len(p.Args) == 4 {
			if e, ok := p.Args[3].(*domain.Error); ok {
				out += fmt.Sprintf("(%s %v) ", e.Key, p.Args[2])
			}
		}
	}
	return out
}

// planMonth sets month's plan from lines as a supervisor types them: the
// chat reads them (domain.ParsePlan), the service checks and saves.
func planMonth(db *storage.DB, byID int64, month time.Time, lines []string) (*domain.RotaPlanned, error) {
	return db.PlanMonth(ctx, byID, domain.ParsePlan(month, lines))
}

// TestR5_1_RotaService sets a month's plan through the service, without
// Telegram: all or nothing, only by a supervisor; the listed people's days
// to come are replaced, days past stay and count. The clock is Monday
// 2026-03-02.
func TestR5_1_RotaService(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		a := MustCreateStaff(t, db, "A")
		b := MustCreateStaff(t, db, "B")
		MustCreateStaff(t, db, "C")
		boss := MustCreateStaff(t, db, "Boss", domain.RoleSupervisor)
		march := time.Date(2026, 3, 20, 0, 0, 0, 0, db.Stores.Default().Calendar.Location)
		old := grantRest(t, db, a, "2026-03-05") // replaced by the plan
		grantRest(t, db, b, "2026-03-02")        // today: stays, and counts
		rota := func(t *testing.T) string {
			t.Helper()
			r, err := db.Rota(ctx, boss.ID, march)
			if err != nil {
				t.Fatal(err)
			}
			return rotaText(r)
		}
		before := "2026-03 A:[5] B:[2] "
		if got := rota(t); got != before {
			t.Fatalf("rota %q", got)
		}
		t.Run("ErrForbidden", func(t *testing.T) {
			_, err := planMonth(db, a.ID, march, []string{"A: 3"})
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		})
		t.Run("RefusedLines", func(t *testing.T) {
			out, err := planMonth(db, boss.ID, march, []string{"A: 3 10", "Nobody: 4", "B 3", "A: 5", "C: 32 4"})
			if err != nil {
				t.Fatal(err)
			}
			if got := problemKeys(out.Problems); got != "2:rota.line_unknown 3:rota.line_bad 4:rota.line_twice 5:rota.line_bad_day " {
				t.Fatalf("problems %q", got)
			}
		})
		t.Run("RefusedDayOutsideTheMonth", func(t *testing.T) {
			// A plan given as values, not typed: the service checks that
			// its days are the month's.
			april := time.Date(2026, 4, 3, 0, 0, 0, 0, db.Stores.Default().Calendar.Location)
			plan := domain.MonthPlan{First: march, Lines: []domain.PlanEntry{{N: 1, Name: "A", Days: []time.Time{april}}}}
			out, err := db.PlanMonth(ctx, boss.ID, plan)
			if err != nil {
				t.Fatal(err)
			}
			if got := problemKeys(out.Problems); got != "1:rota.line_bad_day " {
				t.Fatalf("problems %q", got)
			}
		})
		t.Run("RefusedLimits", func(t *testing.T) {
			out, err := planMonth(db, boss.ID, march, []string{"A: 3 10 17 24", "B: 3 10", "C: 10 7"})
			if err != nil {
				t.Fatal(err)
			}
			want := "2:rota.line_limit (rest.week 2026-03-03) " +
				"3:rota.line_limit (rest.day_full 2026-03-10) 3:rota.line_limit (rest.weekend 2026-03-07) "
			if got := problemKeys(out.Problems); got != want || out.Rota != nil || out.Days != 0 {
				t.Fatalf("problems %q, %+v", got, out)
			}
			if got := rota(t); got != before {
				t.Fatalf("saved: %q", got)
			}
		})
		t.Run("Saved", func(t *testing.T) {
			out, err := planMonth(db, boss.ID, march, []string{"A: 3 10 17 24", "B: 11 18", "C: 4 12"})
			if err != nil || len(out.Problems) != 0 {
				t.Fatalf("planned %+v, %v", out, err)
			}
			want := "2026-03 A:[3 10 17 24] B:[2 11 18] C:[4 12] "
			if out.Month != "2026-03" || out.People != 3 || out.Days != 8 || rotaText(out.Rota) != want {
				t.Fatalf("planned %+v %q", out, rotaText(out.Rota))
			}
			if got := rota(t); got != want {
				t.Fatalf("rota %q", got)
			}
			if got, _ := db.RestDayByID(ctx, old.ID); got.Status != domain.RestCancelled {
				t.Fatalf("replaced day %+v", got)
			}
			if r, err := db.Rota(ctx, boss.ID, march.AddDate(0, 1, 0)); err != nil || rotaText(r) != "2026-04 " {
				t.Fatalf("april %+v, %v", r, err)
			}
		})
	})
}

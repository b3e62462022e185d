package domain

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The month's rest rota (R5.1): everyone's approved rest days, and the plan
// a supervisor sets for a whole month at once — saved only if every line
// keeps the limits.

// RotaMonthLayout is how a month is written: 2026-12.
const RotaMonthLayout = "2006-01"

// rotaPlanners set a month's plan (R5.1: the supervisor).
var rotaPlanners = []Role{RoleSupervisor}

// MayPlanRota returns nil when s may set a month's plan. EFORBIDDEN
// (err.forbidden) otherwise.
func MayPlanRota(s *Staff) error {
	if !s.Active || !s.Roles.HasAny(rotaPlanners...) {
		return Errorkf(EFORBIDDEN, "err.forbidden", nil, "staff %d may not set the rota", s.ID)
	}
	return nil
}

// FirstOfMonth is midnight of the first day of t's month, in t's zone.
func FirstOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
}

// Rota is a month's approved rest days, one line a person by name.
type Rota struct {
	Month string // 2026-12
	Lines []RotaLine
}

// RotaLine is one person's rest days of the month (days of the month, in
// order).
type RotaLine struct {
	Staff *Staff
	Days  []int
}

// RotaOf groups a month's approved rest days (by day) by person, each named
// in staff; the lines go by name.
func RotaOf(first time.Time, days []RestDay, staff map[int64]*Staff) *Rota {
	out := &Rota{Month: first.Format(RotaMonthLayout)}
	at := map[int64]int{}
	for _, d := range days {
		i, ok := at[d.StaffID]
		if !ok {
			i = len(out.Lines)
			at[d.StaffID] = i
			out.Lines = append(out.Lines, RotaLine{Staff: staff[d.StaffID]})
		}
		n, _ := strconv.Atoi(d.Day[8:])
		out.Lines[i].Days = append(out.Lines[i].Days, n)
	}
	slices.SortFunc(out.Lines, func(a, b RotaLine) int { return strings.Compare(a.Staff.Name, b.Staff.Name) })
	return out
}

// RotaPlanned is what PlanMonth did: with Problems (rota.line_bad,
// rota.line_unknown, rota.line_twice, rota.line_bad_day, rota.line_limit,
// each naming its line) nothing was saved; otherwise People people's rest
// of the month was replaced by Days days, and Rota is the month now.
type RotaPlanned struct {
	Month    string
	Problems []*Error
	People   int
	Days     int
	Rota     *Rota
}

// PlanLine is one person's line of a month's plan: the line's number, the
// person and their days.
type PlanLine struct {
	N     int
	Staff *Staff
	Days  []time.Time
}

// ParsePlanLine reads line n of a plan for the month starting first: "姓名:
// 3 10 17 24" (：, commas and 、 also separate). ok is false, with the
// problem rota.line_bad, when the line has no name; otherwise bad lists the
// day numbers not in the month (rota.line_bad_day) and days the others.
func ParsePlanLine(n int, text string, first time.Time) (name string, days []time.Time, bad []*Error, ok bool) {
	name, dayText, found := strings.Cut(strings.ReplaceAll(text, "：", ":"), ":")
	name = strings.TrimSpace(name)
	if !found || name == "" {
		line := strings.TrimSpace(text)
		return "", nil, []*Error{Errorkf(EINVALID, "rota.line_bad", []any{n, line}, "plan line %d %q has no name", n, line)}, false
	}
	month := first.Format(RotaMonthLayout)
	for _, tok := range strings.FieldsFunc(dayText, func(c rune) bool { return c == ',' || c == '，' || c == '、' || unicode.IsSpace(c) }) {
		d, err := strconv.Atoi(tok)
		day := first.AddDate(0, 0, d-1)
		if err != nil || d < 1 || day.Month() != first.Month() || day.Year() != first.Year() {
			bad = append(bad, Errorkf(EINVALID, "rota.line_bad_day", []any{n, tok, month}, "plan line %d: %q is not a day of %s", n, tok, month))
			continue
		}
		days = append(days, day)
	}
	return name, days, bad, true
}

// MonthPlan is a month's plan as a supervisor typed it, read by ParsePlan:
// the month's first day and one entry a line.
type MonthPlan struct {
	First time.Time
	Lines []PlanEntry
}

// PlanEntry is one line of a plan as read: its number, the name, the days
// of the month, and what could not be read (ParsePlanLine's problems:
// rota.line_bad when the line has no name, and then nothing else is read;
// rota.line_bad_day for a number that is no day of the month). The service
// reports them with its own, in line order, and saves nothing then.
type PlanEntry struct {
	N    int
	Name string
	Days []time.Time
	Bad  []*Error
}

// ParsePlan reads the lines of a plan for month's month (midnight of its
// days in month's zone), one "姓名: 3 10 17 24" a person, numbered from 1.
func ParsePlan(month time.Time, lines []string) MonthPlan {
	plan := MonthPlan{First: FirstOfMonth(month)}
	for i, text := range lines {
		name, days, bad, _ := ParsePlanLine(i+1, text, plan.First)
		plan.Lines = append(plan.Lines, PlanEntry{N: i + 1, Name: name, Days: days, Bad: bad})
	}
	return plan
}

// PlanFrom is the first day a plan made at now replaces in the month
// starting first: the month's first day, or tomorrow if that is later
// (days already past stay, and count).
func PlanFrom(first, now time.Time, cal *Calendar) string {
	from := first.Format(DateLayout)
	if tomorrow := cal.StartOfDay(now).AddDate(0, 0, 1).Format(DateLayout); tomorrow > from {
		return tomorrow
	}
	return from
}

// CheckPlan checks every day of plan, line by line, against the limits
// (LaterRules of rules), counting kept — the rest days the plan leaves in
// place — and the days accepted before it. It returns the days to save, as
// approved by byID, and the problems (rota.line_limit with the line, the
// person, the RestDate and CheckRest's error).
func CheckPlan(plan []PlanLine, kept []RestDay, rules RotaRules, cal *Calendar, now time.Time, byID int64) (accepted []RestDay, problems []*Error) {
	rules = LaterRules(rules)
	for _, pl := range plan {
		for _, day := range pl.Days {
			d := day.Format(DateLayout)
			var mine []RestDay
			off := map[int64]bool{}
			for _, x := range slices.Concat(kept, accepted) {
				if x.StaffID == pl.Staff.ID {
					mine = append(mine, x)
				} else if x.Day == d {
					off[x.StaffID] = true
				}
			}
			if err := CheckRest(pl.Staff.ID, day, mine, len(off), rules, cal, now); err != nil {
				problems = append(problems, Errorkf(EINVALID, "rota.line_limit", []any{pl.N, pl.Staff.Name, RestDate(d), err},
					"plan line %d: %v", pl.N, err))
				continue
			}
			accepted = append(accepted, RestDay{StoreID: pl.Staff.StoreID, StaffID: pl.Staff.ID, Day: d, Status: RestApproved, DecidedBy: byID})
		}
	}
	return accepted, problems
}

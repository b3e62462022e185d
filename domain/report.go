package domain

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Reports (issue 15): the figures managers see — the funnel, discipline,
// complaints, stock and rotas — for a period, per store and per staff
// member. Every figure is a count the storage computes with SQL aggregates;
// this file holds the query, the outcome and the pure rules (the period,
// who sees what, conversion).

// PeriodKind is how long a report's period is.
type PeriodKind string

// The period kinds of /report.
const (
	PeriodDay   PeriodKind = "day"
	PeriodWeek  PeriodKind = "week" // Monday to Sunday
	PeriodMonth PeriodKind = "month"
)

// ReportPeriod is [From, To) in one store's zone: a local day, a
// Monday-to-Sunday week or a calendar month. First is its first local
// date; a report over stores in other zones moves it there with In.
type ReportPeriod struct {
	Kind     PeriodKind
	First    string    // the first local date, "2026-11-01"
	From, To time.Time // [From, To): local midnights
}

// Label names the period as staff read it: "2026-11-30" (a day),
// "2026-11-23~2026-11-29" (a week), "2026-11" (a month).
func (p ReportPeriod) Label() string {
	switch p.Kind {
	case PeriodMonth:
		return p.First[:7]
	case PeriodWeek:
		return p.First + "~" + p.To.Add(-time.Nanosecond).Format(DateLayout)
	}
	return p.First
}

// Key identifies the period in keys of scheduled messages: "day:2026-11-30",
// "week:2026-11-23", "month:2026-11-01".
func (p ReportPeriod) Key() string { return string(p.Kind) + ":" + p.First }

// In is the same period (same local dates) in cal's zone: a group report
// counts each store's day by its own clock.
func (p ReportPeriod) In(cal *Calendar) ReportPeriod {
	first, err := time.ParseInLocation(DateLayout, p.First, cal.Location)
	if err != nil { // a period not made by this file: keep it
		return p
	}
	return periodFrom(p.Kind, first)
}

// Previous is the period of the same kind just before p (the scheduled
// week's summary on Monday is last week's).
func (p ReportPeriod) Previous() ReportPeriod {
	switch p.Kind {
	case PeriodMonth:
		return periodFrom(p.Kind, p.From.AddDate(0, -1, 0))
	case PeriodWeek:
		return periodFrom(p.Kind, p.From.AddDate(0, 0, -7))
	}
	return periodFrom(p.Kind, p.From.AddDate(0, 0, -1))
}

// PeriodOf is the period of kind that holds t, in cal's zone.
func PeriodOf(kind PeriodKind, t time.Time, cal *Calendar) ReportPeriod {
	day := cal.StartOfDay(t)
	switch kind {
	case PeriodMonth:
		day = day.AddDate(0, 0, 1-day.Day())
	case PeriodWeek:
		day = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	default:
		kind = PeriodDay
	}
	return periodFrom(kind, day)
}

// periodFrom builds the period of kind starting on first's local date.
func periodFrom(kind PeriodKind, first time.Time) ReportPeriod {
	y, m, d := first.Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, first.Location())
	var to time.Time
	switch kind {
	case PeriodMonth:
		to = from.AddDate(0, 1, 0)
	case PeriodWeek:
		to = from.AddDate(0, 0, 7)
	default:
		to = from.AddDate(0, 0, 1)
	}
	return ReportPeriod{Kind: kind, First: from.Format(DateLayout), From: from, To: to}
}

// ParseReportPeriod reads the period word of /report at now in cal's zone:
// "" or day/today/日/今天 (today), week/本周/周 (this week, Monday on),
// month/本月/月 (this month), 2026-11 (that month) or 2026-11-30 (that
// day). A period that starts after today is EINVALID err.report_future; any
// other word is EINVALID err.report_period.
func ParseReportPeriod(arg string, now time.Time, cal *Calendar) (ReportPeriod, error) {
	arg = strings.ToLower(strings.TrimSpace(arg))
	var p ReportPeriod
	switch arg {
	case "", "day", "today", "日", "今天", "今日":
		return PeriodOf(PeriodDay, now, cal), nil
	case "week", "周", "本周":
		return PeriodOf(PeriodWeek, now, cal), nil
	case "month", "月", "本月":
		return PeriodOf(PeriodMonth, now, cal), nil
	}
	if t, err := time.ParseInLocation("2006-01", arg, cal.Location); err == nil && len(arg) == 7 {
		p = periodFrom(PeriodMonth, t)
	} else if t, err := time.ParseInLocation(DateLayout, arg, cal.Location); err == nil && len(arg) == 10 {
		p = periodFrom(PeriodDay, t)
	} else {
		return ReportPeriod{}, Errorkf(EINVALID, "err.report_period", []any{arg},
			"%q is not a period: day, week, month, 2026-11 or 2026-11-30", arg)
	}
	if p.From.After(now) {
		return ReportPeriod{}, Errorkf(EINVALID, "err.report_future", []any{p.Label()}, "%s has not begun", p.Label())
	}
	return p, nil
}

// ReportScope is whose figures a report holds.
type ReportScope string

// The scopes. The empty scope is the widest the asker may see: the group
// for a group role, the store for a supervisor, manager, general manager
// or service centre, and one's own figures for anyone else.
const (
	ScopeDefault    ReportScope = ""
	ScopeSelf       ReportScope = "self"       // the asker's own figures
	ScopeStore      ReportScope = "store"      // the asker's store (a group role: the store it chose)
	ScopeConsultant ReportScope = "consultant" // one staff member of the store, by name
	ScopeGroup      ReportScope = "group"      // every store and the group total
)

// ReportQuery is what /report asks: a period and a scope. Name is the
// staff member of ScopeConsultant.
type ReportQuery struct {
	Period ReportPeriod
	Scope  ReportScope
	Name   string
}

// ParseReportQuery reads /report's arguments, "[day|week|month|2026-11]
// [store|group|consultant NAME|me]", in either order of period and scope
// (门店/集团/顾问/我 too). A name may have spaces. Errors are
// ParseReportPeriod's, and EINVALID err.report_name when consultant has no
// name.
func ParseReportQuery(args string, now time.Time, cal *Calendar) (ReportQuery, error) {
	words := strings.Fields(args)
	var q ReportQuery
	period := ""
	for i := 0; i < len(words); i++ {
		switch w := strings.ToLower(words[i]); w {
		case "store", "门店", "本店":
			q.Scope = ScopeStore
		case "group", "集团", "all":
			q.Scope = ScopeGroup
		case "me", "self", "我", "我的":
			q.Scope = ScopeSelf
		case "consultant", "顾问", "staff", "员工":
			q.Scope = ScopeConsultant
			q.Name = strings.Join(words[i+1:], " ")
			if q.Name == "" {
				return ReportQuery{}, Errorkf(EINVALID, "err.report_name", nil, "whose figures? /report consultant NAME")
			}
			i = len(words)
		default:
			if period != "" {
				return ReportQuery{}, Errorkf(EINVALID, "err.report_period", []any{words[i]},
					"%q is not a period: day, week, month, 2026-11 or 2026-11-30", words[i])
			}
			period = words[i]
		}
	}
	p, err := ParseReportPeriod(period, now, cal)
	if err != nil {
		return ReportQuery{}, err
	}
	q.Period = p
	return q, nil
}

// ReportStoreRoles see their whole store's report; ReportGroupRoles every
// store's and the group total. Anyone else sees their own figures.
var (
	ReportStoreRoles = []Role{RoleSupervisor, RoleManager, RoleGM, RoleService}
	ReportGroupRoles = GroupRoles
)

// ReportScopeFor settles the scope s may have for q (who sees what): the
// default becomes the widest allowed; a consultant's own name is ScopeSelf;
// a wider scope than allowed is EFORBIDDEN err.forbidden. A group role
// sees any scope in the store it chose; a store role ScopeStore,
// ScopeConsultant and ScopeSelf; anyone else ScopeSelf only.
func ReportScopeFor(s *Staff, q ReportQuery) (ReportScope, error) {
	group, store := s.Roles.HasAny(ReportGroupRoles...), s.Roles.HasAny(ReportStoreRoles...)
	scope := q.Scope
	if scope == ScopeConsultant && q.Name == s.Name {
		scope = ScopeSelf
	}
	if scope == ScopeDefault {
		switch {
		case group:
			return ScopeGroup, nil
		case store:
			return ScopeStore, nil
		}
		return ScopeSelf, nil
	}
	switch {
	case scope == ScopeSelf,
		group,
		store && scope != ScopeGroup:
		return scope, nil
	}
	return "", Errorkf(EFORBIDDEN, "err.forbidden", nil, "staff %d may not see the %s report", s.ID, scope)
}

// ReportDepartment is the complaint department a store report is limited
// to: a supervisor's or manager's own department where set; "" (all) for a
// group role, the general manager and the service centre.
func ReportDepartment(s *Staff) string {
	if s.Roles.HasAny(RoleGM, RoleService) || s.Roles.HasAny(ReportGroupRoles...) {
		return ""
	}
	if s.Roles.HasAny(RoleSupervisor, RoleManager) {
		return s.Department
	}
	return ""
}

// ReportSummary is a scheduled report for one recipient: Key identifies
// it (recipient and period), so a rerun of the job sends nothing twice.
type ReportSummary struct {
	To     *Staff
	Report *Report
	Key    string
}

// ReportKey is the key of the scheduled report of period p for staff id.
func ReportKey(p ReportPeriod, staffID int64) string {
	return fmt.Sprintf("report:%s:%d", p.Key(), staffID)
}

// ReportService computes reports with SQL aggregates (never rows counted in
// Go), in one transaction per call.
type ReportService interface {
	// Report is the asker's report for q (scope settled by
	// ReportScopeFor; EFORBIDDEN err.forbidden beyond it). A staff member
	// of ScopeConsultant not in the asker's store is ENOTFOUND
	// err.staff_unknown, as if they did not exist. q.Period is re-read
	// in each store's zone.
	Report(ctx context.Context, by int64, q ReportQuery) (*Report, error)
	// ReportSummaries are the scheduled reports of period kind ending at
	// or before now in store: for each reachable supervisor and manager of
	// the store, their store report (their department where set) of the
	// period — the day of now, the week before now's, or the month before
	// now's (PeriodOf(kind, now).Previous() for week and month) — leaving
	// out the empty ones.
	ReportSummaries(ctx context.Context, store int64, kind PeriodKind, now time.Time) ([]ReportSummary, error)
}

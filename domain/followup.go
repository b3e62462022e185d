package domain

import "time"

// The follow-up rules of chapter 1, as pure functions of the lead, the
// rules, the store calendar and now. They apply to every intent customer,
// whoever owns it and whichever pool it is in (R2.9).

// intervalDays is how many days after the last contact the next
// follow-up is due, by grade (R1.5). An N lead is called GradeAfterCalls
// times in its first GradeAfterDays (R1.4): every 7/3 → 2 days.
func intervalDays(g Grade, r LeadRules) int {
	switch g {
	case GradeH:
		return r.FollowUpEveryDays.H
	case GradeA:
		return r.FollowUpEveryDays.A
	case GradeB:
		return r.FollowUpEveryDays.B
	case GradeC:
		return r.FollowUpEveryDays.C
	}
	return max(1, r.GradeAfterDays/r.GradeAfterCalls)
}

// NextFollowUp says when the lead's next follow-up is due; ok is false for
// grades that get none (O, D, F, L). The first is due FirstFollowUp (24 h)
// after the lead was created (R1.3). After that the grade's interval runs
// from the last logged contact, so a follow-up logged late restarts it
// (R1.5); a due day on which the store is closed moves to its next working
// day, keeping the time.
func NextFollowUp(l *Lead, r LeadRules, cal *Calendar) (time.Time, bool) {
	if !l.Grade.FollowedUp() {
		return time.Time{}, false
	}
	if l.LastContactAt == nil {
		return l.CreatedAt.Add(r.FirstFollowUp), true
	}
	due := l.LastContactAt.In(cal.Location).AddDate(0, 0, intervalDays(l.Grade, r))
	for i := 0; i < 60 && !cal.IsWorkingDay(due); i++ {
		due = due.AddDate(0, 0, 1)
	}
	return due, true
}

// Due classifies a due time at now: overdue (due on an earlier day),
// due today, or later. An overdue follow-up stays due every day until it is
// logged (R1.5).
type Due int

// The classes of Due.
const (
	DueLater Due = iota
	DueToday
	DueOverdue
)

// DueAt classifies due at now, by the store's days.
func DueAt(due, now time.Time, cal *Calendar) Due {
	today := cal.StartOfDay(now)
	switch {
	case due.Before(today):
		return DueOverdue
	case due.Before(today.AddDate(0, 0, 1)):
		return DueToday
	}
	return DueLater
}

// FirstWeekStart is when the lead's first week (R1.4) began: when it was
// created, or when it was last reopened, since a reopened lead is worked
// afresh and has had no chance to be graded yet.
func FirstWeekStart(l *Lead) time.Time {
	if l.ReopenedAt != nil && l.ReopenedAt.After(l.CreatedAt) {
		return *l.ReopenedAt
	}
	return l.CreatedAt
}

// firstWeekEnds is when the lead's first week (R1.4) is over.
func firstWeekEnds(l *Lead, r LeadRules) time.Time {
	return FirstWeekStart(l).AddDate(0, 0, r.GradeAfterDays)
}

// GradePromptAfterFollowUp says whether logging a follow-up at `at` should
// ask the owner for the grade: the lead is still N and this was the third
// (GradeAfterCalls-th) call or later of its first week (R1.4). l must
// already count the follow-up.
func GradePromptAfterFollowUp(l *Lead, r LeadRules, at time.Time) bool {
	return l.Grade == GradeN && l.FirstWeekFollowUps >= r.GradeAfterCalls && at.Before(firstWeekEnds(l, r))
}

// GradeOverdue says whether the owner is reminded to grade the lead: the
// first week is over and it is still N. The morning push reminds daily
// while it holds (R1.4). Leads of other grades never are.
func GradeOverdue(l *Lead, r LeadRules, now time.Time) bool {
	return l.Grade == GradeN && !now.Before(firstWeekEnds(l, r))
}

// LogFollowUp applies a follow-up to the lead: the contact, the counts,
// an optional new grade (empty keeps it) and the next due time.
func (l *Lead) LogFollowUp(at time.Time, newGrade Grade, r LeadRules, cal *Calendar) {
	t := at
	l.LastContactAt = &t
	l.FollowUps++
	if at.Before(firstWeekEnds(l, r)) {
		l.FirstWeekFollowUps++
	}
	if newGrade != "" && newGrade != l.Grade {
		l.Grade, l.GradedAt = newGrade, &t
	}
	l.Reschedule(r, cal)
}

// Reopen works a closed lead (L or F) again from `at` with grade g: its
// first week starts again then, with no calls counted (R1.4), so an N lead
// is asked for its grade in its new first week, not at once.
func (l *Lead) Reopen(g Grade, at time.Time, r LeadRules, cal *Calendar) {
	t := at
	l.ReopenedAt, l.FirstWeekFollowUps = &t, 0
	l.SetGrade(g, at, r, cal)
}

// SetGrade changes the grade at `at`; the next due time moves at once.
func (l *Lead) SetGrade(g Grade, at time.Time, r LeadRules, cal *Calendar) {
	t := at
	l.Grade, l.GradedAt = g, &t
	l.Reschedule(r, cal)
}

// Reschedule recomputes NextDueAt from the lead as it is.
func (l *Lead) Reschedule(r LeadRules, cal *Calendar) {
	if due, ok := NextFollowUp(l, r, cal); ok {
		l.NextDueAt = &due
	} else {
		l.NextDueAt = nil
	}
}

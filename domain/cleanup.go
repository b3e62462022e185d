package domain

import "time"

// The month-end clean-up (R1.13): before month end each consultant keeps
// only H, A and O leads of the showroom pool; B, C, L and F go to the
// telesales pool. A lead still in its first week has had no chance to be
// graded (R1.4) and stays; one still N after its first week has missed
// its grading and goes with the rest. D (delivered) is done and stays.

// CleanupGrades are the grades the clean-up always takes.
var CleanupGrades = []Grade{GradeB, GradeC, GradeL, GradeF}

// CleanupTakes reports whether the month-end clean-up at now takes the
// lead from its owner.
func CleanupTakes(l *Lead, r LeadRules, now time.Time) bool {
	if l.Pool != PoolShowroom {
		return false
	}
	for _, g := range CleanupGrades {
		if l.Grade == g {
			return true
		}
	}
	return GradeOverdue(l, r, now)
}

// CleanupUngradedBefore is the FirstWeekStart at or before which an N lead's
// first week is over at now, so the clean-up takes it (the same rule as
// CleanupTakes, for a query).
func CleanupUngradedBefore(r LeadRules, now time.Time) time.Time {
	return now.AddDate(0, 0, -r.GradeAfterDays)
}

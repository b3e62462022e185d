package domain

import (
	"context"
	"slices"
	"sort"
	"time"
)

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

// CleanupMonthLayout is the form of a clean-up month: 2026-12.
const CleanupMonthLayout = "2006-01"

// CleanupMonth is the clean-up month of now in loc (the store's zone).
func CleanupMonth(now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = now.Location()
	}
	return now.In(loc).Format(CleanupMonthLayout)
}

// ValidCleanupMonth returns nil when month reads as a clean-up month
// ("2026-12"). EINVALID (err.invalid) otherwise.
func ValidCleanupMonth(month string) error {
	if _, err := time.Parse(CleanupMonthLayout, month); err != nil || len(month) != len(CleanupMonthLayout) {
		return Errorkf(EINVALID, "err.invalid", nil, "bad clean-up month %q", month)
	}
	return nil
}

// CleanupCase is one consultant's clean-up in a month: the leads it takes
// from them now, the ones a review keeps with them, and the ruling once a
// supervisor approved it. Any supervisor's card for the same consultant
// and month sees the same case.
type CleanupCase struct {
	Month    string
	Owner    *Staff
	Leads    []*Lead        // the candidates (CleanupTakes), by id
	Excluded map[int64]bool // leads a review keeps with the owner
	Decision *Decision      // nil while pending
}

// Approval is the case as an approval: the owner is the requester, so
// they never rule on their own list, and any supervisor, manager or
// general manager may (domain.ApprovalCleanup). Its id is the owner's.
func (c *CleanupCase) Approval() *Approval {
	return &Approval{Kind: ApprovalCleanup, ID: c.Owner.ID, Requester: c.Owner, Decision: c.Decision}
}

// Moving is the leads that move on approval: the candidates less a
// review's exclusions when reviewed, all of them otherwise.
func (c *CleanupCase) Moving(reviewed bool) []*Lead {
	if !reviewed {
		return c.Leads
	}
	out := make([]*Lead, 0, len(c.Leads))
	for _, l := range c.Leads {
		if !c.Excluded[l.ID] {
			out = append(out, l)
		}
	}
	return out
}

// Toggle switches lead between moving and staying. ENOTFOUND
// (callback.stale) when it is no candidate of the case (any more).
func (c *CleanupCase) Toggle(leadID int64) error {
	if !slices.ContainsFunc(c.Leads, func(l *Lead) bool { return l.ID == leadID }) {
		return Errorkf(ENOTFOUND, "callback.stale", nil, "lead %d is no clean-up candidate of %d", leadID, c.Owner.ID)
	}
	if c.Excluded == nil {
		c.Excluded = map[int64]bool{}
	}
	if c.Excluded[leadID] {
		delete(c.Excluded, leadID)
	} else {
		c.Excluded[leadID] = true
	}
	return nil
}

// CleanupShare is what one telesales receives of a consultant's leads.
type CleanupShare struct {
	To    *Staff
	Leads []*Lead
}

// ShareOut deals leads among telesales one at a time, in order, so each gets
// the same number give or take one (R1.13's clean-up).
func ShareOut(leads, telesales []int64) map[int64][]int64 {
	out := map[int64][]int64{}
	if len(telesales) == 0 {
		return out
	}
	for i, l := range leads {
		t := telesales[i%len(telesales)]
		out[t] = append(out[t], l)
	}
	return out
}

// Keeps reports whether a consultant keeps a lead at month end (R1.13):
// H, A and O stay; the rest go back to telesales.
func (g Grade) Keeps() bool { return g == GradeH || g == GradeA || g == GradeO || g == GradeD }

// ShareCleanup deals leads out evenly (ShareOut) among the active
// telesales other than the owner, the least loaded first (load: their
// open leads), so shares stay even across every consultant's card, not
// just within one; ties go by id. It returns the non-empty shares in that
// order. EINVALID (cleanup.no_telesales) when there are leads and nobody
// to take them.
func ShareCleanup(leads []*Lead, telesales []*Staff, load map[int64]int, ownerID int64) ([]CleanupShare, error) {
	var tele []*Staff
	for _, s := range telesales {
		if s.Active && s.ID != ownerID {
			tele = append(tele, s)
		}
	}
	if len(tele) == 0 && len(leads) > 0 {
		return nil, Errorkf(EINVALID, "cleanup.no_telesales", nil, "no active telesales staff")
	}
	sort.SliceStable(tele, func(i, j int) bool {
		if load[tele[i].ID] != load[tele[j].ID] {
			return load[tele[i].ID] < load[tele[j].ID]
		}
		return tele[i].ID < tele[j].ID
	})
	ids := make([]int64, len(leads))
	byID := make(map[int64]*Lead, len(leads))
	for i, l := range leads {
		ids[i], byID[l.ID] = l.ID, l
	}
	teleIDs := make([]int64, len(tele))
	for i, t := range tele {
		teleIDs[i] = t.ID
	}
	share := ShareOut(ids, teleIDs)
	var out []CleanupShare
	for _, t := range tele {
		if len(share[t.ID]) == 0 {
			continue
		}
		got := make([]*Lead, len(share[t.ID]))
		for i, id := range share[t.ID] {
			got[i] = byID[id]
		}
		out = append(out, CleanupShare{To: t, Leads: got})
	}
	return out, nil
}

// CleanupService runs the month-end clean-up (R1.13): it proposes each
// consultant's list to the supervisors, keeps a review's toggles, and on
// approval moves the leads to the telesales pool, each move kept as a lead
// event (why "cleanup"). A month is a CleanupMonthLayout string. Each
// method is one transaction, or joins the caller's.
type CleanupService interface {
	// CleanupCases returns store's pending cases of the month — each
	// active consultant of the store not yet approved who has leads to
	// move, on the store's rules — and who must get a card for each: the
	// store's active, enrolled supervisors, or its managers when it has no
	// supervisor. EINVALID (err.invalid) for a bad month.
	CleanupCases(ctx context.Context, store int64, month string) (*CleanupProposal, error)

	// ReviewCleanup returns owner's case for byID to review. ENOTFOUND
	// (err.staff_not_found; also an owner of another store than byID's),
	// ECONFLICT (cleanup.already), EFORBIDDEN (err.forbidden: the owner,
	// or someone who rules on no clean-up), EINVALID (err.invalid).
	ReviewCleanup(ctx context.Context, month string, ownerID, byID int64) (*CleanupCase, error)

	// ToggleCleanup switches one lead of owner's case between moving and
	// staying, for everyone reviewing it, and returns the case. As
	// ReviewCleanup, and ENOTFOUND (callback.stale) when the lead is no
	// candidate.
	ToggleCleanup(ctx context.Context, month string, ownerID, leadID, byID int64) (*CleanupCase, error)

	// ApproveCleanup rules on owner's case, once: it moves the candidates
	// (less a review's exclusions when reviewed) to the telesales pool,
	// shared out evenly (ShareCleanup) among the owner's store's
	// telesales, and records the ruling. As ReviewCleanup, and EINVALID
	// (cleanup.no_telesales) with nothing moved when there is nobody to
	// take the leads.
	ApproveCleanup(ctx context.Context, month string, ownerID, byID int64, reviewed bool) (*CleanupApproved, error)
}

// CleanupProposal is what CleanupCases found: the month's pending cases by
// owner id, and the recipients of a card for each.
type CleanupProposal struct {
	Month      string
	Cases      []*CleanupCase
	Recipients []*Staff
}

// CleanupApproved is what ApproveCleanup did: the case with its decision
// and, as Leads, the leads moved; who received them; who approved; and the
// recipients whose cards now show the outcome. The owner and each
// receiver are to be told.
type CleanupApproved struct {
	Case       *CleanupCase
	Shares     []CleanupShare
	Decider    *Staff
	Recipients []*Staff
}

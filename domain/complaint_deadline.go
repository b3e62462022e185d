package domain

import (
	"slices"
	"time"
)

// A complaint's deadlines (R2.4) and how a breach escalates (R2.3).

// Deadline kinds (R2.4).
const (
	DeadlineSolution  = "solution"  // on site: a proposed solution
	DeadlineReply     = "reply"     // the first reply
	DeadlineContact   = "contact"   // ticket, follow-up complaint: customer contacted
	DeadlineProgress  = "progress"  // ticket: progress reported
	DeadlineAppraisal = "appraisal" // appraisal result
	DeadlineOpinion   = "opinion"   // service quality: the department manager's opinion
)

// Deadline is one thing due on a complaint.
type Deadline struct {
	Kind   string
	Start  time.Time
	Due    time.Time
	Done   bool
	DoneAt *time.Time // when it was done, if it was
}

// Met reports whether it was done in time.
func (d Deadline) Met() bool { return d.DoneAt != nil && !d.DoneAt.After(d.Due) }

// Deadlines computes what is due on the complaint (R2.4), from its kind,
// the rules and the store calendar ("working day" deadlines count only
// working days). A closed complaint, or one waiting for its survey, has
// nothing due.
func (c *Complaint) Deadlines(r ComplaintRules, cal *Calendar) []Deadline {
	if c.Status != ComplaintOpen {
		return nil
	}
	return c.AllDeadlines(r, cal)
}

// AllDeadlines are the complaint's deadlines whatever its status: the
// weekly register reports on closed ones too (met or missed).
func (c *Complaint) AllDeadlines(r ComplaintRules, cal *Calendar) []Deadline {
	start := c.OpenedAt
	var ds []Deadline
	add := func(kind string, from, due time.Time, doneAt *time.Time) {
		ds = append(ds, Deadline{Kind: kind, Start: from, Due: due, Done: doneAt != nil, DoneAt: doneAt})
	}
	switch {
	case c.OnSite():
		add(DeadlineSolution, start, start.Add(r.OnSiteSolution), c.SolutionAt)
	case c.Ticket():
		add(DeadlineReply, start, start.Add(r.TicketInitialReply), c.FirstReplyAt)
		add(DeadlineContact, start, cal.AddWorkingDays(start, r.TicketContactDays), c.ContactedAt)
		if c.ContactedAt != nil {
			// Progress every 2 working days from the contact or the last
			// report, until closed.
			last := *c.ContactedAt
			if c.LastProgressAt != nil && c.LastProgressAt.After(last) {
				last = *c.LastProgressAt
			}
			add(DeadlineProgress, last, cal.AddWorkingDays(last, r.TicketProgressDays), nil)
		}
	case c.FollowUpComplaint():
		add(DeadlineContact, start, cal.AddWorkingDays(start, r.FollowUpContactDays), c.ContactedAt)
	default:
		add(DeadlineReply, start, start.Add(r.FirstReply), c.FirstReplyAt)
	}
	if c.Appraisal {
		add(DeadlineAppraisal, start, start.Add(r.AppraisalResult), c.ResultAt)
	}
	// A service-quality complaint not settled at once needs the department
	// manager's opinion: one not on site from the start; one on site once
	// its 10 minutes passed without a solution.
	switch {
	case c.Subject != SubjectService:
	case !c.OnSite():
		add(DeadlineOpinion, start, cal.AddWorkingDays(start, r.ManagerOpinionDays), c.OpinionAt)
	case c.SolutionAt == nil || c.SolutionAt.After(start.Add(r.OnSiteSolution)):
		from := start.Add(r.OnSiteSolution)
		add(DeadlineOpinion, from, cal.AddWorkingDays(from, r.ManagerOpinionDays), c.OpinionAt)
	}
	return ds
}

// RemindAt is when the owner is reminded: 20 % of the time before the
// deadline, and at least RemindAtLeast (2 minutes) before it.
func (d Deadline) RemindAt(r ComplaintRules) time.Time {
	before := time.Duration(float64(d.Due.Sub(d.Start)) * r.RemindAtFraction)
	return d.Due.Add(-max(before, r.RemindAtLeast))
}

// Breaches says how many times the deadline has passed at now: once at
// Due, and once more for every further span as long as the deadline's own
// (an on-site 10 minutes: at 10, 20, 30 minutes). Each breach escalates
// one step higher.
func (d Deadline) Breaches(now time.Time) int {
	if d.Done || now.Before(d.Due) {
		return 0
	}
	span := d.Due.Sub(d.Start)
	if span <= 0 {
		return 1
	}
	return 1 + int(now.Sub(d.Due)/span)
}

// NextAlarm is the first instant after `after` at which the chaser has
// something to do about the deadline: its reminder, or one of its first
// `steps` breaches (at Due, Due+span, …); ok is false when there is none
// (done, or all past). Timers sleep until it instead of polling.
func (d Deadline) NextAlarm(r ComplaintRules, after time.Time, steps int) (time.Time, bool) {
	if d.Done {
		return time.Time{}, false
	}
	if at := d.RemindAt(r); at.After(after) && at.Before(d.Due) {
		return at, true
	}
	span := d.Due.Sub(d.Start)
	for n := 0; n < steps; n++ {
		if at := d.Due.Add(time.Duration(n) * span); at.After(after) {
			return at, true
		}
		if span <= 0 {
			break // Breaches counts one only
		}
	}
	return time.Time{}, false
}

// EscalationRole is who the n-th breach goes to (R2.3): the supervisor,
// then the department manager, then the general manager.
func EscalationRole(n int) Role {
	switch {
	case n <= 1:
		return RoleSupervisor
	case n == 2:
		return RoleManager
	}
	return RoleGM
}

// escalationRank is a role's place on the ladder of R2.3.
func escalationRank(rs Roles) int {
	switch {
	case rs.Has(RoleGM):
		return 3
	case rs.Has(RoleManager):
		return 2
	case rs.Has(RoleSupervisor):
		return 1
	}
	return 0
}

// EscalationRoleFor is who the n-th breach goes to when the owner holds
// owner: the n-th step above the owner's own, so a supervisor's late
// complaint goes first to the department manager. The general manager is
// the top.
func EscalationRoleFor(owner Roles, n int) Role {
	return EscalationRole(escalationRank(owner) + n)
}

// EscalationSteps is how many steps there are above the owner (at least
// one: the general manager hears of the GM's own lateness too).
func EscalationSteps(owner Roles) int { return max(1, 3-escalationRank(owner)) }

// Next is the nearest deadline not yet done, for sorting lists; ok is
// false when nothing is due.
func (c *Complaint) Next(r ComplaintRules, cal *Calendar) (Deadline, bool) {
	var best Deadline
	ok := false
	for _, d := range c.Deadlines(r, cal) {
		if !d.Done && (!ok || d.Due.Before(best.Due)) {
			best, ok = d, true
		}
	}
	return best, ok
}

// SortByNextDeadline orders complaints by their nearest deadline not yet
// done, those with none last; ties keep their order.
func SortByNextDeadline(list []*Complaint, r ComplaintRules, cal *Calendar, now time.Time) {
	far := now.AddDate(100, 0, 0)
	due := func(c *Complaint) time.Time {
		if d, ok := c.Next(r, cal); ok {
			return d.Due
		}
		return far
	}
	slices.SortStableFunc(list, func(a, b *Complaint) int { return due(a).Compare(due(b)) })
}

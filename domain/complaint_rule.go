package domain

import "time"

// ComplaintAction is one step taken on a complaint — a reply, a contact, a
// progress report, a survey — logged with who and when.
type ComplaintAction struct {
	ID          int64
	ComplaintID int64
	StaffID     int64
	Kind        string
	Note        string
	At          time.Time
}

// Kinds of complaint card: the card itself (owner, opinion, reminder), an
// escalation (take over / reassign) and a survey (R2.7).
const (
	CardComplaint  = "card"
	CardEscalation = "esc"
	CardSurvey     = "survey"
)

// ComplaintCard is a message that shows a complaint to someone, kept so
// that it is edited in place as the complaint moves: the outbox key of the
// message and the headline it opened with.
type ComplaintCard struct {
	ID          int64
	ComplaintID int64
	StaffID     int64
	Kind        string
	Key         string
	Headline    string
	CreatedAt   time.Time
}

// ComplaintFilter selects complaints for lists and the register. A
// person's list and a store's register always name the store; only the
// chaser, which serves the whole group, reads every store's (StoreID 0).
type ComplaintFilter struct {
	StoreID     int64    // 0: every store
	OwnerID     int64    // 0: any owner
	Department  string   // "": any department
	Statuses    []string // empty: any status
	CreatedFrom time.Time
	CreatedTo   time.Time // created in [CreatedFrom, CreatedTo); a zero bound is none
	Limit       int       // not positive: all
}

// OpinionGivers are who owes the department manager's opinion on c
// (R2.4), out of the managers: those of c's department, or every manager
// when the department has none.
func OpinionGivers(c *Complaint, managers []*Staff) []*Staff {
	var mine []*Staff
	for _, m := range managers {
		if m.Roles.Has(RoleManager) && m.Department == c.Department {
			mine = append(mine, m)
		}
	}
	if len(mine) > 0 {
		return mine
	}
	for _, m := range managers {
		if m.Roles.Has(RoleManager) {
			mine = append(mine, m)
		}
	}
	return mine
}

// CanGiveOpinion says whether s may give the manager's opinion on c: one
// of its OpinionGivers, or the general manager above them (R2.3, R2.4).
func CanGiveOpinion(s *Staff, c *Complaint, managers []*Staff) bool {
	if s.Roles.Has(RoleGM) {
		return true
	}
	for _, m := range OpinionGivers(c, managers) {
		if m.ID == s.ID {
			return true
		}
	}
	return false
}

// OpinionOwnerRoles are the roles answerable for the opinion deadline: a
// late opinion escalates above the department manager, to the general
// manager.
var OpinionOwnerRoles = Roles{RoleManager}

// CanSeeComplaint says whether s may open c's card: those involved — its
// owner, who registered it, whoever acted on it — and the supervisors,
// managers, general manager and service centre.
func CanSeeComplaint(s *Staff, c *Complaint, actions []ComplaintAction) bool {
	if s.ID == c.OwnerID || s.ID == c.RegisteredBy || s.Roles.HasAny(RoleSupervisor, RoleManager, RoleGM, RoleService) {
		return true
	}
	for _, a := range actions {
		if a.StaffID == s.ID {
			return true
		}
	}
	return false
}

// CanActOnComplaint says whether a staff member may act on a complaint:
// its owner and those above (R2.3).
func CanActOnComplaint(s *Staff, c *Complaint) bool {
	return s.ID == c.OwnerID || s.Roles.HasAny(RoleSupervisor, RoleManager, RoleGM)
}

// What is done on a complaint, each logged with a text (R2.4): the owner's
// steps, the manager's opinion, and the application to close.
const (
	ActReply     = "reply"
	ActContact   = "contact"
	ActProgress  = "progress"
	ActSolution  = "solution"
	ActAppraisal = "appraisal"
	ActResult    = "result"
	ActOpinion   = "opinion"
	ActClose     = "close"
)

// Action kinds logged beside the acts: the registration, a change of
// owner and (with ":"+satisfaction) the service centre's survey.
const (
	ActionRegistered = "registered"
	ActionOwner      = "owner"
	ActionSurvey     = "survey"
)

// IsComplaintAct reports whether act is one of the acts above.
func IsComplaintAct(act string) bool {
	switch act {
	case ActReply, ActContact, ActProgress, ActSolution, ActAppraisal, ActResult, ActOpinion, ActClose:
		return true
	}
	return false
}

// complaintRulers are the roles above an owner: they act on any
// complaint, take it over or reassign it (R2.3).
var complaintRulers = []Role{RoleSupervisor, RoleManager, RoleGM}

// SeesAllComplaints reports whether s lists every complaint (managers,
// the general manager, the service centre); others list their own.
func SeesAllComplaints(s *Staff) bool {
	return s.Roles.HasAny(RoleManager, RoleGM, RoleService)
}

// MayActOnComplaint returns nil when s may take act on c now: c is open
// (ECONFLICT cmp.not_open), s is its owner or above, and for the manager's
// opinion one who owes it or the general manager (EFORBIDDEN
// err.forbidden; managers are the reachable managers). Closing needs a
// reply or solution first (EINVALID err.close_no_reply).
func MayActOnComplaint(s *Staff, c *Complaint, act string, managers []*Staff) error {
	if c.Status != ComplaintOpen {
		return Errorkf(ECONFLICT, "cmp.not_open", []any{c.ID}, "complaint %d is %s", c.ID, c.Status)
	}
	if act == ActOpinion {
		if !CanGiveOpinion(s, c, managers) {
			return Errorkf(EFORBIDDEN, "err.forbidden", nil, "not the department manager")
		}
	} else if !CanActOnComplaint(s, c) {
		return Errorkf(EFORBIDDEN, "err.forbidden", nil, "neither owner nor above")
	}
	if act == ActClose && c.FirstReplyAt == nil && c.SolutionAt == nil {
		return Errorkf(EINVALID, "err.close_no_reply", []any{c.ID}, "no reply recorded")
	}
	return nil
}

// Apply records act on c at now, once allowed (MayActOnComplaint): the
// step's time (a contact or solution is also the first reply), the
// appraisal flag, or for a close the validity (R2.1) and the wait for the
// survey. missedProgress reports a progress report made after its
// deadline: the cycle moves on and the miss is kept for the register.
// ENOTFOUND (callback.stale) for an unknown act.
func (c *Complaint) Apply(act string, valid *bool, r ComplaintRules, cal *Calendar, now time.Time) (missedProgress bool, err error) {
	t := &now
	switch act {
	case ActReply:
		if c.FirstReplyAt == nil {
			c.FirstReplyAt = t
		}
	case ActContact:
		if c.ContactedAt == nil {
			c.ContactedAt = t
		}
		if c.FirstReplyAt == nil {
			c.FirstReplyAt = t
		}
	case ActProgress:
		for _, d := range c.Deadlines(r, cal) {
			if d.Kind == DeadlineProgress && now.After(d.Due) {
				missedProgress = true
			}
		}
		c.LastProgressAt = t
	case ActSolution:
		c.SolutionAt = t
		if c.FirstReplyAt == nil {
			c.FirstReplyAt = t
		}
	case ActAppraisal:
		c.Appraisal = true
	case ActResult:
		c.ResultAt = t
	case ActOpinion:
		c.OpinionAt = t
	case ActClose:
		if c.FirstReplyAt == nil && c.SolutionAt == nil {
			return false, Errorkf(EINVALID, "err.close_no_reply", []any{c.ID}, "no reply recorded")
		}
		c.Status, c.Valid = ComplaintClosing, valid
	default:
		return false, Errorkf(ENOTFOUND, "callback.stale", nil, "bad complaint action %q", act)
	}
	return missedProgress, nil
}

// MayReassignComplaint returns nil when s may take c over or give it to
// someone else: a supervisor, manager or general manager, while c is open
// (EFORBIDDEN err.forbidden otherwise).
func MayReassignComplaint(s *Staff, c *Complaint) error {
	if !s.Roles.HasAny(complaintRulers...) || c.Status != ComplaintOpen {
		return Errorkf(EFORBIDDEN, "err.forbidden", nil, "may not reassign complaint %d", c.ID)
	}
	return nil
}

// CheckComplaintOwner returns nil when s can own a complaint: active and
// on Telegram, so that reminders reach them (EINVALID err.staff_not_found).
func CheckComplaintOwner(s *Staff) error {
	if !s.Active || !s.Enrolled() {
		return Errorkf(EINVALID, "err.staff_not_found", []any{s.Name}, "owner %d not on Telegram", s.ID)
	}
	return nil
}

// DefaultComplaintOwner is who owns a complaint nobody was named for
// (R2.3): the department's first supervisor (the first of all when the
// department has none; supervisors are the reachable ones), else the one
// who registers it.
func DefaultComplaintOwner(supervisors []*Staff, dept string, registrar *Staff) *Staff {
	var first *Staff
	for _, s := range InDepartmentOrAll(supervisors, dept) {
		if first == nil || s.ID < first.ID {
			first = s
		}
	}
	if first == nil {
		return registrar
	}
	return first
}

// ParseSatisfaction reads a survey button's code: s, n or d.
func ParseSatisfaction(code string) (string, error) {
	if sat := map[string]string{"s": Satisfied, "n": Neutral, "d": Dissatisfied}[code]; sat != "" {
		return sat, nil
	}
	return "", Errorkf(ENOTFOUND, "callback.stale", nil, "bad satisfaction %q", code)
}

// MaySurveyComplaint returns nil when s may record c's survey now: the
// service centre (EFORBIDDEN err.forbidden), while c waits for it
// (ECONFLICT cmp.not_closing).
func MaySurveyComplaint(s *Staff, c *Complaint) error {
	if !s.Roles.Has(RoleService) {
		return Errorkf(EFORBIDDEN, "err.forbidden", nil, "not the service centre")
	}
	if c.Status != ComplaintClosing {
		return Errorkf(ECONFLICT, "cmp.not_closing", nil, "complaint %d is not waiting for a survey", c.ID)
	}
	return nil
}

// Survey records the service centre's satisfaction at now (R2.7):
// satisfied or neutral closes c; dissatisfied reopens it with fresh
// deadlines, and round is how the ended round's deadlines stood (JSON,
// RoundOutcomes), kept for the weekly register (R2.8). ECONFLICT
// (cmp.not_closing) when c is not waiting for a survey.
func (c *Complaint) Survey(sat string, r ComplaintRules, cal *Calendar, now time.Time) (round string, err error) {
	if c.Status != ComplaintClosing {
		return "", Errorkf(ECONFLICT, "cmp.not_closing", nil, "complaint %d is not waiting for a survey", c.ID)
	}
	c.Satisfaction = sat
	if sat != Dissatisfied {
		c.Status, c.ClosedAt = ComplaintClosed, &now
		return "", nil
	}
	c.Status = ComplaintOpen
	round = RoundOutcomes(c, r, cal, now)
	c.OpenedAt, c.Valid = now, nil
	c.FirstReplyAt, c.ContactedAt, c.SolutionAt, c.OpinionAt, c.ResultAt, c.LastProgressAt = nil, nil, nil, nil, nil, nil
	return round, nil
}

// OpinionDue is the manager's-opinion deadline still open on c, if any:
// its givers are asked for it as soon as the complaint is registered or
// reopened (R2.4).
func (c *Complaint) OpinionDue(r ComplaintRules, cal *Calendar) (Deadline, bool) {
	for _, d := range c.Deadlines(r, cal) {
		if d.Kind == DeadlineOpinion && !d.Done {
			return d, true
		}
	}
	return Deadline{}, false
}

package domain

import (
	"strings"
	"time"
)

// Complaints (投诉, chapter 2 §1, R2.1–R2.8).

// ComplaintChannel is how a complaint reached the store (R2.2).
type ComplaintChannel string

// The channels of R2.2.
const (
	ChannelTicket ComplaintChannel = "ticket" // call-centre ticket (CALL CENTER 投诉单)
	ChannelCall   ComplaintChannel = "phone"
	ChannelFax    ComplaintChannel = "fax"
	ChannelEmail  ComplaintChannel = "email"
	ChannelMedia  ComplaintChannel = "media" // newspaper, magazine, TV, radio, web
	ChannelLetter ComplaintChannel = "letter"
	ChannelOnSite ComplaintChannel = "onsite" // in person
)

// ComplaintChannels lists them in button order.
var ComplaintChannels = []ComplaintChannel{ChannelOnSite, ChannelCall, ChannelTicket, ChannelEmail, ChannelMedia, ChannelLetter, ChannelFax}

var complaintChannelsZH = map[string]ComplaintChannel{"投诉单": ChannelTicket, "客服中心": ChannelTicket, "呼叫中心": ChannelTicket,
	"电话": ChannelCall, "传真": ChannelFax, "邮件": ChannelEmail, "电子邮件": ChannelEmail, "媒体": ChannelMedia,
	"信件": ChannelLetter, "现场": ChannelOnSite, "口头": ChannelOnSite, "到店": ChannelOnSite}

// ParseComplaintChannel reads a channel in English or Chinese.
func ParseComplaintChannel(s string) (ComplaintChannel, error) {
	s = strings.TrimSpace(s)
	if c, ok := complaintChannelsZH[s]; ok {
		return c, nil
	}
	for _, c := range ComplaintChannels {
		if strings.EqualFold(s, string(c)) {
			return c, nil
		}
	}
	return "", Errorkf(EINVALID, "err.channel_bad", []any{s}, "%q is not a complaint channel", s)
}

// Subject is what a complaint is about (R2.1).
type Subject string

// The subjects.
const (
	SubjectService Subject = "service"
	SubjectProduct Subject = "product"
)

// ParseSubject reads "service"/"服务" or "product"/"产品".
func ParseSubject(s string) (Subject, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "service", "服务", "服务质量":
		return SubjectService, nil
	case "product", "产品", "产品质量":
		return SubjectProduct, nil
	}
	return "", Errorkf(EINVALID, "err.subject_bad", []any{s}, "%q is not service or product", s)
}

// Complaint states: open (being handled), closing (applied to close,
// waiting for the service centre's survey), closed.
const (
	ComplaintOpen    = "open"
	ComplaintClosing = "closing"
	ComplaintClosed  = "closed"
)

// Satisfaction as the service centre records it (R2.7).
const (
	Satisfied    = "satisfied"
	Neutral      = "neutral"
	Dissatisfied = "dissatisfied"
)

// Complaint is one customer complaint and how it is being handled.
type Complaint struct {
	ID           int64
	Customer     string
	Phone        string
	LeadID       int64 // 0: not a lead
	Channel      ComplaintChannel
	Subject      Subject
	Model        string // product complaints (R2.6)
	ProblemType  string
	ProblemAt    string // when the problem occurred, as told
	VIN          string
	Appraisal    bool // needs an appraisal (鉴定)
	Department   string
	Description  string
	OwnerID      int64
	RegisteredBy int64
	Status       string
	Valid        *bool // R2.1, set when applying to close
	Satisfaction string
	CreatedAt    time.Time
	// OpenedAt starts the deadlines: creation, or the last reopening.
	OpenedAt time.Time
	// When each step was done in this round (nil: not yet).
	FirstReplyAt, ContactedAt, SolutionAt, OpinionAt, ResultAt, LastProgressAt *time.Time
	ClosedAt                                                                   *time.Time
}

// OnSite reports whether the customer complained in person.
func (c *Complaint) OnSite() bool { return c.Channel == ChannelOnSite }

// Ticket reports whether it is a call-centre ticket.
func (c *Complaint) Ticket() bool { return c.Channel == ChannelTicket }

// Validate checks a complaint before it is stored.
func (c *Complaint) Validate(departments []string) error {
	name, err := NormalizeName(c.Customer)
	if err != nil {
		return err
	}
	c.Customer = name
	phone, err := NormalizePhone(c.Phone)
	if err != nil {
		return err
	}
	c.Phone = phone
	if _, err := ParseComplaintChannel(string(c.Channel)); err != nil {
		return err
	}
	if _, err := ParseSubject(string(c.Subject)); err != nil {
		return err
	}
	found := false
	for _, d := range departments {
		found = found || d == c.Department
	}
	if !found {
		return Errorkf(EINVALID, "err.department_bad", []any{c.Department, strings.Join(departments, " ")}, "no department %q", c.Department)
	}
	c.Description = strings.TrimSpace(c.Description)
	switch {
	case c.Description == "":
		return Errorkf(EINVALID, "err.description_empty", nil, "description is empty")
	case len([]rune(c.Description)) > MaxNoteLen:
		return Errorkf(EINVALID, "err.note_long", []any{MaxNoteLen}, "description too long")
	case c.Subject == SubjectProduct && strings.TrimSpace(c.Model) == "":
		return Errorkf(EINVALID, "err.model_empty", nil, "a product complaint needs the model (R2.6)")
	case len([]rune(c.Model)) > MaxModelLen:
		return Errorkf(EINVALID, "err.model_long", []any{MaxModelLen}, "model too long")
	case len([]rune(c.ProblemType)) > 100 || len([]rune(c.ProblemAt)) > 100:
		return Errorkf(EINVALID, "err.note_long", []any{100}, "problem type or time too long")
	}
	if c.VIN != "" && len(c.VIN) != 17 {
		return Errorkf(EINVALID, "err.vin_bad", []any{c.VIN}, "VIN %q is not 17 characters", c.VIN)
	}
	return nil
}

// Deadline kinds (R2.4).
const (
	DeadlineSolution  = "solution"  // on site: a proposed solution
	DeadlineReply     = "reply"     // the first reply
	DeadlineContact   = "contact"   // ticket: customer contacted
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

// ComplaintFilter selects complaints for lists and the register.
type ComplaintFilter struct {
	OwnerID     int64    // 0: any owner
	Department  string   // "": any department
	Statuses    []string // empty: any status
	CreatedFrom time.Time
	CreatedTo   time.Time // created in [CreatedFrom, CreatedTo); a zero bound is none
	Limit       int       // not positive: all
}

// CanActOnComplaint says whether a staff member may act on a complaint:
// its owner and those above (R2.3).
func CanActOnComplaint(s *Staff, c *Complaint) bool {
	return s.ID == c.OwnerID || s.Roles.HasAny(RoleSupervisor, RoleManager, RoleGM)
}

package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Complaints (投诉, chapter 2 §1, R2.1–R2.8).

// ComplaintChannel is how a complaint reached the store (R2.2).
type ComplaintChannel string

// The channels of R2.2.
const (
	ChannelTicket ComplaintChannel = "ticket" // call-centre ticket (CALL CENTER 投诉单)
	// ChannelFollowUp is a complaint the call centre raised on a follow-up
	// call to the customer (回访投诉, R2.4): the customer is contacted within
	// one working day.
	ChannelFollowUp ComplaintChannel = "followup"
	ChannelCall     ComplaintChannel = "phone"
	ChannelFax      ComplaintChannel = "fax"
	ChannelEmail    ComplaintChannel = "email"
	ChannelMedia    ComplaintChannel = "media" // newspaper, magazine, TV, radio, web
	ChannelLetter   ComplaintChannel = "letter"
	ChannelOnSite   ComplaintChannel = "onsite" // in person
)

// ComplaintChannels lists them in button order.
var ComplaintChannels = []ComplaintChannel{ChannelOnSite, ChannelCall, ChannelTicket, ChannelFollowUp, ChannelEmail, ChannelMedia, ChannelLetter, ChannelFax}

var complaintChannelsZH = map[string]ComplaintChannel{"投诉单": ChannelTicket, "客服中心": ChannelTicket, "呼叫中心": ChannelTicket,
	"回访投诉": ChannelFollowUp, "回访": ChannelFollowUp, "follow-up": ChannelFollowUp,
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

// ParseAppraisal reads the answer to "does it need an appraisal?" (R2.4):
// yes (需要, 是, 要, yes, y) or no (不需要, 否, 不, no, n). Anything else is
// EINVALID, to be asked again: read as no, a typed 需要 would lose the
// appraisal's deadline.
func ParseAppraisal(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "需要", "是", "要", "yes", "y":
		return true, nil
	case "不需要", "否", "不", "no", "n":
		return false, nil
	}
	return false, Errorkf(EINVALID, "err.appraisal_bad", []any{s}, "%q is not yes or no", s)
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

// FollowUpComplaint reports whether the call centre raised it on a
// follow-up call (R2.4).
func (c *Complaint) FollowUpComplaint() bool { return c.Channel == ChannelFollowUp }

// Validate checks a complaint before it is stored. Each field's check is
// also its own function, so the guided dialogue checks an answer at its
// step with the same rule.
func (c *Complaint) Validate(departments []string) error {
	name, err := NormalizeCustomerName(c.Customer)
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
	if err := CheckDepartment(c.Department, departments); err != nil {
		return err
	}
	if c.Description, err = NormalizeComplaintText(c.Description); err != nil {
		return err
	}
	if c.Subject == SubjectProduct || c.Model != "" {
		if c.Model, err = NormalizeComplaintModel(c.Model); err != nil {
			return err
		}
	}
	if c.ProblemType, err = CheckComplaintDetail(c.ProblemType); err != nil {
		return err
	}
	if c.ProblemAt, err = CheckComplaintDetail(c.ProblemAt); err != nil {
		return err
	}
	if c.VIN != "" {
		if c.VIN, err = NormalizeVIN(c.VIN); err != nil {
			return err
		}
	}
	return nil
}

// CheckDepartment checks that dept is one of the store's departments.
func CheckDepartment(dept string, departments []string) error {
	for _, d := range departments {
		if d == dept {
			return nil
		}
	}
	return Errorkf(EINVALID, "err.department_bad", []any{dept, strings.Join(departments, " ")}, "no department %q", dept)
}

// NormalizeComplaintText trims a complaint's description and checks it is
// there and not too long.
func NormalizeComplaintText(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", Errorkf(EINVALID, "err.description_empty", nil, "description is empty")
	case utf8.RuneCountInString(s) > MaxNoteLen:
		return "", Errorkf(EINVALID, "err.note_long", []any{MaxNoteLen}, "description too long")
	}
	return s, nil
}

// NormalizeComplaintModel checks the model a product complaint is about
// (R2.6): present and at most MaxModelLen characters.
func NormalizeComplaintModel(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "":
		return "", Errorkf(EINVALID, "err.cmp_model_empty", nil, "a product complaint needs the model (R2.6)")
	case utf8.RuneCountInString(s) > MaxModelLen:
		return "", Errorkf(EINVALID, "err.model_long", []any{MaxModelLen}, "model too long")
	}
	return s, nil
}

// MaxDetailLen bounds a product complaint's problem type and time.
const MaxDetailLen = 100

// CheckComplaintDetail checks a product complaint's problem type or the
// time it occurred, as told (R2.6): optional, at most MaxDetailLen.
func CheckComplaintDetail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > MaxDetailLen {
		return "", Errorkf(EINVALID, "err.note_long", []any{MaxDetailLen}, "problem type or time too long")
	}
	return s, nil
}

// NormalizeVIN reads a VIN as typed (R2.6, R3.1): spaces dropped, upper
// case; 17 letters and digits, without I, O and Q, which a VIN never
// contains (they read as 1 and 0).
func NormalizeVIN(s string) (string, error) {
	v := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	bad := utf8.RuneCountInString(v) != 17
	for _, r := range v {
		bad = bad || !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') || r == 'I' || r == 'O' || r == 'Q'
	}
	if bad {
		return "", Errorkf(EINVALID, "err.vin_bad", []any{s}, "VIN %q is not 17 letters and digits", s)
	}
	return v, nil
}

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

// ComplaintFilter selects complaints for lists and the register.
type ComplaintFilter struct {
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

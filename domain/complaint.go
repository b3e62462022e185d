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

// Complaint is one customer complaint and how it is being handled. It
// belongs to the store of the person who registered it (StoreID): its
// departments, people, calendar and deadlines are that store's.
type Complaint struct {
	ID           int64
	StoreID      int64
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

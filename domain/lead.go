package domain

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Grade is a lead's purchase horizon (级别, R1.5), which drives how often it
// is followed up.
type Grade string

// The grades. N is a new lead not graded yet (R1.4).
const (
	GradeN Grade = "N" // new, graded after the first week
	GradeH Grade = "H" // buys within 7 days
	GradeA Grade = "A" // within a month
	GradeB Grade = "B" // within 3 months
	GradeC Grade = "C" // later
	GradeO Grade = "O" // ordered, not delivered
	GradeD Grade = "D" // delivered
	GradeF Grade = "F" // lost (战败)
	GradeL Grade = "L" // unreachable (失控)
)

// SettableGrades are the grades staff set by hand (/grade, the buttons);
// O and D follow orders, F needs an approved lost request.
var SettableGrades = []Grade{GradeH, GradeA, GradeB, GradeC, GradeL}

// ParseGrade reads a grade staff typed ("h", "Ａ" …) among allowed.
func ParseGrade(s string, allowed []Grade) (Grade, error) {
	g := Grade(strings.ToUpper(strings.TrimSpace(s)))
	if r, size := utf8.DecodeRuneInString(string(g)); size == len(g) && r >= 'Ａ' && r <= 'Ｚ' {
		g = Grade(rune('A' + (r - 'Ａ')))
	}
	for _, a := range allowed {
		if g == a {
			return g, nil
		}
	}
	return "", Errorkf(EINVALID, "err.grade_bad", []any{s, joinGrades(allowed)}, "%q is not a grade (%s)", s, joinGrades(allowed))
}

func joinGrades(gs []Grade) string {
	ss := make([]string, len(gs))
	for i, g := range gs {
		ss[i] = string(g)
	}
	return strings.Join(ss, " ")
}

// Open reports whether a lead of this grade is still being worked: it gets
// follow-ups and can collide with another claim (R1.14).
func (g Grade) Open() bool {
	switch g {
	case GradeN, GradeH, GradeA, GradeB, GradeC, GradeO:
		return true
	}
	return false
}

// FollowedUp reports whether the grade gets scheduled follow-ups (R1.5):
// O is driven by its order; D, F and L get none.
func (g Grade) FollowedUp() bool {
	switch g {
	case GradeN, GradeH, GradeA, GradeB, GradeC:
		return true
	}
	return false
}

// NeedsConfirm reports whether setting the grade by hand asks "are you
// sure?" first: L ends the lead's follow-ups, sits one tap from C on the
// buttons, and only a supervisor can reopen it (CanReopenLead).
func (g Grade) NeedsConfirm() bool { return g == GradeL }

// Reopenable reports whether a lead of this grade is closed without a sale
// and may be reopened by a supervisor: L (unreachable) and F (lost). A
// customer whose lead is D who comes again is a returning customer, with a
// new lead (R1.2).
func (g Grade) Reopenable() bool { return g == GradeL || g == GradeF }

// ReopenGrades are the grades a reopened lead may be given.
var ReopenGrades = []Grade{GradeH, GradeA, GradeB, GradeC}

// Source is where a lead came from (R1.1).
type Source string

// The sources of R1.1.
const (
	SourceCall     Source = "call"     // 来电
	SourceWeb      Source = "web"      // 网络: portal order or message
	SourceMaker    Source = "maker"    // 厂家: pushed by the manufacturer
	SourceAutoShow Source = "autoshow" // 车展
	SourceWalkIn   Source = "walkin"   // 到店: showroom walk-in
	SourceReferral Source = "referral" // 转介绍
	SourceOther    Source = "other"    // 其他
)

// Sources lists them in the order buttons show them.
var Sources = []Source{SourceCall, SourceWeb, SourceMaker, SourceWalkIn, SourceAutoShow, SourceReferral, SourceOther}

var sourceNamesZH = map[string]Source{
	"来电": SourceCall, "电话": SourceCall, "网络": SourceWeb, "网站": SourceWeb, "网上": SourceWeb,
	"厂家": SourceMaker, "厂家线索": SourceMaker, "车展": SourceAutoShow, "到店": SourceWalkIn, "展厅": SourceWalkIn,
	"进店": SourceWalkIn, "转介绍": SourceReferral, "介绍": SourceReferral, "其他": SourceOther,
}

// ParseSource reads a source in English or Chinese.
func ParseSource(s string) (Source, error) {
	s = strings.TrimSpace(s)
	if src, ok := sourceNamesZH[s]; ok {
		return src, nil
	}
	for _, src := range Sources {
		if strings.EqualFold(s, string(src)) {
			return src, nil
		}
	}
	return "", Errorkf(EINVALID, "err.source_bad", []any{s}, "%q is not a lead source", s)
}

// Pool is which system a lead lives in (R1.7, R1.12): telesales works it by
// phone until the customer visits (LMS); the showroom after (DMS).
type Pool string

// The two pools.
const (
	PoolTelesales Pool = "telesales"
	PoolShowroom  Pool = "showroom"
)

// StartPool is the pool a new lead starts in: calls, web and manufacturer
// leads go to telesales (R1.7); walk-ins and auto-show leads to the
// showroom (R1.12); the rest to the pool of whoever logs it.
func StartPool(src Source, owner Roles) Pool {
	switch src {
	case SourceCall, SourceWeb, SourceMaker:
		return PoolTelesales
	case SourceWalkIn, SourceAutoShow:
		return PoolShowroom
	}
	return PoolOf(owner)
}

// PoolOf is the pool a lead goes to when it is given to someone: a
// telesales-only person works it in the telesales pool, anyone else in the
// showroom.
func PoolOf(owner Roles) Pool {
	if owner.Has(RoleTelesales) && !owner.Has(RoleConsultant) {
		return PoolTelesales
	}
	return PoolShowroom
}

// Channel is how a follow-up reached the customer.
type Channel string

// The follow-up channels.
const (
	ChannelPhone  Channel = "phone"
	ChannelVisit  Channel = "visit"
	ChannelWeChat Channel = "wechat"
	ChannelSMS    Channel = "sms"
)

// Channels lists them; phone is the default.
var Channels = []Channel{ChannelPhone, ChannelVisit, ChannelWeChat, ChannelSMS}

var channelNamesZH = map[string]Channel{"电话": ChannelPhone, "到店": ChannelVisit, "微信": ChannelWeChat, "短信": ChannelSMS}

// ParseChannel reads a channel word; ok is false when s is not one (it is
// then part of the note).
func ParseChannel(s string) (Channel, bool) {
	if c, ok := channelNamesZH[s]; ok {
		return c, true
	}
	for _, c := range Channels {
		if strings.EqualFold(s, string(c)) {
			return c, true
		}
	}
	return "", false
}

// Limits on what staff type.
const (
	MaxNoteLen  = 4000 // characters of a note or follow-up
	MaxModelLen = 40
)

// Lead is a prospective buyer (线索, R1.2). Phone is the customer's
// identity, normalised.
type Lead struct {
	// StoreID is the store whose lead it is (Store.ID): a customer may be
	// a lead in two stores of a group, never merged (R1.14).
	StoreID   int64
	ID        int64
	Name      string
	Phone     string
	Gender    string // "", "M", "F"
	Returning bool   // an existing customer (老客户)
	Source    Source
	HeardVia  string // how they heard of us (R1.1's second list), free text
	Model     string
	Grade     Grade
	TradeIn   bool
	// TradeInKnown says whether the customer said either way (置换意愿):
	// TradeIn false alone is "not asked".
	TradeInKnown bool
	Notes        string
	OwnerID      int64
	Pool         Pool
	CreatedAt    time.Time
	// LastContactAt is the last logged follow-up, nil before the first.
	LastContactAt *time.Time
	// FollowUps counts the follow-ups logged; FirstWeekFollowUps those within
	// the first week (R1.4).
	FollowUps          int
	FirstWeekFollowUps int
	// NextDueAt is NextFollowUp's answer, stored so the morning push can
	// find due leads with an index; nil when none is due.
	NextDueAt *time.Time
	GradedAt  *time.Time
	LostNote  string
	// InvitedBy is the telesales who invited the customer to the showroom:
	// they keep the credit after the handover (R1.10). 0: none.
	InvitedBy int64
	// ReopenedAt is when the lead was last reopened (Reopen), nil if never:
	// its first week starts again then (FirstWeekStart).
	ReopenedAt *time.Time
}

// ValidateNew is Validate for a lead being logged, which must also not
// have a phone number for a name (NormalizeCustomerName). A stored lead is
// not held to it, so one logged before the check can still be worked.
func (l *Lead) ValidateNew() error {
	name, err := NormalizeCustomerName(l.Name)
	if err != nil {
		return err
	}
	l.Name = name
	return l.Validate()
}

// Validate checks and tidies a lead before it is stored.
func (l *Lead) Validate() error {
	name, err := NormalizeName(l.Name)
	if err != nil {
		return err
	}
	l.Name = name
	phone, err := NormalizePhone(l.Phone)
	if err != nil {
		return err
	}
	l.Phone = phone
	l.Model = strings.Join(strings.Fields(l.Model), " ")
	switch {
	case l.Model == "":
		return Errorkf(EINVALID, "err.model_empty", nil, "model of interest is empty")
	case utf8.RuneCountInString(l.Model) > MaxModelLen:
		return Errorkf(EINVALID, "err.model_long", []any{MaxModelLen}, "model longer than %d characters", MaxModelLen)
	case utf8.RuneCountInString(l.Notes) > MaxNoteLen:
		return Errorkf(EINVALID, "err.note_long", []any{MaxNoteLen}, "notes longer than %d characters", MaxNoteLen)
	case !utf8.ValidString(l.Notes):
		return Errorkf(EINVALID, "err.invalid", nil, "notes are not valid text")
	}
	if _, err := ParseSource(string(l.Source)); err != nil {
		return err
	}
	if l.Grade == "" {
		l.Grade = GradeN
	}
	if _, err := ParseGrade(string(l.Grade), append([]Grade{GradeN}, SettableGrades...)); err != nil {
		return err
	}
	return nil
}

// NormalizeSearch tidies the text staff search leads by: control
// characters are dropped (a NUL ends the text for the database, and the
// pattern left would match every lead) and white space is folded. Nothing
// left to search for is EINVALID.
func NormalizeSearch(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", Errorkf(EINVALID, "err.find_empty", nil, "nothing to search for")
	}
	return s, nil
}

// FollowUp is one logged contact with a lead (回访).
type FollowUp struct {
	ID      int64
	LeadID  int64
	StaffID int64
	Channel Channel
	Note    string
	At      time.Time
	// GradeBefore and GradeAfter record a grade changed with the follow-up.
	GradeBefore, GradeAfter Grade
}

// Visit is one showroom visit (来店登记, R1.11).
type Visit struct {
	ID int64
	// StoreID is the store of the visit: its lead's.
	StoreID      int64
	LeadID       int64
	RegisteredBy int64
	ConsultantID int64
	First        bool // first visit or returning
	ArrivedAt    time.Time
	LeftAt       *time.Time
	// GradePrompted is set once the consultant was asked for the grade,
	// 24 hours after the visit.
	GradePrompted bool
}

// Dialog is a guided conversation in progress in one chat (the /lead
// questions, a follow-up note awaited after a button press). It is stored,
// so a restart mid-dialogue loses nothing.
type Dialog struct {
	ChatID    int64
	StaffID   int64
	Kind      string // which dialogue: "lead", "fu", "lost", "reject", …
	Step      string // where it is
	Data      string // its answers so far, JSON
	UpdatedAt time.Time
}

// CanSeeLead says whether a staff member may see a lead's card: its owner,
// and the people who supervise or serve every lead.
func CanSeeLead(s *Staff, l *Lead) bool {
	return l.OwnerID == s.ID || s.Roles.HasAny(RoleSupervisor, RoleManager, RoleGM, RoleAdmin, RoleService)
}

// CanWorkLead says whether a staff member may log follow-ups, change the
// grade or ask to mark a lead lost: its owner and the supervisors above.
func CanWorkLead(s *Staff, l *Lead) bool {
	return l.OwnerID == s.ID || s.Roles.HasAny(RoleSupervisor, RoleManager, RoleGM)
}

// ReopenerRoles may reopen an L or F lead: the supervisors and managers,
// who approve lost leads (R1.6). The bot offers /reopen to them.
var ReopenerRoles = []Role{RoleSupervisor, RoleManager}

// CanReopenLead says whether a staff member may reopen an L or F lead (one
// of ReopenerRoles).
func CanReopenLead(s *Staff) bool {
	return s.Roles.HasAny(ReopenerRoles...)
}

// SeesAllLeads says whether /find searches every lead for this person.
func SeesAllLeads(s *Staff) bool {
	return s.Roles.HasAny(RoleSupervisor, RoleManager, RoleGM, RoleAdmin, RoleService)
}

package domain

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The daily work on a lead (R1.1–R1.7): logging it, finding it, the
// follow-ups and grades, reopening it; and the day's list.

// LeadRef names a lead as staff type it: by id (17, #17) or by phone.
// Exactly one of ID and Phone is set.
type LeadRef struct {
	ID    int64
	Phone string // normalised
}

// ParseLeadRef reads a lead id or a phone. EINVALID (err.lead_ref, or a
// phone's own error) otherwise.
func ParseLeadRef(ref string) (LeadRef, error) {
	ref = strings.TrimPrefix(strings.TrimSpace(ref), "#")
	if LooksLikePhone(ref) {
		phone, err := NormalizePhone(ref)
		if err != nil {
			return LeadRef{}, err
		}
		return LeadRef{Phone: phone}, nil
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return LeadRef{}, Errorkf(EINVALID, "err.lead_ref", []any{ref}, "%q is neither a lead id nor a phone", ref)
	}
	return LeadRef{ID: id}, nil
}

// LeadByIDRef is the reference of lead id.
func LeadByIDRef(id int64) LeadRef { return LeadRef{ID: id} }

// LeadDraft is a lead as typed, before it is checked: the one-line /lead
// and the dialogue's answers (stored as the dialogue's data, so its field
// names stay).
type LeadDraft struct {
	Name, Phone, Model, Grade, Source, Notes string
	TradeIn                                  bool
}

// NewLead checks a draft and makes the lead owner logs at now: the grade
// (N or a settable one), the source and the fields (ValidateNew), in the
// pool the source and the owner's roles give (R1.2).
func NewLead(d LeadDraft, owner *Staff, now time.Time) (*Lead, error) {
	grade, err := ParseGrade(d.Grade, append([]Grade{GradeN}, SettableGrades...))
	if err != nil {
		return nil, err
	}
	src, err := ParseSource(d.Source)
	if err != nil {
		return nil, err
	}
	l := &Lead{Name: d.Name, Phone: d.Phone, Model: d.Model, Grade: grade, Source: src, TradeIn: d.TradeIn, TradeInKnown: d.TradeIn,
		Notes: d.Notes, OwnerID: owner.ID, Pool: StartPool(src, owner.Roles), CreatedAt: now}
	if err := l.ValidateNew(); err != nil {
		return nil, err
	}
	return l, nil
}

// gradeMarkerRE is a new grade inside a follow-up note: 级别=A or grade=A
// (a full-width ＝ too), as a word of its own.
var gradeMarkerRE = regexp.MustCompile(`(?i)(^|\s)(?:级别|grade)\s*[=＝]\s*(\S*)`)

// CutGradeMarker takes the grade marker out of a follow-up note: the note
// without it and the grade, or no grade when there is no marker. A grade
// changes only with its marker, never because the note happens to end in
// a letter (奔驰 C). A marker with something that is not a settable grade
// is EINVALID, and so are two (err.grade_twice).
func CutGradeMarker(note string) (string, Grade, error) {
	m := gradeMarkerRE.FindAllStringSubmatchIndex(note, -1)
	switch {
	case len(m) == 0:
		return note, "", nil
	case len(m) > 1:
		return "", "", Errorkf(EINVALID, "err.grade_twice", nil, "two grade markers")
	}
	g, err := ParseGrade(note[m[0][4]:m[0][5]], SettableGrades)
	if err != nil {
		return "", "", err
	}
	return strings.TrimSpace(note[:m[0][0]] + " " + note[m[0][1]:]), g, nil
}

// ValidFollowUpNote checks a follow-up's note: EINVALID (err.note_empty,
// err.note_long).
func ValidFollowUpNote(note string) error {
	if strings.TrimSpace(note) == "" {
		return Errorkf(EINVALID, "err.note_empty", nil, "follow-up note is empty")
	}
	if len([]rune(note)) > MaxNoteLen {
		return Errorkf(EINVALID, "err.note_long", []any{MaxNoteLen}, "note too long")
	}
	return nil
}

// CanChangeGrade returns nil when a lead's grade may be set by hand: not
// an ordered lead, which follows its order (R4.1). EINVALID
// (err.lead_closed).
func CanChangeGrade(l *Lead) error {
	if l.Grade == GradeO {
		return Errorkf(EINVALID, "err.lead_closed", []any{l.ID, string(l.Grade)}, "lead %d is ordered", l.ID)
	}
	return nil
}

// CanReopen returns nil when s may reopen l: a supervisor or manager
// (EFORBIDDEN err.reopen_forbidden), and l is L or F (EINVALID
// err.reopen_open, its grade's key as the argument).
func CanReopen(s *Staff, l *Lead) error {
	if !CanReopenLead(s) {
		return Errorkf(EFORBIDDEN, "err.reopen_forbidden", nil, "only supervisors reopen leads")
	}
	if !l.Grade.Reopenable() {
		return Errorkf(EINVALID, "err.reopen_open", []any{l.ID, string(l.Grade)}, "lead %d is %s", l.ID, l.Grade)
	}
	return nil
}

// LeadService is the daily work on leads (R1.1–R1.7). Each method is one
// transaction, or joins the caller's. by is the acting staff member's id:
// the service checks what they may see and do. Everything happens in by's
// store (Staff.StoreID): a lead of another store is ENOTFOUND, exactly as
// one that does not exist; only a group role's look-ups list the other
// stores' leads besides (LeadElsewhere), to read.
type LeadService interface {
	// AddLead logs draft as a lead of by's. A customer has one open
	// lead: the caller's own is ECONFLICT (err.lead_exists); someone
	// else's opens a collision case instead (LeadCreated.Collision, R1.14);
	// a closed L or F one is pointed to (LeadCreated.Closed), to be
	// reopened rather than doubled; a delivered one makes the new lead a
	// returning customer's. EINVALID for a bad draft.
	AddLead(ctx context.Context, by int64, draft LeadDraft) (*LeadCreated, error)

	// LeadPhone says what logging a lead with phone would meet: by's own
	// open lead (Mine) or the customer's closed L or F one (Closed); the
	// dialogue asks before the other answers.
	LeadPhone(ctx context.Context, by int64, phone string) (*PhoneInUse, error)

	// ShowLead returns the lead ref names if by may see it. ENOTFOUND
	// (err.lead_not_found, err.lead_phone_not_found), EFORBIDDEN
	// (err.lead_not_yours).
	ShowLead(ctx context.Context, by int64, ref LeadRef) (*Lead, error)

	// LookupLead is ShowLead for /show: for a group role (Roles.Group)
	// looking up a phone it also lists the customer's leads in the other
	// stores (LeadLookup.Elsewhere), and a phone found only there is no
	// ENOTFOUND (Lead nil).
	LookupLead(ctx context.Context, by int64, ref LeadRef) (*LeadLookup, error)

	// WorkLead is ShowLead for a change: by must work the lead (owner or
	// above) and it must be open. EFORBIDDEN (err.lead_not_yours),
	// EINVALID (err.lead_closed).
	WorkLead(ctx context.Context, by int64, ref LeadRef) (*Lead, error)

	// CustomerLead returns the lead ref names in by's store for whoever
	// deals with the customer in person (a visit, a complaint): no owner
	// check. ENOTFOUND.
	CustomerLead(ctx context.Context, by int64, ref LeadRef) (*Lead, error)

	// SetLeadDetail sets the facts of d (LeadDetail.Apply) on lead id of
	// by's store, for whoever deals with the customer (MayTellLeadDetail;
	// no owner check, as CustomerLead), closed or open. visit, when not 0,
	// is a visit of the lead whose card the facts were given on, returned
	// as it is. ENOTFOUND (another store's lead too; err.visit_not_found
	// for a visit not of the lead), EFORBIDDEN (err.forbidden), EINVALID
	// (err.invalid).
	SetLeadDetail(ctx context.Context, by, id, visit int64, d LeadDetail) (*LeadDetailSet, error)

	// SearchLeads lists up to limit leads of by's store whose name or
	// phone contains text (NormalizeSearch'd), by's first; only by's own
	// unless SeesAllLeads. A group role also gets up to limit matches of
	// the other stores (LeadsFound.Elsewhere).
	SearchLeads(ctx context.Context, by int64, text string, limit int) (*LeadsFound, error)

	// LeadHistory is what the lead card shows below the lead: its last n
	// follow-ups, changes and visits, the newest first.
	LeadHistory(ctx context.Context, leadID int64, n int) (*LeadHistory, error)

	// LogFollowUp logs by's contact with the lead ref names through
	// channel, now, with grade the new grade if one is given (the chat
	// reads it from the note's marker, CutGradeMarker). A grade that
	// needs confirming (L) is not set but asked about
	// (FollowUpLogged.Confirm). Errors of WorkLead, EINVALID
	// (err.note_empty, err.note_long, a grade not settable).
	LogFollowUp(ctx context.Context, by int64, ref LeadRef, channel Channel, note string, grade Grade) (*FollowUpLogged, error)

	// ChangeGrade sets the grade of the lead ref names by hand; the due
	// date moves at once. A grade that needs confirming (L) is only asked
	// about (GradeChanged.Confirm) until confirmed. Errors of WorkLead,
	// EINVALID (a grade not settable, err.lead_closed for an ordered lead).
	ChangeGrade(ctx context.Context, by int64, ref LeadRef, g Grade, confirmed bool) (*GradeChanged, error)

	// ReopenLead gives an L or F lead back to its owner with grade g
	// (one of ReopenGrades); with no g it only checks (Reopened false),
	// for the grades to be offered. ENOTFOUND, EFORBIDDEN
	// (err.lead_not_yours, err.reopen_forbidden), EINVALID (err.reopen_open,
	// a bad grade), ECONFLICT (err.lead_exists: the customer has another
	// open lead).
	ReopenLead(ctx context.Context, by int64, ref LeadRef, g Grade) (*LeadReopened, error)

	// MyLeads returns a page of by's open leads, most overdue first, and
	// how many there are.
	MyLeads(ctx context.Context, by int64, offset, limit int) ([]*Lead, int, error)

	// TodayLeads returns up to limit of by's leads due by the end of
	// today, the longest due first.
	TodayLeads(ctx context.Context, by int64, limit int) ([]*Lead, error)
}

// LeadCreated is what logging a lead did: created Lead, or pointed to the
// customer's Closed lead, or opened a Collision over their open one.
type LeadCreated struct {
	Lead      *Lead
	Closed    *Lead
	Collision *CollisionOpened
}

// LeadElsewhere is a lead of another store than the caller's, as a group
// role's look-up lists it: labelled with its store, to read only — the
// stores' leads are never merged (R1.14).
type LeadElsewhere struct {
	StoreCode string
	LeadID    int64
	Name      string
	Grade     Grade
	Owner     string // the owner's name
}

// LeadLookup is what /show finds: the lead in the caller's store (nil when
// only other stores have the phone) and, for a group role, the customer's
// leads Elsewhere.
type LeadLookup struct {
	Lead      *Lead
	Elsewhere []LeadElsewhere
}

// LeadsFound is a search's result: the caller's store's leads and, for a
// group role, the matches Elsewhere.
type LeadsFound struct {
	Leads     []*Lead
	Elsewhere []LeadElsewhere
}

// PhoneInUse is what a phone meets: the caller's own open lead, or the
// customer's closed L or F lead; both nil when it is free to log.
type PhoneInUse struct {
	Mine   *Lead
	Closed *Lead
}

// LeadHistory is a lead's recent history, the newest first.
type LeadHistory struct {
	FollowUps []FollowUp
	Events    []LeadEvent
	Visits    []Visit
}

// FollowUpLogged is a contact logged: the lead as it is now, the
// follow-up (its GradeBefore and GradeAfter), the grade to confirm ("" for
// none) and whether the lead's grade is due now (R1.4: the third call of
// its first week).
type FollowUpLogged struct {
	Lead        *Lead
	FollowUp    *FollowUp
	Confirm     Grade
	GradePrompt bool
}

// GradeChanged is a grade set (Before → Lead.Grade), or, with Confirm, a
// grade that needs confirming first (nothing changed).
type GradeChanged struct {
	Lead    *Lead
	Before  Grade
	Confirm Grade
}

// LeadReopened is a lead reopened (Reopened) or checked to be reopenable:
// its grade Before, its Owner, whom to Notify of it (the owner unless
// they reopened it themselves or cannot be told: Tellable; nil when
// nobody), and the supervisors to tell (not the reopener nor the owner).
type LeadReopened struct {
	Lead        *Lead
	Reopened    bool
	Before      Grade
	Owner       *Staff
	Notify      *Staff
	Supervisors []*Staff
}

package domain

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The regulation's forms (chapter 1, "5. 记录"): attachment 1, the visit
// register 来店(电)客户登记表, and attachment 2, the handover form
// 邀约到店客户交接表, as a month's .xlsx on /export. The service streams
// the rows; the chat layer writes them in the forms' own columns.

// The forms /export makes.
const (
	FormVisits    = "visits"
	FormHandovers = "handovers"
)

// FormExporters may export the forms: the roles of /export.
var FormExporters = []Role{RoleTelesales, RoleConsultant, RoleReception, RoleSupervisor, RoleManager, RoleGM, RoleGroupGM}

// formStoreReaders export the whole store's rows (a group role: the store
// it chose with /store).
var formStoreReaders = []Role{RoleSupervisor, RoleManager, RoleGM, RoleGroupGM}

// MaxFormRows bounds a form's rows: a store's month is far below it, and
// a bigger sheet would not be read on a phone nor printed.
const MaxFormRows = 20000

// FormScope says which rows of form by may export: the store's (own
// false) for supervisors, managers, the GM and the group GM, and for
// reception the visit register they keep (R1.11); otherwise their own
// (own true): a consultant the visits they served and the handovers they
// received, telesales the visits they registered and the handovers they
// filed. EFORBIDDEN (err.forbidden) for anyone else and for reception's
// handovers; EINVALID (form.unknown) for an unknown form.
func FormScope(by *Staff, form string) (own bool, err error) {
	if form != FormVisits && form != FormHandovers {
		return false, Errorkf(EINVALID, "form.unknown", []any{form}, "no form %q", form)
	}
	if by == nil || !by.Active || !by.Roles.HasAny(FormExporters...) {
		return false, errForbidden(by, "export "+form)
	}
	switch {
	case by.Roles.HasAny(formStoreReaders...):
		return false, nil
	case by.Roles.Has(RoleReception) && form == FormVisits:
		return false, nil
	case by.Roles.HasAny(RoleTelesales, RoleConsultant):
		return true, nil
	}
	return false, errForbidden(by, "export "+form)
}

// MonthLayout writes a month as /export takes it.
const MonthLayout = "2006-01"

var monthRE = regexp.MustCompile(`^(\d{4})[-/.年]?(\d{1,2})月?$`)

// ParseMonth reads a month ("2026-11", "2026/11", "202611", "2026年11月")
// and returns its first day 00:00 in loc; empty is now's month. EINVALID
// (form.month_bad) otherwise.
func ParseMonth(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		y, m, _ := now.In(loc).Date()
		return time.Date(y, m, 1, 0, 0, 0, 0, loc), nil
	}
	bad := Errorkf(EINVALID, "form.month_bad", []any{s}, "%q is not a month", s)
	m := monthRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, bad
	}
	year, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	if month < 1 || month > 12 || year < 2000 || year > 2999 {
		return time.Time{}, bad
	}
	return time.Date(year, time.Month(month), 1, 0, 0, 0, 0, loc), nil
}

// HeardVia is how a customer heard of the store (来店信息来源, R1.1's
// second list, the ticks of attachment 1).
type HeardVia string

// The regulation's list, in its order.
const (
	HeardPhone     HeardVia = "phone"     // 电话
	HeardNewspaper HeardVia = "newspaper" // 报纸
	HeardRadio     HeardVia = "radio"     // 广播
	HeardMagazine  HeardVia = "magazine"  // 杂志
	HeardFriends   HeardVia = "friends"   // 亲友
	HeardPassing   HeardVia = "passing"   // 路过
	HeardOther     HeardVia = "other"     // 其他
)

// HeardVias lists them in the form's order.
var HeardVias = []HeardVia{HeardPhone, HeardNewspaper, HeardRadio, HeardMagazine, HeardFriends, HeardPassing, HeardOther}

var heardNames = map[string]HeardVia{
	"电话": HeardPhone, "报纸": HeardNewspaper, "广播": HeardRadio, "杂志": HeardMagazine, "亲友": HeardFriends,
	"路过": HeardPassing, "其他": HeardOther, "passing by": HeardPassing,
}

// ParseHeardVia reads a stored or typed answer (the codes, the form's
// Chinese words); ok is false for anything else, such as free text kept
// from before the list.
func ParseHeardVia(s string) (HeardVia, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if h, ok := heardNames[s]; ok {
		return h, true
	}
	for _, h := range HeardVias {
		if s == string(h) {
			return h, true
		}
	}
	return "", false
}

// A lead's gender (R1.2), "" when not recorded.
const (
	GenderMale   = "M"
	GenderFemale = "F"
)

// LeadDetail is one fact of R1.2 the forms need that a busy consultant
// gives with a tap after the lead or the visit is logged: gender, how the
// customer heard of us, the trade-in intention. Empty fields are left
// as they are.
type LeadDetail struct {
	Gender   string
	HeardVia HeardVia
	TradeIn  *bool
}

// LeadDetailRoles may tell a lead's details: whoever meets the customer.
var LeadDetailRoles = []Role{RoleTelesales, RoleConsultant, RoleReception, RoleSupervisor, RoleManager}

// MayTellLeadDetail reports whether s may set a lead's LeadDetail.
func MayTellLeadDetail(s *Staff) bool {
	return s != nil && s.Active && s.Roles.HasAny(LeadDetailRoles...)
}

// LeadDetailSet is a lead after SetLeadDetail, and the visit whose card
// it was set on (nil: none).
type LeadDetailSet struct {
	Lead  *Lead
	Visit *Visit
}

// Apply checks d and sets its facts on l. EINVALID (err.invalid) for a
// gender or source not on the lists, or nothing to set.
func (d LeadDetail) Apply(l *Lead) error {
	switch {
	case d.Gender == "" && d.HeardVia == "" && d.TradeIn == nil:
		return Errorkf(EINVALID, "err.invalid", nil, "nothing to set")
	case d.Gender != "" && d.Gender != GenderMale && d.Gender != GenderFemale:
		return Errorkf(EINVALID, "err.invalid", nil, "gender %q", d.Gender)
	}
	if d.HeardVia != "" {
		h, ok := ParseHeardVia(string(d.HeardVia))
		if !ok {
			return Errorkf(EINVALID, "err.invalid", nil, "heard via %q", d.HeardVia)
		}
		l.HeardVia = string(h)
	}
	if d.Gender != "" {
		l.Gender = d.Gender
	}
	if d.TradeIn != nil {
		l.TradeIn, l.TradeInKnown = *d.TradeIn, true
	}
	return nil
}

// VisitFormRow is one line of attachment 1: a visit of the month with its
// customer as the lead records them.
type VisitFormRow struct {
	VisitID     int64
	Name, Phone string
	// Returning is 客户性质 老: a return visit, or a customer who bought
	// before (Lead.Returning).
	Returning bool
	Gender    string
	Source    Source
	Model     string
	// Grade is 意向级别: the lead's grade when the customer arrived.
	Grade        Grade
	TradeIn      bool
	TradeInKnown bool
	HeardVia     string
	ArrivedAt    time.Time
	LeftAt       *time.Time
	// Grade24h is 24小时追踪级别: the grade by the end of the day the
	// day-after prompt comes (GradeTrackedBy); "" until then.
	Grade24h Grade
	// Notes is 经过情形: the last note logged on the customer by then, or
	// the lead's notes.
	Notes      string
	Consultant string
}

// HandoverFormRow is one line of attachment 2: a handover filed in the
// month.
type HandoverFormRow struct {
	No          int
	Date        time.Time
	Name, Phone string
	Model       string
	Channel     Source
	BuyBy       time.Time
	Grade       Grade
	Status      string // HandoverPending, …
	Reason      string // a decline's
	Consultant  string // 直销员: who received it
	Telesales   string // who filed it
	OrderedAt   *time.Time
	DeliveredAt *time.Time
}

// FormExport is what a form export covered: the store, the month (its
// first day in the store's zone), whose rows (Own: By's only), how many,
// and whether MaxFormRows cut it short.
type FormExport struct {
	Store     *Store
	Month     time.Time
	By        *Staff
	Own       bool
	Rows      int
	Truncated bool
}

// FormService reads the forms' rows of by's store (a group role: the
// store it chose) for the month that starts at month, oldest first, in
// batches, their times in the store's zone, calling each for every row (an error from each stops and is
// returned). One transaction each. EFORBIDDEN (err.forbidden) as
// FormScope says.
type FormService interface {
	// VisitForm streams attachment 1: the month's visits.
	VisitForm(ctx context.Context, by int64, month time.Time, each func(*VisitFormRow) error) (*FormExport, error)

	// HandoverForm streams attachment 2: the month's handovers, numbered.
	HandoverForm(ctx context.Context, by int64, month time.Time, each func(*HandoverFormRow) error) (*FormExport, error)
}

// GradeTrackedBy is when a visit's 24-hour grade (24小时追踪级别) is
// settled: the consultant is asked a day after the arrival (R1.11) and
// has until the end of that day, in the store's zone, to answer.
func GradeTrackedBy(arrived time.Time, loc *time.Location) time.Time {
	y, m, d := arrived.Add(24 * time.Hour).In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// GradeAt is a lead's grade at t from its grade changes (events of kind
// EventGrade, oldest first) and its grade now: the last change at or
// before t, or, with none, what the first later change changed from.
func GradeAt(events []LeadEvent, now Grade, t time.Time) Grade {
	g := Grade("")
	for _, e := range events {
		if e.Kind != EventGrade {
			continue
		}
		if e.At.After(t) {
			if g == "" {
				g = Grade(e.From)
			}
			return g
		}
		g = Grade(e.To)
	}
	if g == "" {
		return now
	}
	return g
}

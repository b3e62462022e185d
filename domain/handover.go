package domain

import (
	"context"
	"strings"
	"time"
)

// The handover form (R1.10): how a lead passes from telesales to a
// consultant. The audit of a lead's changes is in lead_event.go,
// appointments (R1.8) in appointment.go, collisions (R1.14) in
// collision.go.

// Handover states.
const (
	HandoverPending  = "pending"
	HandoverAccepted = "accepted"
	HandoverDeclined = "declined"
)

// Handover is the handover form (attachment 2, R1.10): telesales passes an
// arrived lead to a consultant, who accepts or declines.
type Handover struct {
	ID int64
	// StoreID is the lead's store: the consultant is of it, and its
	// calendar and supervisors chase the form.
	StoreID       int64
	LeadID        int64
	FromID        int64 // telesales
	ToID          int64 // the receiving consultant
	Channel       Source
	ExpectedBuyBy time.Time // expected purchase date
	Grade         Grade
	Status        string
	Reason        string // a decline's reason
	RemindedAt    *time.Time
	Escalated     bool // the supervisor was told it is unanswered
	CreatedAt     time.Time
	DecidedAt     *time.Time
}

// CreatedAtOr is the handover's creation time, or t before it is stored.
func (h *Handover) CreatedAtOr(t time.Time) time.Time {
	if h.CreatedAt.IsZero() {
		return t
	}
	return h.CreatedAt
}

// CanHandOver returns nil when from may pass lead l to consultant to
// (R1.10): from works the lead, it is in the telesales pool, and to is an
// active consultant. EFORBIDDEN (err.lead_not_yours), EINVALID
// (err.handover_not_telesales, err.handover_not_consultant) otherwise.
func CanHandOver(from *Staff, l *Lead, to *Staff) error {
	if !CanWorkLead(from, l) {
		return Errorkf(EFORBIDDEN, "err.lead_not_yours", []any{l.ID}, "lead %d is not staff %d's", l.ID, from.ID)
	}
	if l.Pool != PoolTelesales {
		return Errorkf(EINVALID, "err.handover_not_telesales", []any{l.ID}, "lead %d is not in the telesales pool", l.ID)
	}
	if to != nil && (!to.Active || !to.Roles.Has(RoleConsultant)) {
		return Errorkf(EINVALID, "err.handover_not_consultant", []any{to.Name}, "%s is not a consultant", to.Name)
	}
	if to != nil && !to.Enrolled() {
		// The form could not reach them: say so rather than "sent".
		return Errorkf(EINVALID, "err.handover_not_linked", []any{to.Name}, "%s has not linked Telegram", to.Name)
	}
	return nil
}

// CanAnswerHandover returns nil when s may accept or decline h: it was
// handed to them and is still pending. EFORBIDDEN (err.forbidden),
// ECONFLICT (handover.already) otherwise.
func CanAnswerHandover(s *Staff, h *Handover) error {
	if h.ToID != s.ID {
		return Errorkf(EFORBIDDEN, "err.forbidden", nil, "handover %d is for %d", h.ID, h.ToID)
	}
	if h.Status != HandoverPending {
		return Errorkf(ECONFLICT, "handover.already", nil, "handover %d decided", h.ID)
	}
	return nil
}

// CanAcceptHandover returns nil when lead l may still be taken over: it is
// in the telesales pool and open. ECONFLICT (handover.stale) when it was
// ruled to someone else, or closed, since the form was sent.
func CanAcceptHandover(l *Lead) error {
	if l.Pool != PoolTelesales || !l.Grade.Open() {
		return Errorkf(ECONFLICT, "handover.stale", []any{l.ID}, "lead %d moved since the handover", l.ID)
	}
	return nil
}

// ValidDeclineReason returns the trimmed reason of a decline; EINVALID
// (err.note_empty) when there is none.
func ValidDeclineReason(reason string) (string, error) {
	if reason = strings.TrimSpace(reason); reason == "" {
		return "", Errorkf(EINVALID, "err.note_empty", nil, "reason is empty")
	}
	return reason, nil
}

// HandoverService passes leads from telesales to the showroom with the
// handover form (R1.10). Each method is one transaction, or joins the
// caller's.
type HandoverService interface {
	// SendHandover files h (LeadID, FromID; ExpectedBuyBy, by default as
	// the lead's grade expects from now) to the consultant named toName in
	// the sender's store, pending, created now; a lead or a name of
	// another store is not found. ENOTFOUND (err.lead_not_found,
	// err.staff_not_found), EFORBIDDEN (err.lead_not_yours), EINVALID
	// (err.handover_not_telesales, err.handover_not_consultant), ECONFLICT
	// (err.handover_pending: one pending form a lead), EINVALID
	// (err.when_past, err.when_far: a given ExpectedBuyBy is checked by
	// CheckExpectedBuyBy).
	SendHandover(ctx context.Context, h Handover, toName string) (*HandoverSent, error)

	// HandoverToAnswer returns handover id if staffID may answer it now:
	// the check before a decline's reason is asked for. ENOTFOUND
	// (callback.stale; also for a handover of another store), EFORBIDDEN (err.forbidden), ECONFLICT
	// (handover.already).
	HandoverToAnswer(ctx context.Context, id, staffID int64) (*Handover, error)

	// AcceptHandover accepts handover id for staffID and moves the lead to
	// them (LMS → DMS): owner and pool change, the follow-ups go on from
	// the grade, the telesales keeps the invitation credit. ENOTFOUND
	// (callback.stale), EFORBIDDEN (err.forbidden), ECONFLICT
	// (handover.already, handover.stale).
	AcceptHandover(ctx context.Context, id, staffID int64) (*HandoverAnswered, error)

	// DeclineHandover declines handover id for staffID with reason.
	// ENOTFOUND (callback.stale), EFORBIDDEN (err.forbidden), ECONFLICT
	// (handover.already), EINVALID (err.note_empty, err.note_long).
	DeclineHandover(ctx context.Context, id, staffID int64, reason string) (*HandoverAnswered, error)
}

// HandoverSent is a form filed to the consultant To: Notify gets it with
// buttons (HandoverNotice(To); nil when nobody is told).
type HandoverSent struct {
	Handover *Handover
	Lead     *Lead
	From, To *Staff
	Notify   *Staff
}

// HandoverAnswered is a form accepted or declined (Handover.Status, and
// Reason for a decline): Notify, the telesales From, is told
// (HandoverNotice; nil when From is no longer found or cannot be
// reached); To's copies of the form close. Lead is as it is now.
type HandoverAnswered struct {
	Handover *Handover
	Lead     *Lead
	From, To *Staff
	Notify   *Staff
}

// HandoverNotice is who hears of a step of a handover addressed to s: s,
// when the chat can reach them (enrolled), else nobody (nil).
func HandoverNotice(s *Staff) *Staff {
	if s == nil || !s.Enrolled() {
		return nil
	}
	return s
}

// AllDays is the calendar of zone loc with every day open all day: an
// expected purchase date is a date, not an appointment, so a day typed
// without a time reads as its midnight (ReadWhen) and any day will do.
func AllDays(loc *time.Location) *Calendar {
	return &Calendar{Location: loc, Open: 0, Close: 24*60 - 1, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
}

// CheckExpectedBuyBy returns nil when t may be a handover's expected
// purchase date at now in zone loc: in the future, at most MaxYearsAhead
// ahead (CheckWhen on AllDays). EINVALID (err.when_past, err.when_far).
func CheckExpectedBuyBy(t, now time.Time, loc *time.Location) error {
	return CheckWhen(t, now, AllDays(loc))
}

// ExpectedBuyBy is the expected purchase date on a handover form, from the
// grade's horizon (R1.5): H a week, A a month, B three months, C six.
func ExpectedBuyBy(g Grade, from time.Time) time.Time {
	switch g {
	case GradeH:
		return from.AddDate(0, 0, 7)
	case GradeB:
		return from.AddDate(0, 3, 0)
	case GradeC:
		return from.AddDate(0, 6, 0)
	}
	return from.AddDate(0, 1, 0)
}

package domain

import (
	"context"
	"time"
)

// Who a customer goes to when the visit register finds them closed or
// unknown (R1.11, R1.12).

// WhyReturned marks the changes of a lost customer's lead reopened by a
// showroom visit.
const WhyReturned = "returned"

// ReopensOnVisit reports whether a visit reopens a lead of this grade: a
// customer lost (F) or unreachable (L) who walks in is working with us
// again. Bought (O, D) and open leads are not reopened.
func ReopensOnVisit(g Grade) bool {
	return g == GradeF || g == GradeL
}

// VisitOwner is who works a customer that a visit reopens or brings in new
// (R1.12: walk-ins are received by a consultant): the consultant who
// registers the visit; otherwise other, the lead's former owner or the
// consultant first in the reception line (R5.3).
func VisitOwner(registrar *Staff, other int64) int64 {
	if registrar.Roles.Has(RoleConsultant) {
		return registrar.ID
	}
	return other
}

// ReopenOwner is who works a lost customer's lead that a visit reopens: a
// lead of the telesales pool (where the month-end clean-up puts L and F)
// stays with telesales, who keep a lead whose customer a consultant finds
// to be theirs (R1.14.2; a consultant may dispute it, R1.14.4); any other
// goes as VisitOwner says.
func ReopenOwner(registrar *Staff, l *Lead) int64 {
	if l.Pool == PoolTelesales {
		return l.OwnerID
	}
	return VisitOwner(registrar, l.OwnerID)
}

// Visit kinds as /visit takes them: "" tells first from return by the
// register.
const (
	VisitFirst  = "first"
	VisitReturn = "return"
)

// VisitService is the visit register (R1.11, R1.12): whoever greets a
// customer registers the visit, the departure, and a walk-in; a day later
// the consultant is asked for the grade. Each method is one transaction,
// or joins the caller's.
type VisitService interface {
	// RegisterVisit registers by's visit of the customer ref names (kind
	// VisitFirst, VisitReturn or "" to tell from the register), now, as a
	// contact of the lead: a lost customer's lead reopens, telesales hear
	// of their customer (AppointmentService.NoticeArrival), another
	// consultant's customer opens a collision case. ENOTFOUND (no such
	// lead), EINVALID (err.lead_closed: bought).
	RegisterVisit(ctx context.Context, by int64, ref LeadRef, kind string) (*VisitRegistered, error)

	// DepartVisit records that the customer of visit id left, now.
	// ENOTFOUND (err.visit_not_found), ECONFLICT (visit.already_left).
	DepartVisit(ctx context.Context, by, id int64) (*VisitDeparted, error)

	// StartWalkIn begins logging the walk-in with phone: a customer logged
	// meanwhile has their visit registered (non-nil outcome); otherwise
	// nil, when someone can take them. EINVALID (visit.walkin_nobody: the
	// registrar is no consultant and nobody is in the reception line).
	StartWalkIn(ctx context.Context, by int64, phone string) (*VisitRegistered, error)

	// WalkIn logs the walk-in w with their visit: grade N, source walk-in,
	// owned by the consultant registering it or else the first in the
	// reception line, who goes to the back of it (R5.3). A lead logged
	// meanwhile gets the visit instead. A model that does not do, or an
	// empty line, is WalkedIn.Again: the dialogue asks again.
	WalkIn(ctx context.Context, by int64, w WalkIn) (*WalkedIn, error)

	// GradePrompts marks up to limit visits that arrived before
	// arrivedBefore and were not yet prompted, and returns the prompts to
	// send: the open leads' active, enrolled consultants (R1.11).
	GradePrompts(ctx context.Context, arrivedBefore time.Time, limit int) (*VisitGradePrompts, error)

	// NextGradePrompt is the arrival of the oldest visit not yet prompted
	// (false: none).
	NextGradePrompt(ctx context.Context) (time.Time, bool, error)
}

// VisitRegistered is a visit registered: the visit, the lead as it is
// now, who registered it; Reopened when the visit reopened a lost
// customer's lead; the Arrival as telesales see it; GradePrompt when the
// visit was the third contact of the lead's first week and the registrar
// works it (R1.4); Collision when it opened a case (R1.14.3).
type VisitRegistered struct {
	Visit       *Visit
	Lead        *Lead
	Registrar   *Staff
	Reopened    *VisitReopened
	Arrival     *Arrival
	GradePrompt bool
	Collision   *CollisionOpened
}

// VisitReopened is a lost customer's lead reopened by their visit: its
// grade before, its former owner, its Owner now (told when not the
// registrar and reachable: TellOwner) and the supervisors to tell.
type VisitReopened struct {
	Was         Grade
	FormerOwner int64
	Owner       *Staff
	TellOwner   bool
	Supervisors []*Staff
}

// VisitDeparted is a departure recorded: the visit and its lead.
type VisitDeparted struct {
	Visit *Visit
	Lead  *Lead
}

// WalkIn is a walk-in being logged from the visit register.
type WalkIn struct {
	Phone, Name, Model string
}

// WalkedIn is a walk-in logged: the new Lead and its Owner (Told when the
// owner is someone else to tell), and the visit; or Again, the error to
// show before asking for the model again (nothing changed).
type WalkedIn struct {
	Lead  *Lead
	Owner *Staff
	Told  bool
	New   bool
	Visit *VisitRegistered
	Again error
}

// VisitGradePrompts are the day-old visits marked prompted (Visits, how
// many) and the prompts to send.
type VisitGradePrompts struct {
	Visits  int
	Prompts []VisitGradePrompt
}

// VisitGradePrompt asks Consultant for Lead's grade a day after Visit.
type VisitGradePrompt struct {
	Visit      Visit
	Lead       *Lead
	Consultant *Staff
}

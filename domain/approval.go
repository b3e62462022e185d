package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Approval is one concept for every request that someone above must rule
// on: a lost lead (R1.6), a month-end clean-up (R1.13), a collision
// (R1.14), a rest day and a swap (R5.1); discounts (R4.2) will follow. Each
// kind differs only in data: who may decide, and how "decided already"
// reads. The rules here are pure; the services apply them inside their
// transaction, and guard decide-once against a concurrent ruling in the
// database as well.

// ApprovalKind names what a request asks approval for.
type ApprovalKind string

// The kinds of approval.
const (
	ApprovalLost      ApprovalKind = "lost"       // mark a lead F (R1.6)
	ApprovalCleanup   ApprovalKind = "cleanup"    // move a consultant's B/C/L/F leads to telesales (R1.13)
	ApprovalCollision ApprovalKind = "collision"  // award a collided lead to one side (R1.14)
	ApprovalRest      ApprovalKind = "rest"       // a rest day (R5.1)
	ApprovalSwap      ApprovalKind = "swap"       // give a rest day to a colleague (R5.1)
	ApprovalDemoUse   ApprovalKind = "demo_use"   // use a demo car other than for a test drive (R3.4)
	ApprovalQueueJump ApprovalKind = "queue_jump" // allocate a car out of turn (R4.3)
	// ApprovalOrder (order.go) is a discount, change or cancellation of an
	// order (R4.2, R4.4): its rank, not a role list, says who decides.
)

// Verdict is which way a request was decided.
type Verdict string

// The verdicts. Their values are also the stored statuses of a decided
// request ("pending" until then).
const (
	Approved Verdict = "approved"
	Rejected Verdict = "rejected"
)

// Decision is the record of a ruling: who decided, when, which way, and why.
type Decision struct {
	DeciderID int64
	At        time.Time
	Verdict   Verdict
	Reason    string // why; required when rejecting a lost lead, optional elsewhere
}

// Approved reports whether the decision grants the request.
func (d *Decision) Approved() bool { return d != nil && d.Verdict == Approved }

// Validate checks a decision before it is recorded: a known verdict, a
// decider, and a reason of at most MaxNoteLen characters of valid text.
// EINVALID (err.invalid, err.note_long) otherwise.
func (d Decision) Validate() error {
	if d.Verdict != Approved && d.Verdict != Rejected {
		return Errorkf(EINVALID, "err.invalid", nil, "%q is not a verdict", d.Verdict)
	}
	if d.DeciderID == 0 {
		return Errorkf(EINVALID, "err.invalid", nil, "a decision needs a decider")
	}
	switch {
	case utf8.RuneCountInString(d.Reason) > MaxNoteLen:
		return Errorkf(EINVALID, "err.note_long", []any{MaxNoteLen}, "reason longer than %d characters", MaxNoteLen)
	case !utf8.ValidString(d.Reason):
		return Errorkf(EINVALID, "err.invalid", nil, "reason is not valid text")
	}
	return nil
}

// approvalPolicy is what sets one kind of approval apart from the others.
type approvalPolicy struct {
	// deciders, when set, are the roles that may rule (any of them, in any
	// department); when nil the request goes to the requester's approvers
	// (Approvers).
	deciders []Role
	// decided is the catalogue key of the ECONFLICT for a ruling that comes
	// too late.
	decided string
	// rejectWhy says a rejection must give its reason (R1.6: the requester
	// is told why).
	rejectWhy bool
}

// rulers are the people who settle a collision or a clean-up.
var rulers = []Role{RoleSupervisor, RoleManager, RoleGM}

var approvalPolicies = map[ApprovalKind]approvalPolicy{
	ApprovalLost:      {decided: "lost.already", rejectWhy: true},
	ApprovalRest:      {decided: "rest.already"},
	ApprovalSwap:      {decided: "swap.stale"},
	ApprovalDemoUse:   {deciders: DemoFleetManagers, decided: "demouse.already"},
	ApprovalOrder:     {deciders: Ranks, decided: "order.already", rejectWhy: true},
	ApprovalCleanup:   {deciders: rulers, decided: "cleanup.already"},
	ApprovalQueueJump: {deciders: QueueJumpDeciders, decided: "alloc.already", rejectWhy: true},
	ApprovalCollision: {deciders: rulers, decided: "collision.final"},
}

// Approval is a request waiting for, or settled by, a ruling.
type Approval struct {
	Kind ApprovalKind
	ID   int64
	// Requester is whose request it is: the consultant asking to mark a lead
	// lost or for a rest day. For a clean-up it is the consultant whose
	// leads move, for a collision the lead's owner.
	Requester *Staff
	// Parties are the others the case is about (the claimant of a
	// collision). Neither they nor the requester may rule on it.
	Parties  []int64
	Decision *Decision // nil while pending
}

// Pending reports whether the request still waits for a ruling.
func (a *Approval) Pending() bool { return a.Decision == nil }

// Approvers picks, from staff, who rules on a request of requester (R1.6,
// R5.1): the active, enrolled holders of ApproverRole — the supervisors, or
// for a supervisor and above the managers — of the requester's department,
// or every holder when none is in it (a general manager belongs to no
// department); never the requester.
func Approvers(requester *Staff, staff []*Staff) []*Staff {
	role := ApproverRole(requester.Roles)
	var all, mine []*Staff
	for _, s := range staff {
		if !s.Active || !s.Enrolled() || !s.Roles.Has(role) {
			continue
		}
		all = append(all, s)
		if s.Department == requester.Department {
			mine = append(mine, s)
		}
	}
	if len(mine) == 0 {
		mine = all
	}
	return slices.DeleteFunc(slices.Clone(mine), func(s *Staff) bool { return s.ID == requester.ID })
}

// MayDecide returns nil when decider may rule on the request; staff are
// the candidates Approvers picks from. A request goes to the requester's
// approvers (lost, rest, swap) or, for a collision or a clean-up, to any
// supervisor, manager or general manager; the requester and the parties
// never rule on their own case (R1.14). EFORBIDDEN (err.forbidden)
// otherwise.
func (a *Approval) MayDecide(decider *Staff, staff []*Staff) error {
	p := approvalPolicies[a.Kind]
	own := (a.Requester != nil && decider.ID == a.Requester.ID) || slices.Contains(a.Parties, decider.ID)
	switch {
	case own:
	case p.deciders != nil:
		if decider.Active && decider.Roles.HasAny(p.deciders...) {
			return nil
		}
	case a.Requester != nil:
		if slices.ContainsFunc(Approvers(a.Requester, staff), func(s *Staff) bool { return s.ID == decider.ID }) {
			return nil
		}
	}
	return Errorkf(EFORBIDDEN, "err.forbidden", nil, "staff %d may not rule on %s %d", decider.ID, a.Kind, a.ID)
}

// Decide records d on the request, once: a request decided already — by
// another approver a moment before, say — is an ECONFLICT (the kind's
// "already" key) and keeps its first decision. EINVALID when d does not
// validate, or (err.note_empty) when a rejection of a kind that must say
// why gives no reason.
func (a *Approval) Decide(d Decision) error {
	if !a.Pending() {
		return AlreadyDecided(a.Kind, a.ID)
	}
	if err := d.Validate(); err != nil {
		return err
	}
	if d.Verdict == Rejected && approvalPolicies[a.Kind].rejectWhy && strings.TrimSpace(d.Reason) == "" {
		return Errorkf(EINVALID, "err.note_empty", nil, "a rejected %s request needs a reason", a.Kind)
	}
	a.Decision = &d
	return nil
}

// AlreadyDecided is the ECONFLICT of a ruling on request id of kind that
// was decided already: what Decide returns, and what a service returns
// when the database finds a concurrent ruling won.
func AlreadyDecided(kind ApprovalKind, id int64) error {
	key := approvalPolicies[kind].decided
	if key == "" {
		key = "err.conflict"
	}
	return Errorkf(ECONFLICT, key, nil, "%s %d decided already", kind, id)
}

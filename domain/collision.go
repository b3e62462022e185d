package domain

import (
	"context"
	"time"
)

// Collision states.
const (
	CollisionOpen  = "open"
	CollisionRuled = "ruled"
)

// Collision is a dispute over one customer (撞单, R1.14): the lead's owner
// (A) and a second claimant (B) who logged or received the same phone.
type Collision struct {
	ID int64
	// StoreID is the store the case is decided in: its lead's (R1.14 is
	// decided inside a store).
	StoreID    int64
	LeadID     int64
	OwnerID    int64 // A: owns the lead
	ClaimantID int64 // B: claims the customer
	Phone      string
	Source     Source    // how B met the customer
	ClaimedAt  time.Time // when B's claim arose
	NoteA      string
	NoteB      string
	Status     string
	WinnerID   int64
	DeciderID  int64
	DecidedAt  *time.Time
	// Reminded and Escalated record the 24 h reminder to the supervisor and
	// the 48 h report to the manager.
	Reminded  bool
	Escalated bool
}

// Sides of a collision, as a note names them: "a" the owner, "b" the
// claimant.
const (
	SideOwner    = "a"
	SideClaimant = "b"
)

// Approval is the case as an approval (ApprovalCollision): its requester
// is the owner, the claimant its other party, so neither rules on it
// (R1.14). A ruling for the claimant is Approved (the claim is granted),
// for the owner Rejected.
func (c *Collision) Approval(owner *Staff) *Approval {
	a := &Approval{Kind: ApprovalCollision, ID: c.ID, Requester: owner, Parties: []int64{c.ClaimantID}}
	if c.Status == CollisionRuled {
		d := &Decision{DeciderID: c.DeciderID, Verdict: c.VerdictFor(c.WinnerID)}
		if c.DecidedAt != nil {
			d.At = *c.DecidedAt
		}
		a.Decision = d
	}
	return a
}

// VerdictFor is the verdict that awards the case to winnerID: Approved
// for the claimant, Rejected for the owner.
func (c *Collision) VerdictFor(winnerID int64) Verdict {
	if winnerID == c.ClaimantID && winnerID != c.OwnerID {
		return Approved
	}
	return Rejected
}

// Side returns the id of side "a" (the owner) or "b" (the claimant);
// EINVALID for another side.
func (c *Collision) Side(side string) (int64, error) {
	switch side {
	case SideOwner:
		return c.OwnerID, nil
	case SideClaimant:
		return c.ClaimantID, nil
	}
	return 0, Errorkf(EINVALID, "err.invalid", nil, "%q is not a side of a collision", side)
}

// NotesOpen reports whether the sides may still write their notes at now:
// within window (24 h, R1.14) of the claim.
func (c *Collision) NotesOpen(now time.Time, window time.Duration) bool {
	return now.Sub(c.ClaimedAt) <= window
}

// CanAddCollisionNote returns nil when s may write side's note on c at
// now: s is that side, the case is open and the window has not passed.
// EINVALID (err.invalid) for an unknown side, EFORBIDDEN (err.forbidden)
// for someone else, ECONFLICT (collision.notes_closed) when too late.
func CanAddCollisionNote(s *Staff, c *Collision, side string, now time.Time, window time.Duration) error {
	id, err := c.Side(side)
	if err != nil {
		return err
	}
	if s.ID != id {
		return Errorkf(EFORBIDDEN, "err.forbidden", nil, "not a side of collision %d", c.ID)
	}
	if c.Status != CollisionOpen || !c.NotesOpen(now, window) {
		return Errorkf(ECONFLICT, "collision.notes_closed", nil, "notes closed")
	}
	return nil
}

// CanOpenCollision returns nil when claimant's claim on l makes a case:
// the lead is open and someone else's. EINVALID (err.lead_closed,
// err.invalid) otherwise.
func CanOpenCollision(claimant *Staff, l *Lead) error {
	if !l.Grade.Open() {
		return Errorkf(EINVALID, "err.lead_closed", []any{l.ID, string(l.Grade)}, "lead %d is closed", l.ID)
	}
	if l.OwnerID == claimant.ID {
		return Errorkf(EINVALID, "err.invalid", nil, "lead %d is staff %d's own", l.ID, claimant.ID)
	}
	return nil
}

// CanDispute returns nil when disputer, a telesales owner, may dispute
// visit v of their lead l at now (R1.14.2–4): the lead is theirs and
// open, a consultant registered the visit as theirs, and not more than
// window (24 h) ago. EFORBIDDEN (err.lead_not_yours), EINVALID
// (err.lead_closed), ECONFLICT (collision.dispute_late) otherwise.
func CanDispute(disputer *Staff, l *Lead, v *Visit, now time.Time, window time.Duration) error {
	if l.OwnerID != disputer.ID {
		return Errorkf(EFORBIDDEN, "err.lead_not_yours", []any{l.ID}, "lead %d is not the caller's", l.ID)
	}
	if !l.Grade.Open() {
		return Errorkf(EINVALID, "err.lead_closed", []any{l.ID, string(l.Grade)}, "lead %d is closed", l.ID)
	}
	if v.ConsultantID == l.OwnerID || now.Sub(v.ArrivedAt) > window {
		return Errorkf(ECONFLICT, "collision.dispute_late", nil, "visit %d: nothing to dispute", v.ID)
	}
	return nil
}

// TransferWhys are the reasons a lead changes hands that /transfers lists:
// handovers, rulings and the month-end clean-up.
var TransferWhys = []string{WhyHandover, WhyRuling, WhyCleanup}

// CollisionService opens collision cases, takes the sides' notes and the
// final ruling (R1.14), and lists the month's transfers. Each method is
// one transaction, or joins the caller's. A case is decided inside its
// lead's store (Collision.StoreID): only a phone open in the same store
// collides, a case of another store than the caller's is ENOTFOUND, and
// the supervisors and managers told are the store's own.
type CollisionService interface {
	// OpenCollision files claimantID's claim (met through src) on lead
	// leadID against its owner, claimed now. When the claimant's case over
	// the lead is open already, that one is returned (Created false).
	// ENOTFOUND (err.lead_not_found, err.staff_not_found), EINVALID
	// (err.lead_closed, err.invalid: the lead is the claimant's own).
	OpenCollision(ctx context.Context, leadID, claimantID int64, src Source) (*CollisionOpened, error)

	// DisputeVisit opens the case of telesales disputerID, the lead's
	// owner, against the consultant who registered visit visitID as theirs
	// (R1.14.2–4). ENOTFOUND (err.visit_not_found, err.lead_not_found),
	// EFORBIDDEN (err.lead_not_yours), EINVALID (err.lead_closed),
	// ECONFLICT (collision.dispute_late).
	DisputeVisit(ctx context.Context, visitID, disputerID int64) (*CollisionOpened, error)

	// CollisionNoteToAdd returns case id if staffID may write side's note
	// now: the check before the note is asked for. ENOTFOUND
	// (callback.stale), EINVALID, EFORBIDDEN (err.forbidden), ECONFLICT
	// (collision.notes_closed).
	CollisionNoteToAdd(ctx context.Context, id, staffID int64, side string) (*Collision, error)

	// AddCollisionNote saves staffID's note as side's on case id and says
	// which supervisors to pass it to. ENOTFOUND (callback.stale),
	// EINVALID (err.note_empty, err.note_long, err.invalid), EFORBIDDEN
	// (err.forbidden), ECONFLICT (collision.notes_closed after the window,
	// collision.ruled once ruled).
	AddCollisionNote(ctx context.Context, id, staffID int64, side, note string) (*CollisionNoted, error)

	// DecideCollision rules case id for side "a" (its owner) or "b" (its
	// claimant), decided by deciderID now, once and finally, and moves the lead to
	// the winner. A supervisor, manager or general manager rules, never a
	// side (domain.Approval). ENOTFOUND (callback.stale), EFORBIDDEN
	// (err.forbidden), ECONFLICT (collision.final), EINVALID (err.invalid:
	// no such side).
	DecideCollision(ctx context.Context, id int64, side string, deciderID int64) (*CollisionDecided, error)

	// Transfers lists the changes of owner in [from, to) of by's store
	// made by a handover, a ruling or the clean-up, the oldest first, at
	// most 200.
	Transfers(ctx context.Context, by int64, from, to time.Time) ([]LeadEvent, error)
}

// CollisionOpened is what opening a case did: the case, its lead and
// sides, and, when it was Created, the supervisors who get its card. Last
// is the lead's last follow-up (nil when none), for the card.
type CollisionOpened struct {
	Collision       *Collision
	Created         bool
	Lead            *Lead
	Last            *FollowUp
	Owner, Claimant *Staff
	Supervisors     []*Staff
}

// CollisionNoted is a side's note saved: the author, and the supervisors
// to pass it to.
type CollisionNoted struct {
	Collision   *Collision
	Author      *Staff
	Note        string
	Supervisors []*Staff
}

// CollisionDecided is the final ruling: the case with its decision, the lead
// as it is now, the sides to tell, the winner and the decider, and whose
// cards now show the verdict: the supervisors' (the card and its
// reminder) and the managers' (the escalation). Last is the lead's last
// follow-up, for the card.
type CollisionDecided struct {
	Collision       *Collision
	Lead            *Lead
	Last            *FollowUp
	Owner, Claimant *Staff
	Winner, Decider *Staff
	Supervisors     []*Staff
	Managers        []*Staff
}

package domain

import "time"

// Chapter 1's passage of a lead from telesales to the showroom (R1.8–R1.10,
// R1.13, R1.14): appointments, handovers, collisions and the month-end
// clean-up, and the audit of every change of owner, grade or pool.

// Appointment states.
const (
	ApptBooked  = "booked"
	ApptArrived = "arrived"
	ApptMissed  = "missed"
	// ApptReplaced is a booking superseded by a later /appoint.
	ApptReplaced = "replaced"
)

// Appointment is a showroom visit telesales booked for a lead (邀约到店, R1.8).
type Appointment struct {
	ID          int64
	LeadID      int64
	TelesalesID int64 // who booked it: keeps the invitation credit
	At          time.Time
	Status      string
	Reminded    bool // reception was reminded before it
	CreatedAt   time.Time
}

// Handover states.
const (
	HandoverPending  = "pending"
	HandoverAccepted = "accepted"
	HandoverDeclined = "declined"
)

// Handover is the handover form (attachment 2, R1.10): telesales passes an
// arrived lead to a consultant, who accepts or declines.
type Handover struct {
	ID            int64
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

// Collision states.
const (
	CollisionOpen  = "open"
	CollisionRuled = "ruled"
)

// Collision is a dispute over one customer (撞单, R1.14): the lead's owner
// (A) and a second claimant (B) who logged or received the same phone.
type Collision struct {
	ID         int64
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

// Lead event kinds and why a change happened, for the audit.
const (
	EventOwner = "owner"
	EventGrade = "grade"
	EventPool  = "pool"

	WhyManual   = "manual"
	WhyFollowUp = "followup"
	WhyLost     = "lost"
	WhyHandover = "handover"
	WhyRuling   = "ruling"
	WhyCleanup  = "cleanup"
	WhyReopen   = "reopen"
)

// LeadEvent is one change of a lead's owner, grade or pool: who, when, why.
type LeadEvent struct {
	ID      int64
	LeadID  int64
	StaffID int64 // who made the change
	At      time.Time
	Kind    string
	From    string
	To      string
	Why     string
}

// CreatedAtOr is the handover's creation time, or t before it is stored.
func (h *Handover) CreatedAtOr(t time.Time) time.Time {
	if h.CreatedAt.IsZero() {
		return t
	}
	return h.CreatedAt
}

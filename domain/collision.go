package domain

import "time"

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

package domain

import "time"

// The handover form (R1.10): how a lead passes from telesales to a
// consultant; and the audit of every change of a lead's owner, grade or
// pool. Appointments (R1.8) are in appointment.go, collisions (R1.14) in
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

package domain

import "time"

// The audit of every change of a lead's owner, grade or pool (stored by
// storage/event.go).

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
	WhyOrder    = "order" // an order placed, rejected or cancelled (R4.1, R4.4)
)

// LeadEvent is one change of a lead's owner, grade or pool: who, when, why.
type LeadEvent struct {
	ID int64
	// StoreID is the store of the event: its lead's.
	StoreID int64
	LeadID  int64
	StaffID int64 // who made the change
	At      time.Time
	Kind    string
	From    string
	To      string
	Why     string
}

package domain

import "time"

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

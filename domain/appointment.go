package domain

import (
	"context"
	"time"
)

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

// ArrivalNotice says who must hear at once that a telesales customer has
// come (R1.9): the owner, unless they registered the visit themselves or
// cannot be told. Claimed says a consultant registered the visit as
// theirs, so the owner may dispute it (R1.14.4).
func ArrivalNotice(owner, registrar *Staff, v *Visit) (tell *Staff, claimed bool) {
	if owner == nil || !owner.Enrolled() || owner.ID == registrar.ID {
		return nil, false
	}
	return owner, v.ConsultantID == registrar.ID
}

// AppointmentService books showroom visits for telesales leads (R1.8) and
// keeps them when the customer comes (R1.9). Each method is one
// transaction, or joins the caller's.
type AppointmentService interface {
	// BookAppointment books a (LeadID, TelesalesID, At) now; a new booking
	// replaces the lead's earlier ones still booked (one reminder, and no
	// false no-show). ENOTFOUND (err.lead_not_found, err.staff_not_found),
	// EFORBIDDEN (err.lead_not_yours).
	BookAppointment(ctx context.Context, a Appointment) (*AppointmentBooked, error)

	// NoticeArrival records that visit visitID of lead leadID, registered
	// by registrarID, kept the day's booking, and says whom to tell
	// (R1.9, R1.14.2). A lead not in the telesales pool is not telesales'
	// to hear of. ENOTFOUND (err.lead_not_found, err.visit_not_found,
	// err.staff_not_found).
	NoticeArrival(ctx context.Context, leadID, registrarID, visitID int64) (*Arrival, error)
}

// AppointmentBooked is a booking made, and the earlier ones it replaced.
type AppointmentBooked struct {
	Appointment *Appointment
	Lead        *Lead
	Replaced    []Appointment
}

// Arrival is what a visit means to telesales: whether the lead is theirs
// (Telesales), whether it was booked for the day (Invited: the booking is
// now kept), and who to tell (Notify, nil for nobody; Claimed when the
// notice must carry the Dispute button).
type Arrival struct {
	Lead      *Lead
	Visit     *Visit
	Registrar *Staff
	Telesales bool
	Invited   bool
	Notify    *Staff
	Claimed   bool
}

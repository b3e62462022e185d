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
	ID int64
	// StoreID is the lead's store: its calendar and its reception.
	StoreID     int64
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
	// BookAppointment books a (LeadID, TelesalesID, At) now, in the
	// booker's store (a lead of another store is ENOTFOUND), if At may be
	// booked (CheckWhen on that store's calendar); a new booking replaces
	// the lead's earlier ones still booked (one reminder, and no false
	// no-show), and the outcome says what the booker is promised
	// (AppointmentPromise). EINVALID (err.when_past, err.when_far,
	// err.when_closed), ENOTFOUND (err.lead_not_found,
	// err.staff_not_found), EFORBIDDEN (err.lead_not_yours).
	BookAppointment(ctx context.Context, a Appointment) (*AppointmentBooked, error)

	// NoticeArrival records that visit visitID of lead leadID, registered
	// by registrarID, kept the day's booking (the day of the lead's
	// store), and says whom to tell
	// (R1.9, R1.14.2). A lead not in the telesales pool is not telesales'
	// to hear of. ENOTFOUND (err.lead_not_found, err.visit_not_found,
	// err.staff_not_found).
	NoticeArrival(ctx context.Context, leadID, registrarID, visitID int64) (*Arrival, error)
}

// AppointmentBooked is a booking made, the earlier ones it replaced, and
// what the booker is promised: Promise, with RemindBefore the reminder's
// lead time (LeadRules.AppointmentRemind).
type AppointmentBooked struct {
	Appointment  *Appointment
	Lead         *Lead
	Replaced     []Appointment
	Promise      Promise
	RemindBefore time.Duration
}

// Promise says who is reminded of a booking, and when (R1.8).
type Promise string

// The promises of a booking.
const (
	// PromiseLaterDay: a later day's booking is in that morning's push
	// and reminded again before the visit.
	PromiseLaterDay Promise = "later_day"
	// PromiseToday: a same-day booking, made after the morning push
	// perhaps, is only reminded before the visit.
	PromiseToday Promise = "today"
	// PromiseSoon: a visit sooner than the reminder's lead time is
	// reminded at once.
	PromiseSoon Promise = "soon"
)

// AppointmentPromise is what a booking at at, made at now, truthfully
// promises (R1.8): a later day's is in that morning's push and reminded
// r.AppointmentRemind before; today's only by that reminder, which goes
// out at once when the visit is sooner than that.
func AppointmentPromise(at, now time.Time, r LeadRules, cal *Calendar) Promise {
	switch {
	case !cal.StartOfDay(at).Equal(cal.StartOfDay(now)):
		return PromiseLaterDay
	case at.Sub(now) > r.AppointmentRemind:
		return PromiseToday
	}
	return PromiseSoon
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

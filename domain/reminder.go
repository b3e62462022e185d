package domain

import "time"

// What the reminders job (issue 5) tells about something left waiting on
// someone, and who is to hear it. Each is recorded as sent in the
// transaction that queues it, so it goes once.

// AppointmentReminder says a booked customer is due soon (R1.8: 30
// minutes before): the telesales who booked the visit (Booker; nil when
// they cannot be told) and reception hear of it.
type AppointmentReminder struct {
	Appointment Appointment
	Lead        *Lead
	Booker      *Staff
	Reception   []*Staff
}

// HandoverReminder says a handover is unanswered (R1.10): first the
// consultant it was handed to is reminded; escalated, their supervisors
// are told.
type HandoverReminder struct {
	Handover   Handover
	Lead       *Lead
	From, To   *Staff
	Escalate   bool
	Recipients []*Staff
}

// CollisionReminder says a collision is unruled past its time (R1.14):
// the supervisors, or escalated the managers, hear of it. Owner and
// Claimant are nil when no longer found (the reminder then has no card);
// Last is the lead's last follow-up, for the card (nil when none).
type CollisionReminder struct {
	Collision       Collision
	Lead            *Lead
	Last            *FollowUp
	Owner, Claimant *Staff
	Escalate        bool
	Recipients      []*Staff
}

// Booker is who of a visit's telesales can be told: active and enrolled.
func Booker(s *Staff) *Staff {
	if s != nil && s.Active && s.Enrolled() {
		return s
	}
	return nil
}

// Unchased is, for one store, when the oldest item still waiting on its
// first reminder was created (Unreminded) and the oldest not yet escalated
// (Unescalated); zero when there is none. The reminders job computes the
// next instants from them on that store's calendar.
type Unchased struct {
	StoreID                 int64
	Unreminded, Unescalated time.Time
}

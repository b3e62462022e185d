package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// Reminders chases what waits on someone (issue 5): the telesales who
// booked a visit and reception 30 minutes before it (R1.8); a consultant
// who has not answered a handover in 2 working hours, then their
// supervisor after as long again (R1.10); a supervisor who has not ruled
// a collision in 24 hours, then the manager at 48 (R1.14). Each reminder
// is marked in the transaction that queues it, so it goes once. The
// timers run it at each of these instants (Next). One instance serves the
// group: each item is timed on its own store's rules and calendar
// (Stores.Of(item.StoreID)), and its store's people are told.
type Reminders struct {
	Store  ReminderStore
	Bot    ReminderNotifier
	Stores *domain.Stores
}

// ReminderStore finds what waits on someone, and records each reminder as
// sent while saying who is to hear it (joining the caller's transaction).
type ReminderStore interface {
	AppointmentsToRemind(ctx context.Context, before time.Time, limit int) ([]domain.Appointment, error)
	PendingHandovers(ctx context.Context, createdBefore time.Time, limit int) ([]domain.Handover, error)
	OpenCollisions(ctx context.Context, claimedBefore time.Time, limit int) ([]domain.Collision, error)
	UnchasedHandovers(ctx context.Context) ([]domain.Unchased, error)
	UnchasedCollisions(ctx context.Context) ([]domain.Unchased, error)
	RemindAppointment(ctx context.Context, a domain.Appointment) (domain.AppointmentReminder, error)
	RemindHandover(ctx context.Context, h domain.Handover, escalate bool) (domain.HandoverReminder, error)
	RemindCollision(ctx context.Context, c domain.Collision, escalate bool) (domain.CollisionReminder, error)
	Transactor
}

// ReminderNotifier tells each reminder's recipients.
type ReminderNotifier interface {
	NotifyAppointmentReminder(ctx context.Context, r domain.AppointmentReminder) error
	NotifyHandoverReminder(ctx context.Context, r domain.HandoverReminder) error
	NotifyCollisionReminder(ctx context.Context, r domain.CollisionReminder) error
}

// Name implements Job.
func (j *Reminders) Name() string { return "reminders" }

// rules are the lead rules of store id.
func (j *Reminders) rules(id int64) domain.LeadRules { return j.Stores.Of(id).Rules.Leads }

// collisionRules are the lead rules a collision is chased on: its store's.
func (j *Reminders) collisionRules(c domain.Collision) domain.LeadRules { return j.rules(c.StoreID) }

// span is the shortest and the longest of a duration over the stores'
// rules: the queries ask for what any store may have due.
func (j *Reminders) span(of func(domain.LeadRules) time.Duration) (shortest, longest time.Duration) {
	for i, st := range j.Stores.All() {
		d := of(st.Rules.Leads)
		if i == 0 || d < shortest {
			shortest = d
		}
		if i == 0 || d > longest {
			longest = d
		}
	}
	return shortest, longest
}

// remindBefore is how long before a visit its reminder goes (R1.8).
func remindBefore(r domain.LeadRules) time.Duration { return r.AppointmentRemind }

// answerWithin is the working time a consultant has to answer a handover
// (R1.10); the supervisor hears after twice that.
func answerWithin(r domain.LeadRules) time.Duration {
	return time.Duration(r.HandoverAnswerHrs) * time.Hour
}

// Run implements Job.
func (j *Reminders) Run(ctx context.Context, now time.Time) error {
	_, longest := j.span(remindBefore)
	appts, err := j.Store.AppointmentsToRemind(ctx, now.Add(longest), 200)
	if err != nil {
		return fmt.Errorf("appointments: %w", err)
	}
	for _, a := range appts {
		if a.At.After(now.Add(j.rules(a.StoreID).AppointmentRemind)) {
			continue // not yet, on its store's rules
		}
		if err := j.Store.InTx(ctx, func(ctx context.Context) error {
			r, err := j.Store.RemindAppointment(ctx, a)
			if err != nil {
				return err
			}
			return j.Bot.NotifyAppointmentReminder(ctx, r)
		}); err != nil {
			return fmt.Errorf("appointment %d: %w", a.ID, err)
		}
	}
	shortest, _ := j.span(answerWithin)
	handovers, err := j.Store.PendingHandovers(ctx, now.Add(-shortest), 200)
	if err != nil {
		return fmt.Errorf("handovers: %w", err)
	}
	for _, h := range handovers {
		st := j.Stores.Of(h.StoreID)
		answer := answerWithin(st.Rules.Leads)
		remind := h.RemindedAt == nil && !now.Before(st.Calendar.AddWorkingTime(h.CreatedAt, answer))
		wantEscalate := !h.Escalated && !now.Before(st.Calendar.AddWorkingTime(h.CreatedAt, 2*answer))
		if !remind && !wantEscalate {
			continue
		}
		if err := j.Store.InTx(ctx, func(ctx context.Context) error {
			for _, escalate := range chaseSteps(remind, wantEscalate) {
				r, err := j.Store.RemindHandover(ctx, h, escalate)
				if err != nil {
					return err
				}
				if err := j.Bot.NotifyHandoverReminder(ctx, r); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("handover %d: %w", h.ID, err)
		}
	}
	shortest, _ = j.span(func(r domain.LeadRules) time.Duration { return r.CollisionNotes })
	cols, err := j.Store.OpenCollisions(ctx, now.Add(-shortest), 200)
	if err != nil {
		return fmt.Errorf("collisions: %w", err)
	}
	for _, c := range cols {
		r := j.collisionRules(c)
		if now.Before(c.ClaimedAt.Add(r.CollisionNotes)) {
			continue // not yet, on its store's rules
		}
		remind := !c.Reminded
		wantEscalate := !c.Escalated && !now.Before(c.ClaimedAt.Add(r.CollisionToManager))
		if err := j.Store.InTx(ctx, func(ctx context.Context) error {
			for _, escalate := range chaseSteps(remind, wantEscalate) {
				r, err := j.Store.RemindCollision(ctx, c, escalate)
				if err != nil {
					return err
				}
				if err := j.Bot.NotifyCollisionReminder(ctx, r); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("collision %d: %w", c.ID, err)
		}
	}
	return nil
}

// chaseSteps are the steps due, in order: the reminder (false), then the
// escalation (true).
func chaseSteps(remind, escalate bool) []bool {
	var out []bool
	if remind {
		out = append(out, false)
	}
	if escalate {
		out = append(out, true)
	}
	return out
}

// Next implements DeadlineJob: the first instant a reminder is due on
// what is stored, each on its store's rules and calendar. A reminder not
// yet marked may be due already (a visit booked less than 30 minutes
// ahead): its instant is then not after `after`, and the timers run the
// job at once.
func (j *Reminders) Next(ctx context.Context, after time.Time) (time.Time, bool, error) {
	var n nearest
	// The earliest visit is the first due unless stores remind at
	// different lead times: then a later one within the difference may
	// be due first, so the first few are looked at.
	shortest, longest := j.span(remindBefore)
	limit := 1
	if shortest != longest {
		limit = 200
	}
	appts, err := j.Store.AppointmentsToRemind(ctx, farFuture, limit)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("appointments: %w", err)
	}
	for _, a := range appts {
		n.add(a.At.Add(-j.rules(a.StoreID).AppointmentRemind), true)
	}
	unchased, err := j.Store.UnchasedHandovers(ctx)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("handovers: %w", err)
	}
	for _, u := range unchased {
		st := j.Stores.Of(u.StoreID)
		answer := answerWithin(st.Rules.Leads)
		if !u.Unreminded.IsZero() {
			n.add(st.Calendar.AddWorkingTime(u.Unreminded, answer), true)
		}
		if !u.Unescalated.IsZero() {
			n.add(st.Calendar.AddWorkingTime(u.Unescalated, 2*answer), true)
		}
	}
	cols, err := j.Store.UnchasedCollisions(ctx)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("collisions: %w", err)
	}
	for _, u := range cols {
		r := j.rules(u.StoreID)
		if !u.Unreminded.IsZero() {
			n.add(u.Unreminded.Add(r.CollisionNotes), true)
		}
		if !u.Unescalated.IsZero() {
			n.add(u.Unescalated.Add(r.CollisionToManager), true)
		}
	}
	return n.at, n.ok, nil
}

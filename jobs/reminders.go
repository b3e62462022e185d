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
// timers run it at each of these instants (Next).
type Reminders struct {
	Store    ReminderStore
	Bot      ReminderNotifier
	Rules    domain.LeadRules
	Calendar *domain.Calendar
}

// ReminderStore finds what waits on someone, and records each reminder as
// sent while saying who is to hear it (joining the caller's transaction).
type ReminderStore interface {
	AppointmentsToRemind(ctx context.Context, before time.Time, limit int) ([]domain.Appointment, error)
	PendingHandovers(ctx context.Context, createdBefore time.Time, limit int) ([]domain.Handover, error)
	OpenCollisions(ctx context.Context, claimedBefore time.Time, limit int) ([]domain.Collision, error)
	UnchasedHandovers(ctx context.Context) (unreminded, unescalated time.Time, err error)
	UnchasedCollisions(ctx context.Context) (unreminded, unescalated time.Time, err error)
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

// Run implements Job.
func (j *Reminders) Run(ctx context.Context, now time.Time) error {
	appts, err := j.Store.AppointmentsToRemind(ctx, now.Add(j.Rules.AppointmentRemind), 200)
	if err != nil {
		return fmt.Errorf("appointments: %w", err)
	}
	for _, a := range appts {
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
	answer := time.Duration(j.Rules.HandoverAnswerHrs) * time.Hour
	handovers, err := j.Store.PendingHandovers(ctx, now.Add(-answer), 200)
	if err != nil {
		return fmt.Errorf("handovers: %w", err)
	}
	for _, h := range handovers {
		remind := h.RemindedAt == nil && !now.Before(j.Calendar.AddWorkingTime(h.CreatedAt, answer))
		wantEscalate := !h.Escalated && !now.Before(j.Calendar.AddWorkingTime(h.CreatedAt, 2*answer))
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
	cols, err := j.Store.OpenCollisions(ctx, now.Add(-j.Rules.CollisionNotes), 200)
	if err != nil {
		return fmt.Errorf("collisions: %w", err)
	}
	for _, c := range cols {
		remind := !c.Reminded
		wantEscalate := !c.Escalated && !now.Before(c.ClaimedAt.Add(j.Rules.CollisionToManager))
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
// what is stored. A reminder not yet marked may be due already (a visit
// booked less than 30 minutes ahead): its instant is then not after
// `after`, and the timers run the job at once.
func (j *Reminders) Next(ctx context.Context, after time.Time) (time.Time, bool, error) {
	var n nearest
	appts, err := j.Store.AppointmentsToRemind(ctx, farFuture, 1)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("appointments: %w", err)
	}
	if len(appts) > 0 {
		n.add(appts[0].At.Add(-j.Rules.AppointmentRemind), true)
	}
	answer := time.Duration(j.Rules.HandoverAnswerHrs) * time.Hour
	remind, escalate, err := j.Store.UnchasedHandovers(ctx)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("handovers: %w", err)
	}
	if !remind.IsZero() {
		n.add(j.Calendar.AddWorkingTime(remind, answer), true)
	}
	if !escalate.IsZero() {
		n.add(j.Calendar.AddWorkingTime(escalate, 2*answer), true)
	}
	if remind, escalate, err = j.Store.UnchasedCollisions(ctx); err != nil {
		return time.Time{}, false, fmt.Errorf("collisions: %w", err)
	}
	if !remind.IsZero() {
		n.add(remind.Add(j.Rules.CollisionNotes), true)
	}
	if !escalate.IsZero() {
		n.add(escalate.Add(j.Rules.CollisionToManager), true)
	}
	return n.at, n.ok, nil
}

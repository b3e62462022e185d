package jobs

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// reminderFakes is the reminders job's store and notifier: what is
// waiting, and a log of what was recorded and told, in order.
type reminderFakes struct {
	txStore
	appts     []domain.Appointment
	handovers []domain.Handover
	cols      []domain.Collision
	unchased  []domain.Unchased
	log       []string
}

func (f *reminderFakes) AppointmentsToRemind(context.Context, time.Time, int) ([]domain.Appointment, error) {
	return f.appts, nil
}
func (f *reminderFakes) PendingHandovers(context.Context, time.Time, int) ([]domain.Handover, error) {
	return f.handovers, nil
}
func (f *reminderFakes) OpenCollisions(context.Context, time.Time, int) ([]domain.Collision, error) {
	return f.cols, nil
}
func (f *reminderFakes) UnchasedHandovers(context.Context) ([]domain.Unchased, error) {
	return f.unchased, nil
}
func (f *reminderFakes) UnchasedCollisions(context.Context) ([]domain.Unchased, error) {
	return nil, nil
}
func (f *reminderFakes) RemindAppointment(_ context.Context, a domain.Appointment) (domain.AppointmentReminder, error) {
	f.log = append(f.log, fmt.Sprintf("mark appt %d", a.ID))
	return domain.AppointmentReminder{Appointment: a}, nil
}
func (f *reminderFakes) RemindHandover(_ context.Context, h domain.Handover, escalate bool) (domain.HandoverReminder, error) {
	f.log = append(f.log, fmt.Sprintf("mark handover %d %v", h.ID, escalate))
	return domain.HandoverReminder{Handover: h, Escalate: escalate}, nil
}
func (f *reminderFakes) RemindCollision(_ context.Context, c domain.Collision, escalate bool) (domain.CollisionReminder, error) {
	f.log = append(f.log, fmt.Sprintf("mark collision %d %v", c.ID, escalate))
	return domain.CollisionReminder{Collision: c, Escalate: escalate}, nil
}
func (f *reminderFakes) NotifyAppointmentReminder(_ context.Context, r domain.AppointmentReminder) error {
	f.log = append(f.log, fmt.Sprintf("tell appt %d", r.Appointment.ID))
	return nil
}
func (f *reminderFakes) NotifyHandoverReminder(_ context.Context, r domain.HandoverReminder) error {
	f.log = append(f.log, fmt.Sprintf("tell handover %d %v", r.Handover.ID, r.Escalate))
	return nil
}
func (f *reminderFakes) NotifyCollisionReminder(_ context.Context, r domain.CollisionReminder) error {
	f.log = append(f.log, fmt.Sprintf("tell collision %d %v", r.Collision.ID, r.Escalate))
	return nil
}

// TestReminders_ChaseWhatIsDue: each reminder due at now is recorded by
// the service and its outcome handed to the notifier in the same
// transaction; a handover is reminded after 2 working hours and escalated
// after 4; a collision is reminded, and escalated once past its time.
func TestReminders_ChaseWhatIsDue(t *testing.T) {
	loc := mustLoc(t)
	cal := &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	now := time.Date(2026, 11, 27, 15, 0, 0, 0, loc)
	reminded := now.Add(-time.Hour)
	f := &reminderFakes{
		appts: []domain.Appointment{{ID: 1, At: now.Add(20 * time.Minute)}},
		handovers: []domain.Handover{
			{ID: 2, CreatedAt: now.Add(-3 * time.Hour)},                        // reminder only
			{ID: 3, CreatedAt: now.Add(-5 * time.Hour)},                        // both
			{ID: 4, CreatedAt: now.Add(-5 * time.Hour), RemindedAt: &reminded}, // escalation only
			{ID: 5, CreatedAt: now.Add(-time.Hour)},                            // nothing yet
		},
		cols: []domain.Collision{
			{ID: 6, ClaimedAt: now.Add(-25 * time.Hour)},
			{ID: 7, ClaimedAt: now.Add(-49 * time.Hour), Reminded: true},
		},
	}
	stores, err := domain.NewStores(morningShop(t, 1, "main", cal, domain.DefaultRules()))
	if err != nil {
		t.Fatal(err)
	}
	j := &Reminders{Store: f, Bot: f, Stores: stores}
	if err := j.Run(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint([]string{
		"mark appt 1", "tell appt 1",
		"mark handover 2 false", "tell handover 2 false",
		"mark handover 3 false", "tell handover 3 false", "mark handover 3 true", "tell handover 3 true",
		"mark handover 4 true", "tell handover 4 true",
		"mark collision 6 false", "tell collision 6 false",
		"mark collision 7 true", "tell collision 7 true",
	})
	if got := fmt.Sprint(f.log); got != want {
		t.Errorf("log\n got %s\nwant %s", got, want)
	}
	if f.txs != 6 {
		t.Errorf("%d transactions, want one per thing chased (6)", f.txs)
	}
}

// TestStores_RemindersOnEachItemsStoreRules: one reminders job serves the
// group, and times each item on its own store's rules and calendar: a
// store whose consultants have 4 working hours, and whose visits are
// reminded 10 minutes ahead, is not chased on another store's 2 hours and
// 30 minutes.
func TestStores_RemindersOnEachItemsStoreRules(t *testing.T) {
	loc := mustLoc(t)
	urumqi, err := time.LoadLocation("Asia/Urumqi")
	if err != nil {
		t.Fatal(err)
	}
	everyDay := []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	slow := domain.DefaultRules()
	slow.Leads.HandoverAnswerHrs, slow.Leads.AppointmentRemind = 4, 10*time.Minute
	stores, err := domain.NewStores(
		morningShop(t, 1, "main", &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: everyDay}, domain.DefaultRules()),
		morningShop(t, 2, "xj", &domain.Calendar{Location: urumqi, Open: 10 * 60, Close: 19 * 60, WorkingDays: everyDay}, slow))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 15, 0, 0, 0, loc) // 13:00 in Urumqi
	f := &reminderFakes{
		appts: []domain.Appointment{
			{ID: 1, StoreID: 1, At: now.Add(20 * time.Minute)}, // 30 minutes ahead: due
			{ID: 2, StoreID: 2, At: now.Add(20 * time.Minute)}, // 10 minutes ahead: not yet
		},
		handovers: []domain.Handover{
			{ID: 3, StoreID: 1, CreatedAt: now.Add(-3 * time.Hour)}, // 3 of 2 working hours: reminded
			{ID: 4, StoreID: 2, CreatedAt: now.Add(-3 * time.Hour)}, // 3 of 4 (from its 10:00 opening): not yet
		},
	}
	j := &Reminders{Store: f, Bot: f, Stores: stores}
	if err := j.Run(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint([]string{"mark appt 1", "tell appt 1", "mark handover 3 false", "tell handover 3 false"})
	if got := fmt.Sprint(f.log); got != want {
		t.Errorf("log\n got %s\nwant %s", got, want)
	}

	// Next: store 2's visit 10 minutes before it; store 2's handover after
	// 4 working hours on its calendar (10:00 + 4 h = 14:00 in Urumqi).
	f.appts = f.appts[1:]
	f.unchased = []domain.Unchased{{StoreID: 2, Unreminded: now.Add(-3 * time.Hour), Unescalated: now.Add(-3 * time.Hour)}}
	if at, ok, err := j.Next(context.Background(), now); err != nil || !ok || !at.Equal(now.Add(10*time.Minute)) {
		t.Errorf("next %s %v %v, want the visit's reminder at %s", at, ok, err, now.Add(10*time.Minute))
	}
	f.appts = nil
	if at, ok, err := j.Next(context.Background(), now); err != nil || !ok || !at.Equal(time.Date(2026, 11, 27, 14, 0, 0, 0, urumqi)) {
		t.Errorf("next %s %v %v, want 14:00 in Urumqi", at, ok, err)
	}
}

package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// alarmStore is the chaser's store: the alarms it was asked for at each
// instant, and the transactions it ran.
type alarmStore struct {
	txStore
	alarms []domain.ComplaintAlarm
	asked  []time.Time
	open   []*domain.Complaint
	err    error
}

func (s *alarmStore) ComplaintAlarms(_ context.Context, now time.Time, _ *domain.Stores) ([]domain.ComplaintAlarm, error) {
	s.asked = append(s.asked, now)
	return s.alarms, s.err
}

func (s *alarmStore) Complaints(context.Context, domain.ComplaintFilter) ([]*domain.Complaint, error) {
	return s.open, s.err
}

type alarmNotifier struct {
	told [][]domain.ComplaintAlarm
	err  error
}

func (n *alarmNotifier) NotifyComplaintAlarms(_ context.Context, alarms []domain.ComplaintAlarm) error {
	n.told = append(n.told, alarms)
	return n.err
}

// TestR2_4_ComplaintChaser_HandsAlarmsOn: Run asks the service what the
// deadlines call for at now and hands exactly that to the notifier, in one
// transaction; nothing due tells nobody; a failure on either side is
// reported.
func TestR2_4_ComplaintChaser_HandsAlarmsOn(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 32, 17, 0, time.UTC)
	owner := &domain.Staff{ID: 3, Name: "owner"}
	alarm := domain.ComplaintAlarm{Complaint: &domain.Complaint{ID: 12}, Deadline: domain.Deadline{Kind: domain.DeadlineReply, Due: now}, Step: 1, Recipients: []*domain.Staff{owner}}
	t.Run("OK", func(t *testing.T) {
		st, n := &alarmStore{alarms: []domain.ComplaintAlarm{alarm}}, &alarmNotifier{}
		j := &ComplaintChaser{Store: st, Bot: n}
		if err := j.Run(context.Background(), now); err != nil {
			t.Fatal(err)
		}
		if st.txs != 1 || len(st.asked) != 1 || !st.asked[0].Equal(now) {
			t.Fatalf("txs %d asked %v", st.txs, st.asked)
		}
		if len(n.told) != 1 || len(n.told[0]) != 1 || n.told[0][0].Complaint.ID != 12 || n.told[0][0].Recipients[0] != owner {
			t.Fatalf("told %+v", n.told)
		}
	})
	t.Run("NothingDue", func(t *testing.T) {
		n := &alarmNotifier{}
		if err := (&ComplaintChaser{Store: &alarmStore{}, Bot: n}).Run(context.Background(), now); err != nil || len(n.told) != 0 {
			t.Fatalf("told %v, %v", n.told, err)
		}
	})
	t.Run("ErrStore", func(t *testing.T) {
		n := &alarmNotifier{}
		if err := (&ComplaintChaser{Store: &alarmStore{err: errors.New("db down")}, Bot: n}).Run(context.Background(), now); err == nil || len(n.told) != 0 {
			t.Fatalf("told %v, %v", n.told, err)
		}
	})
	t.Run("ErrNotifier", func(t *testing.T) {
		st := &alarmStore{alarms: []domain.ComplaintAlarm{alarm}}
		if err := (&ComplaintChaser{Store: st, Bot: &alarmNotifier{err: errors.New("full")}}).Run(context.Background(), now); err == nil {
			t.Fatal("a failed notification was not reported")
		}
	})
}

// TestR2_4_ComplaintChaser_Next: the timers wake at the first reminder or
// breach of the open complaints, to the second.
func TestR2_4_ComplaintChaser_Next(t *testing.T) {
	loc := mustLoc(t)
	cal := &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	r := domain.DefaultRules().Complaints
	c := &domain.Complaint{ID: 1, Channel: domain.ChannelCall, Subject: domain.SubjectProduct, Status: domain.ComplaintOpen,
		OpenedAt: time.Date(2026, 11, 27, 9, 0, 7, 0, loc)}
	j := &ComplaintChaser{Store: &alarmStore{open: []*domain.Complaint{c}}, Stores: testStores(t, testShop(1, "main", cal, domain.DefaultRules()))}
	d, _ := c.Next(r, cal)
	at, ok, err := j.Next(context.Background(), c.OpenedAt)
	if err != nil || !ok || !at.Equal(d.RemindAt(r)) {
		t.Fatalf("next %s %v %v, want the reminder at %s", at, ok, err, d.RemindAt(r))
	}
	if at, ok, _ := j.Next(context.Background(), d.RemindAt(r)); !ok || !at.Equal(d.Due) {
		t.Fatalf("after the reminder: next %s %v, want the breach at %s", at, ok, d.Due)
	}
}

// testShop is a store of the group for a job's test.
func testShop(id int64, code string, cal *domain.Calendar, rules domain.Rules) *domain.Store {
	return &domain.Store{ID: id, Code: code, Name: code, Calendar: cal, Rules: rules}
}

// testStores is the group of stores list.
func testStores(tb testing.TB, list ...*domain.Store) *domain.Stores {
	tb.Helper()
	s, err := domain.NewStores(list...)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestStores_R2_4_ChaserWakesOnEachStoresCalendar: one chaser serves the
// group, and each complaint's deadlines are on its own store's calendar:
// the same call-centre ticket, opened at the same instant, is due a working
// day later in a store open every day, and after the weekend in one closed
// on Saturdays and Sundays.
func TestStores_R2_4_ChaserWakesOnEachStoresCalendar(t *testing.T) {
	loc := mustLoc(t)
	every := &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	weekdays := &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{1, 2, 3, 4, 5}}
	rules := domain.DefaultRules()
	stores := testStores(t, testShop(1, "main", every, rules), testShop(2, "north", weekdays, rules))
	friday := time.Date(2026, 11, 27, 17, 0, 0, 0, loc)
	contactDue := func(store int64) time.Time {
		t.Helper()
		c := &domain.Complaint{ID: store, StoreID: store, Channel: domain.ChannelFollowUp, Subject: domain.SubjectService,
			Status: domain.ComplaintOpen, OpenedAt: friday}
		j := &ComplaintChaser{Store: &alarmStore{open: []*domain.Complaint{c}}, Stores: stores}
		// The last alarm before the breach is the reminder; the breach
		// follows it.
		remind, ok, err := j.Next(context.Background(), friday)
		if err != nil || !ok {
			t.Fatalf("store %d: next %v %v", store, ok, err)
		}
		due, ok, err := j.Next(context.Background(), remind)
		if err != nil || !ok {
			t.Fatalf("store %d: next %v %v", store, ok, err)
		}
		return due
	}
	main, north := contactDue(1), contactDue(2)
	if !north.After(main) || north.Weekday() != time.Monday || main.Weekday() != time.Saturday {
		t.Fatalf("contact due %s (every day) and %s (weekdays): want Saturday and Monday", main, north)
	}
}

package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

type fakeTxStore struct{ txs int }

func (s *fakeTxStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	s.txs++
	return fn(ctx)
}

// fakeRegisterStore hands back the week it is asked for, to the server
// only: the job must read the register as domain.Console. It keeps the
// stores it was asked about.
type fakeRegisterStore struct {
	fakeTxStore
	stores []int64
}

func (s *fakeRegisterStore) WeeklyRegister(_ context.Context, by, store int64, week time.Time) (*domain.WeeklyRegister, error) {
	if by != domain.Console {
		return nil, domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "register read by %d", by)
	}
	s.stores = append(s.stores, store)
	return &domain.WeeklyRegister{Start: week}, nil
}

func (s *fakeRegisterStore) RegisterReminder(_ context.Context, by, store int64, week time.Time) (*domain.RegisterReminder, error) {
	if by != domain.Console {
		return nil, domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "register read by %d", by)
	}
	s.stores = append(s.stores, store)
	return &domain.RegisterReminder{Start: week}, nil
}

type fakeRegisterBot struct {
	registers, reminders []time.Time
	err                  error
}

func (b *fakeRegisterBot) NotifyWeeklyRegister(_ context.Context, reg *domain.WeeklyRegister) error {
	b.registers = append(b.registers, reg.Start)
	return b.err
}

func (b *fakeRegisterBot) NotifyRegisterReminder(_ context.Context, rem *domain.RegisterReminder) error {
	b.reminders = append(b.reminders, rem.Start)
	return b.err
}

// TestWeeklyRegister_Days: the register goes out on the register day for
// the week before; the reminder on the results day is about that same
// week; other days do nothing.
func TestWeeklyRegister_Days(t *testing.T) {
	loc := mustLoc(t)
	cal := &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, loc) }
	def := domain.DefaultRules().Complaints
	fri := def
	fri.WeeklyRegisterDay, fri.ResultsReminderDay = time.Friday, time.Monday
	for _, tc := range []struct {
		name             string
		rules            domain.ComplaintRules
		now              time.Time
		register, remind bool
		week             time.Time
	}{
		{"monday register", def, time.Date(2026, 11, 30, 9, 0, 0, 0, loc), true, false, day(11, 23)},
		{"tuesday reminder", def, time.Date(2026, 12, 1, 9, 0, 0, 0, loc), false, true, day(11, 23)},
		{"wednesday nothing", def, time.Date(2026, 12, 2, 9, 0, 0, 0, loc), false, false, time.Time{}},
		{"sunday nothing", def, time.Date(2026, 11, 29, 9, 0, 0, 0, loc), false, false, time.Time{}},
		{"monday across the year", def, time.Date(2027, 1, 4, 9, 0, 0, 0, loc), true, false, day(12, 28)},
		{"01:00 UTC is monday 09:00 in the store", def, time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC), true, false, day(11, 23)},
		{"friday register", fri, time.Date(2026, 12, 4, 9, 0, 0, 0, loc), true, false, day(11, 23)},
		{"monday reminder of friday's register", fri, time.Date(2026, 12, 7, 9, 0, 0, 0, loc), false, true, day(11, 23)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, b := &fakeRegisterStore{}, &fakeRegisterBot{}
			rules := domain.DefaultRules()
			rules.Complaints = tc.rules
			j := &WeeklyRegister{Store: st, Bot: b, Shop: testShop(7, "main", cal, rules)}
			if err := j.Run(context.Background(), tc.now); err != nil {
				t.Fatal(err)
			}
			if got := len(b.registers) == 1; got != tc.register || len(b.registers) > 1 {
				t.Errorf("registers %v, want %v", b.registers, tc.register)
			}
			if got := len(b.reminders) == 1; got != tc.remind || len(b.reminders) > 1 {
				t.Errorf("reminders %v, want %v", b.reminders, tc.remind)
			}
			for _, w := range append(b.registers, b.reminders...) {
				if !w.Equal(tc.week) {
					t.Errorf("week %s, want %s", w, tc.week)
				}
			}
			if want := 0; !tc.register && !tc.remind && st.txs != want {
				t.Errorf("%d transactions on an idle day", st.txs)
			}
			if (tc.register || tc.remind) && st.txs != 1 {
				t.Errorf("%d transactions, want 1", st.txs)
			}
			for _, id := range st.stores {
				if id != 7 {
					t.Errorf("asked for store %d, want the job's store 7", id)
				}
			}
		})
	}
}

func TestWeeklyRegister_SpecAndErrors(t *testing.T) {
	loc := mustLoc(t)
	cal := &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	b := &fakeRegisterBot{err: errors.New("boom")}
	j := &WeeklyRegister{Store: &fakeRegisterStore{}, Bot: b, Shop: testShop(1, "main", cal, domain.DefaultRules())}
	if got := j.Spec(); got != "CRON_TZ=Asia/Shanghai 0 9 * * *" {
		t.Errorf("spec %q", got)
	}
	if j.Name() != "weekly-register@main" {
		t.Errorf("name %q", j.Name())
	}
	if err := j.Run(context.Background(), time.Date(2026, 11, 30, 9, 0, 0, 0, loc)); err == nil {
		t.Error("a failed push was not reported")
	}
}

// TestR2_8_RegisterCatchUpOnlyAfterItsTime: started before 09:00 on a
// Monday the register waits for its schedule; after, it runs.
func TestR2_8_RegisterCatchUpOnlyAfterItsTime(t *testing.T) {
	loc := mustLoc(t)
	cal := &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	rules := domain.DefaultRules()
	if err := rules.Validate(); err != nil {
		t.Fatal(err)
	}
	j := &WeeklyRegister{Shop: testShop(1, "main", cal, rules)}
	if err := j.CatchUp(context.Background(), time.Date(2026, 11, 30, 8, 0, 0, 0, loc)); err != nil {
		t.Fatal(err) // before 09:00: nothing (a nil store would panic)
	}
	defer func() {
		if recover() == nil {
			t.Error("a Monday start at 10:00 did not run the register")
		}
	}()
	_ = j.CatchUp(context.Background(), time.Date(2026, 11, 30, 10, 0, 0, 0, loc))
}

// TestStores_R2_8_RegisterJobPerStore: each store has its own register
// job, named after it, on a cron spec in its own time zone; at one
// instant it is Monday 09:00 in Shanghai and still Sunday in London, so
// only the Shanghai store's register goes out, and it asks for its own
// store's.
func TestStores_R2_8_RegisterJobPerStore(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	cal := func(loc *time.Location) *domain.Calendar {
		return &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	}
	now := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC) // Monday 09:00 in Shanghai, Monday 01:00 in London
	for _, tc := range []struct {
		shop     *domain.Store
		spec     string
		register bool
	}{
		{testShop(1, "sh", cal(mustLoc(t)), domain.DefaultRules()), "CRON_TZ=Asia/Shanghai 0 9 * * *", true},
		{testShop(2, "ldn", cal(london), domain.DefaultRules()), "CRON_TZ=Europe/London 0 9 * * *", false},
	} {
		st, b := &fakeRegisterStore{}, &fakeRegisterBot{}
		j := &WeeklyRegister{Store: st, Bot: b, Shop: tc.shop}
		if j.Name() != "weekly-register@"+tc.shop.Code || j.Spec() != tc.spec {
			t.Errorf("%s: name %q spec %q", tc.shop.Code, j.Name(), j.Spec())
		}
		// Before its time in its own zone, the catch-up does nothing.
		if err := j.CatchUp(context.Background(), now); err != nil {
			t.Fatal(err)
		}
		if got := len(b.registers) == 1; got != tc.register {
			t.Errorf("%s: registers %v, want %v", tc.shop.Code, b.registers, tc.register)
		}
		for _, id := range st.stores {
			if id != tc.shop.ID {
				t.Errorf("%s: asked for store %d", tc.shop.Code, id)
			}
		}
	}
}

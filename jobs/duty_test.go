package jobs

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

type txStore struct{ txs int }

func (s *txStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	s.txs++
	return fn(ctx)
}

// dutyBot records what the duty and reception services were asked, and
// plays their notifier.
type dutyBot struct {
	reminded, flagged, checked []time.Time
	stores                     []int64 // the store of each reminder and rest check
	err                        error
	deadline                   time.Time // the pending call's, if not zero
}

// dutyStore is the services over a txStore: the calls go to bot's record.
type dutyStore struct {
	*txStore
	bot *dutyBot
}

func (s dutyStore) NextDeadline(_ context.Context, after time.Time) (time.Time, bool, error) {
	return s.bot.deadline, !s.bot.deadline.IsZero(), s.bot.err
}

func (s dutyStore) DutyReminder(_ context.Context, store int64, day time.Time) (*domain.DutyReminder, error) {
	s.bot.reminded = append(s.bot.reminded, day)
	s.bot.stores = append(s.bot.stores, store)
	return &domain.DutyReminder{StoreID: store}, s.bot.err
}

func (s dutyStore) RestConflicts(_ context.Context, store int64, day time.Time) ([]domain.DutyRestConflict, error) {
	s.bot.flagged = append(s.bot.flagged, day)
	s.bot.stores = append(s.bot.stores, store)
	return nil, nil
}

func (s dutyStore) Timeouts(_ context.Context, now time.Time) ([]*domain.ReceptionPassed, error) {
	s.bot.checked = append(s.bot.checked, now)
	return []*domain.ReceptionPassed{{StoreID: 1}, {StoreID: 2}}, s.bot.err
}

func (b *dutyBot) NotifyDutyReminder(context.Context, *domain.DutyReminder) error { return nil }

func (b *dutyBot) NotifyDutyRestConflicts(context.Context, []domain.DutyRestConflict) error {
	return nil
}

func (b *dutyBot) NotifyReceptionPassed(_ context.Context, p *domain.ReceptionPassed) error {
	b.stores = append(b.stores, p.StoreID)
	return nil
}

// dutyShop is a store for the duty jobs: id, code, zone and rules.
func dutyShop(id int64, code string, loc *time.Location, rules domain.Rules) *domain.Store {
	return &domain.Store{ID: id, Code: code, Calendar: &domain.Calendar{Location: loc}, Rules: rules}
}

func TestR5_2_DutyReminder_SpecAndDays(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	rules := domain.DefaultRules()
	if s := (&DutyReminder{Shop: dutyShop(1, "main", loc, rules)}).Spec(); s != "CRON_TZ=Asia/Shanghai 0 8 * * *" {
		t.Errorf("spec %q", s)
	}
	rules.Rota.DutyReminder = 7*60 + 45
	if s := (&DutyReminder{Shop: dutyShop(1, "main", loc, rules)}).Spec(); s != "CRON_TZ=Asia/Shanghai 45 7 * * *" {
		t.Errorf("spec %q", s)
	}
	store, bot := &txStore{}, &dutyBot{}
	j := &DutyReminder{Store: dutyStore{store, bot}, Bot: bot, Shop: dutyShop(1, "main", loc, rules)}
	if j.Name() != "duty-reminder@main" {
		t.Errorf("name %q", j.Name())
	}
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, loc)
	if err := j.Run(context.Background(), now.UTC()); err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 27, 0, 0, 0, 0, loc)
	if store.txs != 1 || len(bot.reminded) != 1 || !bot.reminded[0].Equal(today) ||
		len(bot.flagged) != 1 || !bot.flagged[0].Equal(today.AddDate(0, 0, 1)) {
		t.Fatalf("txs %d reminded %v flagged %v", store.txs, bot.reminded, bot.flagged)
	}
	bot.err = errors.New("boom")
	if err := j.Run(context.Background(), now); err == nil {
		t.Fatal("error lost")
	}
}

// TestR5_2_DutyReminderCatchUpOnlyAfterItsTime: a start before 08:00
// leaves the reminder to the schedule; one at 10:00 sends it.
func TestR5_2_DutyReminderCatchUpOnlyAfterItsTime(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	cal := &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	j := &DutyReminder{Shop: &domain.Store{ID: 1, Code: "main", Calendar: cal, Rules: domain.DefaultRules()}}
	if err := j.CatchUp(context.Background(), time.Date(2026, 12, 1, 7, 0, 0, 0, loc)); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("a start at 10:00 did not send the reminder")
		}
	}()
	_ = j.CatchUp(context.Background(), time.Date(2026, 12, 1, 10, 0, 0, 0, loc))
}

// TestStores_R5_2_DutyReminderPerStore: each store's reminder job has its
// own name, fires at its own reminder time in its own zone, and asks for
// its own store's reminder of its own date.
func TestStores_R5_2_DutyReminderPerStore(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ur, _ := time.LoadLocation("Asia/Urumqi")
	rules := domain.DefaultRules()
	late := rules
	late.Rota.DutyReminder = 9 * 60
	store, bot := &txStore{}, &dutyBot{}
	a := &DutyReminder{Store: dutyStore{store, bot}, Bot: bot, Shop: dutyShop(1, "sh", sh, rules)}
	b := &DutyReminder{Store: dutyStore{store, bot}, Bot: bot, Shop: dutyShop(2, "ur", ur, late)}
	if a.Name() == b.Name() || b.Name() != "duty-reminder@ur" {
		t.Errorf("names %q %q", a.Name(), b.Name())
	}
	if a.Spec() != "CRON_TZ=Asia/Shanghai 0 8 * * *" || b.Spec() != "CRON_TZ=Asia/Urumqi 0 9 * * *" {
		t.Errorf("specs %q %q", a.Spec(), b.Spec())
	}
	// 2026-12-01 01:30 UTC: 09:30 on the 1st in Shanghai, 07:30 in Urumqi.
	now := time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC)
	if err := b.Run(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	if len(bot.reminded) != 1 || !bot.reminded[0].Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, ur)) ||
		fmt.Sprint(bot.stores) != "[2 2]" {
		t.Fatalf("reminded %v for stores %v", bot.reminded, bot.stores)
	}
}

package jobs

import (
	"context"
	"errors"
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

func (s dutyStore) DutyReminder(_ context.Context, day time.Time) (*domain.DutyReminder, error) {
	s.bot.reminded = append(s.bot.reminded, day)
	return &domain.DutyReminder{}, s.bot.err
}

func (s dutyStore) RestConflicts(_ context.Context, day time.Time) ([]domain.DutyRestConflict, error) {
	s.bot.flagged = append(s.bot.flagged, day)
	return nil, nil
}

func (s dutyStore) Timeouts(_ context.Context, now time.Time) (*domain.ReceptionPassed, error) {
	s.bot.checked = append(s.bot.checked, now)
	return &domain.ReceptionPassed{}, s.bot.err
}

func (b *dutyBot) NotifyDutyReminder(context.Context, *domain.DutyReminder) error { return nil }

func (b *dutyBot) NotifyDutyRestConflicts(context.Context, []domain.DutyRestConflict) error {
	return nil
}

func (b *dutyBot) NotifyReceptionPassed(context.Context, *domain.ReceptionPassed) error { return nil }

func TestR5_2_DutyReminder_SpecAndDays(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	rules := domain.DefaultRules().Rota
	if s := (&DutyReminder{Rules: rules}).Spec(); s != "0 8 * * *" {
		t.Errorf("spec %q", s)
	}
	rules.DutyReminder = 7*60 + 45
	if s := (&DutyReminder{Rules: rules}).Spec(); s != "45 7 * * *" {
		t.Errorf("spec %q", s)
	}
	store, bot := &txStore{}, &dutyBot{}
	j := &DutyReminder{Store: dutyStore{store, bot}, Bot: bot, Rules: rules, Calendar: &domain.Calendar{Location: loc}}
	if j.Name() == "" {
		t.Error("no name")
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
	j := &DutyReminder{Rules: domain.DefaultRules().Rota, Calendar: cal}
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

package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// cleanupBot is the job's store and notifier: it records each month the
// job asked for.
type cleanupBot struct{ months []string }

func (b *cleanupBot) CleanupCases(_ context.Context, _ int64, month string) (*domain.CleanupProposal, error) {
	b.months = append(b.months, month)
	return &domain.CleanupProposal{Month: month, Cases: []*domain.CleanupCase{{Month: month}}}, nil
}

func (b *cleanupBot) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return fn(ctx)
}

func (b *cleanupBot) NotifyCleanup(context.Context, *domain.CleanupProposal) error { return nil }

func TestMonthEndCleanup_Day(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	cal := &domain.Calendar{Location: loc}
	for _, c := range []struct {
		date   string
		before int
		want   bool
	}{
		{"2026-11-30", 0, true},
		{"2026-11-29", 0, false},
		{"2026-12-31", 0, true},
		{"2027-02-28", 0, true},
		{"2027-02-27", 0, false},
		{"2028-02-28", 0, false}, // leap year
		{"2028-02-29", 0, true},
		{"2026-11-29", 1, true},
		{"2026-11-30", 1, false},
		{"2027-02-25", 3, true},
	} {
		day, err := time.ParseInLocation("2006-01-02", c.date, loc)
		if err != nil {
			t.Fatal(err)
		}
		now := day.Add(17 * time.Hour)
		bot := &cleanupBot{}
		rules := domain.DefaultRules()
		rules.Leads.CleanupDaysBefore = c.before
		j := &MonthEndCleanup{Store: bot, Bot: bot, Shop: morningShop(t, 1, "main", cal, rules)}
		if err := j.Run(context.Background(), now.UTC()); err != nil {
			t.Fatal(err)
		}
		if got := len(bot.months) == 1; got != c.want {
			t.Errorf("%s (days before %d): ran %v, want %v", c.date, c.before, got, c.want)
		}
		if c.want && len(bot.months) == 1 && bot.months[0] != c.date[:7] {
			t.Errorf("%s: month %q", c.date, bot.months[0])
		}
	}
	if s := (&MonthEndCleanup{Shop: morningShop(t, 1, "main", cal, domain.DefaultRules())}).Spec(); s != "CRON_TZ=Asia/Shanghai 0 17 * * *" {
		t.Errorf("spec %q", s)
	}
}

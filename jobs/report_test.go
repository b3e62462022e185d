package jobs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// fakeReportStore hands back n summaries for every call, and keeps the
// calls.
type fakeReportStore struct {
	n     int
	calls []string
}

func (s *fakeReportStore) Report(context.Context, int64, domain.ReportQuery) (*domain.Report, error) {
	return nil, fmt.Errorf("the job does not ask for one person's report")
}

func (s *fakeReportStore) ReportSummaries(_ context.Context, store int64, kind domain.PeriodKind, now time.Time) ([]domain.ReportSummary, error) {
	s.calls = append(s.calls, fmt.Sprintf("%d %s %s", store, kind, now.Format(time.RFC3339)))
	out := make([]domain.ReportSummary, s.n)
	for i := range out {
		out[i] = domain.ReportSummary{To: &domain.Staff{ID: int64(i + 1)}, Key: fmt.Sprintf("k%d", i)}
	}
	return out, nil
}

type fakeReportBot struct {
	batches []int
	err     error
}

func (b *fakeReportBot) NotifyReports(_ context.Context, sums []domain.ReportSummary) error {
	b.batches = append(b.batches, len(sums))
	return b.err
}

func reportShop(t *testing.T) *domain.Store {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return &domain.Store{ID: 3, Code: "nj", Rules: domain.DefaultRules(), Calendar: &domain.Calendar{Location: loc}}
}

// TestScheduledReport_Days: the day's summary goes out every day at 18:30,
// the week's on Monday and the month's on the 1st at 09:00, each in the
// store's zone; other days ask the service nothing.
func TestScheduledReport_Days(t *testing.T) {
	shop := reportShop(t)
	loc := shop.Calendar.Location
	specs := map[domain.PeriodKind]string{
		domain.PeriodDay:   "CRON_TZ=Asia/Shanghai 30 18 * * *",
		domain.PeriodWeek:  "CRON_TZ=Asia/Shanghai 0 9 * * *",
		domain.PeriodMonth: "CRON_TZ=Asia/Shanghai 0 9 * * *",
	}
	// 2026-11-30 is a Monday; 2026-12-01 a Tuesday and the 1st. 00:30 on
	// the 1st in Shanghai is still the 30th in UTC: the store's day counts.
	cases := []struct {
		kind domain.PeriodKind
		at   time.Time
		runs bool
	}{
		{domain.PeriodDay, time.Date(2026, 11, 28, 18, 30, 0, 0, loc), true},
		{domain.PeriodWeek, time.Date(2026, 11, 30, 9, 0, 0, 0, loc), true},
		{domain.PeriodWeek, time.Date(2026, 12, 1, 9, 0, 0, 0, loc), false},
		{domain.PeriodMonth, time.Date(2026, 12, 1, 0, 30, 0, 0, loc), true},
		{domain.PeriodMonth, time.Date(2026, 11, 30, 9, 0, 0, 0, loc), false},
	}
	for _, tc := range cases {
		store, bot := &fakeReportStore{n: 2}, &fakeReportBot{}
		j := &ScheduledReport{Store: store, Bot: bot, Shop: shop, Kind: tc.kind}
		if j.Spec() != specs[tc.kind] {
			t.Errorf("%s spec %q, want %q", tc.kind, j.Spec(), specs[tc.kind])
		}
		if err := j.Run(context.Background(), tc.at.UTC()); err != nil {
			t.Fatal(err)
		}
		if got := len(store.calls) == 1 && len(bot.batches) == 1 && bot.batches[0] == 2; got != tc.runs {
			t.Errorf("%s at %s: calls %v, batches %v; want a run: %v", tc.kind, tc.at, store.calls, bot.batches, tc.runs)
		}
		if tc.runs && store.calls[0] != fmt.Sprintf("3 %s %s", tc.kind, tc.at.UTC().Format(time.RFC3339)) {
			t.Errorf("asked %v", store.calls)
		}
	}
	if j := (&ScheduledReport{Shop: shop, Kind: domain.PeriodWeek}); j.Name() != "report-week@nj" {
		t.Errorf("name %q", j.Name())
	}
}

// TestScheduledReport_ErrorsAndCatchUp: the readers go to the notifier in
// one call and its error is the run's; nobody to tell calls nobody; a
// catch-up before the day's time does nothing.
func TestScheduledReport_ErrorsAndCatchUp(t *testing.T) {
	shop := reportShop(t)
	at := time.Date(2026, 11, 28, 18, 30, 0, 0, shop.Calendar.Location)
	store, bot := &fakeReportStore{n: 45}, &fakeReportBot{}
	j := &ScheduledReport{Store: store, Bot: bot, Shop: shop, Kind: domain.PeriodDay}
	if err := j.Run(context.Background(), at); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(bot.batches) != "[45]" {
		t.Fatalf("batches %v", bot.batches)
	}
	bot = &fakeReportBot{err: fmt.Errorf("outbox down")}
	j.Bot = bot
	if err := j.Run(context.Background(), at); err == nil || !strings.Contains(err.Error(), "outbox down") {
		t.Fatalf("error %v", err)
	}
	store.n, bot.batches = 0, nil
	if err := j.Run(context.Background(), at); err != nil || len(bot.batches) != 0 {
		t.Fatalf("no readers: %v, %v", err, bot.batches)
	}
	store.n = 1
	// Before the day's time a catch-up sends nothing; after it, the run.
	store.calls = nil
	if err := j.CatchUp(context.Background(), at.Add(-time.Minute)); err != nil || len(store.calls) != 0 {
		t.Fatalf("early catch-up: %v, %v", err, store.calls)
	}
	j.Bot = &fakeReportBot{}
	if err := j.CatchUp(context.Background(), at.Add(time.Hour)); err != nil || len(store.calls) != 1 {
		t.Fatalf("catch-up: %v, %v", err, store.calls)
	}
}

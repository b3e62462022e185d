package domain_test

import (
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

func shanghaiWeekdays(t *testing.T) *domain.Calendar {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60,
		WorkingDays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		Holidays:    []string{"2026-12-03"}}
}

func TestR4_6_DepositDueWithinWorkingDays(t *testing.T) {
	cal := shanghaiWeekdays(t)
	// Signed Tuesday 2026-12-01; working days: 12-02, (12-03 holiday), 12-04,
	// 12-07, 12-08, 12-09 → due by the end of Wednesday 12-09.
	warn, lapse, err := domain.DepositDeadline("2026-12-01", 5, cal)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 10, 0, 0, 0, 0, cal.Location); !lapse.Equal(want) {
		t.Errorf("lapse = %s, want %s", lapse, want)
	}
	if want := time.Date(2026, 12, 9, 9, 0, 0, 0, cal.Location); !warn.Equal(want) {
		t.Errorf("warn = %s, want %s (the last day's opening, one working day ahead)", warn, want)
	}
	if _, _, err := domain.DepositDeadline("12/01", 5, cal); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("bad date: %v", err)
	}
}

func TestR4_6_NewContractValidates(t *testing.T) {
	ok := domain.NewSubDealer{Dealer: "顺达", Contact: "李强", Territory: "昆山", StartsOn: "2026-12-01", EndsOn: "2027-11-30", DepositFen: 5000000}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		mod func(*domain.NewSubDealer)
		key string
	}{
		"ZeroDeposit":     {func(n *domain.NewSubDealer) { n.DepositFen = 0 }, "err.dealer_deposit"},
		"NegativeDeposit": {func(n *domain.NewSubDealer) { n.DepositFen = -1 }, "err.dealer_deposit"},
		"EndBeforeStart":  {func(n *domain.NewSubDealer) { n.EndsOn = "2026-11-30" }, "err.dealer_term"},
		"EndIsStart":      {func(n *domain.NewSubDealer) { n.EndsOn = n.StartsOn }, "err.dealer_term"},
		"BadDate":         {func(n *domain.NewSubDealer) { n.StartsOn = "2026-13-01" }, "err.dealer_dates"},
		"NoDealer":        {func(n *domain.NewSubDealer) { n.Dealer = " " }, "err.dealer_fields"},
	} {
		t.Run(name, func(t *testing.T) {
			n := ok
			c.mod(&n)
			err := n.Validate()
			if e, _ := err.(*domain.Error); e == nil || e.Key != c.key {
				t.Errorf("got %v, want %s", err, c.key)
			}
		})
	}
}

// TestR4_6_DealerMoneyInFen: a contract's amounts are read and written by
// the orders' money (domain.ParseMoney, FormatFen), in fen.
func TestR4_6_DealerMoneyInFen(t *testing.T) {
	for in, want := range map[string]int64{"50000": 5000000, "50,000.50": 5000050, "5万": 5000000, "1.5万": 1500000, "¥3000元": 300000, "0.01": 1} {
		got, err := domain.ParseMoney(in, false)
		if err != nil || got != want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1.234", "-5000", "5万万", "1.2345678万"} {
		if _, err := domain.ParseMoney(in, false); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseMoney(%q): %v, want EINVALID", in, err)
		}
	}
	for fen, want := range map[int64]string{5000000: "¥50,000.00", 5000050: "¥50,000.50", 99: "¥0.99", 123456789: "¥1,234,567.89"} {
		if got := domain.FormatFen(fen); got != want {
			t.Errorf("FormatFen(%d) = %q, want %q", fen, got, want)
		}
	}
}

func TestR4_6_RebateTiers(t *testing.T) {
	tiers, err := domain.ParseRebateTiers("50:1%,100:1.5%")
	if err != nil || len(tiers) != 2 || tiers[1] != (domain.RebateTier{MinUnits: 100, BasisPoints: 150}) {
		t.Fatalf("got %v, %v", tiers, err)
	}
	if got := domain.FormatRebateTiers(tiers); got != "50:1%,100:1.5%" {
		t.Errorf("format = %q", got)
	}
	for _, bad := range []string{"50", "100:2%,50:1%", "50:0%", "x:1%"} {
		if _, err := domain.ParseRebateTiers(bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestR4_6_TargetsAndExpiryReminders(t *testing.T) {
	loc := time.UTC
	if !domain.TargetReminderDue(time.Date(2026, 12, 5, 8, 30, 0, 0, loc), 5) || domain.TargetReminderDue(time.Date(2026, 12, 6, 8, 30, 0, 0, loc), 5) {
		t.Error("targets are reminded up to the 5th, not after")
	}
	cases := []struct {
		today string
		want  bool
	}{{"2027-10-30", false}, {"2027-10-31", true}, {"2027-11-30", true}, {"2027-12-01", false}}
	for _, c := range cases {
		if got := domain.ExpiryReminderDue("2027-11-30", c.today, 30); got != c.want {
			t.Errorf("expiry on %s: %v, want %v", c.today, got, c.want)
		}
	}
}

func TestR4_6_PerformanceReportedToManager(t *testing.T) {
	r := domain.DefaultRules().SubDealers
	cases := []struct {
		name string
		figs []domain.MonthFigures
		want domain.PerformanceAlert
	}{
		{"MissedTwoRunning", []domain.MonthFigures{{"2026-10", 10, 10, 0}, {"2026-11", 10, 9, 0}, {"2026-12", 10, 9, 0}}, domain.AlertMissedRunning},
		{"MissedOnceOnly", []domain.MonthFigures{{"2026-10", 10, 9, 0}, {"2026-11", 10, 9, 0}, {"2026-12", 10, 10, 0}}, ""},
		{"NoTargetBreaksTheRun", []domain.MonthFigures{{"2026-11", 0, 0, 0}, {"2026-12", 10, 9, 0}}, ""},
		// 8+12+0 of 10+10+10 = 20/30 = 66 % < 70 %, no two misses in a row.
		{"UnderSeventyPercentOverThree", []domain.MonthFigures{{"2026-10", 10, 8, 0}, {"2026-11", 10, 12, 0}, {"2026-12", 10, 0, 0}}, domain.AlertLowShare},
		{"UnderShareOnly", []domain.MonthFigures{{"2026-10", 10, 1, 0}, {"2026-11", 10, 12, 0}, {"2026-12", 10, 7, 0}}, domain.AlertLowShare},
		{"ExactlySeventy", []domain.MonthFigures{{"2026-10", 10, 0, 0}, {"2026-11", 10, 11, 0}, {"2026-12", 10, 10, 0}}, ""},
		{"ShareNeedsEveryTarget", []domain.MonthFigures{{"2026-11", 10, 12, 0}, {"2026-12", 10, 1, 0}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, window := domain.Performance(c.figs, "2026-12", r)
			if got != c.want {
				t.Fatalf("alert = %q, want %q", got, c.want)
			}
			if got != "" && window[len(window)-1].Month != "2026-12" {
				t.Errorf("window %v does not end at the month judged", window)
			}
		})
	}
}

package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sub-dealer contracts (R4.6): a store signs a sub-dealer (二级经销商) for
// a territory and a term, with a security deposit due within
// deposit_working_days working days of signing (else the contract lapses),
// monthly targets set by the targets_by_day-th, rebate tiers, an expiry
// reminder and the manager told of poor performance. The rules here are
// pure functions of their inputs and the store's calendar.

// SubDealerState is a contract's state.
type SubDealerState string

// The contract states.
const (
	SubDealerActive  SubDealerState = "active"
	SubDealerLapsed  SubDealerState = "lapsed"  // deposit not recorded in time
	SubDealerExpired SubDealerState = "expired" // past its end date
)

// MayManageSubDealers reports whether s may sign, change and list the
// store's sub-dealer contracts (R4.6: the manager).
func MayManageSubDealers(s *Staff) bool { return s != nil && s.Roles.Has(RoleManager) }

// SubDealerContract is a store's contract with a sub-dealer. Dates are
// the store's calendar dates (DateLayout); money is in fen.
type SubDealerContract struct {
	ID, StoreID                  int64
	Dealer, Contact, Phone       string
	Territory                    string
	SignedOn, StartsOn, EndsOn   string
	DepositFen                   int64
	DepositRecordedAt            time.Time // zero: not recorded
	DepositWarnAt, DepositLapsAt time.Time // R4.6's deadline, from the store's calendar at signing
	State                        SubDealerState
	Rebates                      []RebateTier
	CreatedBy                    int64
	CreatedAt                    time.Time
}

// DepositPaid reports whether the deposit was recorded.
func (c SubDealerContract) DepositPaid() bool { return !c.DepositRecordedAt.IsZero() }

// NewSubDealer is what /dealer add gives: the contract before it is stored.
type NewSubDealer struct {
	Dealer, Contact, Phone, Territory string
	StartsOn, EndsOn                  string
	DepositFen                        int64
	Rebates                           []RebateTier
}

// Validate checks a new contract: names given, the term's dates real and
// the end after the start, the deposit positive. EINVALID with a key.
func (n NewSubDealer) Validate() error {
	if strings.TrimSpace(n.Dealer) == "" || strings.TrimSpace(n.Contact) == "" || strings.TrimSpace(n.Territory) == "" {
		return Errorkf(EINVALID, "err.dealer_fields", nil, "dealer, contact and territory are required")
	}
	s, err1 := time.Parse(DateLayout, n.StartsOn)
	e, err2 := time.Parse(DateLayout, n.EndsOn)
	if err1 != nil || err2 != nil {
		return Errorkf(EINVALID, "err.dealer_dates", nil, "dates must look like 2026-12-01")
	}
	if !e.After(s) {
		return Errorkf(EINVALID, "err.dealer_term", []any{n.StartsOn, n.EndsOn}, "the term ends %s, not after it starts %s", n.EndsOn, n.StartsOn)
	}
	return CheckDealerDeposit(n.DepositFen)
}

// CheckDealerDeposit refuses a deposit that is not positive.
func CheckDealerDeposit(fen int64) error {
	if fen <= 0 {
		return Errorkf(EINVALID, "err.dealer_deposit", nil, "the deposit must be more than zero")
	}
	return nil
}

// DepositDeadline is when an unpaid deposit lapses the contract signed on
// signed (a date): the end of the n-th working day after it, i.e. the
// midnight that starts the next day (R4.6), and when the manager is
// warned, one working day ahead: the store's opening on that last day.
func DepositDeadline(signed string, n int, cal *Calendar) (warn, lapse time.Time, err error) {
	d, err := time.ParseInLocation(DateLayout, signed, cal.Location)
	if err != nil {
		return time.Time{}, time.Time{}, Errorkf(EINVALID, "err.dealer_dates", nil, "bad signing date %q", signed)
	}
	last := cal.StartOfDay(cal.AddWorkingDays(d, n))
	lapse = last.AddDate(0, 0, 1)
	warn = cal.Open.On(last, cal.Location)
	return warn, lapse, nil
}

// TargetReminderDue reports whether a contract without a target for
// today's month is to be reminded today: from the 1st up to the
// targets_by_day-th (R4.6: "set by the 5th"), while the contract runs.
func TargetReminderDue(today time.Time, byDay int) bool { return today.Day() <= byDay }

// ExpiryReminderDue reports whether a contract ending on endsOn is within
// days of its end on today (both dates): the reminder goes once from then.
func ExpiryReminderDue(endsOn, today string, days int) bool {
	e, err1 := time.Parse(DateLayout, endsOn)
	t, err2 := time.Parse(DateLayout, today)
	if err1 != nil || err2 != nil {
		return false
	}
	return !t.Before(e.AddDate(0, 0, -days)) && !t.After(e)
}

// Ended reports whether a contract ending on endsOn is over on today.
func Ended(endsOn, today string) bool { return today > endsOn }

// MonthFigures are one month's target and units sold by a sub-dealer.
// Target 0: none was set.
type MonthFigures struct {
	Month        string // YYYY-MM
	Target, Sold int
	// Orders is how many of Sold are orders through the sub-dealer
	// delivered that month (R4.6); the rest were entered by hand
	// (/dealer sold) for sales outside the bot.
	Orders int
}

// Share is Sold over Target in percent (0 without a target).
func (m MonthFigures) Share() int {
	if m.Target <= 0 {
		return 0
	}
	return m.Sold * 100 / m.Target
}

// PerformanceAlert is why a sub-dealer's figures go to the manager.
type PerformanceAlert string

// The alerts (R4.6).
const (
	AlertMissedRunning PerformanceAlert = "missed"    // target missed N months running
	AlertLowShare      PerformanceAlert = "low_share" // under low_share of target over M months
)

// Performance judges the months up to and including the last complete
// one (figures in any order, one per month; a month missing counts as no
// target): the target missed missed_months_alert months running, or under
// low_share of the summed targets over low_share_months months. A month
// with no target is no miss and breaks the run; the share needs a target
// in each month of its window. It returns the alert and the months it
// rests on, oldest first; "" when all is well.
func Performance(figs []MonthFigures, lastMonth string, r SubDealerRules) (PerformanceAlert, []MonthFigures) {
	by := map[string]MonthFigures{}
	for _, f := range figs {
		by[f.Month] = f
	}
	window := func(n int) []MonthFigures {
		out := make([]MonthFigures, n)
		m, err := time.Parse("2006-01", lastMonth)
		if err != nil {
			return nil
		}
		for i := n - 1; i >= 0; i-- {
			k := m.Format("2006-01")
			f, ok := by[k]
			if !ok {
				f = MonthFigures{Month: k}
			}
			out[i] = f
			m = m.AddDate(0, -1, 0)
		}
		return out
	}
	if w := window(r.MissedMonthsAlert); len(w) > 0 {
		missed := true
		for _, f := range w {
			if f.Target <= 0 || f.Sold >= f.Target {
				missed = false
			}
		}
		if missed {
			return AlertMissedRunning, w
		}
	}
	if w := window(r.LowShareMonths); len(w) > 0 {
		target, sold := 0, 0
		for _, f := range w {
			if f.Target <= 0 {
				return "", nil
			}
			target += f.Target
			sold += f.Sold
		}
		if float64(sold) < r.LowShare*float64(target) {
			return AlertLowShare, w
		}
	}
	return "", nil
}

// CheckMonth reads a month as YYYY-MM. EINVALID err.dealer_month.
func CheckMonth(s string) (string, error) {
	m, err := time.Parse("2006-01", s)
	if err != nil {
		return "", Errorkf(EINVALID, "err.dealer_month", []any{s}, "%q is not a month like 2026-12", s)
	}
	return m.Format("2006-01"), nil
}

// CheckUnits reads a number of cars: 0 to 100000. EINVALID err.dealer_units.
func CheckUnits(s string, allowZero bool) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n == 0 && !allowZero || n > 100000 {
		return 0, Errorkf(EINVALID, "err.dealer_units", []any{s}, "%q is not a number of cars", s)
	}
	return n, nil
}

// RebateTier is one step of a sub-dealer's rebate: from MinUnits cars a
// month, BasisPoints (1/100 of a percent) of the price.
type RebateTier struct {
	MinUnits    int
	BasisPoints int
}

// ParseRebateTiers reads "50:1%,100:1.5%" (cars:percent, rising). Empty is
// none. EINVALID err.dealer_rebates.
func ParseRebateTiers(s string) ([]RebateTier, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	bad := Errorkf(EINVALID, "err.dealer_rebates", []any{s}, "%q is not rebate tiers like 50:1%%,100:1.5%%", s)
	var out []RebateTier
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' }) {
		units, pct, ok := strings.Cut(part, ":")
		if !ok {
			units, pct, ok = strings.Cut(part, "：")
		}
		if !ok {
			return nil, bad
		}
		n, err := strconv.Atoi(strings.TrimSpace(units))
		if err != nil || n <= 0 {
			return nil, bad
		}
		pct = strings.TrimSuffix(strings.TrimSpace(pct), "%")
		bp, err := parseHundredths(pct)
		if err != nil || bp <= 0 || bp > 10000 {
			return nil, bad
		}
		if len(out) > 0 && (n <= out[len(out)-1].MinUnits || int(bp) <= out[len(out)-1].BasisPoints) {
			return nil, bad
		}
		out = append(out, RebateTier{MinUnits: n, BasisPoints: int(bp)})
	}
	return out, nil
}

// FormatRebateTiers writes tiers as ParseRebateTiers reads them.
func FormatRebateTiers(tiers []RebateTier) string {
	parts := make([]string, len(tiers))
	for i, t := range tiers {
		parts[i] = fmt.Sprintf("%d:%s%%", t.MinUnits, formatHundredths(int64(t.BasisPoints)))
	}
	return strings.Join(parts, ",")
}

// parseHundredths reads "1", "1.5", "1.25" as hundredths (100, 150, 125).
func parseHundredths(s string) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 {
		return 0, fmt.Errorf("bad number %q", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || w > 1e12 {
		return 0, fmt.Errorf("bad number %q", s)
	}
	f := int64(0)
	if frac != "" {
		for len(frac) < 2 {
			frac += "0"
		}
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil || f < 0 {
			return 0, fmt.Errorf("bad number %q", s)
		}
	}
	return w*100 + f, nil
}

// formatHundredths writes hundredths without trailing zeros: 150 → "1.5".
func formatHundredths(v int64) string {
	s := strconv.FormatInt(v/100, 10)
	if f := v % 100; f != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", f), "0")
	}
	return s
}

package domain

import (
	"context"
	"strings"
	"time"
)

// Rest days (R5.1). A consultant asks for a rest day; the limits of
// RotaRules are checked by CheckRest before the supervisor sees the request.

// The states of a rest day.
const (
	RestPending   = "pending"   // asked for, waiting for the supervisor
	RestApproved  = "approved"  // granted (or set by a supervisor's plan)
	RestRejected  = "rejected"  // refused by the supervisor
	RestCancelled = "cancelled" // replaced by a supervisor's plan
)

// RestDay is one person's rest day: a date of their store (StoreID)
// written 2006-01-02. While a
// swap is being agreed, SwapWith is the colleague who would take the day,
// SwapDay the colleague's day given in return ("" for none) and SwapStage
// where the swap stands (swap.go). SwapSeq counts the swaps tried on the
// day, so that one attempt's messages are told from an earlier one's.
type RestDay struct {
	ID        int64
	StoreID   int64
	StaffID   int64
	Day       string
	Status    string
	SwapWith  int64
	SwapDay   string
	SwapStage SwapStage
	SwapSeq   int64
	DecidedBy int64
	CreatedAt time.Time
}

// Approval is the rest day as an approval of requester's (its StaffID).
func (d *RestDay) Approval(requester *Staff) *Approval {
	a := &Approval{Kind: ApprovalRest, ID: d.ID, Requester: requester}
	if d.Status != RestPending {
		a.Decision = &Decision{DeciderID: d.DecidedBy, Verdict: Verdict(d.Status)}
	}
	return a
}

// RestDate is a store date given as an error's argument: the chat writes
// it with its weekday, in the reader's language.
type RestDate string

// String implements fmt.Stringer.
func (d RestDate) String() string { return string(d) }

// LaterRules are the limits for a rest day settled later than it was asked
// for (an approval, a swap, a plan): no notice period, the rest holds.
func LaterRules(r RotaRules) RotaRules {
	r.RequestDaysAhead = 0
	return r
}

// AfterToday returns nil when day is after now's date: a swap is about
// days to come. EINVALID (rest.past) otherwise.
func AfterToday(day, now time.Time, cal *Calendar) error {
	if !day.After(cal.StartOfDay(now)) {
		d := day.Format(DateLayout)
		return Errorkf(EINVALID, "rest.past", []any{d}, "%s is not after today", d)
	}
	return nil
}

// RestService files rest days, swaps and the month's plan and rules on them
// (R5.1). Each method is one transaction, or joins the caller's. Everything
// happens inside the store of the person acting: the limits count that
// store's people, on its calendar and rules; names resolve among its
// staff; a rest day of another store is not found. Days are dates (any
// time of the day; the store's zone decides which date): the
// chat reads what staff type with ParseDay and ParsePlan, and the service
// checks the rules about the dates it is given (after today, the notice
// period, weekends and holidays, the limits).
type RestService interface {
	// RequestRest files staffID's rest day on day's date as pending,
	// after CheckRest with the rules in force, and says who must get a
	// card. EINVALID (CheckRest's keys), ENOTFOUND (err.staff_not_found;
	// err.no_supervisor when nobody may approve).
	RequestRest(ctx context.Context, staffID int64, day time.Time) (*RestRequested, error)

	// DecideRest rules on rest day id with d (DeciderID, Verdict; At is
	// now), once. An approval checks the limits again (the day may have
	// filled up since), without the notice period. ENOTFOUND
	// (callback.stale), ECONFLICT (rest.already), EFORBIDDEN
	// (err.forbidden), EINVALID (CheckRest's keys, err.invalid).
	DecideRest(ctx context.Context, id int64, d Decision) (*RestDecided, error)

	// RequestSwap asks a colleague to take an approved rest day (swap.go).
	// EINVALID (rest.past, swap.self, swap.not_consultant,
	// swap.none, swap.none_theirs, swap.limit), ENOTFOUND
	// (err.staff_not_found), ECONFLICT (swap.pending, swap.stale).
	RequestSwap(ctx context.Context, r SwapRequest) (*SwapRequested, error)

	// AgreeSwap is the colleague's yes to the swap of rest day id: the
	// limits are checked again and the requester's approvers get cards.
	// ENOTFOUND (callback.stale; err.no_supervisor), ECONFLICT
	// (swap.stale: not waiting for colleagueID), EINVALID (swap.limit).
	AgreeSwap(ctx context.Context, id, colleagueID int64) (*SwapAnswered, error)

	// DeclineSwap is the colleague's no: the swap is dropped. ENOTFOUND
	// (callback.stale), ECONFLICT (swap.stale).
	DeclineSwap(ctx context.Context, id, colleagueID int64) (*SwapAnswered, error)

	// DecideSwap rules on the agreed swap of rest day id with d (DeciderID,
	// Verdict; At is now), once; an approval moves the day (and the
	// colleague's day in return) after checking the limits again.
	// ENOTFOUND (callback.stale), ECONFLICT (swap.stale), EFORBIDDEN
	// (err.forbidden), EINVALID (swap.limit).
	DecideSwap(ctx context.Context, id int64, d Decision) (*SwapDecided, error)

	// Rota returns the approved rest days of month (its first day, in the
	// store's zone) in the store of staff byID, one line a person
	// (rota.go). EFORBIDDEN (err.forbidden: no such member).
	Rota(ctx context.Context, byID int64, month time.Time) (*Rota, error)

	// PlanMonth sets the month's plan by staff byID (read by ParsePlan
	// from lines "姓名: 3 10 17 24"): all or nothing. A plan that breaks a
	// rule, or has lines that could not be read, is not an error: the
	// outcome lists the problems and nothing is saved. EFORBIDDEN
	// (err.forbidden: not a supervisor).
	PlanMonth(ctx context.Context, byID int64, plan MonthPlan) (*RotaPlanned, error)
}

// RestRequested is what RequestRest did: the rest day filed, and the
// approvers who must each get a card.
type RestRequested struct {
	Rest      *RestDay
	Requester *Staff
	Approvers []*Staff
}

// RestDecided is what DecideRest did: the rest day with its status, the
// requester to tell, the approvers whose cards show the verdict, and the
// duties (role names) the requester has that day, which the decider must
// hear of at once (R5.2: a rest approved after the day-before flag must not
// leave a duty silently uncovered).
type RestDecided struct {
	Rest      *RestDay
	Decision  Decision
	Requester *Staff
	Decider   *Staff
	Approvers []*Staff
	Duties    []string
}

// Holds reports whether the rest day counts against the limits (pending or
// approved).
func (d RestDay) Holds() bool { return d.Status == RestPending || d.Status == RestApproved }

// RestWindow is the range of dates CheckRest needs a person's rest days
// for, for any day of day's month: the month widened to whole ISO weeks
// (a week may reach into the months either side).
func RestWindow(day time.Time) (from, to string) {
	y, m, _ := day.Date()
	first := time.Date(y, m, 1, 0, 0, 0, 0, day.Location())
	last := first.AddDate(0, 1, -1)
	loc := day.Location()
	return WeekStart(first, loc).Format(DateLayout), WeekStart(last, loc).AddDate(0, 0, 6).Format(DateLayout)
}

// CheckRest checks a rest day for staffID on day's date against the limits
// (R5.1). mine are the person's rest days (those not pending or approved,
// and any on other dates than the window of RestWindow, are ignored);
// offThatDay is how many others are off (approved or pending) that day.
// now is the moment of the request: the day must be after today and at
// least r.RequestDaysAhead days ahead (a swap or a plan passes rules with
// RequestDaysAhead 0).
//
// The error is an EINVALID whose Key names the broken limit: rest.past,
// rest.ahead, rest.holiday, rest.weekend, rest.duplicate, rest.month,
// rest.week or rest.day_full. A public holiday is never a rest day (the
// store is closed anyway). Saturdays and Sundays are refused, except a
// make-up working day (调休) that falls on one: the store works that day
// like any weekday, so resting on it is allowed.
func CheckRest(staffID int64, day time.Time, mine []RestDay, offThatDay int, r RotaRules, cal *Calendar, now time.Time) error {
	day = cal.StartOfDay(day)
	d := day.Format(DateLayout)
	today := cal.StartOfDay(now)
	if !day.After(today) {
		return Errorkf(EINVALID, "rest.past", []any{d}, "staff %d: rest day %s is not after today", staffID, d)
	}
	if ahead := today.AddDate(0, 0, r.RequestDaysAhead); day.Before(ahead) {
		return Errorkf(EINVALID, "rest.ahead", []any{d, r.RequestDaysAhead},
			"staff %d: rest day %s is less than %d days ahead", staffID, d, r.RequestDaysAhead)
	}
	if r.NoRestOnHolidays && cal.IsHoliday(day) {
		return Errorkf(EINVALID, "rest.holiday", []any{d}, "staff %d: %s is a public holiday", staffID, d)
	}
	makeup := false
	for _, m := range cal.MakeupDays {
		makeup = makeup || m == d
	}
	if wd := day.Weekday(); r.NoRestOnWeekends && (wd == time.Saturday || wd == time.Sunday) && !makeup {
		return Errorkf(EINVALID, "rest.weekend", []any{d}, "staff %d: %s is a weekend day", staffID, d)
	}
	month := d[:7]
	mon := WeekStart(day, day.Location()).Format(DateLayout)
	sun := WeekStart(day, day.Location()).AddDate(0, 0, 6).Format(DateLayout)
	inMonth, inWeek := 0, 0
	for _, x := range mine {
		if !x.Holds() {
			continue
		}
		if x.Day == d {
			return Errorkf(EINVALID, "rest.duplicate", []any{d}, "staff %d has rest day %s already", staffID, d)
		}
		if strings.HasPrefix(x.Day, month) {
			inMonth++
		}
		if x.Day >= mon && x.Day <= sun {
			inWeek++
		}
	}
	switch {
	case inMonth >= r.RestDaysPerMonth:
		return Errorkf(EINVALID, "rest.month", []any{month, r.RestDaysPerMonth},
			"staff %d has %d rest days in %s already", staffID, inMonth, month)
	case inWeek >= r.RestDaysPerWeek:
		return Errorkf(EINVALID, "rest.week", []any{d, r.RestDaysPerWeek},
			"staff %d has %d rest days in the week of %s already", staffID, inWeek, d)
	case offThatDay >= r.MaxOffPerDay:
		return Errorkf(EINVALID, "rest.day_full", []any{d, r.MaxOffPerDay},
			"%d people are off on %s already", offThatDay, d)
	}
	return nil
}

package domain

import (
	"context"
	"time"
)

// The morning push (issue 1's 08:30 message): what one person is told,
// gathered by the morning job and rendered by the chat layer.

// DueCount is how many of an owner's leads of one grade are due: overdue
// (due before today) and due today.
type DueCount struct {
	OwnerID        int64
	Grade          Grade
	Overdue, Today int
}

// MorningDigest is what one person's morning message says. It names no
// chat and no text: the chat layer renders it in the person's language.
type MorningDigest struct {
	Staff *Staff
	At    time.Time // the job's time: "overdue by" counts from it
	// Day is the start of the store's day the digest is for; one person
	// gets one digest a day.
	Day      time.Time
	Counts   []GradeCount // by grade, only grades with anything due
	Top      []*Lead      // the first few due, most overdue first
	Ungraded int          // leads still N after their first week (R1.4)
	// Team, for supervisors: people with follow-ups overdue by more than
	// OverdueAlertDays.
	Team []OwnerOverdue
	// Appointments are today's booked visits (telesales: theirs; reception:
	// all); Missed are earlier days' that nobody came to (R1.8).
	Appointments []ApptItem
	Missed       []ApptItem
	// StockOverdue and StockAlert, for the store's supervisors and
	// managers, are its cars past rules.vehicles.stock_overdue_days and
	// past stock_alert_days (R3.2), oldest first: the first few of each
	// and how many more. The push runs every day, so the manager hears of
	// the overdue ones daily.
	StockOverdue, StockAlert StockAgingList
	// Deliveries are the post-delivery follow-ups (R4.5) of the person's
	// orders due by the end of the day, the earliest first: the first few,
	// and how many more.
	Deliveries     []DeliveryFollowUp
	DeliveriesMore int
}

// StockAgingList is the first cars of an aging class and how many more.
type StockAgingList struct {
	Cars []StockAging
	More int
}

// Total is how many cars the list stands for.
func (l StockAgingList) Total() int { return len(l.Cars) + l.More }

// SplitAging splits an aging report (AgeStock, oldest first) into its
// overdue and alert cars, keeping the first top of each.
func SplitAging(aging []StockAging, top int) (overdue, alert StockAgingList) {
	for _, a := range aging {
		l := &alert
		switch a.Class {
		case StockAgeOK:
			continue
		case StockAgeOverdue:
			l = &overdue
		}
		if len(l.Cars) < top {
			l.Cars = append(l.Cars, a)
		} else {
			l.More++
		}
	}
	return overdue, alert
}

// ApptItem is one booked visit in a morning message.
type ApptItem struct {
	ID        int64
	At        time.Time
	LeadID    int64
	Name      string
	Telesales string
}

// GradeCount is one grade's due follow-ups.
type GradeCount struct {
	Grade          Grade
	Overdue, Today int
}

// OwnerOverdue is one person's count of long-overdue follow-ups.
type OwnerOverdue struct {
	Name  string
	Count int
}

// Empty reports whether there is nothing to say.
func (d *MorningDigest) Empty() bool {
	return len(d.Counts) == 0 && d.Ungraded == 0 && len(d.Team) == 0 && len(d.Appointments) == 0 && len(d.Missed) == 0 &&
		d.StockOverdue.Total() == 0 && d.StockAlert.Total() == 0 && len(d.Deliveries) == 0
}

// MorningService gathers the morning digests and records what they
// reported. Each method is one transaction, or joins the caller's.
type MorningService interface {
	// MorningDigests gathers the non-empty digests of store's people at
	// now, on that store's calendar and rules: never all leads, one
	// grouped count and each person's first few. Another store's people,
	// leads and bookings are not in them.
	MorningDigests(ctx context.Context, store int64, now time.Time) ([]*MorningDigest, error)

	// MorningReported records that digests were told: the no-shows they
	// reported are booked no longer (missed, R1.8).
	MorningReported(ctx context.Context, digests []*MorningDigest) error
}

package storage

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The morning push's digests (domain.MorningService). It never loads all
// leads: one grouped query counts what is due per owner, and only the
// first few leads of each person are read.

var _ domain.MorningService = (*DB)(nil)

// MorningTop is how many leads a morning message names.
const MorningTop = 5

// TeamTop is how many people a supervisor's list names.
const TeamTop = 15

// MorningDigests implements domain.MorningService.
func (db *DB) MorningDigests(ctx context.Context, store int64, now time.Time) ([]*domain.MorningDigest, error) {
	var out []*domain.MorningDigest
	err := db.InTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = db.morningDigests(ctx, store, now)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "morning digests of store %d", store)
	}
	return out, nil
}

func (db *DB) morningDigests(ctx context.Context, store int64, now time.Time) ([]*domain.MorningDigest, error) {
	shop := db.Stores.ByID(store)
	if shop == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "no store %d", store)
	}
	rules := shop.Rules.Leads
	staff, err := db.ListStaffIn(ctx, store, false)
	if err != nil {
		return nil, err
	}
	today := shop.Calendar.StartOfDay(now)
	byID := make(map[int64]*domain.MorningDigest, len(staff))
	for _, s := range staff {
		if domain.Tellable(s, 0) != nil {
			byID[s.ID] = &domain.MorningDigest{Staff: s, At: now, Day: today}
		}
	}
	err = db.DueCounts(ctx, store, today, today.AddDate(0, 0, 1), func(c domain.DueCount) error {
		if d := byID[c.OwnerID]; d != nil {
			d.Counts = append(d.Counts, domain.GradeCount{Grade: c.Grade, Overdue: c.Overdue, Today: c.Today})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("due counts: %w", err)
	}
	ungraded, err := db.UngradedCounts(ctx, store, now.AddDate(0, 0, -rules.GradeAfterDays))
	if err != nil {
		return nil, fmt.Errorf("ungraded counts: %w", err)
	}
	for id, n := range ungraded {
		if d := byID[id]; d != nil {
			d.Ungraded = n
		}
	}
	late, err := db.OverdueCounts(ctx, store, now.AddDate(0, 0, -rules.OverdueAlertDays))
	if err != nil {
		return nil, fmt.Errorf("overdue counts: %w", err)
	}
	var team []domain.OwnerOverdue
	for id, n := range late {
		if d := byID[id]; d != nil {
			team = append(team, domain.OwnerOverdue{Name: d.Staff.Name, Count: n})
		}
	}
	sort.Slice(team, func(a, b int) bool {
		if team[a].Count != team[b].Count {
			return team[a].Count > team[b].Count
		}
		return team[a].Name < team[b].Name
	})
	team = team[:min(TeamTop, len(team))]

	if err := db.morningAppointments(ctx, store, byID, staff, today); err != nil {
		return nil, err
	}
	if err := db.morningDeliveries(ctx, store, byID, today.AddDate(0, 0, 1)); err != nil {
		return nil, err
	}
	overdue, alert, err := db.morningStock(ctx, store, staff, now)
	if err != nil {
		return nil, err
	}

	var out []*domain.MorningDigest
	for _, s := range staff {
		d := byID[s.ID]
		if d == nil {
			continue
		}
		if s.Roles.Has(domain.RoleSupervisor) {
			d.Team = team
		}
		if mayHearOfAging(s) {
			d.StockOverdue, d.StockAlert = overdue, alert
		}
		if len(d.Counts) > 0 {
			if d.Top, err = db.DueLeads(ctx, s.ID, today.AddDate(0, 0, 1), MorningTop); err != nil {
				return nil, fmt.Errorf("top leads of %d: %w", s.ID, err)
			}
		}
		if !d.Empty() {
			out = append(out, d)
		}
	}
	return out, nil
}

// morningAppointments puts store's booked visits of today in the
// telesales' and reception's messages, and earlier days' no-shows in the
// telesales'.
func (db *DB) morningAppointments(ctx context.Context, store int64, byID map[int64]*domain.MorningDigest, staff []*domain.Staff, today time.Time) error {
	item := func(a domain.Appointment) (domain.ApptItem, error) {
		l, err := db.LeadByID(ctx, a.LeadID)
		if err != nil {
			return domain.ApptItem{}, err
		}
		name := ""
		if d := byID[a.TelesalesID]; d != nil {
			name = d.Staff.Name
		}
		return domain.ApptItem{ID: a.ID, At: a.At, LeadID: l.ID, Name: l.Name, Telesales: name}, nil
	}
	booked, err := db.AppointmentsBetween(ctx, store, today, today.AddDate(0, 0, 1), domain.ApptBooked)
	if err != nil {
		return fmt.Errorf("appointments: %w", err)
	}
	for _, a := range booked {
		it, err := item(a)
		if err != nil {
			return err
		}
		if d := byID[a.TelesalesID]; d != nil {
			d.Appointments = append(d.Appointments, it)
		}
		for _, s := range staff {
			if d := byID[s.ID]; d != nil && s.Roles.Has(domain.RoleReception) && s.ID != a.TelesalesID {
				d.Appointments = append(d.Appointments, it)
			}
		}
	}
	// Any earlier day's: a push missed while the bot was down still reports.
	missed, err := db.AppointmentsBetween(ctx, store, today.AddDate(0, 0, -14), today, domain.ApptBooked)
	if err != nil {
		return fmt.Errorf("missed appointments: %w", err)
	}
	for _, a := range missed {
		if d := byID[a.TelesalesID]; d != nil {
			it, err := item(a)
			if err != nil {
				return err
			}
			d.Missed = append(d.Missed, it)
		}
	}
	return nil
}

// MorningReported implements domain.MorningService.
func (db *DB) MorningReported(ctx context.Context, digests []*domain.MorningDigest) error {
	err := db.InTx(ctx, func(ctx context.Context) error {
		for _, d := range digests {
			for _, a := range d.Missed { // reported: no longer booked
				if _, err := db.SetAppointmentStatus(ctx, a.ID, domain.ApptBooked, domain.ApptMissed); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return wrapInternal(err, "morning reported")
}

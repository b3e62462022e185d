package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// MorningPush sends each active staff member with anything due one
// message at the morning push time (default 08:30): follow-ups overdue and
// due today by grade, the first few to call, leads still ungraded after their
// first week (R1.4), and for supervisors who on the team is more than
// OverdueAlertDays behind. Nobody gets an empty message. Each message is keyed
// per person per day, so a rerun sends nothing twice.
//
// It never loads all leads: one grouped query counts what is due per owner,
// and only the first few leads of each person are read.
type MorningPush struct {
	Store    MorningStore
	Bot      MorningNotifier
	Rules    domain.LeadRules
	Calendar *domain.Calendar
	Log      *slog.Logger
}

// MorningStore is what the morning push reads and writes: grouped counts,
// the first few leads of a person, and the booked visits (a no-show is
// marked missed in the transaction that reports it).
type MorningStore interface {
	ListStaff(ctx context.Context, includeInactive bool) ([]*domain.Staff, error)
	DueCounts(ctx context.Context, todayStart, tomorrowStart time.Time, fn func(domain.DueCount) error) error
	OverdueCounts(ctx context.Context, before time.Time) (map[int64]int, error)
	UngradedCounts(ctx context.Context, createdBefore time.Time) (map[int64]int, error)
	DueLeads(ctx context.Context, ownerID int64, before time.Time, limit int) ([]*domain.Lead, error)
	AppointmentsBetween(ctx context.Context, from, to time.Time, status string) ([]domain.Appointment, error)
	SetAppointmentStatus(ctx context.Context, id int64, from, to string) (bool, error)
	LeadByID(ctx context.Context, id int64) (*domain.Lead, error)
	Transactor
}

// MorningNotifier tells each person their digest. It must key each
// message by person and digest day, so a rerun sends nothing twice.
type MorningNotifier interface {
	NotifyMorning(ctx context.Context, digests []*domain.MorningDigest) error
}

// MorningTop is how many leads a morning message names.
const MorningTop = 5

// TeamTop is how many people a supervisor's list names.
const TeamTop = 15

// batch is how many people's messages are queued per transaction.
const batch = 200

// Name implements Job.
func (j *MorningPush) Name() string { return "morning-push" }

// Spec is the job's cron spec, from the configured time.
func (j *MorningPush) Spec() string {
	return fmt.Sprintf("%d %d * * *", int(j.Rules.MorningPush)%60, int(j.Rules.MorningPush)/60)
}

// Run implements Job.
func (j *MorningPush) Run(ctx context.Context, now time.Time) error {
	digests, err := j.Build(ctx, now)
	if err != nil {
		return err
	}
	for start := 0; start < len(digests); start += batch {
		part := digests[start:min(start+batch, len(digests))]
		err := j.Store.InTx(ctx, func(ctx context.Context) error {
			if err := j.Bot.NotifyMorning(ctx, part); err != nil {
				return err
			}
			for _, d := range part {
				for _, a := range d.Missed { // reported: no longer booked
					if _, err := j.Store.SetAppointmentStatus(ctx, a.ID, domain.ApptBooked, domain.ApptMissed); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("morning push: %w", err)
		}
	}
	if j.Log != nil {
		j.Log.Info("morning push queued", slog.Int("people", len(digests)))
	}
	return nil
}

// Build gathers every non-empty morning digest at now.
func (j *MorningPush) Build(ctx context.Context, now time.Time) ([]*domain.MorningDigest, error) {
	staff, err := j.Store.ListStaff(ctx, false)
	if err != nil {
		return nil, err
	}
	today := j.Calendar.StartOfDay(now)
	byID := make(map[int64]*domain.MorningDigest, len(staff))
	for _, s := range staff {
		if s.Active && s.Enrolled() {
			byID[s.ID] = &domain.MorningDigest{Staff: s, At: now, Day: today}
		}
	}
	err = j.Store.DueCounts(ctx, today, today.AddDate(0, 0, 1), func(c domain.DueCount) error {
		if d := byID[c.OwnerID]; d != nil {
			d.Counts = append(d.Counts, domain.GradeCount{Grade: c.Grade, Overdue: c.Overdue, Today: c.Today})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("due counts: %w", err)
	}
	ungraded, err := j.Store.UngradedCounts(ctx, now.AddDate(0, 0, -j.Rules.GradeAfterDays))
	if err != nil {
		return nil, fmt.Errorf("ungraded counts: %w", err)
	}
	for id, n := range ungraded {
		if d := byID[id]; d != nil {
			d.Ungraded = n
		}
	}
	late, err := j.Store.OverdueCounts(ctx, now.AddDate(0, 0, -j.Rules.OverdueAlertDays))
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

	if err := j.addAppointments(ctx, byID, staff, today); err != nil {
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
		if len(d.Counts) > 0 {
			if d.Top, err = j.Store.DueLeads(ctx, s.ID, today.AddDate(0, 0, 1), MorningTop); err != nil {
				return nil, fmt.Errorf("top leads of %d: %w", s.ID, err)
			}
		}
		if !d.Empty() {
			out = append(out, d)
		}
	}
	return out, nil
}

// CatchUp runs the push at start if today's time has passed while the bot
// was down and the store is still open: the per-day keys make it send only
// what did not go out.
func (j *MorningPush) CatchUp(ctx context.Context, now time.Time) error {
	if now.Before(j.Rules.MorningPush.On(now, j.Calendar.Location)) || !j.Calendar.IsOpen(now) {
		return nil
	}
	return j.Run(ctx, now)
}

// addAppointments puts today's booked visits in the telesales' and
// reception's messages, and yesterday's no-shows in the telesales'.
func (j *MorningPush) addAppointments(ctx context.Context, byID map[int64]*domain.MorningDigest, staff []*domain.Staff, today time.Time) error {
	item := func(a domain.Appointment) (domain.ApptItem, error) {
		l, err := j.Store.LeadByID(ctx, a.LeadID)
		if err != nil {
			return domain.ApptItem{}, err
		}
		name := ""
		if d := byID[a.TelesalesID]; d != nil {
			name = d.Staff.Name
		}
		return domain.ApptItem{ID: a.ID, At: a.At, LeadID: l.ID, Name: l.Name, Telesales: name}, nil
	}
	booked, err := j.Store.AppointmentsBetween(ctx, today, today.AddDate(0, 0, 1), domain.ApptBooked)
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
	missed, err := j.Store.AppointmentsBetween(ctx, today.AddDate(0, 0, -14), today, domain.ApptBooked)
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

package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// ComplaintAlarms are the reminders and escalations the open complaints'
// deadlines call for at now (R2.4, domain.Complaint.Alarms), each with who
// must hear it; an alarm nobody is to hear is left out. It runs in one
// transaction (joining the caller's), so the chaser can queue the messages
// in the same one. It fails when the owner of an escalated complaint is
// not found (ENOTFOUND).
func (db *DB) ComplaintAlarms(ctx context.Context, now time.Time, r domain.ComplaintRules, cal *domain.Calendar) ([]domain.ComplaintAlarm, error) {
	var out []domain.ComplaintAlarm
	err := db.InTx(ctx, func(ctx context.Context) error {
		open, err := db.Complaints(ctx, domain.ComplaintFilter{Statuses: []string{domain.ComplaintOpen}})
		if err != nil {
			return err
		}
		staff := reachableByRole{db: db}
		for _, c := range open {
			alarms := c.Alarms(r, cal, now)
			if len(alarms) == 0 {
				continue
			}
			owner, ownerErr := db.StaffByID(ctx, c.OwnerID)
			for _, a := range alarms {
				if a.Reminder() {
					a.Recipients, err = db.reminderRecipients(ctx, &staff, a, owner)
				} else if ownerErr != nil {
					return fmt.Errorf("complaint %d: %w", c.ID, ownerErr)
				} else {
					var role []*domain.Staff
					role, err = staff.with(ctx, domain.EscalationRoleFor(domain.EscalationAnswerable(a.Deadline, owner), a.Step))
					a.Recipients = domain.EscalationRecipients(c, a.Deadline, a.Step, owner, role)
				}
				if err != nil {
					return fmt.Errorf("complaint %d: %w", c.ID, err)
				}
				if len(a.Recipients) > 0 {
					out = append(out, a)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reminderRecipients are who is reminded: the opinion's givers (the
// department's managers, else every manager, else the general managers),
// or the owner (nil when not found).
func (db *DB) reminderRecipients(ctx context.Context, staff *reachableByRole, a domain.ComplaintAlarm, owner *domain.Staff) ([]*domain.Staff, error) {
	if a.Deadline.Kind != domain.DeadlineOpinion {
		return domain.ReminderRecipients(a.Deadline, owner, nil), nil
	}
	managers, err := staff.with(ctx, domain.RoleManager)
	if err != nil {
		return nil, err
	}
	givers := domain.OpinionGivers(a.Complaint, managers)
	if len(givers) == 0 {
		if givers, err = staff.with(ctx, domain.RoleGM); err != nil {
			return nil, err
		}
	}
	return domain.ReminderRecipients(a.Deadline, owner, givers), nil
}

// reachableByRole reads the reachable staff of each role once per call.
type reachableByRole struct {
	db     *DB
	byRole map[domain.Role][]*domain.Staff
}

func (s *reachableByRole) with(ctx context.Context, role domain.Role) ([]*domain.Staff, error) {
	if got, ok := s.byRole[role]; ok {
		return got, nil
	}
	all, err := s.db.StaffWithRole(ctx, s.db.Stores.Default().ID /* STORES-TODO: the record's store */, role)
	if err != nil {
		return nil, err
	}
	if s.byRole == nil {
		s.byRole = map[domain.Role][]*domain.Staff{}
	}
	s.byRole[role] = domain.Reachable(all)
	return s.byRole[role], nil
}

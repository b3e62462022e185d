package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// ComplaintAlarms are the reminders and escalations the open complaints
// of every store call for at now (R2.4, domain.Complaint.Alarms), each
// complaint's deadlines on its own store's rules and calendar
// (stores.Of(c.StoreID)), each alarm with who of that store must hear it;
// an alarm nobody is to hear is left out. It runs in one transaction
// (joining the caller's), so the chaser can queue the messages in the
// same one. It fails when the owner of an escalated complaint is not
// found (ENOTFOUND).
func (db *DB) ComplaintAlarms(ctx context.Context, now time.Time, stores *domain.Stores) ([]domain.ComplaintAlarm, error) {
	var out []domain.ComplaintAlarm
	err := db.InTx(ctx, func(ctx context.Context) error {
		open, err := db.Complaints(ctx, domain.ComplaintFilter{Statuses: []string{domain.ComplaintOpen}})
		if err != nil {
			return err
		}
		staff := reachableByRole{db: db}
		for _, c := range open {
			st := stores.Of(c.StoreID)
			alarms := c.Alarms(st.Rules.Complaints, st.Calendar, now)
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
					role, err = staff.with(ctx, c.StoreID, domain.EscalationRoleFor(domain.EscalationAnswerable(a.Deadline, owner), a.Step))
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
// department's managers, else every manager, else the general managers,
// all of the complaint's store), or the owner (nil when not found).
func (db *DB) reminderRecipients(ctx context.Context, staff *reachableByRole, a domain.ComplaintAlarm, owner *domain.Staff) ([]*domain.Staff, error) {
	if a.Deadline.Kind != domain.DeadlineOpinion {
		return domain.ReminderRecipients(a.Deadline, owner, nil), nil
	}
	store := a.Complaint.StoreID
	managers, err := staff.with(ctx, store, domain.RoleManager)
	if err != nil {
		return nil, err
	}
	givers := domain.OpinionGivers(a.Complaint, managers)
	if len(givers) == 0 {
		if givers, err = staff.with(ctx, store, domain.RoleGM); err != nil {
			return nil, err
		}
	}
	return domain.ReminderRecipients(a.Deadline, owner, givers), nil
}

// reachableByRole reads the reachable staff of each store and role once
// per call.
type reachableByRole struct {
	db     *DB
	byRole map[alarmRoleKey][]*domain.Staff
}

// alarmRoleKey is a role in one store.
type alarmRoleKey struct {
	store int64
	role  domain.Role
}

// with returns the reachable members of store holding role.
func (s *reachableByRole) with(ctx context.Context, store int64, role domain.Role) ([]*domain.Staff, error) {
	k := alarmRoleKey{store, role}
	if got, ok := s.byRole[k]; ok {
		return got, nil
	}
	all, err := s.db.StaffWithRole(ctx, store, role)
	if err != nil {
		return nil, err
	}
	if s.byRole == nil {
		s.byRole = map[alarmRoleKey][]*domain.Staff{}
	}
	s.byRole[k] = domain.Reachable(all)
	return s.byRole[k], nil
}

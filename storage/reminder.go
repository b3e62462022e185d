package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The reminders job's services (issue 5): each records a reminder as sent
// and says who is to hear it, in one transaction (joining the caller's),
// so the job queues the messages in the same one and each goes once.

// RemindAppointment records the reminder of appointment a as sent and
// returns it with the telesales and the reception of its store to tell. ENOTFOUND when the
// appointment or its lead is gone.
func (db *DB) RemindAppointment(ctx context.Context, a domain.Appointment) (domain.AppointmentReminder, error) {
	out := domain.AppointmentReminder{Appointment: a}
	err := db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out.Lead, err = db.LeadByID(ctx, a.LeadID); err != nil {
			return err
		}
		booker, err := db.StaffByID(ctx, a.TelesalesID)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		out.Booker = domain.Booker(booker)
		reception, err := db.StaffWithRole(ctx, a.StoreID, domain.RoleReception)
		if err != nil {
			return err
		}
		out.Reception = domain.Reachable(reception)
		return db.MarkAppointmentReminded(ctx, a.ID)
	})
	if err != nil {
		return domain.AppointmentReminder{}, fmt.Errorf("remind appointment %d: %w", a.ID, err)
	}
	return out, nil
}

// RemindHandover records that handover h was chased (reminded, or
// escalated) and returns who to tell: the consultant it was handed to (if
// enrolled), or escalated their own department's supervisors (every
// supervisor of the handover's store when the department has none). ENOTFOUND when the lead or a
// person is gone.
func (db *DB) RemindHandover(ctx context.Context, h domain.Handover, escalate bool) (domain.HandoverReminder, error) {
	out := domain.HandoverReminder{Handover: h, Escalate: escalate}
	err := db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out.Lead, err = db.LeadByID(ctx, h.LeadID); err != nil {
			return err
		}
		if out.From, err = db.StaffByID(ctx, h.FromID); err != nil {
			return err
		}
		if out.To, err = db.StaffByID(ctx, h.ToID); err != nil {
			return err
		}
		if !escalate {
			if out.To.Enrolled() {
				out.Recipients = []*domain.Staff{out.To}
			}
			return db.MarkHandoverReminded(ctx, h.ID)
		}
		sups, err := db.StaffWithRole(ctx, h.StoreID, domain.RoleSupervisor)
		if err != nil {
			return err
		}
		out.Recipients = domain.InDepartmentOrAll(domain.Reachable(sups), out.To.Department)
		return db.MarkHandoverEscalated(ctx, h.ID)
	})
	if err != nil {
		return domain.HandoverReminder{}, fmt.Errorf("remind handover %d: %w", h.ID, err)
	}
	return out, nil
}

// RemindCollision records that collision c was chased (reminded, or
// escalated) and returns who to tell: the supervisors of the lead's store,
// or escalated its managers. ENOTFOUND when the lead is gone.
func (db *DB) RemindCollision(ctx context.Context, c domain.Collision, escalate bool) (domain.CollisionReminder, error) {
	out := domain.CollisionReminder{Collision: c, Escalate: escalate}
	err := db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out.Lead, err = db.LeadByID(ctx, c.LeadID); err != nil {
			return err
		}
		if out.Last, err = db.lastFollowUp(ctx, c.LeadID); err != nil {
			return err
		}
		out.Owner, _ = db.StaffByID(ctx, c.OwnerID)
		out.Claimant, _ = db.StaffByID(ctx, c.ClaimantID)
		role, mark := domain.RoleSupervisor, db.MarkCollisionReminded
		if escalate {
			role, mark = domain.RoleManager, db.MarkCollisionEscalated
		}
		people, err := db.StaffWithRole(ctx, out.Lead.StoreID, role)
		if err != nil {
			return err
		}
		out.Recipients = domain.Reachable(people)
		return mark(ctx, c.ID)
	})
	if err != nil {
		return domain.CollisionReminder{}, fmt.Errorf("remind collision %d: %w", c.ID, err)
	}
	return out, nil
}

// unchasedPerStore returns, per store with rows of table in status, the
// at column of its oldest row that is unreminded (the condition given) and
// of its oldest not yet escalated (escalated = FALSE, a literal as in
// VisitsToPrompt), zero when none, by store id: what the reminders job
// times each store's next chase from. what names the query in errors.
func (db *DB) unchasedPerStore(ctx context.Context, table, at, status, unreminded, what string) ([]domain.Unchased, error) {
	byStore := map[int64]*domain.Unchased{}
	var order []int64
	// Each store's oldest row with cond: none older in its store (ties by id).
	oldest := func(cond string, set func(u *domain.Unchased, at time.Time)) error {
		var rows []struct {
			StoreID int64
			At      time.Time
		}
		err := db.conn(ctx).Table(table+" AS r").Select("r.store_id, r."+at+" AS at").
			Where("r.status = ? AND r."+cond, status).
			Where(`NOT EXISTS (SELECT 1 FROM ` + table + ` AS o WHERE o.store_id = r.store_id AND o.status = r.status AND o.` + cond + `
				AND (o.` + at + ` < r.` + at + ` OR o.` + at + ` = r.` + at + ` AND o.id < r.id))`).
			Order("r.store_id").Scan(&rows).Error
		if err != nil {
			return err
		}
		for _, r := range rows {
			u := byStore[r.StoreID]
			if u == nil {
				u = &domain.Unchased{StoreID: r.StoreID}
				byStore[r.StoreID] = u
				order = append(order, r.StoreID)
			}
			set(u, utc(r.At))
		}
		return nil
	}
	err := oldest(unreminded, func(u *domain.Unchased, at time.Time) { u.Unreminded = at })
	if err == nil {
		err = oldest("escalated = FALSE", func(u *domain.Unchased, at time.Time) { u.Unescalated = at })
	}
	if err != nil {
		return nil, formatError(fmt.Errorf("%s: %w", what, err))
	}
	slices.Sort(order)
	out := make([]domain.Unchased, len(order))
	for i, id := range order {
		out[i] = *byStore[id]
	}
	return out, nil
}

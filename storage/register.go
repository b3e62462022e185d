package storage

import (
	"context"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The weekly complaint register (R2.8): domain.RegisterService.

// storage implements the register service.
var _ domain.RegisterService = (*DB)(nil)

// WeeklyRegister implements domain.RegisterService.
func (db *DB) WeeklyRegister(ctx context.Context, byID int64, weekStart time.Time) (*domain.WeeklyRegister, error) {
	start := domain.WeekStart(weekStart, db.Stores.Default().Calendar.Location)
	end := start.AddDate(0, 0, 7)
	out := &domain.WeeklyRegister{Start: start}
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := db.checkRegisterReader(ctx, byID); err != nil {
			return err
		}
		svc, err := db.StaffWithRole(ctx, db.Stores.Default().ID /* STORES-TODO: the record's store */, domain.RoleService)
		if err != nil {
			return err
		}
		out.To = domain.Reachable(svc)
		now := db.now()
		names := map[int64]string{}
		for _, dept := range db.Stores.Default().Rules.Complaints.Departments {
			list, err := db.Complaints(ctx, domain.ComplaintFilter{Department: dept, CreatedFrom: start, CreatedTo: end})
			if err != nil {
				return err
			}
			sheet := domain.RegisterSheet{Department: dept, Rows: make([]domain.RegisterRow, 0, len(list))}
			for _, c := range list {
				owner, ok := names[c.OwnerID]
				if !ok {
					owner = db.staffName(ctx, c.OwnerID)
					names[c.OwnerID] = owner
				}
				acts, err := db.ComplaintActions(ctx, c.ID)
				if err != nil {
					return err
				}
				sheet.Rows = append(sheet.Rows, domain.RegisterRowOf(c, owner, acts, db.Stores.Default().Rules.Complaints, db.Stores.Default().Calendar, now))
			}
			out.Sheets = append(out.Sheets, sheet)
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "register of week %s", domain.ISOWeek(start))
	}
	return out, nil
}

// RegisterReminder implements domain.RegisterService.
func (db *DB) RegisterReminder(ctx context.Context, byID int64, weekStart time.Time) (*domain.RegisterReminder, error) {
	start := domain.WeekStart(weekStart, db.Stores.Default().Calendar.Location)
	out := &domain.RegisterReminder{Start: start}
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := db.checkRegisterReader(ctx, byID); err != nil {
			return err
		}
		svc, err := db.StaffWithRole(ctx, db.Stores.Default().ID /* STORES-TODO: the record's store */, domain.RoleService)
		if err != nil {
			return err
		}
		if out.To = domain.Reachable(svc); len(out.To) == 0 {
			return nil
		}
		list, err := db.Complaints(ctx, domain.ComplaintFilter{CreatedFrom: start, CreatedTo: start.AddDate(0, 0, 7)})
		if err != nil {
			return err
		}
		out.Total = len(list)
		for _, c := range list {
			if c.Status != domain.ComplaintClosed {
				out.Open++
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "register reminder of week %s", domain.ISOWeek(start))
	}
	return out, nil
}

// checkRegisterReader returns EFORBIDDEN (err.forbidden) unless byID may
// read the register (domain.MayReadRegister); Console is the server.
func (db *DB) checkRegisterReader(ctx context.Context, byID int64) error {
	by, err := db.actor(ctx, byID)
	if err != nil {
		return err
	}
	if !domain.MayReadRegister(by) {
		return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d may not read the register", byID)
	}
	return nil
}

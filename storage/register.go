package storage

import (
	"context"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The weekly complaint register (R2.8), the part of domain.ComplaintService
// that domain/register.go describes.

// WeeklyRegister implements domain.ComplaintService.
func (db *DB) WeeklyRegister(ctx context.Context, weekStart time.Time) (*domain.WeeklyRegister, error) {
	start := domain.WeekStart(weekStart, db.Calendar.Location)
	end := start.AddDate(0, 0, 7)
	out := &domain.WeeklyRegister{Start: start}
	err := db.InTx(ctx, func(ctx context.Context) error {
		svc, err := db.StaffWithRole(ctx, domain.RoleService)
		if err != nil {
			return err
		}
		out.To = domain.Reachable(svc)
		now := db.now()
		names := map[int64]string{}
		for _, dept := range db.Rules.Complaints.Departments {
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
				sheet.Rows = append(sheet.Rows, domain.RegisterRowOf(c, owner, acts, db.Rules.Complaints, db.Calendar, now))
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

// RegisterReminder implements domain.ComplaintService.
func (db *DB) RegisterReminder(ctx context.Context, weekStart time.Time) (*domain.RegisterReminder, error) {
	start := domain.WeekStart(weekStart, db.Calendar.Location)
	out := &domain.RegisterReminder{Start: start}
	err := db.InTx(ctx, func(ctx context.Context) error {
		svc, err := db.StaffWithRole(ctx, domain.RoleService)
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

package storage

import (
	"context"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The weekly complaint register (R2.8): domain.RegisterService. Each
// store has its own: its complaints, its departments, its calendar's
// weeks, its service centre.

// storage implements the register service.
var _ domain.RegisterService = (*DB)(nil)

// WeeklyRegister implements domain.RegisterService.
func (db *DB) WeeklyRegister(ctx context.Context, byID, store int64, weekStart time.Time) (*domain.WeeklyRegister, error) {
	var out *domain.WeeklyRegister
	err := db.InTx(ctx, func(ctx context.Context) error {
		st, err := db.registerStore(ctx, byID, store)
		if err != nil {
			return err
		}
		start := domain.WeekStart(weekStart, st.Calendar.Location)
		end := start.AddDate(0, 0, 7)
		out = &domain.WeeklyRegister{Store: st, Start: start}
		svc, err := db.StaffWithRole(ctx, st.ID, domain.RoleService)
		if err != nil {
			return err
		}
		out.To = domain.Reachable(svc)
		now := db.now()
		names := map[int64]string{}
		for _, dept := range st.Rules.Complaints.Departments {
			list, err := db.Complaints(ctx, domain.ComplaintFilter{StoreID: st.ID, Department: dept, CreatedFrom: start, CreatedTo: end})
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
				sheet.Rows = append(sheet.Rows, domain.RegisterRowOf(c, owner, acts, st.Rules.Complaints, st.Calendar, now))
			}
			out.Sheets = append(out.Sheets, sheet)
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "register of store %d, week of %s", store, weekStart.Format(domain.DateLayout))
	}
	return out, nil
}

// RegisterReminder implements domain.RegisterService.
func (db *DB) RegisterReminder(ctx context.Context, byID, store int64, weekStart time.Time) (*domain.RegisterReminder, error) {
	var out *domain.RegisterReminder
	err := db.InTx(ctx, func(ctx context.Context) error {
		st, err := db.registerStore(ctx, byID, store)
		if err != nil {
			return err
		}
		start := domain.WeekStart(weekStart, st.Calendar.Location)
		out = &domain.RegisterReminder{Store: st, Start: start}
		svc, err := db.StaffWithRole(ctx, st.ID, domain.RoleService)
		if err != nil {
			return err
		}
		if out.To = domain.Reachable(svc); len(out.To) == 0 {
			return nil
		}
		list, err := db.Complaints(ctx, domain.ComplaintFilter{StoreID: st.ID, CreatedFrom: start, CreatedTo: start.AddDate(0, 0, 7)})
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
		return nil, wrapInternal(err, "register reminder of store %d, week of %s", store, weekStart.Format(domain.DateLayout))
	}
	return out, nil
}

// registerStore returns store if byID may read its register: EFORBIDDEN
// (err.forbidden) unless byID may read registers (domain.MayReadRegister;
// Console is the server, which reads any store's) and, for a member, it
// is their own store; ENOTFOUND (err.not_found) for an unknown store.
func (db *DB) registerStore(ctx context.Context, byID, store int64) (*domain.Store, error) {
	by, err := db.actor(ctx, byID)
	if err != nil {
		return nil, err
	}
	if !domain.MayReadRegister(by) || by.ID != domain.Console && by.StoreID != store {
		return nil, domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d may not read the register of store %d", byID, store)
	}
	st := db.Stores.ByID(store)
	if st == nil {
		return nil, domain.Errorkf(domain.ENOTFOUND, "err.not_found", nil, "no store %d", store)
	}
	return st, nil
}

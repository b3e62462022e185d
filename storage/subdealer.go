package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// Sub-dealer contracts (R4.6), domain.SubDealerService on the actor's
// store. The deposit deadline is computed at signing from the store's
// calendar and stored, so the deposit job's next instant is one indexed
// query; the expiry and performance notices are marked in
// sub_dealer_alerts in the transaction that queues them.

var _ domain.SubDealerService = (*DB)(nil)

// subDealerRow is a row of sub_dealer_contracts.
type subDealerRow struct {
	ID                int64 `gorm:"primaryKey"`
	StoreID           int64
	Dealer            string
	Contact           string
	Phone             string
	Territory         string
	SignedOn          string
	StartsOn          string
	EndsOn            string
	DepositFen        int64
	DepositRecordedAt *time.Time
	DepositWarnAt     time.Time
	DepositLapseAt    time.Time
	DepositWarnedAt   *time.Time
	State             string
	RebateTiers       string
	CreatedBy         int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TableName implements gorm's schema.Tabler.
func (subDealerRow) TableName() string { return "sub_dealer_contracts" }

func (r *subDealerRow) contract() domain.SubDealerContract {
	tiers, _ := domain.ParseRebateTiers(r.RebateTiers)
	c := domain.SubDealerContract{
		ID: r.ID, StoreID: r.StoreID, Dealer: r.Dealer, Contact: r.Contact, Phone: r.Phone, Territory: r.Territory,
		SignedOn: r.SignedOn, StartsOn: r.StartsOn, EndsOn: r.EndsOn, DepositFen: r.DepositFen,
		DepositWarnAt: utc(r.DepositWarnAt), DepositLapsAt: utc(r.DepositLapseAt),
		State: domain.SubDealerState(r.State), Rebates: tiers, CreatedBy: r.CreatedBy, CreatedAt: utc(r.CreatedAt),
	}
	if r.DepositRecordedAt != nil {
		c.DepositRecordedAt = utc(*r.DepositRecordedAt)
	}
	return c
}

// subDealerMonthRow is a row of sub_dealer_targets or sub_dealer_sales.
type subDealerMonthRow struct {
	ContractID int64  `gorm:"primaryKey"`
	Month      string `gorm:"primaryKey"`
	Units      int
	SetBy      int64
	SetAt      time.Time
}

// subDealerAlertRow is a row of sub_dealer_alerts.
type subDealerAlertRow struct {
	ContractID int64  `gorm:"primaryKey"`
	Kind       string `gorm:"primaryKey"`
	Period     string `gorm:"primaryKey"`
	SentAt     time.Time
}

// TableName implements gorm's schema.Tabler.
func (subDealerAlertRow) TableName() string { return "sub_dealer_alerts" }

const (
	subDealerTargets = "sub_dealer_targets"
	subDealerSales   = "sub_dealer_sales"
)

func errDealerUnknown(id int64) error {
	return domain.Errorkf(domain.ENOTFOUND, "err.dealer_unknown", []any{id}, "no sub-dealer contract %d", id)
}

// dealerActor loads by, who must manage sub-dealers.
func (db *DB) dealerActor(ctx context.Context, by int64) (*domain.Staff, error) {
	s, err := db.actor(ctx, by)
	if err != nil {
		return nil, err
	}
	if !domain.MayManageSubDealers(s) {
		return nil, domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d may not manage sub-dealers", by)
	}
	return s, nil
}

// storeDealer loads contract id of store, locked for the transaction's
// update; another store's is ENOTFOUND.
func (db *DB) storeDealer(ctx context.Context, store, id int64) (*subDealerRow, error) {
	var row subDealerRow
	q := db.conn(ctx).Where("id = ? AND store_id = ?", id, store).Limit(1).Find(&row)
	if q.Error != nil {
		return nil, fmt.Errorf("sub-dealer %d: %w", id, q.Error)
	}
	if q.RowsAffected == 0 {
		return nil, errDealerUnknown(id)
	}
	return &row, nil
}

func errDealerNotActive(row *subDealerRow) error {
	return domain.Errorkf(domain.ECONFLICT, "err.dealer_not_active", []any{row.ID, row.State},
		"sub-dealer contract %d is %s", row.ID, row.State)
}

// AddSubDealer implements domain.SubDealerService.
func (db *DB) AddSubDealer(ctx context.Context, by int64, n domain.NewSubDealer) (*domain.SubDealerContract, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	var out *domain.SubDealerContract
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.dealerActor(ctx, by)
		if err != nil {
			return err
		}
		st := db.Stores.Of(actor.StoreID)
		now := db.now()
		signed := now.In(st.Calendar.Location).Format(domain.DateLayout)
		warn, lapse, err := domain.DepositDeadline(signed, st.Rules.SubDealers.DepositWorkingDays, st.Calendar)
		if err != nil {
			return err
		}
		row := subDealerRow{
			StoreID: actor.StoreID, Dealer: n.Dealer, Contact: n.Contact, Phone: n.Phone, Territory: n.Territory,
			SignedOn: signed, StartsOn: n.StartsOn, EndsOn: n.EndsOn, DepositFen: n.DepositFen,
			DepositWarnAt: dbTime(warn), DepositLapseAt: dbTime(lapse), State: string(domain.SubDealerActive),
			RebateTiers: domain.FormatRebateTiers(n.Rebates), CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now,
		}
		if err := db.conn(ctx).Create(&row).Error; err != nil {
			return fmt.Errorf("add sub-dealer: %w", err)
		}
		c := row.contract()
		out = &c
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "add sub-dealer by %d", by)
	}
	return out, nil
}

// RecordDealerDeposit implements domain.SubDealerService.
func (db *DB) RecordDealerDeposit(ctx context.Context, by, id int64, fen int64) (*domain.SubDealerContract, error) {
	if err := domain.CheckDealerDeposit(fen); err != nil {
		return nil, err
	}
	var out *domain.SubDealerContract
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.dealerActor(ctx, by)
		if err != nil {
			return err
		}
		row, err := db.storeDealer(ctx, actor.StoreID, id)
		if err != nil {
			return err
		}
		if row.State != string(domain.SubDealerActive) {
			return errDealerNotActive(row)
		}
		if row.DepositRecordedAt != nil {
			return domain.Errorkf(domain.ECONFLICT, "err.dealer_deposit_done", []any{id}, "the deposit of %d is already recorded", id)
		}
		now := db.now()
		res := db.conn(ctx).Model(&subDealerRow{}).
			Where("id = ? AND state = ? AND deposit_recorded_at IS NULL", id, string(domain.SubDealerActive)).
			Updates(map[string]any{"deposit_fen": fen, "deposit_recorded_at": now, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("record deposit of %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return errDealerNotActive(row)
		}
		row.DepositFen, row.DepositRecordedAt = fen, &now
		c := row.contract()
		out = &c
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "record deposit of %d by %d", id, by)
	}
	return out, nil
}

// setDealerMonth writes a month's units in table for contract id.
func (db *DB) setDealerMonth(ctx context.Context, table string, by, id int64, month string, units int, mustRun bool) (*domain.SubDealerLine, error) {
	var out *domain.SubDealerLine
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.dealerActor(ctx, by)
		if err != nil {
			return err
		}
		row, err := db.storeDealer(ctx, actor.StoreID, id)
		if err != nil {
			return err
		}
		if mustRun && row.State != string(domain.SubDealerActive) {
			return errDealerNotActive(row)
		}
		r := subDealerMonthRow{ContractID: id, Month: month, Units: units, SetBy: actor.ID, SetAt: db.now()}
		if err := db.conn(ctx).Table(table).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "contract_id"}, {Name: "month"}},
			DoUpdates: clause.AssignmentColumns([]string{"units", "set_by", "set_at"}),
		}).Create(&r).Error; err != nil {
			return fmt.Errorf("set %s of %d for %s: %w", table, id, month, err)
		}
		figs, err := db.dealerFigures(ctx, []int64{id}, month, month)
		if err != nil {
			return err
		}
		out = &domain.SubDealerLine{Contract: row.contract(), Month: figs[id][0]}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "set %s of %d by %d", table, id, by)
	}
	return out, nil
}

// SetDealerTarget implements domain.SubDealerService.
func (db *DB) SetDealerTarget(ctx context.Context, by, id int64, month string, units int) (*domain.SubDealerLine, error) {
	return db.setDealerMonth(ctx, subDealerTargets, by, id, month, units, true)
}

// RecordDealerSales implements domain.SubDealerService.
func (db *DB) RecordDealerSales(ctx context.Context, by, id int64, month string, units int) (*domain.SubDealerLine, error) {
	return db.setDealerMonth(ctx, subDealerSales, by, id, month, units, false)
}

// dealerFigures are the months from..to (YYYY-MM) of the contracts,
// oldest first, a month without rows as zeros.
func (db *DB) dealerFigures(ctx context.Context, ids []int64, from, to string) (map[int64][]domain.MonthFigures, error) {
	out := map[int64][]domain.MonthFigures{}
	if len(ids) == 0 {
		return out, nil
	}
	var months []string
	for m, _ := time.Parse("2006-01", from); m.Format("2006-01") <= to; m = m.AddDate(0, 1, 0) {
		months = append(months, m.Format("2006-01"))
	}
	at := map[string]int{}
	for i, m := range months {
		at[m] = i
	}
	for _, id := range ids {
		out[id] = make([]domain.MonthFigures, len(months))
		for i, m := range months {
			out[id][i].Month = m
		}
	}
	for _, table := range []string{subDealerTargets, subDealerSales} {
		var rows []subDealerMonthRow
		if err := db.conn(ctx).Table(table).Where("contract_id IN ? AND month >= ? AND month <= ?", ids, from, to).
			Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("%s: %w", table, err)
		}
		for _, r := range rows {
			f := &out[r.ContractID][at[r.Month]]
			if table == subDealerTargets {
				f.Target = r.Units
			} else {
				f.Sold += r.Units
			}
		}
	}
	// Achievement is the hand-entered sales plus the delivered orders
	// through the dealer (R4.6).
	if err := db.dealerOrders(ctx, ids, from, to, out, at); err != nil {
		return nil, err
	}
	return out, nil
}

// SubDealers implements domain.SubDealerService.
func (db *DB) SubDealers(ctx context.Context, by int64, now time.Time) ([]domain.SubDealerLine, error) {
	var out []domain.SubDealerLine
	err := db.InTx(ctx, func(ctx context.Context) error {
		out = nil
		actor, err := db.dealerActor(ctx, by)
		if err != nil {
			return err
		}
		month := now.In(db.Stores.Of(actor.StoreID).Calendar.Location).Format("2006-01")
		var rows []subDealerRow
		if err := db.conn(ctx).Where("store_id = ?", actor.StoreID).
			Order(clause.Expr{SQL: "CASE WHEN state = ? THEN 0 ELSE 1 END, id", Vars: []any{string(domain.SubDealerActive)}}).
			Find(&rows).Error; err != nil {
			return fmt.Errorf("sub-dealers of store %d: %w", actor.StoreID, err)
		}
		ids := make([]int64, len(rows))
		for i := range rows {
			ids[i] = rows[i].ID
		}
		figs, err := db.dealerFigures(ctx, ids, month, month)
		if err != nil {
			return err
		}
		for i := range rows {
			out = append(out, domain.SubDealerLine{Contract: rows[i].contract(), Month: figs[rows[i].ID][0]})
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "sub-dealers by %d", by)
	}
	return out, nil
}

// NextDealerDeposit implements domain.SubDealerService.
func (db *DB) NextDealerDeposit(ctx context.Context) (time.Time, bool, error) {
	var next time.Time
	for _, q := range []struct{ col, extra string }{
		{"deposit_warn_at", " AND deposit_warned_at IS NULL"},
		{"deposit_lapse_at", ""},
	} {
		var rows []subDealerRow
		if err := db.conn(ctx).Select("id, "+q.col).
			Where("state = ? AND deposit_recorded_at IS NULL"+q.extra, string(domain.SubDealerActive)).
			Order(q.col).Limit(1).Find(&rows).Error; err != nil {
			return time.Time{}, false, formatError(fmt.Errorf("next deposit deadline: %w", err))
		}
		if len(rows) == 0 {
			continue
		}
		at := rows[0].DepositLapseAt
		if q.col == "deposit_warn_at" {
			at = rows[0].DepositWarnAt
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return utc(next), !next.IsZero(), nil
}

// DealerDepositsDue implements domain.SubDealerService: lapses first (a
// contract lapsing needs no warning any more), then the warnings.
func (db *DB) DealerDepositsDue(ctx context.Context, now time.Time, limit int) ([]domain.SubDealerNotice, error) {
	var out []domain.SubDealerNotice
	err := db.InTx(ctx, func(ctx context.Context) error {
		out = nil
		var lapsing []subDealerRow
		if err := db.conn(ctx).Where("state = ? AND deposit_recorded_at IS NULL AND deposit_lapse_at <= ?",
			string(domain.SubDealerActive), dbTime(now)).Order("deposit_lapse_at, id").Limit(limit).Find(&lapsing).Error; err != nil {
			return fmt.Errorf("deposits lapsing: %w", err)
		}
		for i := range lapsing {
			row := &lapsing[i]
			res := db.conn(ctx).Model(&subDealerRow{}).
				Where("id = ? AND state = ? AND deposit_recorded_at IS NULL", row.ID, string(domain.SubDealerActive)).
				Updates(map[string]any{"state": string(domain.SubDealerLapsed), "updated_at": db.now()})
			if res.Error != nil {
				return fmt.Errorf("lapse %d: %w", row.ID, res.Error)
			}
			if res.RowsAffected == 0 {
				continue
			}
			row.State = string(domain.SubDealerLapsed)
			n, err := db.dealerNotice(ctx, row, domain.NoticeDepositLapsed, row.EndsOn)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		if len(out) >= limit {
			return nil
		}
		var warning []subDealerRow
		if err := db.conn(ctx).Where("state = ? AND deposit_recorded_at IS NULL AND deposit_warned_at IS NULL AND deposit_warn_at <= ? AND deposit_lapse_at > ?",
			string(domain.SubDealerActive), dbTime(now), dbTime(now)).Order("deposit_warn_at, id").Limit(limit - len(out)).Find(&warning).Error; err != nil {
			return fmt.Errorf("deposits to warn of: %w", err)
		}
		for i := range warning {
			row := &warning[i]
			res := db.conn(ctx).Model(&subDealerRow{}).Where("id = ? AND deposit_warned_at IS NULL", row.ID).
				Updates(map[string]any{"deposit_warned_at": db.now()})
			if res.Error != nil {
				return fmt.Errorf("warn of %d: %w", row.ID, res.Error)
			}
			if res.RowsAffected == 0 {
				continue
			}
			n, err := db.dealerNotice(ctx, row, domain.NoticeDepositDue, row.SignedOn)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "deposits due at %s", now)
	}
	return out, nil
}

// dealerNotice is a notice for the contract's store's managers.
func (db *DB) dealerNotice(ctx context.Context, row *subDealerRow, kind domain.SubDealerNoticeKind, period string) (domain.SubDealerNotice, error) {
	mgrs, err := db.storeStaffWithRole(ctx, row.StoreID, domain.RoleManager)
	if err != nil {
		return domain.SubDealerNotice{}, err
	}
	return domain.SubDealerNotice{Kind: kind, Contract: row.contract(), Period: period, Managers: domain.Reachable(mgrs)}, nil
}

// markDealerAlert records a notice as sent; false when it already was.
func (db *DB) markDealerAlert(ctx context.Context, id int64, kind domain.SubDealerNoticeKind, period string) (bool, error) {
	res := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&subDealerAlertRow{ContractID: id, Kind: string(kind), Period: period, SentAt: db.now()})
	if res.Error != nil {
		return false, fmt.Errorf("mark %s of %d for %s: %w", kind, id, period, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// SubDealerDaily implements domain.SubDealerService.
func (db *DB) SubDealerDaily(ctx context.Context, store int64, now time.Time) ([]domain.SubDealerNotice, error) {
	var out []domain.SubDealerNotice
	err := db.InTx(ctx, func(ctx context.Context) error {
		out = nil
		st := db.Stores.Of(store)
		r := st.Rules.SubDealers
		local := now.In(st.Calendar.Location)
		today, month := local.Format(domain.DateLayout), local.Format("2006-01")
		if err := db.conn(ctx).Model(&subDealerRow{}).
			Where("store_id = ? AND state = ? AND ends_on < ?", store, string(domain.SubDealerActive), today).
			Updates(map[string]any{"state": string(domain.SubDealerExpired), "updated_at": db.now()}).Error; err != nil {
			return fmt.Errorf("expire sub-dealers of store %d: %w", store, err)
		}
		var rows []subDealerRow
		if err := db.conn(ctx).Where("store_id = ? AND state = ?", store, string(domain.SubDealerActive)).
			Order("id").Find(&rows).Error; err != nil {
			return fmt.Errorf("sub-dealers of store %d: %w", store, err)
		}
		ids := make([]int64, len(rows))
		for i := range rows {
			ids[i] = rows[i].ID
		}
		last := local.AddDate(0, 0, 1-local.Day()).AddDate(0, -1, 0).Format("2006-01")
		span := max(r.MissedMonthsAlert, r.LowShareMonths)
		first := local.AddDate(0, 0, 1-local.Day()).AddDate(0, -span, 0).Format("2006-01")
		figs, err := db.dealerFigures(ctx, ids, first, month)
		if err != nil {
			return err
		}
		for i := range rows {
			row := &rows[i]
			f := figs[row.ID]
			add := func(kind domain.SubDealerNoticeKind, period string, mark bool) (*domain.SubDealerNotice, error) {
				if mark {
					if fresh, err := db.markDealerAlert(ctx, row.ID, kind, period); err != nil || !fresh {
						return nil, err
					}
				}
				n, err := db.dealerNotice(ctx, row, kind, period)
				if err != nil {
					return nil, err
				}
				out = append(out, n)
				return &out[len(out)-1], nil
			}
			if f[len(f)-1].Target == 0 && domain.TargetReminderDue(local, r.TargetsByDay) && row.EndsOn >= month+"-01" {
				n, err := add(domain.NoticeTargetDue, today, false)
				if err != nil {
					return err
				}
				n.Month, n.ByDay = month, r.TargetsByDay
			}
			if domain.ExpiryReminderDue(row.EndsOn, today, r.ExpiryRemindDays) {
				if _, err := add(domain.NoticeExpiry, row.EndsOn, true); err != nil {
					return err
				}
			}
			if alert, window := domain.Performance(f[:len(f)-1], last, r); alert != "" {
				n, err := add(domain.NoticePerformance, string(alert)+":"+last, true)
				if err != nil {
					return err
				}
				if n != nil {
					n.Alert, n.Figures = alert, window
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "sub-dealer day of store %d at %s", store, now)
	}
	return out, nil
}

package storage

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// The monthly stocktake (R3.3), domain.StocktakeService on the actor's
// store. Confirmations from many phones serialise on their stocktake's row
// (each one updates it first), so every one is counted, the running count
// each answers is exact, and none slips in after the closing: the closing
// updates the same row.

var _ domain.StocktakeService = (*DB)(nil)

// stocktakeRow is a row of stocktakes.
type stocktakeRow struct {
	ID         int64 `gorm:"primaryKey"`
	StoreID    int64
	OpenedBy   int64
	OpenedAt   time.Time
	ClosedBy   *int64
	ClosedAt   *time.Time
	LastSeenAt *time.Time
}

// TableName implements gorm's schema.Tabler.
func (stocktakeRow) TableName() string { return "stocktakes" }

func (r *stocktakeRow) stocktake() domain.StocktakeRun {
	s := domain.StocktakeRun{ID: r.ID, StoreID: r.StoreID, OpenedBy: r.OpenedBy, OpenedAt: utc(r.OpenedAt)}
	if r.ClosedAt != nil {
		s.ClosedAt = utc(*r.ClosedAt)
	}
	if r.ClosedBy != nil {
		s.ClosedBy = *r.ClosedBy
	}
	return s
}

// stocktakeSeenRow is a row of stocktake_seen.
type stocktakeSeenRow struct {
	ID          int64 `gorm:"primaryKey"`
	StocktakeID int64
	StoreID     int64
	VehicleID   *int64
	VIN         string `gorm:"column:vin"`
	ByStaff     int64
	At          time.Time
}

// TableName implements gorm's schema.Tabler.
func (stocktakeSeenRow) TableName() string { return "stocktake_seen" }

// stocktakeExceptionRow is a row of stocktake_exceptions.
type stocktakeExceptionRow struct {
	ID          int64 `gorm:"primaryKey"`
	StocktakeID int64
	StoreID     int64
	Kind        string
	VIN         string `gorm:"column:vin"`
	VehicleID   *int64
	ClearedBy   *int64
	ClearedAt   *time.Time
	Reason      string
}

// TableName implements gorm's schema.Tabler.
func (stocktakeExceptionRow) TableName() string { return "stocktake_exceptions" }

// stocktakeOpenKey is the index that keeps one stocktake open per store.
var stocktakeOpenKey = uniqueIndex{"stocktakes_one_open", "stocktakes.store_id"}

// stocktakeStates are domain.StocktakeStates as the column stores them.
func stocktakeStates() []string {
	out := make([]string, len(domain.StocktakeStates))
	for i, s := range domain.StocktakeStates {
		out[i] = string(s)
	}
	return out
}

func errStocktakeNone() error {
	return domain.Errorkf(domain.ENOTFOUND, "err.stocktake_none", nil, "no stocktake is open")
}

func errStocktakeOpen() error {
	return domain.Errorkf(domain.ECONFLICT, "err.stocktake_open", nil, "a stocktake is already open")
}

// openStocktake loads the store's open stocktake.
func (db *DB) openStocktake(ctx context.Context, store int64) (*stocktakeRow, error) {
	var row stocktakeRow
	q := db.conn(ctx).Where("store_id = ? AND closed_at IS NULL", store).Limit(1).Find(&row)
	if q.Error != nil {
		return nil, fmt.Errorf("open stocktake of store %d: %w", store, q.Error)
	}
	if q.RowsAffected == 0 {
		return nil, errStocktakeNone()
	}
	return &row, nil
}

// OpenStocktake implements domain.StocktakeService.
func (db *DB) OpenStocktake(ctx context.Context, by int64) (*domain.StocktakeOpened, error) {
	var out *domain.StocktakeOpened
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, domain.MayRunStocktake)
		if err != nil {
			return err
		}
		if _, err := db.openStocktake(ctx, actor.StoreID); err == nil {
			return errStocktakeOpen()
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		row := stocktakeRow{StoreID: actor.StoreID, OpenedBy: actor.ID, OpenedAt: db.now()}
		if err := db.conn(ctx).Create(&row).Error; err != nil {
			if stocktakeOpenKey.violatedBy(err) {
				return errStocktakeOpen()
			}
			return fmt.Errorf("open stocktake: %w", err)
		}
		count, err := db.stocktakeCount(ctx, &row)
		if err != nil {
			return err
		}
		out = &domain.StocktakeOpened{Stocktake: row.stocktake(), Count: count}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "open stocktake by %d", by)
	}
	return out, nil
}

// stocktakeCount is the running count of an open stocktake: the cars the
// ledger expects, how many of them were seen, and the others seen.
func (db *DB) stocktakeCount(ctx context.Context, st *stocktakeRow) (domain.StocktakeCount, error) {
	var c domain.StocktakeCount
	var ledger, seen, all int64
	if err := db.conn(ctx).Model(&vehicleRow{}).Where("store_id = ? AND state IN ?", st.StoreID, stocktakeStates()).
		Count(&ledger).Error; err != nil {
		return c, fmt.Errorf("stocktake %d ledger: %w", st.ID, err)
	}
	if err := db.conn(ctx).Table("stocktake_seen AS s").Joins("JOIN vehicles v ON v.id = s.vehicle_id").
		Where("s.stocktake_id = ? AND v.store_id = ? AND v.state IN ?", st.ID, st.StoreID, stocktakeStates()).
		Count(&seen).Error; err != nil {
		return c, fmt.Errorf("stocktake %d seen: %w", st.ID, err)
	}
	if err := db.conn(ctx).Model(&stocktakeSeenRow{}).Where("stocktake_id = ?", st.ID).Count(&all).Error; err != nil {
		return c, fmt.Errorf("stocktake %d seen: %w", st.ID, err)
	}
	return domain.StocktakeCount{Seen: int(seen), Ledger: int(ledger), Unexpected: int(all - seen)}, nil
}

// ConfirmSeen implements domain.StocktakeService.
func (db *DB) ConfirmSeen(ctx context.Context, by int64, ref string) (*domain.StocktakeSeen, error) {
	var out *domain.StocktakeSeen
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, domain.MayCountStock)
		if err != nil {
			return err
		}
		now := db.now()
		// Take the stocktake's row first: confirmations queue here, and a
		// closing in progress is waited for (then this finds none open).
		lock := db.conn(ctx).Model(&stocktakeRow{}).Where("store_id = ? AND closed_at IS NULL", actor.StoreID).
			Update("last_seen_at", now)
		if lock.Error != nil {
			return fmt.Errorf("stocktake of store %d: %w", actor.StoreID, lock.Error)
		}
		if lock.RowsAffected == 0 {
			return errStocktakeNone()
		}
		st, err := db.openStocktake(ctx, actor.StoreID)
		if err != nil {
			return err
		}
		vin, car, err := db.stocktakeVIN(ctx, actor.StoreID, ref)
		if err != nil {
			return err
		}
		row := stocktakeSeenRow{StocktakeID: st.ID, StoreID: actor.StoreID, VIN: vin, ByStaff: actor.ID, At: now}
		if car != nil {
			row.VehicleID = &car.ID
		}
		ins := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if ins.Error != nil {
			return fmt.Errorf("stocktake %d seen %s: %w", st.ID, vin, ins.Error)
		}
		count, err := db.stocktakeCount(ctx, st)
		if err != nil {
			return err
		}
		out = &domain.StocktakeSeen{Stocktake: st.stocktake(), VIN: vin, Again: ins.RowsAffected == 0, Count: count}
		if car != nil {
			v := car.vehicle()
			out.Vehicle = &v
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "confirm %q by %d", ref, by)
	}
	return out, nil
}

// stocktakeVIN reads a typed VIN at a stocktake: the last six characters
// of a car in the store's ledger, or a full VIN, which may be in no
// ledger (an unexpected car; car is then nil).
func (db *DB) stocktakeVIN(ctx context.Context, store int64, ref string) (string, *vehicleRow, error) {
	row, err := db.findVehicle(ctx, store, ref)
	if err == nil {
		return row.VIN, row, nil
	}
	if domain.ErrorCode(err) != domain.ENOTFOUND || len(strings.Join(strings.Fields(ref), "")) == domain.VINSuffixLen {
		return "", nil, err
	}
	vin, err := domain.CheckVIN(ref)
	return vin, nil, err
}

// CloseStocktake implements domain.StocktakeService.
func (db *DB) CloseStocktake(ctx context.Context, by int64) (*domain.StocktakeResult, error) {
	var out *domain.StocktakeResult
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, domain.MayRunStocktake)
		if err != nil {
			return err
		}
		now := db.now()
		// The same row the confirmations update: those in flight finish
		// first and are counted; later ones find the stocktake closed.
		open, err := db.openStocktake(ctx, actor.StoreID)
		if err != nil {
			return err
		}
		upd := db.conn(ctx).Model(&stocktakeRow{}).Where("id = ? AND closed_at IS NULL", open.ID).
			Updates(map[string]any{"closed_at": now, "closed_by": actor.ID})
		if upd.Error != nil {
			return fmt.Errorf("close stocktake: %w", upd.Error)
		}
		if upd.RowsAffected == 0 {
			return errStocktakeNone()
		}
		st := *open
		st.ClosedAt, st.ClosedBy = &now, &actor.ID
		var expected []vehicleRow
		if err := db.conn(ctx).Select("id", "vin").Where("store_id = ? AND state IN ?", actor.StoreID, stocktakeStates()).
			Order("vin").Find(&expected).Error; err != nil {
			return fmt.Errorf("stocktake %d ledger: %w", st.ID, err)
		}
		var seen []stocktakeSeenRow
		if err := db.conn(ctx).Where("stocktake_id = ?", st.ID).Order("vin").Find(&seen).Error; err != nil {
			return fmt.Errorf("stocktake %d seen: %w", st.ID, err)
		}
		ledger := make([]string, len(expected))
		ids := map[string]int64{}
		for i, v := range expected {
			ledger[i], ids[v.VIN] = v.VIN, v.ID
		}
		seenVINs := make([]string, len(seen))
		for i, s := range seen {
			seenVINs[i] = s.VIN
		}
		diff, err := domain.Stocktake(ledger, seenVINs)
		if err != nil {
			return err
		}
		var exc []stocktakeExceptionRow
		for _, v := range diff.Missing {
			id := ids[v]
			exc = append(exc, stocktakeExceptionRow{StocktakeID: st.ID, StoreID: actor.StoreID, Kind: string(domain.ExceptionMissing), VIN: v, VehicleID: &id})
		}
		bySeen := map[string]*int64{}
		for _, s := range seen {
			bySeen[s.VIN] = s.VehicleID
		}
		for _, v := range diff.Unexpected {
			exc = append(exc, stocktakeExceptionRow{StocktakeID: st.ID, StoreID: actor.StoreID, Kind: string(domain.ExceptionUnexpected), VIN: v, VehicleID: bySeen[v]})
		}
		if len(exc) > 0 {
			if err := db.conn(ctx).CreateInBatches(exc, vinBatch/2).Error; err != nil {
				return fmt.Errorf("stocktake %d exceptions: %w", st.ID, err)
			}
		}
		out, err = db.stocktakeResult(ctx, &st)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "close stocktake by %d", by)
	}
	return out, nil
}

// stocktakeResult reads a closed stocktake back: the cars seen, the
// exceptions, and the names of the people in them. What the ledger
// expected is what was seen of it plus the missing exceptions, as they
// stood at the closing.
func (db *DB) stocktakeResult(ctx context.Context, st *stocktakeRow) (*domain.StocktakeResult, error) {
	res := &domain.StocktakeResult{Stocktake: st.stocktake(), Names: map[int64]string{}}
	var exc []stocktakeExceptionRow
	if err := db.conn(ctx).Where("stocktake_id = ?", st.ID).Order("id").Find(&exc).Error; err != nil {
		return nil, fmt.Errorf("stocktake %d exceptions: %w", st.ID, err)
	}
	var seen []stocktakeSeenRow
	if err := db.conn(ctx).Where("stocktake_id = ?", st.ID).Order("vin").Find(&seen).Error; err != nil {
		return nil, fmt.Errorf("stocktake %d seen: %w", st.ID, err)
	}
	var vids []int64
	for _, s := range seen {
		if s.VehicleID != nil {
			vids = append(vids, *s.VehicleID)
		}
	}
	for _, e := range exc {
		if e.VehicleID != nil {
			vids = append(vids, *e.VehicleID)
		}
	}
	cars := map[int64]vehicleRow{}
	for i := 0; i < len(vids); i += vinBatch {
		var rows []vehicleRow
		if err := db.conn(ctx).Where("id IN ? AND store_id = ?", vids[i:min(i+vinBatch, len(vids))], st.StoreID).
			Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("stocktake %d cars: %w", st.ID, err)
		}
		for _, r := range rows {
			cars[r.ID] = r
		}
	}
	people := []int64{st.OpenedBy}
	if st.ClosedBy != nil {
		people = append(people, *st.ClosedBy)
	}
	unexpected := map[string]bool{}
	for _, e := range exc {
		x := domain.StocktakeException{ID: e.ID, StocktakeID: e.StocktakeID, StoreID: e.StoreID, Kind: domain.ExceptionKind(e.Kind),
			VIN: e.VIN, Reason: e.Reason}
		if e.VehicleID != nil {
			if car, ok := cars[*e.VehicleID]; ok {
				x.Model, x.State = car.Model, domain.VehicleState(car.State)
			}
		}
		if e.ClearedAt != nil {
			x.ClearedAt = utc(*e.ClearedAt)
		}
		if e.ClearedBy != nil {
			x.ClearedBy = *e.ClearedBy
			people = append(people, x.ClearedBy)
		}
		res.Exceptions = append(res.Exceptions, x)
		switch x.Kind {
		case domain.ExceptionUnexpected:
			unexpected[e.VIN] = true
			res.Count.Unexpected++
		case domain.ExceptionMissing:
			res.Count.Ledger++
		}
	}
	line := func(vin string, vid *int64) domain.StocktakeLine {
		l := domain.StocktakeLine{VIN: vin}
		if vid != nil {
			if car, ok := cars[*vid]; ok {
				l.Model, l.Trim, l.Colour, l.State = car.Model, car.Trim, car.Colour, domain.VehicleState(car.State)
			}
		}
		return l
	}
	var extra []domain.StocktakeLine
	for _, s := range seen {
		l := line(s.VIN, s.VehicleID)
		l.SeenAt = utc(s.At)
		people = append(people, s.ByStaff)
		if unexpected[s.VIN] {
			extra = append(extra, l)
			continue
		}
		l.Expected = true
		res.Count.Seen++
		res.Count.Ledger++
		res.Lines = append(res.Lines, l)
	}
	for _, e := range exc {
		if e.Kind == string(domain.ExceptionMissing) {
			l := line(e.VIN, e.VehicleID)
			l.Expected = true
			res.Lines = append(res.Lines, l)
		}
	}
	sort.SliceStable(res.Lines, func(i, j int) bool { return res.Lines[i].VIN < res.Lines[j].VIN })
	res.Lines = append(res.Lines, extra...)
	names, err := db.staffNames(ctx, people)
	if err != nil {
		return nil, err
	}
	res.Names = names
	by := map[string]int64{}
	for _, s := range seen {
		by[s.VIN] = s.ByStaff
	}
	for i := range res.Lines {
		if id, ok := by[res.Lines[i].VIN]; ok {
			res.Lines[i].SeenBy = names[id]
			if res.Lines[i].SeenBy == "" {
				res.Lines[i].SeenBy = fmt.Sprintf("#%d", id)
			}
		}
	}
	return res, nil
}

// staffNames reads the names of people by id.
func (db *DB) staffNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	uniq := map[int64]bool{}
	var list []int64
	for _, id := range ids {
		if !uniq[id] {
			uniq[id] = true
			list = append(list, id)
		}
	}
	for i := 0; i < len(list); i += vinBatch {
		var rows []staffRow
		if err := db.conn(ctx).Select("id", "name").Where("id IN ?", list[i:min(i+vinBatch, len(list))]).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("staff names: %w", err)
		}
		for _, r := range rows {
			out[r.ID] = r.Name
		}
	}
	return out, nil
}

// ClearException implements domain.StocktakeService.
func (db *DB) ClearException(ctx context.Context, by, id int64, reason string) (*domain.ExceptionCleared, error) {
	var out *domain.ExceptionCleared
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, domain.MayRunStocktake)
		if err != nil {
			return err
		}
		var row stocktakeExceptionRow
		q := db.conn(ctx).Where("id = ? AND store_id = ?", id, actor.StoreID).Limit(1).Find(&row)
		if q.Error != nil {
			return fmt.Errorf("exception %d: %w", id, q.Error)
		}
		if q.RowsAffected == 0 {
			return domain.Errorkf(domain.ENOTFOUND, "err.stocktake_exception_unknown", []any{id}, "no stocktake exception %d", id)
		}
		if reason, err = domain.CheckClearReason(reason); err != nil {
			return err
		}
		now := db.now()
		upd := db.conn(ctx).Model(&stocktakeExceptionRow{}).Where("id = ? AND cleared_at IS NULL", row.ID).
			Updates(map[string]any{"cleared_at": now, "cleared_by": actor.ID, "reason": reason})
		if upd.Error != nil {
			return fmt.Errorf("clear exception %d: %w", id, upd.Error)
		}
		if upd.RowsAffected == 0 {
			return domain.Errorkf(domain.ECONFLICT, "err.stocktake_cleared", []any{id, row.VIN}, "exception %d is already cleared", id)
		}
		var remaining int64
		if err := db.conn(ctx).Model(&stocktakeExceptionRow{}).Where("stocktake_id = ? AND cleared_at IS NULL", row.StocktakeID).
			Count(&remaining).Error; err != nil {
			return fmt.Errorf("exceptions left: %w", err)
		}
		row.ClearedAt, row.ClearedBy, row.Reason = &now, &actor.ID, reason
		out = &domain.ExceptionCleared{Remaining: int(remaining), Exception: domain.StocktakeException{ID: row.ID,
			StocktakeID: row.StocktakeID, StoreID: row.StoreID, Kind: domain.ExceptionKind(row.Kind), VIN: row.VIN,
			ClearedBy: actor.ID, ClearedAt: now, Reason: reason}}
		if remaining == 0 {
			var st stocktakeRow
			if err := db.conn(ctx).Where("id = ?", row.StocktakeID).Take(&st).Error; err != nil {
				return fmt.Errorf("stocktake %d: %w", row.StocktakeID, err)
			}
			if out.Result, err = db.stocktakeResult(ctx, &st); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "clear exception %d by %d", id, by)
	}
	return out, nil
}

// LastStocktake implements domain.StocktakeService.
func (db *DB) LastStocktake(ctx context.Context, by int64) (*domain.StocktakeResult, error) {
	var out *domain.StocktakeResult
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, domain.MayRunStocktake)
		if err != nil {
			return err
		}
		var st stocktakeRow
		q := db.conn(ctx).Where("store_id = ? AND closed_at IS NOT NULL", actor.StoreID).Order("closed_at DESC, id DESC").Limit(1).Find(&st)
		if q.Error != nil {
			return fmt.Errorf("last stocktake: %w", q.Error)
		}
		if q.RowsAffected == 0 {
			return domain.Errorkf(domain.ENOTFOUND, "err.stocktake_none_closed", nil, "no stocktake was closed yet")
		}
		out, err = db.stocktakeResult(ctx, &st)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "last stocktake for %d", by)
	}
	return out, nil
}

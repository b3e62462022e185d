package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/dealerbot/dealerbot/domain"
)

// A car's state changes (R3.1): one tap on the card, or the arrival
// inspection; each with who and when in vehicle_events.

// MoveVehicle implements domain.VehicleService.
func (db *DB) MoveVehicle(ctx context.Context, by, id int64, m domain.VehicleMove) (*domain.VehicleMoved, error) {
	var out *domain.VehicleMoved
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.actor(ctx, by)
		if err != nil {
			return err
		}
		row, err := db.vehicleByID(ctx, actor.StoreID, id)
		if err != nil {
			return err
		}
		from := domain.VehicleState(row.State)
		if domain.AllocationMove(from, m.To) {
			return domain.Errorkf(domain.EINVALID, "err.vehicle_allocation_move", []any{string(from), string(m.To)},
				"car %d: %s → %s is the allocation's (R4.3), not the card's", id, from, m.To)
		}
		if !domain.MayMoveVehicle(actor, from, m.To) {
			return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d may not move car %d to %s", by, id, m.To)
		}
		now := db.now()
		facts := domain.TransitionFacts{Now: now, ReservedUntil: m.ReservedUntil, Released: true}
		if m.To != domain.VehicleReserved && row.ReservedUntil != nil {
			facts.ReservedUntil = utc(*row.ReservedUntil)
		}
		if err := domain.Transition(from, m.To, facts); err != nil {
			return err
		}
		set := map[string]any{"state": string(m.To), "updated_at": now}
		switch {
		case m.To == domain.VehicleArrived:
			set["arrived_at"] = now
		case m.To == domain.VehicleReserved:
			set["reserved_until"] = dbTime(m.ReservedUntil)
			set["reserved_by"] = actor.ID
		case from == domain.VehicleReserved && m.To == domain.VehicleInStock:
			set["reserved_until"] = nil
			set["reserved_by"] = 0
		}
		ev, err := db.moveVehicle(ctx, actor, row, m.To, set, m.Note)
		if err != nil {
			return err
		}
		if row, err = db.vehicleByID(ctx, actor.StoreID, id); err != nil {
			return err
		}
		out = &domain.VehicleMoved{Event: ev}
		if m.To == domain.VehicleInStock {
			// Back in stock: the first order in line gets it (R4.3).
			if out.Allocated, err = db.allocateArrival(ctx, row); err != nil {
				return err
			}
		}
		out.Vehicle = row.vehicle()
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "move vehicle %d by %d", id, by)
	}
	return out, nil
}

// moveVehicle writes a state change if the car is still in the state it
// was read in (a second tap on the same button finds it moved:
// err.vehicle_move), and its event.
func (db *DB) moveVehicle(ctx context.Context, actor *domain.Staff, row *vehicleRow, to domain.VehicleState, set map[string]any, note string) (domain.VehicleEvent, error) {
	res := db.conn(ctx).Model(&vehicleRow{}).Where("id = ? AND state = ?", row.ID, row.State).Updates(set)
	if res.Error != nil {
		return domain.VehicleEvent{}, fmt.Errorf("move vehicle %d: %w", row.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.VehicleEvent{}, domain.Errorkf(domain.EINVALID, "err.vehicle_move", []any{row.State, string(to)}, "car %d moved meanwhile", row.ID)
	}
	return db.vehicleEvent(ctx, row, to, actor.ID, db.now(), note)
}

// vehicleEvent records a state change of row's car by staff id by at at.
func (db *DB) vehicleEvent(ctx context.Context, row *vehicleRow, to domain.VehicleState, by int64, at time.Time, note string) (domain.VehicleEvent, error) {
	ev := vehicleEventRow{VehicleID: row.ID, StoreID: row.StoreID, FromState: row.State, ToState: string(to),
		ByStaff: by, At: dbTime(at), Note: note}
	if err := db.conn(ctx).Create(&ev).Error; err != nil {
		return domain.VehicleEvent{}, fmt.Errorf("vehicle %d event: %w", row.ID, err)
	}
	return ev.event(), nil
}

// sameNumber compares an engine or certificate number as read off the car
// with the papers': case and spaces do not count.
func sameNumber(a, b string) bool {
	norm := func(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), "")) }
	return norm(a) == norm(b)
}

// RecordPDI implements domain.VehicleService.
func (db *DB) RecordPDI(ctx context.Context, by int64, ref string, checks []domain.PDICheck, confirm domain.PDIConfirm) (*domain.PDIRecorded, error) {
	var out *domain.PDIRecorded
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, domain.MayKeepStock)
		if err != nil {
			return err
		}
		row, err := db.findVehicle(ctx, actor.StoreID, ref)
		if err != nil {
			return err
		}
		if row.State != string(domain.VehicleArrived) {
			return domain.Errorkf(domain.EINVALID, "err.vehicle_move", []any{row.State, string(domain.VehicleInStock)},
				"car %s is %s, not arrived", row.VIN, row.State)
		}
		rules := db.Stores.Of(row.StoreID).Rules.Vehicles
		res, err := domain.EvaluatePDI(rules.PDIItems, checks)
		if err != nil {
			return err
		}
		now := db.now()
		set := map[string]any{"state": string(domain.VehicleInStock), "in_stock_at": now, "updated_at": now}
		if res.Passed {
			// The ledger's numbers come from the maker's papers; one the list
			// lacked takes what the inspector confirmed.
			engine, cert := row.EngineNo, row.CertificateNo
			if engine == "" && strings.TrimSpace(confirm.EngineNo) != "" {
				engine = strings.TrimSpace(confirm.EngineNo)
				set["engine_no"] = engine
			}
			if cert == "" && strings.TrimSpace(confirm.CertificateNo) != "" {
				cert = strings.TrimSpace(confirm.CertificateNo)
				set["certificate_no"] = cert
			}
			facts := domain.TransitionFacts{Now: now, PDIPassed: true, VINMatches: true,
				EngineMatches:      engine != "" && sameNumber(engine, confirm.EngineNo),
				CertificateMatches: cert != "" && sameNumber(cert, confirm.CertificateNo)}
			if err := domain.Transition(domain.VehicleArrived, domain.VehicleInStock, facts); err != nil {
				return err
			}
		}
		checksJSON, err := json.Marshal(checks)
		if err != nil {
			return err
		}
		defects := ""
		if len(res.Defects) > 0 {
			d, err := json.Marshal(res.Defects)
			if err != nil {
				return err
			}
			defects = string(d)
		}
		p := vehiclePDIRow{VehicleID: row.ID, StoreID: row.StoreID, Checks: string(checksJSON), Passed: res.Passed,
			Defects: defects, ByStaff: actor.ID, At: now}
		if err := db.conn(ctx).Create(&p).Error; err != nil {
			return fmt.Errorf("record pdi of %d: %w", row.ID, err)
		}
		pdi, err := p.pdi()
		if err != nil {
			return err
		}
		out = &domain.PDIRecorded{PDI: *pdi}
		if res.Passed {
			if _, err := db.moveVehicle(ctx, actor, row, domain.VehicleInStock, set, "pdi"); err != nil {
				return err
			}
			if row, err = db.vehicleByID(ctx, actor.StoreID, row.ID); err != nil {
				return err
			}
			// In stock: the first order in line gets it (R4.3).
			if out.Allocated, err = db.allocateArrival(ctx, row); err != nil {
				return err
			}
		} else {
			managers, err := db.storeStaffWithRole(ctx, row.StoreID, domain.RoleManager)
			if err != nil {
				return err
			}
			for _, m := range managers {
				if t := domain.Tellable(m, actor.ID); t != nil {
					out.Managers = append(out.Managers, t)
				}
			}
		}
		out.Vehicle = row.vehicle()
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "pdi %q by %d", ref, by)
	}
	return out, nil
}

// storeStaffWithRole is the store's active members holding r (not the
// group roles, which act as r only in the store they chose).
func (db *DB) storeStaffWithRole(ctx context.Context, store int64, r domain.Role) ([]*domain.Staff, error) {
	return db.listStaff(db.conn(ctx).Where("active AND store_id = ? AND roles LIKE ?", store, "%,"+string(r)+",%"))
}

// stockStates count as stock for sale and age (domain.AgeStock).
var stockStates = []string{string(domain.VehicleInStock), string(domain.VehicleReserved)}

// Stock implements domain.VehicleService. The groups and the counts come
// from vehicle_stock, which the migration's triggers keep with every change
// to a car (a few hundred rows for a store, whatever its number of cars);
// the first cars to sell from an arrival-ordered walk of
// vehicles_store_fifo that stops at the limit.
func (db *DB) Stock(ctx context.Context, by int64, model string, limit int) (*domain.StockReport, error) {
	var out *domain.StockReport
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, mayViewStock)
		if err != nil {
			return err
		}
		st := db.Stores.Of(actor.StoreID)
		now := db.now()
		model = strings.TrimSpace(model)
		filter := func(q *gorm.DB) *gorm.DB {
			q = q.Where("store_id = ?", actor.StoreID)
			if model != "" {
				q = q.Where("model LIKE ? ESCAPE '\\'", "%"+escapeLike(model)+"%")
			}
			return q
		}
		var groups []vehicleStockRow
		if err := filter(db.conn(ctx).Model(&vehicleStockRow{})).Where("cars > 0").Find(&groups).Error; err != nil {
			return fmt.Errorf("stock groups: %w", err)
		}
		out = &domain.StockReport{}
		byKey := map[[3]string]*domain.StockGroup{}
		var keys [][3]string
		for _, g := range groups {
			switch domain.VehicleState(g.State) {
			case domain.VehicleInTransit:
				out.InTransit += g.Cars
				continue
			case domain.VehicleArrived:
				out.Arrived += g.Cars
				continue
			case domain.VehicleInStock, domain.VehicleReserved, domain.VehicleAllocated:
			default:
				continue
			}
			k := [3]string{g.Model, g.Trim, g.Colour}
			sg := byKey[k]
			if sg == nil {
				sg = &domain.StockGroup{Model: g.Model, Trim: g.Trim, Colour: g.Colour}
				byKey[k] = sg
				keys = append(keys, k)
			}
			switch domain.VehicleState(g.State) {
			case domain.VehicleReserved:
				sg.Reserved += g.Cars
			case domain.VehicleAllocated:
				sg.Allocated += g.Cars
				continue // held for an order: not the group's age as stock for sale
			default:
				sg.InStock += g.Cars
			}
			if g.Oldest != nil && (sg.Oldest.IsZero() || g.Oldest.Before(sg.Oldest)) {
				sg.Oldest = utc(*g.Oldest)
			}
		}
		for _, k := range keys {
			sg := byKey[k]
			if !sg.Oldest.IsZero() { // zero: every car of the group is allocated
				sg.OldestDays = domain.DaysInStock(sg.Oldest, now, st.Calendar.Location)
			}
			out.Groups = append(out.Groups, *sg)
		}
		domain.SortStockGroups(out.Groups)
		var rows []vehicleRow
		if err := filter(db.conn(ctx).Model(&vehicleRow{})).Where("state IN ? AND arrived_at IS NOT NULL", stockStates).
			Order("arrived_at, vin").Limit(limit).Find(&rows).Error; err != nil {
			return fmt.Errorf("stock cars: %w", err)
		}
		cars := make([]domain.Vehicle, len(rows))
		for i := range rows {
			cars[i] = rows[i].vehicle()
		}
		out.Cars = domain.AgeStock(cars, now, st.Calendar.Location, st.Rules.Vehicles)
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "stock for %d", by)
	}
	return out, nil
}

// vehicleStockRow is a row of vehicle_stock: the cars of a store in one
// state, model, trim and colour, and the earliest arrival among them.
type vehicleStockRow struct {
	StoreID                    int64
	State, Model, Trim, Colour string
	Cars                       int
	Oldest                     *time.Time
}

// TableName implements gorm's schema.Tabler.
func (vehicleStockRow) TableName() string { return "vehicle_stock" }

// StockAging implements domain.VehicleService.
func (db *DB) StockAging(ctx context.Context, store int64, now time.Time) ([]domain.StockAging, error) {
	st := db.Stores.Of(store)
	// A day of slack: the classes count calendar days in the store's zone.
	cutoff := dbTime(now.AddDate(0, 0, -st.Rules.Vehicles.StockAlertDays+1))
	var rows []vehicleRow
	if err := db.conn(ctx).Where("store_id = ? AND arrived_at < ? AND state IN ?", store, cutoff, stockStates).
		Order("arrived_at, vin").Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("stock aging of store %d: %w", store, err))
	}
	cars := make([]domain.Vehicle, len(rows))
	for i := range rows {
		cars[i] = rows[i].vehicle()
	}
	var out []domain.StockAging
	for _, a := range domain.AgeStock(cars, now, st.Calendar.Location, st.Rules.Vehicles) {
		if a.Class != domain.StockAgeOK {
			out = append(out, a)
		}
	}
	return out, nil
}

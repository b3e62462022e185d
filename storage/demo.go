package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// storage keeps the demo fleet (R3.4, R3.6): chat and the upkeep job call it.
var _ domain.DemoFleetService = (*DB)(nil)

// demoCarRow is a row of demo_cars: a car of vehicles in the fleet.
type demoCarRow struct {
	VehicleID    int64 `gorm:"primaryKey;autoIncrement:false"`
	StoreID      int64
	KeeperID     int64
	InsuranceDue *time.Time
	ServiceDue   *time.Time
	Km           int
	Since        time.Time
	CreatedBy    int64
}

// TableName implements gorm's schema.Tabler.
func (demoCarRow) TableName() string { return "demo_cars" }

// demoUseRow is a row of demo_uses.
type demoUseRow struct {
	ID          int64 `gorm:"primaryKey"`
	StoreID     int64
	VehicleID   int64
	RequesterID int64
	Reason      string
	Status      string
	DeciderID   *int64
	DecidedAt   *time.Time
	CreatedAt   time.Time
}

// TableName implements gorm's schema.Tabler.
func (demoUseRow) TableName() string { return "demo_uses" }

func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return utc(*t)
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := dbTime(t)
	return &u
}

// demoFleetCar loads a demo car's keeper and works out what is due at now.
func (db *DB) demoFleetCar(ctx context.Context, v *vehicleRow, d *demoCarRow, now time.Time) (*domain.DemoFleetCar, error) {
	c := domain.DemoCar{Vehicle: v.vehicle(), InFleetSince: utc(d.Since), Km: d.Km,
		InsuranceDue: timeOrZero(d.InsuranceDue), ServiceDue: timeOrZero(d.ServiceDue)}
	keeper, err := db.StaffByID(ctx, d.KeeperID)
	if err != nil {
		return nil, fmt.Errorf("demo car %d keeper: %w", v.ID, err)
	}
	st := db.Stores.Of(v.StoreID)
	loc, rules := st.Calendar.Location, st.Rules.Vehicles
	return &domain.DemoFleetCar{Car: c, StoreID: v.StoreID, Keeper: keeper,
		Upkeep: domain.DemoUpkeep(c, now, loc, rules), Retirement: domain.ProposeRetirement(c, now, loc, rules)}, nil
}

// demoCar loads the fleet record of a car of the store.
func (db *DB) demoCar(ctx context.Context, store, vehicleID int64) (*demoCarRow, error) {
	var d demoCarRow
	q := db.conn(ctx).Where("vehicle_id = ? AND store_id = ?", vehicleID, store).Limit(1).Find(&d)
	if q.Error != nil {
		return nil, q.Error
	}
	if q.RowsAffected == 0 {
		return nil, errVehicleNotFound(fmt.Sprintf("#%d", vehicleID))
	}
	return &d, nil
}

// MoveToDemo implements domain.DemoFleetService.
func (db *DB) MoveToDemo(ctx context.Context, by int64, d domain.DemoDraft) (*domain.DemoFleetCar, error) {
	var out *domain.DemoFleetCar
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, func(s *domain.Staff) bool { return s.Roles.HasAny(domain.DemoFleetManagers...) })
		if err != nil {
			return err
		}
		row, err := db.findVehicle(ctx, actor.StoreID, d.Car)
		if err != nil {
			return err
		}
		keeper, err := db.StaffByName(ctx, actor.StoreID, d.Keeper)
		if err != nil {
			return err
		}
		now := db.now()
		if err := domain.Transition(domain.VehicleState(row.State), domain.VehicleDemo, domain.TransitionFacts{Now: now, Keeper: keeper.ID}); err != nil {
			return err
		}
		if d.Km < 0 {
			return domain.Errorkf(domain.EINVALID, "err.km_bad", []any{fmt.Sprint(d.Km)}, "negative mileage")
		}
		if _, err := db.moveVehicle(ctx, actor, row, domain.VehicleDemo,
			map[string]any{"state": string(domain.VehicleDemo), "updated_at": now}, "demo: "+keeper.Name); err != nil {
			return err
		}
		dc := demoCarRow{VehicleID: row.ID, StoreID: row.StoreID, KeeperID: keeper.ID, Km: d.Km, Since: dbTime(now),
			InsuranceDue: timeOrNil(d.InsuranceDue), ServiceDue: timeOrNil(d.ServiceDue), CreatedBy: actor.ID}
		if err := db.conn(ctx).Create(&dc).Error; err != nil {
			return fmt.Errorf("demo car %d: %w", row.ID, err)
		}
		row.State = string(domain.VehicleDemo)
		out, err = db.demoFleetCar(ctx, row, &dc, now)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "move %q to the demo fleet by %d", d.Car, by)
	}
	return out, nil
}

// demoFleet lists a store's demo cars (state demo), keepers and dues at now.
func (db *DB) demoFleet(ctx context.Context, store int64, now time.Time) ([]domain.DemoFleetCar, error) {
	var rows []demoCarRow
	if err := db.conn(ctx).Where("store_id = ?", store).Order("since, vehicle_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("demo fleet: %w", err)
	}
	var out []domain.DemoFleetCar
	for i := range rows {
		v, err := db.vehicleByID(ctx, store, rows[i].VehicleID)
		if err != nil {
			return nil, err
		}
		if v.State != string(domain.VehicleDemo) {
			continue
		}
		c, err := db.demoFleetCar(ctx, v, &rows[i], now)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}

// DemoFleet implements domain.DemoFleetService.
func (db *DB) DemoFleet(ctx context.Context, by int64) ([]domain.DemoFleetCar, error) {
	var out []domain.DemoFleetCar
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, func(s *domain.Staff) bool { return s.Roles.HasAny(domain.DemoFleetViewers...) })
		if err != nil {
			return err
		}
		out, err = db.demoFleet(ctx, actor.StoreID, db.now())
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "demo fleet for %d", by)
	}
	return out, nil
}

// demoUseRequest loads a request of the store with its car and requester.
func (db *DB) demoUseRequest(ctx context.Context, store, id int64) (*domain.DemoUseRequest, error) {
	var row demoUseRow
	q := db.conn(ctx).Clauses(forUpdate).Where("id = ? AND store_id = ?", id, store).Limit(1).Find(&row)
	if q.Error != nil {
		return nil, q.Error
	}
	if q.RowsAffected == 0 {
		return nil, domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "no demo use request %d", id)
	}
	v, err := db.vehicleByID(ctx, store, row.VehicleID)
	if err != nil {
		return nil, err
	}
	req, err := db.StaffByID(ctx, row.RequesterID)
	if err != nil {
		return nil, err
	}
	r := &domain.DemoUseRequest{Approval: domain.Approval{Kind: domain.ApprovalDemoUse, ID: row.ID, Requester: req},
		StoreID: row.StoreID, Vehicle: v.vehicle(), Reason: row.Reason, At: utc(row.CreatedAt)}
	if row.Status != "pending" && row.DeciderID != nil {
		r.Decision = &domain.Decision{DeciderID: *row.DeciderID, At: timeOrZero(row.DecidedAt), Verdict: domain.Verdict(row.Status)}
	}
	return r, nil
}

// RequestDemoUse implements domain.DemoFleetService.
func (db *DB) RequestDemoUse(ctx context.Context, by int64, car, reason string) (*domain.DemoUseRequested, error) {
	var out *domain.DemoUseRequested
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, func(s *domain.Staff) bool { return s.Roles.HasAny(domain.DemoFleetViewers...) })
		if err != nil {
			return err
		}
		row, err := db.findVehicle(ctx, actor.StoreID, car)
		if err != nil {
			return err
		}
		v := row.vehicle()
		if err := domain.CheckDemoUse(v, domain.DemoUseOther, true); err != nil {
			return err
		}
		reason = strings.TrimSpace(reason)
		if reason == "" {
			return domain.Errorkf(domain.EINVALID, "err.note_empty", nil, "a demo use needs a reason")
		}
		if err := domain.ValidFollowUpNote(reason); err != nil {
			return err
		}
		u := demoUseRow{StoreID: actor.StoreID, VehicleID: row.ID, RequesterID: actor.ID, Reason: reason, Status: "pending", CreatedAt: db.now()}
		if err := db.conn(ctx).Create(&u).Error; err != nil {
			return fmt.Errorf("demo use: %w", err)
		}
		managers, err := db.storeStaffWithRole(ctx, actor.StoreID, domain.RoleManager)
		if err != nil {
			return err
		}
		var approvers []*domain.Staff
		for _, m := range managers {
			if m.ID != actor.ID {
				approvers = append(approvers, m)
			}
		}
		out = &domain.DemoUseRequested{Approvers: approvers, Request: &domain.DemoUseRequest{
			Approval: domain.Approval{Kind: domain.ApprovalDemoUse, ID: u.ID, Requester: actor},
			StoreID:  actor.StoreID, Vehicle: v, Reason: reason, At: utc(u.CreatedAt)}}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "demo use %q by %d", car, by)
	}
	return out, nil
}

// DecideDemoUse implements domain.DemoFleetService.
func (db *DB) DecideDemoUse(ctx context.Context, by, id int64, verdict domain.Verdict) (*domain.DemoUseDecided, error) {
	var out *domain.DemoUseDecided
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.actor(ctx, by)
		if err != nil {
			return err
		}
		r, err := db.demoUseRequest(ctx, actor.StoreID, id)
		if err != nil {
			return err
		}
		decider, err := db.checkDecider(ctx, &r.Approval, by)
		if err != nil {
			return err
		}
		now := db.now()
		if err := r.Decide(domain.Decision{DeciderID: decider.ID, At: now, Verdict: verdict}); err != nil {
			return err
		}
		res := db.conn(ctx).Model(&demoUseRow{}).Where("id = ? AND status = 'pending'", id).
			Updates(map[string]any{"status": string(verdict), "decider_id": decider.ID, "decided_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.AlreadyDecided(domain.ApprovalDemoUse, id)
		}
		managers, err := db.storeStaffWithRole(ctx, r.StoreID, domain.RoleManager)
		if err != nil {
			return err
		}
		var approvers []*domain.Staff
		for _, m := range managers {
			if m.ID != r.Requester.ID {
				approvers = append(approvers, m)
			}
		}
		out = &domain.DemoUseDecided{Request: r, Decider: decider, Approvers: approvers}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "decide demo use %d by %d", id, by)
	}
	return out, nil
}

// DemoUpkeep implements domain.DemoFleetService.
func (db *DB) DemoUpkeep(ctx context.Context, store int64, now time.Time) ([]domain.DemoUpkeepNotice, error) {
	var out []domain.DemoUpkeepNotice
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := db.knownStore(store); err != nil {
			return err
		}
		fleet, err := db.demoFleet(ctx, store, now)
		if err != nil {
			return err
		}
		managers, err := db.storeStaffWithRole(ctx, store, domain.RoleManager)
		if err != nil {
			return err
		}
		day := now.In(db.Stores.Of(store).Calendar.Location).Format(domain.DateLayout)
		for _, c := range fleet {
			if len(c.Upkeep) == 0 && !c.Retirement.Due {
				continue
			}
			to := []*domain.Staff{c.Keeper}
			for _, m := range managers {
				if m.ID != c.Keeper.ID {
					to = append(to, m)
				}
			}
			out = append(out, domain.DemoUpkeepNotice{Car: c, Day: day, Recipients: to})
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "demo upkeep of store %d", store)
	}
	return out, nil
}

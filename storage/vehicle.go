package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// storage implements the stock ledger (R3.1, R3.2): chat and the jobs call it.
var _ domain.VehicleService = (*DB)(nil)

// vehicleRow is a row of the vehicles table.
type vehicleRow struct {
	ID            int64 `gorm:"primaryKey"`
	StoreID       int64
	VIN           string `gorm:"column:vin"`
	Model         string
	Trim          string
	Colour        string
	EngineNo      string
	CertificateNo string
	State         string
	ArrivedAt     *time.Time
	InStockAt     *time.Time
	ReservedUntil *time.Time
	ReservedBy    int64
	Location      string
	KeyNo         string
	CreatedBy     int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName implements gorm's schema.Tabler.
func (vehicleRow) TableName() string { return "vehicles" }

func (r *vehicleRow) vehicle() domain.Vehicle {
	v := domain.Vehicle{ID: r.ID, StoreID: r.StoreID, VIN: r.VIN, Model: r.Model, Trim: r.Trim, Colour: r.Colour,
		EngineNo: r.EngineNo, CertificateNo: r.CertificateNo, State: domain.VehicleState(r.State),
		Location: r.Location, KeyNo: r.KeyNo, ReservedBy: r.ReservedBy, CreatedBy: r.CreatedBy, CreatedAt: utc(r.CreatedAt)}
	for _, t := range []struct {
		from *time.Time
		to   *time.Time
	}{{r.ArrivedAt, &v.ArrivedAt}, {r.InStockAt, &v.InStockAt}, {r.ReservedUntil, &v.ReservedUntil}} {
		if t.from != nil {
			*t.to = utc(*t.from)
		}
	}
	return v
}

// vehicleEventRow is a row of vehicle_events.
type vehicleEventRow struct {
	ID        int64 `gorm:"primaryKey"`
	VehicleID int64
	StoreID   int64
	FromState string
	ToState   string
	ByStaff   int64
	At        time.Time
	Note      string
}

// TableName implements gorm's schema.Tabler.
func (vehicleEventRow) TableName() string { return "vehicle_events" }

func (r *vehicleEventRow) event() domain.VehicleEvent {
	return domain.VehicleEvent{ID: r.ID, VehicleID: r.VehicleID, StoreID: r.StoreID, From: domain.VehicleState(r.FromState),
		To: domain.VehicleState(r.ToState), By: r.ByStaff, At: utc(r.At), Note: r.Note}
}

// vehiclePDIRow is a row of vehicle_pdis; checks and defects are JSON
// lists of domain.PDICheck.
type vehiclePDIRow struct {
	ID        int64 `gorm:"primaryKey"`
	VehicleID int64
	StoreID   int64
	Checks    string
	Passed    bool
	Defects   string
	ByStaff   int64
	At        time.Time
}

// TableName implements gorm's schema.Tabler.
func (vehiclePDIRow) TableName() string { return "vehicle_pdis" }

func (r *vehiclePDIRow) pdi() (*domain.VehiclePDI, error) {
	p := &domain.VehiclePDI{ID: r.ID, VehicleID: r.VehicleID, StoreID: r.StoreID, Passed: r.Passed, By: r.ByStaff, At: utc(r.At)}
	if err := json.Unmarshal([]byte(r.Checks), &p.Checks); err != nil {
		return nil, fmt.Errorf("pdi %d checks: %w", r.ID, err)
	}
	if r.Defects != "" {
		if err := json.Unmarshal([]byte(r.Defects), &p.Defects); err != nil {
			return nil, fmt.Errorf("pdi %d defects: %w", r.ID, err)
		}
	}
	return p, nil
}

// vehicleImportRow is a row of vehicle_imports: a checked dispatch list,
// its accepted rows as JSON (a list of domain.DispatchRow).
type vehicleImportRow struct {
	ID         int64 `gorm:"primaryKey"`
	StoreID    int64
	CreatedBy  int64
	FileName   string
	Accepted   string
	Rejected   int
	CreatedAt  time.Time
	ExpiresAt  time.Time
	ImportedAt *time.Time
}

// TableName implements gorm's schema.Tabler.
func (vehicleImportRow) TableName() string { return "vehicle_imports" }

// vinBatch bounds the VINs of one IN list and the rows of one insert.
const vinBatch = 500

// errVehicleNotFound is a car not in the actor's ledger.
func errVehicleNotFound(ref string) error {
	return domain.Errorkf(domain.ENOTFOUND, "err.vehicle_not_found", []any{ref}, "no car %s in the ledger", ref)
}

// stockActor loads the actor and checks that they hold one of roles.
func (db *DB) stockActor(ctx context.Context, by int64, may func(*domain.Staff) bool) (*domain.Staff, error) {
	s, err := db.actor(ctx, by)
	if err != nil {
		return nil, err
	}
	if !may(s) {
		return nil, domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d may not do this to the stock", by)
	}
	return s, nil
}

func mayViewStock(s *domain.Staff) bool { return s.Roles.HasAny(domain.StockViewers...) }

// vinsTaken returns, of vins, those already in the group's ledger, with
// the store that holds each.
func (db *DB) vinsTaken(ctx context.Context, vins []string) (map[string]int64, error) {
	out := map[string]int64{}
	for i := 0; i < len(vins); i += vinBatch {
		var rows []vehicleRow
		if err := db.conn(ctx).Select("vin", "store_id").Where("vin IN ?", vins[i:min(i+vinBatch, len(vins))]).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("vins taken: %w", err)
		}
		for _, r := range rows {
			out[r.VIN] = r.StoreID
		}
	}
	return out, nil
}

// vinTakenError says a VIN is in the ledger: this store's (its card is a
// tap away), or another store's of the group, not named (a VIN is unique
// across the group; R3.1).
func vinTakenError(vin string, holder, store int64) *domain.Error {
	if holder == store {
		return domain.Errorkf(domain.ECONFLICT, "err.vin_taken", []any{vin}, "VIN %s is already in the ledger", vin)
	}
	return domain.Errorkf(domain.ECONFLICT, "err.vin_other_store", []any{vin}, "VIN %s is in another store's ledger", vin)
}

// PreviewImport implements domain.VehicleService.
func (db *DB) PreviewImport(ctx context.Context, by int64, fileName string, sheet [][]string) (*domain.ImportPreview, error) {
	var out *domain.ImportPreview
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, domain.MayKeepStock)
		if err != nil {
			return err
		}
		ok, bad, err := domain.ReadDispatchList(sheet)
		if err != nil {
			return err
		}
		vins := make([]string, len(ok))
		for i, r := range ok {
			vins[i] = r.Draft.VIN
		}
		taken, err := db.vinsTaken(ctx, vins)
		if err != nil {
			return err
		}
		accepted := ok[:0:0]
		for _, r := range ok {
			if holder, dup := taken[r.Draft.VIN]; dup {
				bad = append(bad, domain.ImportReject{Row: r.Row, VIN: r.Draft.VIN, Reason: vinTakenError(r.Draft.VIN, holder, actor.StoreID)})
				continue
			}
			accepted = append(accepted, r)
		}
		sort.SliceStable(bad, func(i, j int) bool { return bad[i].Row < bad[j].Row })
		out = &domain.ImportPreview{StoreID: actor.StoreID, FileName: fileName, Accepted: accepted, Rejected: bad}
		if len(accepted) == 0 {
			return nil
		}
		data, err := json.Marshal(accepted)
		if err != nil {
			return err
		}
		now := db.now()
		row := vehicleImportRow{StoreID: actor.StoreID, CreatedBy: actor.ID, FileName: fileName, Accepted: string(data),
			Rejected: len(bad), CreatedAt: now, ExpiresAt: now.Add(domain.ImportPreviewTTL)}
		if err := db.conn(ctx).Create(&row).Error; err != nil {
			return fmt.Errorf("save import preview: %w", err)
		}
		out.ID, out.ExpiresAt = row.ID, row.ExpiresAt
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "preview import by %d", by)
	}
	return out, nil
}

// ImportVehicles implements domain.VehicleService.
func (db *DB) ImportVehicles(ctx context.Context, by, previewID int64) (*domain.VehiclesImported, error) {
	var out *domain.VehiclesImported
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, domain.MayKeepStock)
		if err != nil {
			return err
		}
		var row vehicleImportRow
		q := db.conn(ctx).Where("id = ? AND store_id = ?", previewID, actor.StoreID).Limit(1).Find(&row)
		if q.Error != nil {
			return q.Error
		}
		now := db.now()
		switch {
		case q.RowsAffected == 0:
			return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "no import preview %d", previewID)
		case row.ImportedAt != nil:
			return domain.Errorkf(domain.ECONFLICT, "err.import_done", []any{row.FileName}, "import %d is done", previewID)
		case !now.Before(row.ExpiresAt):
			return domain.Errorkf(domain.EINVALID, "err.import_expired", []any{row.FileName}, "import %d expired", previewID)
		}
		// Claim the preview first: of two taps, one imports.
		claim := db.conn(ctx).Model(&vehicleImportRow{}).Where("id = ? AND imported_at IS NULL", row.ID).Update("imported_at", now)
		if claim.Error != nil {
			return claim.Error
		}
		if claim.RowsAffected == 0 {
			return domain.Errorkf(domain.ECONFLICT, "err.import_done", []any{row.FileName}, "import %d is done", previewID)
		}
		var rows []domain.DispatchRow
		if err := json.Unmarshal([]byte(row.Accepted), &rows); err != nil {
			return fmt.Errorf("import %d rows: %w", row.ID, err)
		}
		drafts := make([]domain.VehicleDraft, len(rows))
		for i, r := range rows {
			drafts[i] = r.Draft
		}
		if err := db.enterVehicles(ctx, actor, drafts, "import"); err != nil {
			return err
		}
		out = &domain.VehiclesImported{PreviewID: row.ID, Count: len(rows)}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "import %d by %d", previewID, by)
	}
	return out, nil
}

// enterVehicles writes checked cars into the actor's ledger in transit,
// each with its entry event; a VIN already in the group's ledger refuses
// them all (err.import_stale lists up to ten; a single car gets
// vinTakenError).
func (db *DB) enterVehicles(ctx context.Context, actor *domain.Staff, drafts []domain.VehicleDraft, note string) error {
	vins := make([]string, len(drafts))
	for i, d := range drafts {
		vins[i] = d.VIN
	}
	taken, err := db.vinsTaken(ctx, vins)
	if err != nil {
		return err
	}
	if len(taken) > 0 {
		if len(drafts) == 1 {
			return vinTakenError(drafts[0].VIN, taken[drafts[0].VIN], actor.StoreID)
		}
		var list []string
		for _, v := range vins {
			if _, ok := taken[v]; ok && len(list) < 10 {
				list = append(list, v)
			}
		}
		return domain.Errorkf(domain.ECONFLICT, "err.import_stale", []any{len(taken), strings.Join(list, ", ")},
			"%d VINs entered the ledger since the preview", len(taken))
	}
	now := db.now()
	rows := make([]vehicleRow, len(drafts))
	for i, d := range drafts {
		rows[i] = vehicleRow{StoreID: actor.StoreID, VIN: d.VIN, Model: d.Model, Trim: d.Trim, Colour: d.Colour,
			EngineNo: d.EngineNo, CertificateNo: d.CertificateNo, Location: d.Location, KeyNo: d.KeyNo,
			State: string(domain.VehicleInTransit), CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	}
	if err := db.conn(ctx).CreateInBatches(rows, vinBatch/2).Error; err != nil {
		if vehicleVINKey.violatedBy(err) {
			return domain.Errorkf(domain.ECONFLICT, "err.import_stale", []any{1, ""}, "a VIN entered the ledger meanwhile: %v", err)
		}
		return fmt.Errorf("insert vehicles: %w", err)
	}
	events := make([]vehicleEventRow, len(rows))
	for i, r := range rows {
		events[i] = vehicleEventRow{VehicleID: r.ID, StoreID: actor.StoreID, ToState: string(domain.VehicleInTransit),
			ByStaff: actor.ID, At: now, Note: note}
	}
	if err := db.conn(ctx).CreateInBatches(events, vinBatch).Error; err != nil {
		return fmt.Errorf("insert vehicle events: %w", err)
	}
	return nil
}

// vehicleVINKey is the group-wide unique index of VINs.
var vehicleVINKey = uniqueIndex{"vehicles_vin_key", "vehicles.vin"}

// AddVehicle implements domain.VehicleService.
func (db *DB) AddVehicle(ctx context.Context, by int64, d domain.VehicleDraft) (*domain.Vehicle, error) {
	var out *domain.Vehicle
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, domain.MayKeepStock)
		if err != nil {
			return err
		}
		if d, err = domain.CheckVehicleDraft(d); err != nil {
			return err
		}
		if err := db.enterVehicles(ctx, actor, []domain.VehicleDraft{d}, "add"); err != nil {
			return err
		}
		row, err := db.vehicleByVIN(ctx, actor.StoreID, d.VIN)
		if err != nil {
			return err
		}
		v := row.vehicle()
		out = &v
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "add vehicle by %d", by)
	}
	return out, nil
}

// vehicleByVIN loads a car of the store by its full VIN.
func (db *DB) vehicleByVIN(ctx context.Context, store int64, vin string) (*vehicleRow, error) {
	var row vehicleRow
	q := db.conn(ctx).Where("vin = ? AND store_id = ?", vin, store).Limit(1).Find(&row)
	if q.Error != nil {
		return nil, q.Error
	}
	if q.RowsAffected == 0 {
		return nil, errVehicleNotFound(vin)
	}
	return &row, nil
}

// vehicleByID loads a car of the store by id.
func (db *DB) vehicleByID(ctx context.Context, store, id int64) (*vehicleRow, error) {
	var row vehicleRow
	q := db.conn(ctx).Where("id = ? AND store_id = ?", id, store).Limit(1).Find(&row)
	if q.Error != nil {
		return nil, q.Error
	}
	if q.RowsAffected == 0 {
		return nil, errVehicleNotFound(fmt.Sprintf("#%d", id))
	}
	return &row, nil
}

// findVehicle loads the store's car a typed VIN or last six characters
// mean (domain.MatchVIN over the store's cars ending so).
func (db *DB) findVehicle(ctx context.Context, store int64, ref string) (*vehicleRow, error) {
	typed := strings.ToUpper(strings.Join(strings.Fields(ref), ""))
	var ledger []string
	if len(typed) == domain.VINSuffixLen {
		if strings.ContainsAny(typed, `%_\`) {
			return nil, errVehicleNotFound(typed)
		}
		if err := db.conn(ctx).Model(&vehicleRow{}).Where("store_id = ? AND vin LIKE ?", store, "%"+typed).
			Limit(20).Pluck("vin", &ledger).Error; err != nil {
			return nil, err
		}
	}
	vin, err := domain.MatchVIN(ledger, typed)
	if err != nil {
		return nil, err
	}
	return db.vehicleByVIN(ctx, store, vin)
}

// VehicleCard implements domain.VehicleService.
func (db *DB) VehicleCard(ctx context.Context, by int64, ref string) (*domain.VehicleCard, error) {
	var out *domain.VehicleCard
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, mayViewStock)
		if err != nil {
			return err
		}
		row, err := db.findVehicle(ctx, actor.StoreID, ref)
		if err != nil {
			return err
		}
		out, err = db.vehicleCard(ctx, actor, row)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "vehicle card %q for %d", ref, by)
	}
	return out, nil
}

// VehicleCardByID implements domain.VehicleService.
func (db *DB) VehicleCardByID(ctx context.Context, by, id int64) (*domain.VehicleCard, error) {
	var out *domain.VehicleCard
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, mayViewStock)
		if err != nil {
			return err
		}
		row, err := db.vehicleByID(ctx, actor.StoreID, id)
		if err != nil {
			return err
		}
		out, err = db.vehicleCard(ctx, actor, row)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "vehicle card %d for %d", id, by)
	}
	return out, nil
}

// vehicleCard loads a car's history and last inspection and the moves the
// viewer may make.
func (db *DB) vehicleCard(ctx context.Context, viewer *domain.Staff, row *vehicleRow) (*domain.VehicleCard, error) {
	c := &domain.VehicleCard{Vehicle: row.vehicle()}
	var evs []vehicleEventRow
	if err := db.conn(ctx).Where("vehicle_id = ?", row.ID).Order("at, id").Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("vehicle %d events: %w", row.ID, err)
	}
	for i := range evs {
		c.Events = append(c.Events, evs[i].event())
	}
	var pdis []vehiclePDIRow
	if err := db.conn(ctx).Where("vehicle_id = ?", row.ID).Order("at DESC, id DESC").Limit(1).Find(&pdis).Error; err != nil {
		return nil, fmt.Errorf("vehicle %d pdi: %w", row.ID, err)
	}
	if len(pdis) == 1 {
		p, err := pdis[0].pdi()
		if err != nil {
			return nil, err
		}
		c.LastPDI = p
	}
	for _, to := range domain.NextVehicleStates(c.Vehicle.State) {
		if domain.MayMoveVehicle(viewer, c.Vehicle.State, to) {
			c.Next = append(c.Next, to)
		}
	}
	st := db.Stores.Of(row.StoreID)
	if !c.Vehicle.ArrivedAt.IsZero() {
		c.Days = domain.DaysInStock(c.Vehicle.ArrivedAt, db.now(), st.Calendar.Location)
		c.Age = st.Rules.Vehicles.ClassifyAge(c.Days)
	}
	return c, nil
}

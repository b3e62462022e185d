package domain

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The stock ledger's use cases (R3.1, R3.2): the dispatch list's import,
// one car by hand, the car's card and its state changes, the arrival
// inspection, the stock list and its aging.

// StockKeepers keep the ledger: they import dispatch lists, add cars,
// receive and inspect them, and hand them over (R3.1: "a stock keeper or
// manager").
var StockKeepers = []Role{RoleStockKeeper, RoleManager}

// StockSellers reserve cars for orders, sell them and release them.
var StockSellers = []Role{RoleConsultant, RoleSupervisor, RoleManager}

// StockViewers may open a car's card and the stock list.
var StockViewers = []Role{RoleStockKeeper, RoleConsultant, RoleSupervisor, RoleManager, RoleGM}

// MayKeepStock reports whether s may import, add and inspect cars.
func MayKeepStock(s *Staff) bool { return s != nil && s.Roles.HasAny(StockKeepers...) }

// MayMoveVehicle reports whether s may move a car from one state to
// another: reserving, selling and releasing are the sellers'; receiving,
// stocking and delivering the keepers'.
func MayMoveVehicle(s *Staff, from, to VehicleState) bool {
	if s == nil {
		return false
	}
	if to == VehicleReserved || to == VehicleSold || from == VehicleReserved && to == VehicleInStock {
		return s.Roles.HasAny(StockSellers...)
	}
	return s.Roles.HasAny(StockKeepers...)
}

// NextVehicleStates are the ledger's moves from a state (R3.1), in the
// order of a car's life; the demo fleet's (R3.4) and allocation's (R4.3,
// AllocationMove) are not among them.
func NextVehicleStates(from VehicleState) []VehicleState {
	var out []VehicleState
	for _, s := range vehicleMoves[from] {
		if s != VehicleDemo && !AllocationMove(from, s) {
			out = append(out, s)
		}
	}
	return out
}

// ImportPreviewTTL is how long a checked dispatch list waits for its import.
const ImportPreviewTTL = 24 * time.Hour

// VehicleEvent is one state change of a car, with who and when (R3.1).
// From is empty for the car's entry into the ledger.
type VehicleEvent struct {
	ID, VehicleID, StoreID int64
	From, To               VehicleState
	By                     int64
	At                     time.Time
	Note                   string
}

// VehiclePDI is a recorded arrival inspection.
type VehiclePDI struct {
	ID, VehicleID, StoreID int64
	Checks                 []PDICheck
	Passed                 bool
	Defects                []PDICheck
	By                     int64
	At                     time.Time
}

// PDIConfirm is what the inspector read off the car and its papers: the
// engine number and the certificate's number, matched against the ledger's.
type PDIConfirm struct {
	EngineNo, CertificateNo string
}

// PDIChecks reads an inspection as typed (/pdi VIN ok, /pdi VIN fail 3,7
// note): "ok" passes every item of the checklist; "fail" fails the items
// numbered (1-based, separated by commas) with the note as their defect and
// passes the others. EINVALID: err.pdi_verdict (neither ok nor fail),
// err.pdi_item_number (a number not on the checklist; the argument names
// it and the second is the list's length), err.pdi_no_defect (fail without
// a note).
func PDIChecks(items []string, verdict, failed, note string) ([]PDICheck, error) {
	checks := make([]PDICheck, len(items))
	for i, it := range items {
		checks[i] = PDICheck{Item: it, Pass: true}
	}
	switch strings.ToLower(verdict) {
	case "ok", "pass", "通过", "合格":
		return checks, nil
	case "fail", "不合格", "不通过":
	default:
		return nil, Errorkf(EINVALID, "err.pdi_verdict", []any{verdict}, "%q is neither ok nor fail", verdict)
	}
	note = strings.TrimSpace(note)
	nums := strings.FieldsFunc(failed, func(r rune) bool { return r == ',' || r == '，' || r == '、' })
	if len(nums) == 0 {
		return nil, Errorkf(EINVALID, "err.pdi_item_number", []any{failed, len(items)}, "no item numbers")
	}
	for _, s := range nums {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > len(items) {
			return nil, Errorkf(EINVALID, "err.pdi_item_number", []any{s, len(items)}, "%q is not an item number 1–%d", s, len(items))
		}
		if note == "" {
			return nil, Errorkf(EINVALID, "err.pdi_no_defect", []any{items[n-1]}, "PDI item %q failed without a note", items[n-1])
		}
		checks[n-1] = PDICheck{Item: items[n-1], Note: note}
	}
	return checks, nil
}

// ImportPreview is a checked dispatch list waiting for its one-tap import.
type ImportPreview struct {
	ID, StoreID int64
	FileName    string
	Accepted    []DispatchRow
	Rejected    []ImportReject // in row order
	ExpiresAt   time.Time
}

// VehiclesImported is the outcome of an import: how many cars entered the
// ledger, all in transit.
type VehiclesImported struct {
	PreviewID int64
	Count     int
}

// VehicleCard is a car with its history and the moves the viewer may make.
type VehicleCard struct {
	Vehicle Vehicle
	Events  []VehicleEvent // oldest first
	LastPDI *VehiclePDI
	// Next are the states the viewer may move the car to (NextVehicleStates
	// and MayMoveVehicle); arrived → in_stock is the inspection's (/pdi).
	Next []VehicleState
	// Days in stock since arrival (0 before it arrived) and their class.
	Days int
	Age  StockAge
}

// VehicleMove is a state change asked for on the card.
type VehicleMove struct {
	To VehicleState
	// ReservedUntil is the reservation's expiry (to reserved).
	ReservedUntil time.Time
	Note          string
}

// VehicleMoved is the outcome of a state change.
type VehicleMoved struct {
	Vehicle Vehicle
	Event   VehicleEvent
	// Allocated: back in stock, the car went at once to the first order in
	// line for it (R4.3).
	Allocated *CarAllocated
}

// PDIRecorded is the outcome of an inspection: passed, the car is in
// stock; failed, it stays arrived and Managers, the store's managers, hear
// of its defects (Tellable: not the inspector).
type PDIRecorded struct {
	Vehicle  Vehicle
	PDI      VehiclePDI
	Managers []*Staff
	// Allocated: in stock, the car went at once to the first order in line
	// for it (R4.3); Vehicle is then allocated.
	Allocated *CarAllocated
}

// StockGroup is one line of the stock list: the cars of one model, trim
// and colour in stock or reserved, with the age of the oldest.
type StockGroup struct {
	Model, Trim, Colour string
	InStock, Reserved   int
	// Allocated cars are held for orders (R4.3): shown, not stock for sale.
	Allocated  int
	Oldest     time.Time // the earliest arrival
	OldestDays int
}

// StockReport is /stock: groups oldest first (FIFO), the oldest cars
// themselves, and the counts of cars not yet in stock.
type StockReport struct {
	Groups []StockGroup
	// Cars are the first cars to sell, oldest first (at most the limit asked).
	Cars               []StockAging
	InTransit, Arrived int
}

// SortStockGroups orders groups by their oldest car, first in first out;
// ties by model, trim and colour.
func SortStockGroups(gs []StockGroup) {
	sort.SliceStable(gs, func(i, j int) bool {
		a, b := gs[i], gs[j]
		if !a.Oldest.Equal(b.Oldest) {
			return a.Oldest.Before(b.Oldest)
		}
		return a.Model+"\x00"+a.Trim+"\x00"+a.Colour < b.Model+"\x00"+b.Trim+"\x00"+b.Colour
	})
}

// VehicleService keeps a store's stock ledger. The actor's store is the
// ledger: a car of another store is ENOTFOUND (err.vehicle_not_found),
// exactly as if it did not exist.
type VehicleService interface {
	// PreviewImport checks a dispatch list's rows (ReadDispatchList; each
	// accepted VIN also against the group's ledger: err.vin_taken in the
	// store, err.vin_other_store in another) and keeps the accepted rows
	// for ImportVehicles. EFORBIDDEN unless MayKeepStock; ReadDispatchList's
	// EINVALID errors.
	PreviewImport(ctx context.Context, by int64, fileName string, sheet [][]string) (*ImportPreview, error)
	// ImportVehicles enters every accepted row of a preview in transit, in
	// one transaction, or none: ECONFLICT err.import_done (already
	// imported), EINVALID err.import_expired, ECONFLICT err.import_stale (a
	// VIN entered the ledger since the preview; listed).
	ImportVehicles(ctx context.Context, by, previewID int64) (*VehiclesImported, error)
	// AddVehicle enters one car by hand, in transit. EFORBIDDEN;
	// CheckVehicleDraft's EINVALID; ECONFLICT err.vin_taken /
	// err.vin_other_store.
	AddVehicle(ctx context.Context, by int64, d VehicleDraft) (*Vehicle, error)
	// VehicleCard opens a car by VIN or its last six characters (MatchVIN's
	// errors; ENOTFOUND err.vehicle_not_found).
	VehicleCard(ctx context.Context, by int64, ref string) (*VehicleCard, error)
	// VehicleCardByID opens a car by id (a button).
	VehicleCardByID(ctx context.Context, by, id int64) (*VehicleCard, error)
	// MoveVehicle changes a car's state (Transition), recording who and
	// when. EFORBIDDEN unless MayMoveVehicle; Transition's EINVALID.
	MoveVehicle(ctx context.Context, by, id int64, m VehicleMove) (*VehicleMoved, error)
	// RecordPDI records an arrival inspection (EvaluatePDI against the
	// store's rules.vehicles.pdi_items) of an arrived car; passed, with the
	// engine and certificate numbers matching the ledger's (err.vehicle_mismatch;
	// an empty ledger field takes the confirmed value), the car goes into
	// stock. EFORBIDDEN unless MayKeepStock; EINVALID err.vehicle_move when
	// the car is not arrived.
	RecordPDI(ctx context.Context, by int64, ref string, checks []PDICheck, confirm PDIConfirm) (*PDIRecorded, error)
	// Stock is the actor's store's stock (R3.2): model is a fragment of the
	// model's name (empty: all); at most limit cars are listed.
	Stock(ctx context.Context, by int64, model string, limit int) (*StockReport, error)
	// StockAging is a store's cars past rules.vehicles.stock_alert_days at
	// now, oldest first, for the morning push (R3.2).
	StockAging(ctx context.Context, store int64, now time.Time) ([]StockAging, error)
}

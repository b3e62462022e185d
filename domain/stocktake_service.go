package domain

import (
	"context"
	"strings"
	"time"
)

// The monthly stocktake (R3.3): a manager opens it, staff confirm cars on
// the lot from any phone at once, closing it turns the differences into
// exceptions that only a manager clears, each with a reason.

// StocktakeStates are the ledger states a stocktake expects to find on the
// lot: every car in the store's custody. In transit is not there yet;
// delivered and retired are gone. A car allocated to an order (R4.3), sold
// but not yet delivered, or in the demo fleet, still stands at the store
// and must be found.
var StocktakeStates = []VehicleState{VehicleArrived, VehicleInStock, VehicleReserved, VehicleAllocated, VehicleSold, VehicleDemo}

// CountsAtStocktake reports whether a car in state s is expected on the lot.
func CountsAtStocktake(s VehicleState) bool {
	for _, c := range StocktakeStates {
		if s == c {
			return true
		}
	}
	return false
}

// StocktakeCounters confirm cars at a stocktake: the people who walk the
// lot (the general manager sees the result, not the cars).
var StocktakeCounters = []Role{RoleStockKeeper, RoleConsultant, RoleSupervisor, RoleManager}

// MayRunStocktake reports whether s may open and close a stocktake and
// clear its exceptions (R3.3: only a manager).
func MayRunStocktake(s *Staff) bool { return s != nil && s.Roles.Has(RoleManager) }

// MayCountStock reports whether s may confirm cars at a stocktake.
func MayCountStock(s *Staff) bool { return s != nil && s.Roles.HasAny(StocktakeCounters...) }

// StocktakeRun is one count of a store's lot. At most one per store is open.
type StocktakeRun struct {
	ID, StoreID int64
	OpenedBy    int64
	OpenedAt    time.Time
	ClosedBy    int64
	ClosedAt    time.Time // zero while open
}

// Open reports whether the stocktake still takes confirmations.
func (s StocktakeRun) Open() bool { return s.ClosedAt.IsZero() }

// StocktakeCount is the running count: Seen of the Ledger's cars expected
// on the lot were confirmed ("已盘 37/52"); Unexpected cars were confirmed
// that the ledger does not expect.
type StocktakeCount struct {
	Seen, Ledger, Unexpected int
}

// StocktakeOpened is the outcome of opening: the stocktake and what it
// expects to find.
type StocktakeOpened struct {
	Stocktake StocktakeRun
	Count     StocktakeCount
}

// StocktakeSeen is the outcome of a confirmation. Vehicle is the ledger's
// car (nil when the VIN is not in the store's ledger: an unexpected car);
// Again says the car had already been confirmed (it counts once).
type StocktakeSeen struct {
	Stocktake StocktakeRun
	VIN       string
	Vehicle   *Vehicle
	Again     bool
	Count     StocktakeCount
}

// ExceptionKind is what a stocktake exception says.
type ExceptionKind string

// The kinds of exception (R3.3).
const (
	ExceptionMissing    ExceptionKind = "missing"    // in the ledger, not seen
	ExceptionUnexpected ExceptionKind = "unexpected" // seen, not expected by the ledger
)

// StocktakeException is one difference found at closing. Only a manager
// clears it, with a reason.
type StocktakeException struct {
	ID, StocktakeID, StoreID int64
	Kind                     ExceptionKind
	VIN                      string
	// Model and State are the ledger's, when the store's ledger has the car
	// (an unexpected car may be in it in a state not expected on the lot).
	Model     string
	State     VehicleState
	ClearedBy int64
	ClearedAt time.Time
	Reason    string
}

// Cleared reports whether a manager has cleared the exception.
func (e StocktakeException) Cleared() bool { return !e.ClearedAt.IsZero() }

// StocktakeLine is one car of a stocktake's result: a ledger car expected
// on the lot, or a car seen that was not.
type StocktakeLine struct {
	VIN, Model, Trim, Colour string
	State                    VehicleState // empty: not in the store's ledger
	Expected                 bool         // the ledger expects it on the lot
	SeenBy                   string       // empty: not seen
	SeenAt                   time.Time
}

// StocktakeResult is a closed stocktake: every car with whether it was
// seen, by whom and when, and the exceptions in order.
type StocktakeResult struct {
	Stocktake  StocktakeRun
	Count      StocktakeCount
	Lines      []StocktakeLine // expected cars first, then unexpected; by VIN
	Exceptions []StocktakeException
	// Names are the staff named in the result (openers, closers, clearers).
	Names map[int64]string
}

// Uncleared counts the exceptions still waiting for a manager.
func (r *StocktakeResult) Uncleared() int {
	n := 0
	for _, e := range r.Exceptions {
		if !e.Cleared() {
			n++
		}
	}
	return n
}

// ExceptionCleared is the outcome of clearing an exception: Remaining are
// still uncleared; when none remain, Result is the final stocktake.
type ExceptionCleared struct {
	Exception StocktakeException
	Remaining int
	Result    *StocktakeResult
}

// MaxClearReason bounds a clearing reason, in characters.
const MaxClearReason = 200

// CheckClearReason reads a clearing reason: required, at most
// MaxClearReason characters. EINVALID err.stocktake_reason.
func CheckClearReason(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len([]rune(s)) > MaxClearReason {
		return "", Errorkf(EINVALID, "err.stocktake_reason", []any{MaxClearReason}, "a clearing needs a reason of at most %d characters", MaxClearReason)
	}
	return s, nil
}

// StocktakeService runs the monthly stocktake (R3.3) of the actor's store.
// Another store's stocktake and exceptions are ENOTFOUND, as if they did
// not exist.
type StocktakeService interface {
	// OpenStocktake opens the store's stocktake. EFORBIDDEN unless
	// MayRunStocktake; ECONFLICT err.stocktake_open (one is open: its
	// count is the arguments).
	OpenStocktake(ctx context.Context, by int64) (*StocktakeOpened, error)
	// ConfirmSeen confirms a car on the lot by its VIN or last six
	// characters (MatchVIN over the store's ledger: the errors of
	// CheckVIN, err.vin_suffix_unknown, err.vin_suffix_ambiguous). A full
	// VIN the ledger does not expect is recorded as seen and becomes an
	// unexpected car. Confirmations from many phones at once are all
	// counted; a car confirmed twice counts once. EFORBIDDEN unless
	// MayCountStock; ENOTFOUND err.stocktake_none (none open).
	ConfirmSeen(ctx context.Context, by int64, ref string) (*StocktakeSeen, error)
	// CloseStocktake closes the open stocktake: the cars the ledger
	// expects (StocktakeStates) and nobody saw, and the cars seen that it
	// does not expect, become exceptions. EFORBIDDEN unless
	// MayRunStocktake; ENOTFOUND err.stocktake_none.
	CloseStocktake(ctx context.Context, by int64) (*StocktakeResult, error)
	// ClearException clears an exception with a reason (CheckClearReason).
	// EFORBIDDEN unless MayRunStocktake; ENOTFOUND
	// err.stocktake_exception_unknown; ECONFLICT err.stocktake_cleared.
	ClearException(ctx context.Context, by, id int64, reason string) (*ExceptionCleared, error)
	// LastStocktake is the store's latest closed stocktake with its
	// exceptions. EFORBIDDEN unless MayRunStocktake; ENOTFOUND
	// err.stocktake_none_closed.
	LastStocktake(ctx context.Context, by int64) (*StocktakeResult, error)
}

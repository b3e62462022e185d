package domain

import "time"

// Swaps (R5.1): a consultant gives an approved rest day to a colleague,
// optionally for one of the colleague's in return. The colleague agrees
// first, then the requester's supervisor rules; only an approval moves the
// days. The rest day itself carries where the swap stands.

// SwapStage is where a swap of a rest day stands.
type SwapStage string

// The stages of a swap.
const (
	SwapNone   SwapStage = ""       // no swap, or settled
	SwapAsked  SwapStage = "asked"  // the colleague decides
	SwapAgreed SwapStage = "agreed" // the colleague agreed: the supervisors decide
)

// SwapRequest asks Colleague (a name, of the requester's store) to take RequesterID's approved rest
// day on Day's date, giving their own on TheirDay's date (zero for none) in
// return.
type SwapRequest struct {
	RequesterID int64
	Day         time.Time
	Colleague   string
	TheirDay    time.Time
}

// Swap is one attempt at swapping a rest day: the requester's day, who
// takes it, their day in return ("" for none), and the attempt's number.
type Swap struct {
	Rest      *RestDay
	Requester *Staff
	Colleague *Staff
	TheirDay  string
	Seq       int64
}

// swapWaiting reports whether the swap on d waits at stage for
// colleagueID (0: whoever it names).
func (d *RestDay) swapWaiting(stage SwapStage, colleagueID int64) bool {
	return d.Status == RestApproved && d.SwapWith != 0 && d.SwapStage == stage &&
		(colleagueID == 0 || d.SwapWith == colleagueID)
}

// SwapWaitsFor returns nil when the swap on d waits at stage for
// colleagueID (0: for the supervisors). ECONFLICT (swap.stale) otherwise.
func (d *RestDay) SwapWaitsFor(stage SwapStage, colleagueID int64) error {
	if !d.swapWaiting(stage, colleagueID) {
		return Errorkf(ECONFLICT, "swap.stale", nil, "swap of rest day %d is not waiting (%s, %d)", d.ID, stage, colleagueID)
	}
	return nil
}

// CanSwapWith returns nil when requester may offer a rest day to
// colleague: another, active, enrolled consultant. EINVALID (swap.self,
// swap.not_consultant) otherwise.
func CanSwapWith(requester, colleague *Staff) error {
	switch {
	case colleague.ID == requester.ID:
		return Errorkf(EINVALID, "swap.self", nil, "swap with oneself")
	case !colleague.Active || !colleague.Roles.Has(RoleConsultant) || !colleague.Enrolled():
		return Errorkf(EINVALID, "swap.not_consultant", []any{colleague.Name}, "%s is not an active consultant", colleague.Name)
	}
	return nil
}

// SwapLimit is the EINVALID of a swap that would break a limit for who:
// swap.limit, with the broken limit (CheckRest's error) as its argument.
func SwapLimit(who string, err error) error {
	e, ok := err.(*Error)
	if !ok || e.Key == "" {
		return err
	}
	return Errorkf(e.Code, "swap.limit", []any{who, e}, "swap: %s: %s", who, e.Message)
}

// Approval is the swap as an approval of its requester's.
func (s *Swap) Approval() *Approval {
	return &Approval{Kind: ApprovalSwap, ID: s.Rest.ID, Requester: s.Requester}
}

// SwapRequested is what RequestSwap did: the colleague must be asked.
type SwapRequested struct{ Swap }

// SwapAnswered is the colleague's answer: on a yes the approvers must each
// get a card; either way Notify, the requester, hears it (Tellable; nil
// when they cannot be told).
type SwapAnswered struct {
	Swap
	Agreed    bool
	Approvers []*Staff
	Notify    *Staff
}

// SwapDecided is what DecideSwap did: both sides hear the ruling and the
// approvers' cards show it.
type SwapDecided struct {
	Swap
	Decision  Decision
	Decider   *Staff
	Approvers []*Staff
}

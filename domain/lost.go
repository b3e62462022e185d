package domain

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// LostReason is why a lead is lost (R1.6).
type LostReason string

// The reasons of R1.6.
const (
	LostCompetitor LostReason = "competitor" // 购买竞品
	LostBudget     LostReason = "budget"     // 预算不足
	LostPostponed  LostReason = "postponed"  // 推迟购买
	LostOther      LostReason = "other"      // 其他
)

// LostReasons lists them in button order.
var LostReasons = []LostReason{LostCompetitor, LostBudget, LostPostponed, LostOther}

var lostNamesZH = map[string]LostReason{"竞品": LostCompetitor, "购买竞品": LostCompetitor, "买了别的": LostCompetitor,
	"预算": LostBudget, "预算不足": LostBudget, "推迟": LostPostponed, "推迟购买": LostPostponed, "暂不买": LostPostponed, "其他": LostOther}

// ParseLostReason reads the first word of a lost request: a reason
// category; anything else means "other", with the whole text as the note.
func ParseLostReason(s string) (LostReason, bool) {
	if r, ok := lostNamesZH[s]; ok {
		return r, true
	}
	for _, r := range LostReasons {
		if strings.EqualFold(s, string(r)) {
			return r, true
		}
	}
	return LostOther, false
}

// LostPending is the status of a lost request not yet decided; a decided
// one has its verdict (Approved, Rejected) as status.
const LostPending = "pending"

// LostRequest asks the supervisor to mark a lead F (R1.6). Until it is
// approved the lead keeps its grade.
type LostRequest struct {
	ID int64
	// StoreID is the store of the request: its lead's, whose supervisors
	// approve it.
	StoreID     int64
	LeadID      int64
	RequesterID int64
	Reason      LostReason
	Note        string // the requester's words beside the reason
	CreatedAt   time.Time
	Decision    *Decision // nil while pending
}

// Status is LostPending or the verdict.
func (r *LostRequest) Status() string {
	if r.Decision == nil {
		return LostPending
	}
	return string(r.Decision.Verdict)
}

// Validate checks a request before it is filed: a reason of LostReasons
// and a note of at most MaxNoteLen characters. EINVALID (err.invalid,
// err.note_long) otherwise.
func (r *LostRequest) Validate() error {
	switch {
	case !slices.Contains(LostReasons, r.Reason):
		return Errorkf(EINVALID, "err.invalid", nil, "%q is not a reason for a lost lead", r.Reason)
	case utf8.RuneCountInString(r.Note) > MaxNoteLen:
		return Errorkf(EINVALID, "err.note_long", []any{MaxNoteLen}, "note longer than %d characters", MaxNoteLen)
	case !utf8.ValidString(r.Note):
		return Errorkf(EINVALID, "err.invalid", nil, "note is not valid text")
	}
	return nil
}

// Approval is the request as an approval of requester's (its RequesterID).
func (r *LostRequest) Approval(requester *Staff) *Approval {
	return &Approval{Kind: ApprovalLost, ID: r.ID, Requester: requester, Decision: r.Decision}
}

// CanRequestLost returns nil when s may ask to mark l lost: they work the
// lead (CanWorkLead) and it is still open. EFORBIDDEN (err.lead_not_yours)
// or EINVALID (err.lead_closed) otherwise.
func CanRequestLost(s *Staff, l *Lead) error {
	if !CanWorkLead(s, l) {
		return Errorkf(EFORBIDDEN, "err.lead_not_yours", []any{l.ID}, "lead %d is not staff %d's", l.ID, s.ID)
	}
	if l.Grade == GradeO {
		// An ordered customer is lost by cancelling the order (R4.4): the
		// supervisor's one approval cancels it and marks the lead F.
		return Errorkf(EINVALID, "err.lost_ordered", []any{l.ID}, "lead %d has an order: cancel it as lost", l.ID)
	}
	if !l.Grade.FollowedUp() {
		return Errorkf(EINVALID, "err.lead_closed", []any{l.ID, string(l.Grade)}, "lead %d is closed", l.ID)
	}
	return nil
}

// MarkLost applies an approved request to its lead at `at`: the lead
// becomes F, keeps the requester's words and is no longer due. A lead
// ordered, delivered or unreachable since the request is left alone: F
// would overwrite that (EINVALID, err.lead_closed).
func (l *Lead) MarkLost(r *LostRequest, at time.Time) error {
	if !l.Grade.FollowedUp() {
		return Errorkf(EINVALID, "err.lead_closed", []any{l.ID, string(l.Grade)}, "lead %d is %s now", l.ID, l.Grade)
	}
	l.markLost(r, at)
	return nil
}

// markLost makes the lead F at `at` with r's words, no longer due.
func (l *Lead) markLost(r *LostRequest, at time.Time) {
	t := at
	l.LostNote = r.Note
	l.Grade, l.GradedAt, l.NextDueAt = GradeF, &t, nil
}

// SplitLostText reads a lost reason as typed: a category word first
// ("竞品 已在别家下定", "budget") is the reason and the rest the note;
// otherwise the reason is "other" and the whole text the note.
func SplitLostText(text string) (LostReason, string) {
	text = strings.TrimSpace(text)
	first, rest, _ := strings.Cut(text, " ")
	if reason, ok := ParseLostReason(first); ok {
		return reason, strings.TrimSpace(rest)
	}
	return LostOther, text
}

// LostService files requests to mark a lead lost and rules on them (R1.6).
// Each method is one transaction, or joins the caller's. A request is its
// lead's store's (LostRequest.StoreID): the store's supervisors approve
// it, and for anyone of another store it does not exist (ENOTFOUND).
type LostService interface {
	// RequestLost files r (LeadID, RequesterID, Reason, Note) as a pending
	// request, created now, and says who must get a card. ENOTFOUND
	// (err.lead_not_found; err.staff_not_found for an unknown requester;
	// err.no_supervisor when nobody may approve), EFORBIDDEN
	// (err.lead_not_yours), EINVALID (err.lead_closed, err.invalid,
	// err.note_long), ECONFLICT (err.lost_pending: a lead has at most one
	// pending request).
	RequestLost(ctx context.Context, r LostRequest) (*LostRequested, error)

	// LostRequestByID returns request id. ENOTFOUND (callback.stale: it is
	// looked up from a button).
	LostRequestByID(ctx context.Context, id int64) (*LostRequest, error)

	// LostToDecide returns request id if deciderID may rule on it now: the
	// check before a rejection's reason is asked for. ENOTFOUND
	// (callback.stale), ECONFLICT (lost.already), EFORBIDDEN (err.forbidden).
	LostToDecide(ctx context.Context, id, deciderID int64) (*LostRequest, error)

	// DecideLost rules on request id with d (DeciderID, Verdict, Reason;
	// At is set to now), once, and on approval marks the lead F. ENOTFOUND
	// (callback.stale), ECONFLICT (lost.already), EFORBIDDEN
	// (err.forbidden), EINVALID (err.invalid, err.note_long; err.lead_closed
	// when the lead was closed since).
	DecideLost(ctx context.Context, id int64, d Decision) (*LostDecided, error)
}

// LostRequested is what RequestLost did: the request filed, and the
// approvers who must each get a card.
type LostRequested struct {
	Request   *LostRequest
	Lead      *Lead
	Requester *Staff
	Approvers []*Staff
}

// LostDecided is what DecideLost did: the request with its decision, the
// lead as it is now, the requester to tell, and the approvers whose cards
// now show the verdict.
type LostDecided struct {
	Request   *LostRequest
	Lead      *Lead
	Asked     Grade // the lead's grade the request was decided at, as the cards show it
	Requester *Staff
	Decider   *Staff
	Approvers []*Staff
}

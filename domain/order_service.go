package domain

import "context"

// OrderService places orders and carries their rulings (R4.1, R4.2,
// R4.4). Every method is one transaction; another store's lead, order or
// request is ENOTFOUND, as a missing one.
type OrderService interface {
	// PlaceOrder records an order from lead ref, worked by `by`, and makes
	// the lead O. A discount within the consultant's limit stands (the
	// order is confirmed); above it a request goes to the first rank that
	// may approve it, whose people are in the outcome. EINVALID (the
	// draft's keys, err.lead_closed), EFORBIDDEN (err.lead_not_yours),
	// ENOTFOUND (err.lead_not_found, err.no_supervisor, err.no_approver naming a missing higher rank).
	PlaceOrder(ctx context.Context, by int64, ref LeadRef, d OrderDraft) (*OrderPlaced, error)
	// OrderByID is order id for staff `by` of its store, with its pending
	// request if any and its deposit refunds, oldest first. ENOTFOUND
	// (order.not_found).
	OrderByID(ctx context.Context, by, id int64) (*OrderShown, error)
	// RequestOrderChange asks to set field to value (as typed) on order id:
	// at least the supervisor rules, higher when a new price's discount
	// needs it. EINVALID (err.order_field, the draft's keys, order.closed),
	// ECONFLICT (order.pending), EFORBIDDEN, ENOTFOUND.
	RequestOrderChange(ctx context.Context, by, id int64, field, value string) (*OrderRequested, error)
	// RequestOrderCancel asks to cancel order id, with a reason as typed
	// (ParseOrderCancel: "战败 …"/"lost …" says the customer is lost, and
	// the approval then marks the lead F for that reason, R1.6); at least
	// the supervisor rules. Same errors as RequestOrderChange, and
	// ParseOrderCancel's.
	RequestOrderCancel(ctx context.Context, by, id int64, reason string) (*OrderRequested, error)
	// OrderRequestToDecide is request id if deciderID may rule on it now:
	// the step before asking a rejection's reason. ECONFLICT
	// (order.already), EFORBIDDEN, ENOTFOUND (callback.stale).
	OrderRequestToDecide(ctx context.Context, id, deciderID int64) (*OrderRequest, error)
	// DecideOrderRequest rules on request id once: an approved discount
	// confirms the order, a rejected one rejects it (the lead back to A);
	// an approved change applies, an approved cancellation cancels the
	// order (the lead back to A). A rejection needs a reason. ECONFLICT
	// (order.already), EFORBIDDEN, EINVALID, ENOTFOUND.
	DecideOrderRequest(ctx context.Context, id int64, d Decision) (*OrderDecided, error)
	// RefundDeposit records a refund of amount fen of order id's deposit
	// by method, by `by` (its consultant, or a supervisor and above), now.
	// EINVALID (order.refund_above, err.money_zero), EFORBIDDEN, ENOTFOUND.
	RefundDeposit(ctx context.Context, by, id, amountFen int64, method string) (*DepositRefunded, error)
}

package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Orders (R4.1, R4.2, R4.4): an order from a lead, its discount ladder,
// and the changes and cancellations that need a ruling. Money is in fen
// (money.go).

// OrderState is where an order stands.
type OrderState string

// The order states. Allocation and delivery (R4.3, R4.5) add theirs.
const (
	OrderPending   OrderState = "pending_approval" // the discount waits for a ruling
	OrderConfirmed OrderState = "confirmed"        // the discount stands
	OrderRejected  OrderState = "rejected"         // the discount was refused
	OrderCancelled OrderState = "cancelled"        // cancelled with approval (R4.4)
)

// Open reports whether the order may still be changed or cancelled.
func (s OrderState) Open() bool { return s == OrderPending || s == OrderConfirmed }

// Payment is how the customer pays.
type Payment string

// The payments.
const (
	PayCash Payment = "cash" // 全款
	PayLoan Payment = "loan" // 贷款
)

// ParsePayment reads 全款/cash or 贷款/loan. EINVALID (err.payment).
func ParsePayment(s string) (Payment, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "全款", "cash", "现金":
		return PayCash, nil
	case "贷款", "loan", "分期":
		return PayLoan, nil
	}
	return "", Errorkf(EINVALID, "err.payment", []any{s}, "%q is not a payment", s)
}

// Order is a customer's order of a car, from a lead of its store.
type Order struct {
	ID           int64
	StoreID      int64
	LeadID       int64
	ConsultantID int64
	Model        string
	Trim         string
	Colour       string
	ListFen      int64 // 指导价
	AgreedFen    int64 // 成交价
	DepositFen   int64 // 定金
	Payment      Payment
	TradeIn      string // the car traded in, as typed; empty when none
	// Delivery is the expected delivery date, midnight in the store's zone;
	// zero when not given.
	Delivery time.Time
	State    OrderState
	// Rank is who had to approve the discount: empty when it was within the
	// consultant's limit.
	Rank Role
	// DecidedBy, DecidedAt and Reason are the discount's ruling.
	DecidedBy int64
	DecidedAt *time.Time
	Reason    string
	CreatedAt time.Time
	// VehicleID is the car the order holds now (R4.3; 0: none).
	VehicleID int64
	// PaidAt is when full payment was recorded (nil: unpaid), by PaidBy.
	PaidAt *time.Time
	PaidBy int64
	// SubDealerID is the sub-dealer contract the order was sold through
	// (R4.6), 0 for none; SubDealer its dealer's name.
	SubDealerID int64
	SubDealer   string
	// DeliveredAt is when the car was handed over (R4.5); nil before.
	DeliveredAt *time.Time
}

// AllocOrder is the order as allocation sees it (R4.3).
func (o *Order) AllocOrder() AllocOrder {
	return AllocOrder{ID: o.ID, StoreID: o.StoreID, Model: o.Model, Trim: o.Trim, Colour: o.Colour,
		OrderedAt: o.CreatedAt, State: QueueStateOf(o.State, o.VehicleID != 0), Consultant: o.ConsultantID}
}

// Discount is list minus agreed price, in fen.
func (o *Order) Discount() int64 { return o.ListFen - o.AgreedFen }

// OrderDraft is an order as typed, before it is checked.
type OrderDraft struct {
	Model, Trim, Colour         string
	ListFen, AgreedFen, Deposit int64
	Payment                     Payment
	TradeIn                     string
	Delivery                    time.Time
	// SubDealer names the sub-dealer the order is sold through (R4.6), as
	// typed: the dealer's name or the contract's number; empty for none.
	SubDealer string
}

// maxOrderText bounds the model, trim, colour and trade-in.
const maxOrderText = 60

// Validate checks a draft: model, trim and colour given, prices above
// zero, the agreed price not above list, the deposit not above the agreed
// price, a payment. EINVALID with a catalogue key otherwise.
func (d OrderDraft) Validate() error {
	for _, f := range []string{d.Model, d.Trim, d.Colour} {
		if strings.TrimSpace(f) == "" {
			return Errorkf(EINVALID, "err.order_car", nil, "model, trim and colour are required")
		}
	}
	for _, f := range []string{d.Model, d.Trim, d.Colour, d.TradeIn} {
		if utf8.RuneCountInString(f) > maxOrderText || !utf8.ValidString(f) {
			return Errorkf(EINVALID, "err.order_text", []any{maxOrderText}, "a field over %d characters", maxOrderText)
		}
	}
	switch {
	case d.ListFen <= 0 || d.AgreedFen <= 0:
		return Errorkf(EINVALID, "err.money_zero", []any{"0"}, "a price must be above zero")
	case d.Deposit < 0:
		return Errorkf(EINVALID, "err.money", []any{FormatFen(d.Deposit)}, "negative deposit")
	case d.AgreedFen > d.ListFen:
		return Errorkf(EINVALID, "err.order_above_list", []any{FormatFen(d.AgreedFen), FormatFen(d.ListFen)},
			"agreed price above list")
	case d.Deposit > d.AgreedFen:
		return Errorkf(EINVALID, "err.order_deposit", []any{FormatFen(d.Deposit), FormatFen(d.AgreedFen)},
			"deposit above the agreed price")
	case d.Payment != PayCash && d.Payment != PayLoan:
		return Errorkf(EINVALID, "err.payment", []any{string(d.Payment)}, "no payment")
	}
	return nil
}

// Ranks are who may approve a discount, in the order a request climbs
// (R4.2).
var Ranks = []Role{RoleSupervisor, RoleManager, RoleGM}

// DiscountRank is the first rank that may approve a discount of fen under
// rules (limits in yuan): empty when the consultant may give it alone.
func DiscountRank(fen int64, r OrderRules) Role {
	switch {
	case fen <= YuanToFen(r.ConsultantMaxDiscount):
		return ""
	case fen <= YuanToFen(r.SupervisorMaxDiscount):
		return RoleSupervisor
	case fen <= YuanToFen(r.ManagerMaxDiscount):
		return RoleManager
	}
	return RoleGM
}

// RankAbove is the rank a request climbs to from r; ok is false at the top.
func RankAbove(r Role) (Role, bool) {
	i := slices.Index(Ranks, r)
	if i < 0 || i == len(Ranks)-1 {
		return r, false
	}
	return Ranks[i+1], true
}

// HigherRank is the higher of two ranks (empty is below all).
func HigherRank(a, b Role) Role {
	if slices.Index(Ranks, a) >= slices.Index(Ranks, b) {
		return a
	}
	return b
}

// HoldsRank reports whether s holds rank r or one above it.
func HoldsRank(s *Staff, r Role) bool {
	i := slices.Index(Ranks, r)
	if i < 0 {
		return false
	}
	return s.Roles.HasAny(Ranks[i:]...)
}

// OrderRequestKind is what an order request asks approval for.
type OrderRequestKind string

// The order request kinds.
const (
	OrderDiscount OrderRequestKind = "discount" // a discount above the consultant's limit (R4.2)
	OrderChange   OrderRequestKind = "change"   // change a field (R4.4)
	OrderCancel   OrderRequestKind = "cancel"   // cancel the order (R4.4)
)

// The fields /order change may change.
const (
	FieldModel    = "model"
	FieldTrim     = "trim"
	FieldColour   = "colour"
	FieldAgreed   = "agreed"
	FieldDeposit  = "deposit"
	FieldPayment  = "payment"
	FieldDelivery = "delivery"
	FieldTradeIn  = "tradein"
)

// orderFieldNames maps what staff type to a field.
var orderFieldNames = map[string]string{
	"model": FieldModel, "车型": FieldModel,
	"trim": FieldTrim, "配置": FieldTrim,
	"colour": FieldColour, "color": FieldColour, "颜色": FieldColour,
	"agreed": FieldAgreed, "price": FieldAgreed, "成交价": FieldAgreed,
	"deposit": FieldDeposit, "定金": FieldDeposit,
	"payment": FieldPayment, "付款": FieldPayment,
	"delivery": FieldDelivery, "交车日期": FieldDelivery, "交车": FieldDelivery,
	"tradein": FieldTradeIn, "置换": FieldTradeIn,
}

// ParseOrderField reads a field name. EINVALID (err.order_field).
func ParseOrderField(s string) (string, error) {
	if f, ok := orderFieldNames[strings.ToLower(strings.TrimSpace(s))]; ok {
		return f, nil
	}
	return "", Errorkf(EINVALID, "err.order_field", []any{s}, "%q is not an order field", s)
}

// OrderRequest is a request on an order that waits for, or was settled
// by, a ruling: the discount, a change, a cancellation.
type OrderRequest struct {
	ID      int64
	StoreID int64
	OrderID int64
	Kind    OrderRequestKind
	Field   string // a change's field
	Value   string // a change's new value, normalised (fen, a date, a payment)
	Reason  string // a cancellation's reason
	// Lost is a cancellation's when the customer is lost (R1.6): the
	// approval of the cancellation marks the lead F for this reason, with
	// Reason as typed; "" returns the lead to A.
	Lost        LostReason
	RequesterID int64
	// Rank is who rules now; it climbs when nobody answers (R4.2).
	Rank       Role
	Decision   *Decision
	CreatedAt  time.Time
	RemindedAt *time.Time
	ClimbedAt  *time.Time
}

// cancelLostWords lead a cancellation that says the customer is lost.
var cancelLostWords = []string{"战败", "流失", "lost"}

// ParseOrderCancel reads a cancellation's words (R4.4): "战败 竞品 买了别家"
// or "lost budget" says the customer is lost (R1.6) — lost is the reason's
// category, "other" when the words name none, and reason the words after
// the lost word; anything else is a plain cancellation's reason, lost "".
// EINVALID (err.note_empty, order.lost_reason) when no reason is left, (err.invalid,
// err.note_long) as a lost request's.
func ParseOrderCancel(text string) (reason string, lost LostReason, err error) {
	reason = strings.TrimSpace(text)
	first, rest, _ := strings.Cut(reason, " ")
	for _, w := range cancelLostWords {
		if strings.EqualFold(first, w) {
			reason, lost = strings.TrimSpace(rest), LostOther
			break
		}
	}
	switch {
	case reason == "" && lost != "":
		return "", "", Errorkf(EINVALID, "order.lost_reason", nil, "a lost customer needs a reason")
	case reason == "":
		return "", "", Errorkf(EINVALID, "err.note_empty", nil, "a cancellation needs a reason")
	}
	if lost != "" {
		lost, _ = SplitLostText(reason)
		if err := (&LostRequest{Reason: lost, Note: reason}).Validate(); err != nil {
			return "", "", err
		}
	}
	return reason, lost, nil
}

// LostRequest is an approved lost cancellation's lost request for lead
// of the order (R1.6): the consultant's reason and words, the ruling the
// cancellation's; nil for a plain cancellation.
func (r *OrderRequest) LostRequest(leadID int64) *LostRequest {
	if r.Kind != OrderCancel || r.Lost == "" {
		return nil
	}
	reason, note := SplitLostText(r.Reason)
	if reason != r.Lost {
		note = r.Reason
	}
	return &LostRequest{StoreID: r.StoreID, LeadID: leadID, RequesterID: r.RequesterID, Reason: r.Lost, Note: note, Decision: r.Decision}
}

// ReturnFromOrder applies the end of the lead's order at `at` — a
// discount rejected, or a cancellation approved (R4.4): an O lead returns
// to A (the customer wanted a car a moment ago), or with lost — the
// consultant said at cancellation the customer is lost, and the
// supervisor's approval of the cancellation approves that too — becomes F
// with lost's words (R1.6). A lead no longer O is left alone: false.
func (l *Lead) ReturnFromOrder(lost *LostRequest, at time.Time, r LeadRules, cal *Calendar) bool {
	if l.Grade != GradeO {
		return false
	}
	if lost != nil {
		l.markLost(lost, at)
		return true
	}
	l.SetGrade(GradeA, at, r, cal)
	return true
}

// ApprovalOrder is the approval kind of an order request.
const ApprovalOrder ApprovalKind = "order"

// Approval is the request as an approval: decided once.
func (r *OrderRequest) Approval(requester *Staff) *Approval {
	return &Approval{Kind: ApprovalOrder, ID: r.ID, Requester: requester, Decision: r.Decision}
}

// MayDecide returns nil when decider may rule on r: of r's store,
// holding r's rank or one above, and not the requester. EFORBIDDEN
// (err.forbidden) otherwise.
func (r *OrderRequest) MayDecide(decider *Staff) error {
	if decider.Active && decider.StoreID == r.StoreID && decider.ID != r.RequesterID && HoldsRank(decider, r.Rank) {
		return nil
	}
	return Errorkf(EFORBIDDEN, "err.forbidden", nil, "staff %d may not rule on order request %d", decider.ID, r.ID)
}

// Chase is when an unanswered request is reminded and when it climbs:
// after remind, and after twice that (R4.2). climb is false at the top
// rank or once climbed.
func (r *OrderRequest) Chase(remind time.Duration) (remindAt, climbAt time.Time, climb bool) {
	_, above := RankAbove(r.Rank)
	return r.CreatedAt.Add(remind), r.CreatedAt.Add(2 * remind), above && r.ClimbedAt == nil
}

// DiscountMonth is a consultant's discounts on orders placed this month,
// shown to whoever rules on another.
type DiscountMonth struct {
	Count  int
	SumFen int64
}

// OrderStock is how long the oldest car in stock of an order's model, trim
// and colour has waited; Found is false when none is in stock.
type OrderStock struct {
	Found bool
	Days  int
}

// OrderBrief is what a ruling needs besides the order: the consultant's
// month and the matching car's age.
type OrderBrief struct {
	Month DiscountMonth
	Stock OrderStock
}

// OrderPlaced is the outcome of PlaceOrder: the order, its lead (now O),
// and, when the discount needs a ruling, the request and who rules.
type OrderPlaced struct {
	Order      *Order
	Lead       *Lead
	Consultant *Staff
	Request    *OrderRequest // nil when the order stands
	Approvers  []*Staff
	Brief      OrderBrief
	// Allocated is the car in stock the confirmed order got at once (R4.3).
	Allocated *CarAllocated
}

// OrderRequested is the outcome of a change or cancellation request.
type OrderRequested struct {
	Order     *Order
	Request   *OrderRequest
	Requester *Staff
	Approvers []*Staff
	Brief     OrderBrief
}

// OrderDecided is the outcome of a ruling: the order and lead as they are
// now, the requester to tell, and everyone who held a card.
type OrderDecided struct {
	Order     *Order
	Lead      *Lead
	Request   *OrderRequest
	Requester *Staff
	Decider   *Staff
	Approvers []*Staff
	// Allocated is the car in stock an approved discount's order got at
	// once (R4.3). Released is the car a cancellation or a change of the
	// car let go, and where it went (nil Next: back in stock).
	Allocated *CarAllocated
	Released  *AllocationLapse
}

// OrderChased is one step of the chase of an unanswered request: a
// reminder to its rank (Climbed false), or its climb to the next rank
// whose people get a card.
type OrderChased struct {
	Order     *Order
	Request   *OrderRequest
	Requester *Staff
	Approvers []*Staff
	Climbed   bool
	// Passed are, on a climb, the people of the rank below, whose cards no
	// longer rule.
	Passed []*Staff
	Brief  OrderBrief
}

// DepositRefund is a refund of (part of) an order's deposit (R4.4).
type DepositRefund struct {
	ID        int64
	StoreID   int64
	OrderID   int64
	AmountFen int64
	Method    string
	ByID      int64
	ByName    string // who recorded it, when read back
	At        time.Time
}

// OrderShown is the outcome of OrderByID: the order, its pending request
// (nil when none) and its deposit refunds, oldest first (R4.4).
type OrderShown struct {
	Order   *Order
	Request *OrderRequest
	Refunds []DepositRefund
}

// DepositRefunded is the outcome of RefundDeposit: the refund and what is
// left of the deposit.
type DepositRefunded struct {
	Refund  *DepositRefund
	Order   *Order
	LeftFen int64
}

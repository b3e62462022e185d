package storage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// storage implements the order service (R4.1, R4.2, R4.4).
var _ domain.OrderService = (*DB)(nil)

// orderRow is a row of orders.
type orderRow struct {
	ID               int64 `gorm:"primaryKey"`
	StoreID          int64
	LeadID           int64
	ConsultantID     int64
	Model            string
	Trim             string
	Colour           string
	ListPriceFen     int64
	AgreedPriceFen   int64
	DepositFen       int64
	Payment          string
	TradeIn          string
	ExpectedDelivery string
	State            string
	ApprovalRank     string
	DecidedBy        int64
	DecidedAt        *time.Time
	Reason           string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	VehicleID        int64
	PaidAt           *time.Time
	PaidBy           int64
	SubDealerID      *int64
	DeliveredAt      *time.Time
	DeliveredBy      int64
}

// TableName implements gorm's schema.Tabler.
func (orderRow) TableName() string { return "orders" }

// dayLayout is how an expected delivery date is stored.
const dayLayout = "2006-01-02"

func (db *DB) order(r *orderRow) *domain.Order {
	o := &domain.Order{ID: r.ID, StoreID: r.StoreID, LeadID: r.LeadID, ConsultantID: r.ConsultantID,
		Model: r.Model, Trim: r.Trim, Colour: r.Colour, ListFen: r.ListPriceFen, AgreedFen: r.AgreedPriceFen,
		DepositFen: r.DepositFen, Payment: domain.Payment(r.Payment), TradeIn: r.TradeIn,
		State: domain.OrderState(r.State), Rank: domain.Role(r.ApprovalRank), DecidedBy: r.DecidedBy,
		DecidedAt: utcPtr(r.DecidedAt), Reason: r.Reason, CreatedAt: utc(r.CreatedAt),
		VehicleID: r.VehicleID, PaidAt: utcPtr(r.PaidAt), PaidBy: r.PaidBy,
		DeliveredAt: utcPtr(r.DeliveredAt)}
	if r.SubDealerID != nil {
		o.SubDealerID = *r.SubDealerID
	}
	if r.ExpectedDelivery != "" {
		if d, err := time.ParseInLocation(dayLayout, r.ExpectedDelivery, db.Stores.Of(r.StoreID).Calendar.Location); err == nil {
			o.Delivery = d
		}
	}
	return o
}

func orderRowOf(o *domain.Order) orderRow {
	r := orderRow{ID: o.ID, StoreID: o.StoreID, LeadID: o.LeadID, ConsultantID: o.ConsultantID, Model: o.Model,
		Trim: o.Trim, Colour: o.Colour, ListPriceFen: o.ListFen, AgreedPriceFen: o.AgreedFen, DepositFen: o.DepositFen,
		Payment: string(o.Payment), TradeIn: o.TradeIn, State: string(o.State), ApprovalRank: string(o.Rank),
		DecidedBy: o.DecidedBy, DecidedAt: dbTimePtr(o.DecidedAt), Reason: o.Reason, CreatedAt: dbTime(o.CreatedAt),
		VehicleID: o.VehicleID, PaidAt: dbTimePtr(o.PaidAt), PaidBy: o.PaidBy,
		DeliveredAt: dbTimePtr(o.DeliveredAt)}
	if o.SubDealerID != 0 {
		id := o.SubDealerID
		r.SubDealerID = &id
	}
	if !o.Delivery.IsZero() {
		r.ExpectedDelivery = o.Delivery.Format(dayLayout)
	}
	return r
}

// orderRequestRow is a row of order_requests.
type orderRequestRow struct {
	ID          int64 `gorm:"primaryKey"`
	StoreID     int64
	OrderID     int64
	Kind        string
	Field       string
	Value       string
	Reason      string
	RequestedBy int64
	Rank        string
	Status      string
	DecidedBy   int64
	DecidedAt   *time.Time
	Answer      string
	CreatedAt   time.Time
	RemindedAt  *time.Time
	ClimbedAt   *time.Time
}

// TableName implements gorm's schema.Tabler.
func (orderRequestRow) TableName() string { return "order_requests" }

const requestPending = "pending"

// cancelLostField is the field of a cancellation whose customer is lost
// (R1.6); its value is the lost reason. A cancellation has no field
// otherwise.
const cancelLostField = "lost"

func (r *orderRequestRow) request() *domain.OrderRequest {
	out := &domain.OrderRequest{ID: r.ID, StoreID: r.StoreID, OrderID: r.OrderID, Kind: domain.OrderRequestKind(r.Kind),
		Field: r.Field, Value: r.Value, Reason: r.Reason, RequesterID: r.RequestedBy, Rank: domain.Role(r.Rank),
		CreatedAt: utc(r.CreatedAt), RemindedAt: utcPtr(r.RemindedAt), ClimbedAt: utcPtr(r.ClimbedAt)}
	if out.Kind == domain.OrderCancel && r.Field == cancelLostField {
		out.Field, out.Value, out.Lost = "", "", domain.LostReason(r.Value)
	}
	if r.Status != requestPending {
		out.Decision = &domain.Decision{DeciderID: r.DecidedBy, Verdict: domain.Verdict(r.Status), Reason: r.Answer}
		if r.DecidedAt != nil {
			out.Decision.At = utc(*r.DecidedAt)
		}
	}
	return out
}

// depositRefundRow is a row of deposit_refunds.
type depositRefundRow struct {
	ID        int64 `gorm:"primaryKey"`
	StoreID   int64
	OrderID   int64
	AmountFen int64
	Method    string
	ByStaff   int64
	At        time.Time
}

// TableName implements gorm's schema.Tabler.
func (depositRefundRow) TableName() string { return "deposit_refunds" }

func errOrderNotFound(id int64) error {
	return domain.Errorkf(domain.ENOTFOUND, "order.not_found", []any{id}, "order %d not found", id)
}

func errOrderRequestNotFound(id int64) error {
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "order request %d not found", id)
}

// PlaceOrder implements domain.OrderService.
func (db *DB) PlaceOrder(ctx context.Context, by int64, ref domain.LeadRef, d domain.OrderDraft) (*domain.OrderPlaced, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var out *domain.OrderPlaced
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		l, err := db.workableLead(ctx, s, ref)
		if err != nil {
			return err
		}
		if l.Grade == domain.GradeO {
			return domain.Errorkf(domain.EINVALID, "err.lead_closed", []any{l.ID, string(l.Grade)}, "lead %d is ordered", l.ID)
		}
		st := db.Stores.Of(l.StoreID)
		now := db.now()
		o := &domain.Order{StoreID: l.StoreID, LeadID: l.ID, ConsultantID: s.ID, Model: d.Model, Trim: d.Trim, Colour: d.Colour,
			ListFen: d.ListFen, AgreedFen: d.AgreedFen, DepositFen: d.Deposit, Payment: d.Payment, TradeIn: d.TradeIn,
			Delivery: d.Delivery, State: domain.OrderConfirmed, CreatedAt: now}
		if d.SubDealer != "" {
			c, err := db.orderSubDealer(ctx, l.StoreID, d.SubDealer)
			if err != nil {
				return err
			}
			o.SubDealerID, o.SubDealer = c.ID, c.Dealer
		}
		o.Rank = domain.DiscountRank(o.Discount(), st.Rules.Orders)
		if o.Rank != "" {
			o.State = domain.OrderPending
		}
		row := orderRowOf(o)
		row.UpdatedAt = now
		if err := db.conn(ctx).Create(&row).Error; err != nil {
			return formatError(fmt.Errorf("create order: %w", err))
		}
		o.ID = row.ID
		before := l.Grade
		l.SetGrade(domain.GradeO, now, st.Rules.Leads, st.Calendar)
		if err := db.recordChange(ctx, l, s.ID, domain.EventGrade, string(before), string(domain.GradeO), domain.WhyOrder); err != nil {
			return err
		}
		if err := db.UpdateLead(ctx, l); err != nil {
			return err
		}
		out = &domain.OrderPlaced{Order: o, Lead: l, Consultant: s}
		if o.Rank == "" {
			// Confirmed: the oldest matching car in stock is its (R4.3).
			if out.Allocated, err = db.allocateOrder(ctx, &row); err != nil {
				return err
			}
			if out.Allocated != nil {
				o.VehicleID = row.VehicleID
			}
			return nil
		}
		req := &domain.OrderRequest{StoreID: o.StoreID, OrderID: o.ID, Kind: domain.OrderDiscount, RequesterID: s.ID, Rank: o.Rank}
		if out.Approvers, err = db.fileOrderRequest(ctx, req); err != nil {
			return err
		}
		out.Request = req
		out.Brief, err = db.orderBrief(ctx, o)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "place order")
	}
	return out, nil
}

// rankApprovers are who rule at rank in store, or at the first rank above
// with anyone enrolled, never the requester; and that rank. ENOTFOUND
// when nobody is left: err.no_supervisor from the first rank up,
// err.no_approver naming the rank from a higher one (a discount only the
// general manager may approve, in a store without one).
func (db *DB) rankApprovers(ctx context.Context, store int64, rank domain.Role, requester int64) (domain.Role, []*domain.Staff, error) {
	for i := slices.Index(domain.Ranks, rank); i >= 0 && i < len(domain.Ranks); i++ {
		staff, err := db.StaffWithRole(ctx, store, domain.Ranks[i])
		if err != nil {
			return "", nil, err
		}
		staff = slices.DeleteFunc(staff, func(s *domain.Staff) bool { return !s.Enrolled() || s.ID == requester })
		if len(staff) > 0 {
			return domain.Ranks[i], staff, nil
		}
	}
	if i := slices.Index(domain.Ranks, rank); i > 0 {
		return "", nil, domain.Errorkf(domain.ENOTFOUND, "err.no_approver", []any{string(rank)}, "nobody to approve at %s or above", rank)
	}
	return "", nil, domain.Errorkf(domain.ENOTFOUND, "err.no_supervisor", nil, "nobody to approve at %s or above", rank)
}

// cardHolders are everyone in store who may hold an order request's card:
// the ranks' people, whose cards a ruling closes.
func (db *DB) cardHolders(ctx context.Context, store int64) ([]*domain.Staff, error) {
	var out []*domain.Staff
	for _, r := range domain.Ranks {
		staff, err := db.StaffWithRole(ctx, store, r)
		if err != nil {
			return nil, err
		}
		for _, s := range staff {
			if !slices.ContainsFunc(out, func(o *domain.Staff) bool { return o.ID == s.ID }) {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// fileOrderRequest inserts req as pending now, at the first rank with
// anyone to rule, and returns them. ECONFLICT (order.pending) when the
// order has a pending request already.
func (db *DB) fileOrderRequest(ctx context.Context, req *domain.OrderRequest) ([]*domain.Staff, error) {
	rank, approvers, err := db.rankApprovers(ctx, req.StoreID, req.Rank, req.RequesterID)
	if err != nil {
		return nil, err
	}
	req.Rank, req.CreatedAt = rank, db.now()
	row := orderRequestRow{StoreID: req.StoreID, OrderID: req.OrderID, Kind: string(req.Kind), Field: req.Field, Value: req.Value,
		Reason: req.Reason, RequestedBy: req.RequesterID, Rank: string(rank), Status: requestPending, CreatedAt: req.CreatedAt}
	if req.Kind == domain.OrderCancel && req.Lost != "" {
		row.Field, row.Value = cancelLostField, string(req.Lost)
	}
	res := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:     []clause.Column{{Name: "order_id"}},
		TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "status = '" + requestPending + "'"}}},
		DoNothing:   true,
	}).Create(&row)
	switch {
	case res.Error != nil:
		return nil, formatError(fmt.Errorf("file order request: %w", res.Error))
	case res.RowsAffected == 0 || row.ID == 0:
		return nil, domain.Errorkf(domain.ECONFLICT, "order.pending", []any{req.OrderID}, "order %d has a pending request", req.OrderID)
	}
	req.ID = row.ID
	return approvers, nil
}

// orderBrief is what a ruling on o needs: the consultant's other
// discounts this month (the store's calendar month, cancelled and rejected
// orders left out) and the age of the oldest matching car in stock.
func (db *DB) orderBrief(ctx context.Context, o *domain.Order) (domain.OrderBrief, error) {
	var b domain.OrderBrief
	loc := db.Stores.Of(o.StoreID).Calendar.Location
	now := db.now().In(loc)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	var rows []orderRow
	err := db.conn(ctx).Select("list_price_fen", "agreed_price_fen").
		Where("store_id = ? AND consultant_id = ? AND created_at >= ? AND id <> ? AND state NOT IN ?",
			o.StoreID, o.ConsultantID, dbTime(month), o.ID, []string{string(domain.OrderRejected), string(domain.OrderCancelled)}).
		Find(&rows).Error
	if err != nil {
		return b, formatError(fmt.Errorf("month's discounts: %w", err))
	}
	for _, r := range rows {
		b.Month.Count++
		b.Month.SumFen += r.ListPriceFen - r.AgreedPriceFen
	}
	var car struct{ InStockAt, ArrivedAt *time.Time }
	err = db.conn(ctx).Table("vehicles").Select("in_stock_at", "arrived_at").
		Where("store_id = ? AND model = ? AND trim = ? AND colour = ? AND state = ?",
			o.StoreID, o.Model, o.Trim, o.Colour, string(domain.VehicleInStock)).
		Order("arrived_at, id").Limit(1).Take(&car).Error
	switch {
	case isNotFound(err):
	case err != nil:
		return b, formatError(fmt.Errorf("car in stock: %w", err))
	default:
		since := car.ArrivedAt
		if since == nil {
			since = car.InStockAt
		}
		if since != nil {
			b.Stock = domain.OrderStock{Found: true, Days: int(db.now().Sub(*since) / (24 * time.Hour))}
		}
	}
	return b, nil
}

// orderIn is order id of store (0: any store).
func (db *DB) orderIn(ctx context.Context, store, id int64) (*domain.Order, error) {
	var row orderRow
	q := db.conn(ctx).Where("id = ?", id)
	if store != 0 {
		q = q.Where("store_id = ?", store)
	}
	err := q.Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, errOrderNotFound(id)
	case err != nil:
		return nil, formatError(fmt.Errorf("order %d: %w", id, err))
	}
	return db.order(&row), nil
}

// pendingRequestOf is the order's pending request, or nil.
func (db *DB) pendingRequestOf(ctx context.Context, orderID int64) (*domain.OrderRequest, error) {
	var rows []orderRequestRow
	if err := db.conn(ctx).Where("order_id = ? AND status = ?", orderID, requestPending).Limit(1).Find(&rows).Error; err != nil {
		return nil, formatError(err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0].request(), nil
}

// OrderByID implements domain.OrderService.
func (db *DB) OrderByID(ctx context.Context, by, id int64) (*domain.OrderShown, error) {
	out := &domain.OrderShown{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		if out.Order, err = db.orderIn(ctx, s.StoreID, id); err != nil {
			return err
		}
		if err := db.nameSubDealer(ctx, out.Order); err != nil {
			return err
		}
		if out.Refunds, err = db.depositRefunds(ctx, out.Order); err != nil {
			return err
		}
		out.Request, err = db.pendingRequestOf(ctx, id)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "order %d", id)
	}
	return out, nil
}

// depositRefunds are o's deposit refunds with who recorded them, oldest
// first, in one query.
func (db *DB) depositRefunds(ctx context.Context, o *domain.Order) ([]domain.DepositRefund, error) {
	var rows []struct {
		ID, StoreID, OrderID, AmountFen, ByStaff int64
		Method, ByName                           string
		At                                       time.Time
	}
	err := db.conn(ctx).Table("deposit_refunds AS r").
		Select("r.id, r.store_id, r.order_id, r.amount_fen, r.method, r.by_staff, r.at, COALESCE(s.name, '') AS by_name").
		Joins("LEFT JOIN staff AS s ON s.id = r.by_staff").
		Where("r.store_id = ? AND r.order_id = ?", o.StoreID, o.ID).Order("r.at, r.id").Scan(&rows).Error
	if err != nil {
		return nil, formatError(fmt.Errorf("deposit refunds of order %d: %w", o.ID, err))
	}
	out := make([]domain.DepositRefund, len(rows))
	for i, r := range rows {
		out[i] = domain.DepositRefund{ID: r.ID, StoreID: r.StoreID, OrderID: r.OrderID, AmountFen: r.AmountFen, Method: r.Method,
			ByID: r.ByStaff, ByName: r.ByName, At: r.At}
	}
	return out, nil
}

// ownOrder is order id for s to ask about: of s's store, open, and s's
// own unless s holds a rank. EINVALID (order.closed), EFORBIDDEN.
func (db *DB) ownOrder(ctx context.Context, s *domain.Staff, id int64) (*domain.Order, error) {
	o, err := db.orderIn(ctx, s.StoreID, id)
	if err != nil {
		return nil, err
	}
	if o.ConsultantID != s.ID && !domain.HoldsRank(s, domain.RoleSupervisor) {
		return nil, domain.Errorkf(domain.EFORBIDDEN, "order.not_yours", []any{id}, "order %d is not staff %d's", id, s.ID)
	}
	return o, nil
}

// RequestOrderChange implements domain.OrderService.
func (db *DB) RequestOrderChange(ctx context.Context, by, id int64, field, value string) (*domain.OrderRequested, error) {
	f, err := domain.ParseOrderField(field)
	if err != nil {
		return nil, err
	}
	return db.requestOnOrder(ctx, by, id, func(o *domain.Order) (*domain.OrderRequest, error) {
		changed := *o
		norm, err := db.applyChange(&changed, f, value)
		if err != nil {
			return nil, err
		}
		rank := domain.HigherRank(domain.RoleSupervisor, domain.DiscountRank(changed.Discount(), db.Stores.Of(o.StoreID).Rules.Orders))
		return &domain.OrderRequest{Kind: domain.OrderChange, Field: f, Value: norm, Rank: rank}, nil
	})
}

// RequestOrderCancel implements domain.OrderService.
func (db *DB) RequestOrderCancel(ctx context.Context, by, id int64, text string) (*domain.OrderRequested, error) {
	reason, lost, err := domain.ParseOrderCancel(text)
	if err != nil {
		return nil, err
	}
	if err := (domain.Decision{Verdict: domain.Rejected, DeciderID: by, Reason: reason}).Validate(); err != nil {
		return nil, err
	}
	return db.requestOnOrder(ctx, by, id, func(*domain.Order) (*domain.OrderRequest, error) {
		return &domain.OrderRequest{Kind: domain.OrderCancel, Reason: reason, Lost: lost, Rank: domain.RoleSupervisor}, nil
	})
}

// requestOnOrder files the request make builds on open order id for by.
func (db *DB) requestOnOrder(ctx context.Context, by, id int64, make func(*domain.Order) (*domain.OrderRequest, error)) (*domain.OrderRequested, error) {
	var out *domain.OrderRequested
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		o, err := db.ownOrder(ctx, s, id)
		if err != nil {
			return err
		}
		if !o.State.Open() {
			return domain.Errorkf(domain.EINVALID, "order.closed", []any{o.ID}, "order %d is %s", o.ID, o.State)
		}
		req, err := make(o)
		if err != nil {
			return err
		}
		req.StoreID, req.OrderID, req.RequesterID = o.StoreID, o.ID, s.ID
		approvers, err := db.fileOrderRequest(ctx, req)
		if err != nil {
			return err
		}
		out = &domain.OrderRequested{Order: o, Request: req, Requester: s, Approvers: approvers}
		out.Brief, err = db.orderBrief(ctx, o)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "request on order %d", id)
	}
	return out, nil
}

// applyChange sets field f of o to value as typed, checks the order as it
// would be, and returns the value normalised for the request (fen, a
// date). EINVALID as the draft's.
func (db *DB) applyChange(o *domain.Order, f, value string) (string, error) {
	norm := value
	switch f {
	case domain.FieldModel:
		o.Model = value
	case domain.FieldTrim:
		o.Trim = value
	case domain.FieldColour:
		o.Colour = value
	case domain.FieldTradeIn:
		o.TradeIn = value
	case domain.FieldAgreed, domain.FieldDeposit:
		fen, err := domain.ParseMoney(value, f == domain.FieldDeposit)
		if err != nil {
			return "", err
		}
		if f == domain.FieldAgreed {
			o.AgreedFen = fen
		} else {
			o.DepositFen = fen
		}
		norm = strconv.FormatInt(fen, 10)
	case domain.FieldPayment:
		p, err := domain.ParsePayment(value)
		if err != nil {
			return "", err
		}
		o.Payment, norm = p, string(p)
	case domain.FieldDelivery:
		st := db.Stores.Of(o.StoreID)
		d, err := domain.ParseDay(value, db.now(), st.Calendar)
		if err != nil {
			return "", err
		}
		o.Delivery, norm = d, d.Format(dayLayout)
	}
	err := domain.OrderDraft{Model: o.Model, Trim: o.Trim, Colour: o.Colour, ListFen: o.ListFen, AgreedFen: o.AgreedFen,
		Deposit: o.DepositFen, Payment: o.Payment, TradeIn: o.TradeIn}.Validate()
	return norm, err
}

// applyStored sets a change's normalised value on o.
func (db *DB) applyStored(o *domain.Order, f, value string) error {
	switch f {
	case domain.FieldAgreed, domain.FieldDeposit:
		fen, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return err
		}
		if f == domain.FieldAgreed {
			o.AgreedFen = fen
		} else {
			o.DepositFen = fen
		}
		return nil
	case domain.FieldDelivery:
		d, err := time.ParseInLocation(dayLayout, value, db.Stores.Of(o.StoreID).Calendar.Location)
		if err != nil {
			return err
		}
		o.Delivery = d
		return nil
	}
	_, err := db.applyChange(o, f, value)
	return err
}

package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/dealerbot/dealerbot/domain"
)

// Orders (R4.1, R4.2, R4.4): /order places one from a lead in one line,
// shows it, asks to change or cancel it; /refund records a deposit
// refund. A discount above the consultant's limit, a change and a
// cancellation go to approval cards (approval.go) at the rank the service
// picks; the ruling is domain.OrderService's.

// Who works orders, and who rules on them.
var (
	orderWorkers = []domain.Role{domain.RoleConsultant, domain.RoleSupervisor, domain.RoleManager}
	orderRulers  = domain.Ranks
)

// registerOrders adds /order, /refund and the cards' buttons.
func (b *Bot) registerOrders() {
	b.Register(Command{Name: "order", Roles: orderWorkers, Handler: b.handleOrder})
	b.Register(Command{Name: "refund", Roles: orderWorkers, Handler: b.handleRefund})
	b.RegisterCallback(Callback{Prefix: "ord", Roles: orderRulers, Handler: b.handleOrderDecision})
}

// handleOrder is /order <lead> 车型 配置 颜色 指导价 成交价 定金 付款 [交车日期]
// [置换…], /order show ID, /order change ID 字段 值, /order cancel ID 原因.
func (b *Bot) handleOrder(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) == 0 {
		return errUsage
	}
	switch strings.ToLower(f[0]) {
	case "show":
		if len(f) != 2 {
			return errUsage
		}
		id, err := orderID(f[1])
		if err != nil {
			return err
		}
		out, err := b.opts.Orders.OrderByID(ctx, r.Staff.ID, id)
		if err != nil {
			return err
		}
		b.reply(ctx, r.ChatID, b.orderCard(r.Lang, out.Order, out.Request, out.Refunds...))
		return nil
	case "change":
		if len(f) < 4 {
			return errUsage
		}
		id, err := orderID(f[1])
		if err != nil {
			return err
		}
		out, err := b.opts.Orders.RequestOrderChange(ctx, r.Staff.ID, id, f[2], strings.Join(f[3:], " "))
		if err != nil {
			return err
		}
		return b.orderRequested(ctx, r, out.Order, out.Request, out.Requester, out.Approvers, out.Brief)
	case "cancel":
		if len(f) < 3 {
			return errUsage
		}
		id, err := orderID(f[1])
		if err != nil {
			return err
		}
		out, err := b.opts.Orders.RequestOrderCancel(ctx, r.Staff.ID, id, strings.Join(f[2:], " "))
		if err != nil {
			return err
		}
		return b.orderRequested(ctx, r, out.Order, out.Request, out.Requester, out.Approvers, out.Brief)
	}
	ref, err := domain.ParseLeadRef(f[0])
	if err != nil {
		return err
	}
	if len(f) == 1 && isPrivate(r.Message) {
		return b.startOrderDialog(ctx, r, f[0])
	}
	if len(f) < 8 {
		return errUsage
	}
	d := domain.OrderDraft{Model: f[1], Trim: f[2], Colour: f[3]}
	if err := parsePrices(&d, f[4:7]); err != nil {
		return err
	}
	if d.Payment, err = domain.ParsePayment(f[7]); err != nil {
		return err
	}
	b.parseOrderExtras(r, &d, f[8:])
	return b.placeOrder(ctx, r, ref, d)
}

// parsePrices reads list price, agreed price and deposit, in that order.
func parsePrices(d *domain.OrderDraft, f []string) (err error) {
	if d.ListFen, err = domain.ParseMoney(f[0], false); err != nil {
		return err
	}
	if d.AgreedFen, err = domain.ParseMoney(f[1], false); err != nil {
		return err
	}
	d.Deposit, err = domain.ParseMoney(f[2], true)
	return err
}

// subDealerPrefixes lead the word that names an order's sub-dealer
// (R4.6): 二网=顺达汽贸, dealer=12.
var subDealerPrefixes = []string{"二网=", "二网：", "二网:", "经销商=", "dealer=", "subdealer="}

// takeSubDealer removes the sub-dealer word from rest, wherever it stands,
// and returns what it names ("" when none).
func takeSubDealer(rest []string) (string, []string) {
	for i, w := range rest {
		for _, p := range subDealerPrefixes {
			if len(w) > len(p) && strings.EqualFold(w[:len(p)], p) {
				return w[len(p):], append(rest[:i:i], rest[i+1:]...)
			}
		}
	}
	return "", rest
}

// parseOrderExtras reads the optional tail: a delivery date, then the
// trade-in (置换 may lead it); the sub-dealer word (二网=…) anywhere.
func (b *Bot) parseOrderExtras(r *Request, d *domain.OrderDraft, rest []string) {
	d.SubDealer, rest = takeSubDealer(rest)
	if len(rest) > 0 {
		if day, err := domain.ParseDay(rest[0], b.opts.Now(), r.Store().Calendar); err == nil {
			d.Delivery, rest = day, rest[1:]
		}
	}
	if len(rest) > 0 && isTradeIn(rest[0]) {
		rest = rest[1:]
	}
	d.TradeIn = strings.Join(rest, " ")
}

// placeOrder places a checked-by-parsing draft and shows the outcome.
func (b *Bot) placeOrder(ctx context.Context, r *Request, ref domain.LeadRef, d domain.OrderDraft) error {
	out, err := b.opts.Orders.PlaceOrder(ctx, r.Staff.ID, ref, d)
	if err != nil {
		return err
	}
	if out.Request != nil {
		if err := b.sendApprovalCards(ctx, b.orderCards(out.Order, out.Request, out.Consultant, &out.Brief), out.Approvers); err != nil {
			return err
		}
	}
	// A car in stock for it (R4.3): its card, with the "customer told" button.
	if err := b.sendAllocationCard(ctx, out.Allocated, nil); err != nil {
		return err
	}
	b.reply(ctx, r.ChatID, r.T("order.placed", out.Lead.ID, out.Lead.Name)+"\n"+b.orderCard(r.Lang, out.Order, out.Request))
	return nil
}

// orderID reads an order number (17 or #17). EINVALID (order.bad_id).
func orderID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorkf(domain.EINVALID, "order.bad_id", []any{s}, "%q is not an order number", s)
	}
	return id, nil
}

// handleRefund is /refund ID 金额 方式.
func (b *Bot) handleRefund(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) < 3 {
		return errUsage
	}
	id, err := orderID(f[0])
	if err != nil {
		return err
	}
	fen, err := domain.ParseMoney(f[1], false)
	if err != nil {
		return err
	}
	out, err := b.opts.Orders.RefundDeposit(ctx, r.Staff.ID, id, fen, strings.Join(f[2:], " "))
	if err != nil {
		return err
	}
	b.reply(ctx, r.ChatID, r.T("order.refunded", out.Order.ID, domain.FormatFen(out.Refund.AmountFen), out.Refund.Method,
		domain.FormatFen(out.LeftFen)))
	return nil
}

// orderRequested sends a change's or cancellation's cards and answers.
func (b *Bot) orderRequested(ctx context.Context, r *Request, o *domain.Order, req *domain.OrderRequest, requester *domain.Staff,
	approvers []*domain.Staff, brief domain.OrderBrief) error {
	if err := b.sendApprovalCards(ctx, b.orderCards(o, req, requester, &brief), approvers); err != nil {
		return err
	}
	b.reply(ctx, r.ChatID, r.T("order.requested", o.ID, T(r.Lang, "role."+string(req.Rank)), len(approvers)))
	return nil
}

// orderCard is the order as its consultant sees it: state and next step,
// and the deposit refunds given (amount, method, who, when in the store's
// zone).
func (b *Bot) orderCard(lang domain.Lang, o *domain.Order, req *domain.OrderRequest, refunds ...domain.DepositRefund) string {
	var sb strings.Builder
	sb.WriteString(T(lang, "order.card", o.ID, o.LeadID, o.Model, o.Trim, o.Colour, domain.FormatFen(o.ListFen),
		domain.FormatFen(o.AgreedFen), domain.FormatFen(o.Discount()), domain.FormatFen(o.DepositFen), T(lang, "order.pay_"+string(o.Payment))))
	if !o.Delivery.IsZero() {
		sb.WriteString("\n" + T(lang, "order.delivery", o.Delivery.Format("2006-01-02")))
	}
	if o.TradeIn != "" {
		sb.WriteString("\n" + T(lang, "order.trade_in", o.TradeIn))
	}
	if o.SubDealerID != 0 {
		sb.WriteString("\n" + T(lang, "order.sub_dealer", o.SubDealerID, o.SubDealer))
	}
	sb.WriteString("\n" + T(lang, "order.state", T(lang, "order.state_"+string(o.State))))
	switch {
	case req != nil && req.Decision == nil:
		sb.WriteString("\n" + T(lang, "order.next_wait", T(lang, "order.kind_"+string(req.Kind)), T(lang, "role."+string(req.Rank))))
	case o.State == domain.OrderConfirmed && o.VehicleID != 0:
		sb.WriteString("\n" + T(lang, "order.next_allocated", o.ID, o.ID))
	case o.State == domain.OrderConfirmed:
		sb.WriteString("\n" + T(lang, "order.next_confirmed"))
	}
	if o.PaidAt != nil {
		sb.WriteString("\n" + T(lang, "order.paid_at", b.formatTime(o.StoreID, *o.PaidAt)))
	}
	for _, f := range refunds {
		sb.WriteString("\n" + T(lang, "order.refund_line", domain.FormatFen(f.AmountFen), f.Method, f.ByName, b.formatTime(o.StoreID, f.At)))
	}
	return sb.String()
}

// orderCards are a request's approval cards; with a brief, the body shows
// what a decider needs beside the price (the consultant's discounts this
// month, the matching car's age in stock), without one (a closed card) not.
func (b *Bot) orderCards(o *domain.Order, req *domain.OrderRequest, requester *domain.Staff, brief *domain.OrderBrief) approvalCards {
	id := strconv.FormatInt(req.ID, 10)
	return approvalCards{
		Key:  func(a int64) string { return fmt.Sprintf("ord:%d:%d", req.ID, a) },
		Done: func(a int64) string { return fmt.Sprintf("ord-card:%d:%d", req.ID, a) },
		Body: func(lang domain.Lang) string {
			text := T(lang, "order.req_card", T(lang, "order.kind_"+string(req.Kind)), o.ID, requester.Name, o.Model, o.Trim, o.Colour,
				domain.FormatFen(o.ListFen), domain.FormatFen(o.AgreedFen), domain.FormatFen(o.Discount()))
			if brief != nil {
				text += "\n" + T(lang, "order.req_month", brief.Month.Count, domain.FormatFen(brief.Month.SumFen))
			}
			if brief != nil && brief.Stock.Found {
				text += "\n" + T(lang, "order.req_stock", brief.Stock.Days)
			}
			switch req.Kind {
			case domain.OrderChange:
				text += "\n" + T(lang, "order.req_change", req.Field, clip(changeValue(req), cardNoteMax))
			case domain.OrderCancel:
				text += "\n" + T(lang, "order.req_cancel", clip(req.Reason, cardNoteMax))
				if req.Lost != "" { // the one approval marks the lead lost too (R1.6)
					text += "\n" + T(lang, "order.req_lost", T(lang, "lost."+string(req.Lost)), o.LeadID)
				}
			}
			return text
		},
		Buttons: approveReject("ord:ok:"+id, "ord:no:"+id),
	}
}

// changeValue is a change's new value as people read it.
func changeValue(req *domain.OrderRequest) string {
	if req.Field == domain.FieldAgreed || req.Field == domain.FieldDeposit {
		if fen, err := strconv.ParseInt(req.Value, 10, 64); err == nil {
			return domain.FormatFen(fen)
		}
	}
	return req.Value
}

// handleOrderDecision takes a tap: ord:ok:<id> approves, ord:no:<id> asks
// the reason of a rejection.
func (b *Bot) handleOrderDecision(ctx context.Context, r *Request) error {
	verb, id, err := decisionTap(r, "order")
	if err != nil {
		return err
	}
	if verb == "no" {
		req, err := b.opts.Orders.OrderRequestToDecide(ctx, id, r.Staff.ID)
		if err != nil {
			return err
		}
		return b.ask(ctx, r, "oreject", req.ID, r.T("order.ask_reject", req.OrderID))
	}
	out, err := b.opts.Orders.DecideOrderRequest(ctx, id, domain.Decision{DeciderID: r.Staff.ID, Verdict: domain.Approved})
	if err != nil {
		return err
	}
	return b.orderDecided(ctx, r, out)
}

// orderRejectText takes the reason for a rejection.
func (b *Bot) orderRejectText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	id, dec, err := b.rejection(ctx, r, d, text)
	if err != nil {
		return err
	}
	out, err := b.opts.Orders.DecideOrderRequest(ctx, id, dec)
	if err != nil {
		return err
	}
	return b.orderDecided(ctx, r, out)
}

// orderDecided shows a ruling: the requester told with the order card,
// the cards closed, the decider answered.
func (b *Bot) orderDecided(ctx context.Context, r *Request, out *domain.OrderDecided) error {
	req, d := out.Request, out.Request.Decision
	key := "order.approved"
	if !d.Approved() {
		key = "order.rejected"
	}
	err := b.tell(ctx, fmt.Sprintf("ord-result:%d", req.ID), out.Requester, func(lang domain.Lang) string {
		text := T(lang, key, T(lang, "order.kind_"+string(req.Kind)), out.Order.ID, out.Decider.Name, d.Reason)
		if d.Approved() && req.Lost != "" && out.Lead.Grade == domain.GradeF {
			text += "\n" + T(lang, "order.lead_lost", out.Lead.ID, T(lang, "lost."+string(req.Lost)))
		}
		return text + "\n" + b.orderCard(lang, out.Order, nil)
	})
	if err != nil {
		return err
	}
	// The car (R4.3): the confirmed order's card; a released car's next order.
	if err := b.sendAllocationCard(ctx, out.Allocated, nil); err != nil {
		return err
	}
	if out.Released != nil {
		if err := b.NotifyAllocationsLapsed(ctx, []domain.AllocationLapse{*out.Released}); err != nil {
			return err
		}
	}
	// The card body is rewritten without the brief: the ruling is what
	// counts, and a brief not computed again would show made-up zeros.
	cards := b.orderCards(out.Order, req, out.Requester, nil)
	outcome := "order.done_ok"
	if !d.Approved() {
		outcome = "order.done_no"
	}
	if err := b.closeApprovalCards(ctx, cards, out.Approvers, func(lang domain.Lang) string {
		return T(lang, outcome, out.Decider.Name, clip(d.Reason, cardNoteMax))
	}); err != nil {
		return err
	}
	b.reply(ctx, r.ChatID, r.T(outcome, out.Decider.Name, d.Reason))
	return nil
}

// NotifyOrderChased implements jobs.OrderChaseNotifier: a reminder to the
// rank's people, or on a climb a card for the new rank's people and word
// to the requester.
func (b *Bot) NotifyOrderChased(ctx context.Context, c *domain.OrderChased) error {
	cards := b.orderCards(c.Order, c.Request, c.Requester, &c.Brief)
	if c.Climbed {
		if err := b.sendApprovalCards(ctx, cards, c.Approvers); err != nil {
			return err
		}
		// The rank below's cards lose their buttons: they no longer rule.
		err := b.closeApprovalCards(ctx, cards, c.Passed, func(lang domain.Lang) string {
			return T(lang, "order.passed_up", T(lang, "role."+string(c.Request.Rank)))
		})
		if err != nil {
			return err
		}
		return b.tell(ctx, fmt.Sprintf("ord-climb:%d:%s", c.Request.ID, c.Request.Rank), c.Requester, func(lang domain.Lang) string {
			return T(lang, "order.climbed", c.Order.ID, T(lang, "role."+string(c.Request.Rank)))
		})
	}
	for _, a := range c.Approvers {
		err := b.tell(ctx, fmt.Sprintf("ord-remind:%d:%d", c.Request.ID, a.ID), a, func(lang domain.Lang) string {
			return T(lang, "order.remind", T(lang, "order.kind_"+string(c.Request.Kind)), c.Order.ID, c.Requester.Name)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Allocation (R4.3): the card that tells a consultant a car has arrived
// for their order, with the "customer told" button (/told); /paid records
// the full payment; /allocate gives a car by hand, out of turn through the
// manager's card (approval.go). The lapse job's notices are
// NotifyAllocationsLapsed. Every decision is domain.AllocationService's.

// registerAllocation adds /told, /paid, /allocate and their buttons.
func (b *Bot) registerAllocation() {
	b.Register(Command{Name: "told", Roles: domain.MayAllocate, Handler: b.handleTold})
	b.Register(Command{Name: "paid", Roles: domain.MayAllocate, Handler: b.handlePaid})
	b.Register(Command{Name: "allocate", Roles: domain.MayAllocate, Handler: b.handleAllocate})
	b.RegisterCallback(Callback{Prefix: "altold", Roles: domain.MayAllocate, Handler: b.handleToldButton})
	b.RegisterCallback(Callback{Prefix: "aljump", Roles: domain.QueueJumpDeciders, Handler: b.handleJumpDecision})
}

// carText is a car as a card names it: VIN, model, trim and colour.
func carText(v domain.Vehicle) string {
	return strings.TrimSpace(v.VIN + " " + v.Model + " " + v.Trim + " " + v.Colour)
}

// allocCardKey is the outbox key of allocation id's card to its consultant.
func allocCardKey(id int64) string { return "alloc:" + strconv.FormatInt(id, 10) }

// sendAllocationCard pushes the card of a car allocated to its order's
// consultant: car arrived for order #N, the VIN, and the button "customer
// told". why is an extra line (a reallocation's cause), or empty.
func (b *Bot) sendAllocationCard(ctx context.Context, a *domain.CarAllocated, why func(domain.Lang) string) error {
	if a == nil || a.Consultant == nil {
		return nil
	}
	c, al := a.Consultant, a.Allocation
	text := T(c.Lang, "alloc.card", al.Order.ID, a.Customer, carText(al.Vehicle))
	if why != nil {
		text += "\n" + why(c.Lang)
	}
	if !al.PaidAt.IsZero() {
		// Paid already (while waiting in line): no clock to start.
		return b.Push(ctx, allocCardKey(al.ID), c.TelegramID, c.ID, text+"\n"+T(c.Lang, "alloc.card_paid"), nil)
	}
	text += "\n" + T(c.Lang, "alloc.card_next", al.Order.ID)
	button := inlineKeyboard([]models.InlineKeyboardButton{{Text: T(c.Lang, "btn.customer_told"),
		CallbackData: "altold:" + strconv.FormatInt(al.Order.ID, 10)}})
	return b.Push(ctx, allocCardKey(al.ID), c.TelegramID, c.ID, text, button)
}

// handleTold is /told <order>.
func (b *Bot) handleTold(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) != 1 {
		return errUsage
	}
	id, err := orderID(f[0])
	if err != nil {
		return err
	}
	return b.tellCustomer(ctx, r, id)
}

// handleToldButton takes the card's tap: altold:<order>.
func (b *Bot) handleToldButton(ctx context.Context, r *Request) error {
	id, err := parseButtonID(r.Args)
	if err != nil {
		return err
	}
	return b.tellCustomer(ctx, r, id)
}

// tellCustomer starts order id's payment clock and shows when it ends, in
// the store's zone; the card loses its button.
func (b *Bot) tellCustomer(ctx context.Context, r *Request, id int64) error {
	out, err := b.opts.Allocations.TellCustomer(ctx, r.Staff.ID, id)
	if err != nil {
		return err
	}
	al := out.Allocation
	payBy := al.PayBy.In(out.Location).Format(domain.MinuteLayout)
	if c := out.Consultant; c != nil {
		text := T(c.Lang, "alloc.card", al.Order.ID, out.Customer, carText(al.Vehicle)) + "\n" +
			T(c.Lang, "alloc.card_told", r.Staff.Name, payBy)
		if err := b.editCard(ctx, allocCardKey(al.ID), allocCardKey(al.ID)+":told", c, text); err != nil {
			return err
		}
	}
	r.Reply(ctx, "alloc.told", al.Order.ID, out.Customer, payBy)
	return nil
}

// handlePaid is /paid <order>.
func (b *Bot) handlePaid(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) != 1 {
		return errUsage
	}
	id, err := orderID(f[0])
	if err != nil {
		return err
	}
	out, err := b.opts.Allocations.RecordPayment(ctx, r.Staff.ID, id)
	if err != nil {
		return err
	}
	if out.Lapse != nil {
		if err := b.NotifyAllocationsLapsed(ctx, []domain.AllocationLapse{*out.Lapse}); err != nil {
			return err
		}
	}
	switch {
	case out.Allocation != nil:
		r.Reply(ctx, "alloc.paid", out.Order.ID, carText(out.Allocation.Vehicle))
	case out.Late:
		r.Reply(ctx, "alloc.paid_late", out.Order.ID)
	default:
		r.Reply(ctx, "alloc.paid_waiting", out.Order.ID)
	}
	return nil
}

// handleAllocate is /allocate <order> <VIN or its last six>.
func (b *Bot) handleAllocate(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) != 2 {
		return errUsage
	}
	id, err := orderID(f[0])
	if err != nil {
		return err
	}
	out, err := b.opts.Allocations.AllocateCar(ctx, r.Staff.ID, id, f[1])
	if err != nil {
		return err
	}
	if out.Allocated != nil {
		if err := b.sendAllocationCard(ctx, out.Allocated, nil); err != nil {
			return err
		}
		r.Reply(ctx, "alloc.allocated", carText(out.Vehicle), out.Order.ID)
		return nil
	}
	if err := b.sendApprovalCards(ctx, b.jumpCards(out.Request, out.Order, out.Vehicle, out.Requester, out.Jumped), out.Approvers); err != nil {
		return err
	}
	r.Reply(ctx, "alloc.jump_asked", out.Order.ID, len(out.Jumped), len(out.Approvers))
	return nil
}

// jumpCards are a queue jump's approval cards: the car, the order, who
// asks, and the orders jumped (#id, customer, consultant, order date).
func (b *Bot) jumpCards(req *domain.AllocationRequest, o *domain.Order, v domain.Vehicle, requester *domain.Staff,
	jumped []domain.QueuedOrder) approvalCards {
	id := strconv.FormatInt(req.ID, 10)
	return approvalCards{
		Key:  func(a int64) string { return fmt.Sprintf("aljump:%d:%d", req.ID, a) },
		Done: func(a int64) string { return fmt.Sprintf("aljump-card:%d:%d", req.ID, a) },
		Body: func(lang domain.Lang) string {
			var sb strings.Builder
			sb.WriteString(T(lang, "alloc.jump_card", requester.Name, carText(v), o.ID, b.formatDay(o.StoreID, o.CreatedAt), len(jumped)))
			for i, j := range jumped {
				if i == 10 {
					sb.WriteString("\n" + T(lang, "vlist.more", len(jumped)-i))
					break
				}
				sb.WriteString("\n" + T(lang, "alloc.jumped", j.ID, j.Customer, j.ConsultantName, b.formatDay(o.StoreID, j.OrderedAt)))
			}
			return sb.String()
		},
		Buttons: approveReject("aljump:ok:"+id, "aljump:no:"+id),
	}
}

// formatDay writes an instant's date in store's zone.
func (b *Bot) formatDay(store int64, t time.Time) string {
	return t.In(b.opts.Stores.Of(store).Calendar.Location).Format("2006-01-02")
}

// handleJumpDecision takes a manager's tap: aljump:ok:<id> approves,
// aljump:no:<id> asks the reason of a rejection.
func (b *Bot) handleJumpDecision(ctx context.Context, r *Request) error {
	verb, id, err := decisionTap(r, "queue jump")
	if err != nil {
		return err
	}
	if verb == "no" {
		req, err := b.opts.Allocations.AllocationRequestToDecide(ctx, id, r.Staff.ID)
		if err != nil {
			return err
		}
		return b.ask(ctx, r, "aljreject", req.ID, r.T("alloc.ask_reject", req.OrderID))
	}
	out, err := b.opts.Allocations.DecideAllocation(ctx, id, domain.Decision{DeciderID: r.Staff.ID, Verdict: domain.Approved})
	if err != nil {
		return err
	}
	return b.jumpDecided(ctx, r, out)
}

// jumpRejectText takes the reason for a rejected queue jump.
func (b *Bot) jumpRejectText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	id, dec, err := b.rejection(ctx, r, d, text)
	if err != nil {
		return err
	}
	out, err := b.opts.Allocations.DecideAllocation(ctx, id, dec)
	if err != nil {
		return err
	}
	return b.jumpDecided(ctx, r, out)
}

// jumpDecided shows a ruling on a queue jump: the requester told, the
// consultant's card sent when approved, the cards closed.
func (b *Bot) jumpDecided(ctx context.Context, r *Request, out *domain.AllocationDecided) error {
	req, d := out.Request, out.Request.Decision
	key, outcome := "alloc.jump_approved", "order.done_ok"
	if !d.Approved() {
		key, outcome = "alloc.jump_rejected", "order.done_no"
	}
	err := b.tell(ctx, fmt.Sprintf("aljump-result:%d", req.ID), out.Requester, func(lang domain.Lang) string {
		return T(lang, key, carText(out.Vehicle), out.Order.ID, out.Decider.Name, d.Reason)
	})
	if err != nil {
		return err
	}
	if err := b.sendAllocationCard(ctx, out.Allocated, nil); err != nil {
		return err
	}
	cards := b.jumpCards(req, out.Order, out.Vehicle, out.Requester, nil)
	if err := b.closeApprovalCards(ctx, cards, out.Holders, func(lang domain.Lang) string {
		return T(lang, outcome, out.Decider.Name, clip(d.Reason, cardNoteMax))
	}); err != nil {
		return err
	}
	b.reply(ctx, r.ChatID, r.T(outcome, out.Decider.Name, d.Reason))
	return nil
}

// NotifyAllocationsLapsed implements jobs.AllocationLapseNotifier: the
// lapsed order's consultant hears the car is gone, the next order's gets
// the car's card, the store's supervisors hear where it went. A released
// car (a cancelled or changed order) tells only the next order's
// consultant. Keyed by the ended allocation, so a rerun sends nothing
// twice; called in the transaction of the lapse.
func (b *Bot) NotifyAllocationsLapsed(ctx context.Context, lapses []domain.AllocationLapse) error {
	for i := range lapses {
		l := &lapses[i]
		o, v := l.Lapsed.Order, l.Lapsed.Vehicle
		released := l.Lapsed.State == domain.AllocationReleased
		at := l.Lapsed.PayBy.In(l.Location).Format(domain.MinuteLayout)
		key := "alloc-lapse:" + strconv.FormatInt(l.Lapsed.ID, 10) + ":"
		if err := b.sendAllocationCard(ctx, l.Next, func(lang domain.Lang) string {
			if released {
				return T(lang, "alloc.after_release", o.ID)
			}
			return T(lang, "alloc.after_lapse", o.ID)
		}); err != nil {
			return err
		}
		if released {
			continue
		}
		if p := l.LostCar; p != nil {
			if err := b.Push(ctx, key+strconv.FormatInt(p.ID, 10), p.TelegramID, p.ID,
				T(p.Lang, "alloc.lapsed", o.ID, l.Customer, at, carText(v)), nil); err != nil {
				return err
			}
			// The arrival card loses its button: the clock has run out.
			if err := b.editCard(ctx, allocCardKey(l.Lapsed.ID), allocCardKey(l.Lapsed.ID)+":lapsed", p,
				T(p.Lang, "alloc.card", o.ID, l.Customer, carText(v))+"\n"+T(p.Lang, "alloc.card_lapsed", at)); err != nil {
				return err
			}
		}
		for _, p := range l.Supervisors {
			where := T(p.Lang, "alloc.sup_to_stock")
			if l.Next != nil {
				name := "—"
				if l.Next.Consultant != nil {
					name = l.Next.Consultant.Name
				}
				where = T(p.Lang, "alloc.sup_to_order", l.Next.Allocation.Order.ID, l.Next.Customer, name)
			}
			if err := b.Push(ctx, key+strconv.FormatInt(p.ID, 10), p.TelegramID, p.ID,
				T(p.Lang, "alloc.lapsed_sup", o.ID, l.Customer, carText(v), at, where), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

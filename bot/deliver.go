package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Delivery (R4.5): /deliver shows an order's checklist as a card, one tap
// per item; "Delivered" hands the car over once every item is ticked (full
// payment is the allocation's /paid). /sat, and the buttons of the
// morning push's post-delivery follow-ups, log the customer's
// satisfaction. The rules are domain.DeliveryService's.

// registerDelivery adds /deliver, /sat and their buttons.
func (b *Bot) registerDelivery() {
	b.Register(Command{Name: "deliver", Roles: orderWorkers, Handler: b.handleDeliver})
	b.Register(Command{Name: "sat", Roles: orderWorkers, Handler: b.handleSat})
	b.RegisterCallback(Callback{Prefix: "dlv", Roles: orderWorkers, Handler: b.handleDeliverButton})
	b.RegisterCallback(Callback{Prefix: "dsat", Roles: orderWorkers, Handler: b.handleSatButton})
}

// deliverWords are what /deliver 12 交车 may say to deliver.
var deliverWords = map[string]bool{"交车": true, "done": true, "deliver": true, "delivered": true, "ok": true}

// handleDeliver is /deliver ID, /deliver ID 发票 保险 … (ticks), /deliver
// ID 交车.
func (b *Bot) handleDeliver(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) == 0 {
		return errUsage
	}
	id, err := orderID(f[0])
	if err != nil {
		return err
	}
	switch {
	case len(f) == 1:
		c, err := b.opts.Deliveries.DeliveryCard(ctx, r.Staff.ID, id)
		if err != nil {
			return err
		}
		b.replyMarkup(ctx, r.ChatID, b.deliveryCardText(r, c), deliveryButtons(r, c))
		return nil
	case len(f) == 2 && deliverWords[strings.ToLower(f[1])]:
		out, err := b.opts.Deliveries.Deliver(ctx, r.Staff.ID, id)
		if err != nil {
			return err
		}
		b.replyMarkup(ctx, r.ChatID, b.deliveredText(r, out), nil)
		return nil
	}
	// Ticks: every item is read before any is ticked, so a typo ticks none.
	items := make([]domain.DeliveryItem, 0, len(f)-1)
	for _, w := range f[1:] {
		it, err := domain.ParseDeliveryItem(w)
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	c, err := b.opts.Deliveries.TickDelivery(ctx, r.Staff.ID, id, items, true)
	if err != nil {
		return err
	}
	b.replyMarkup(ctx, r.ChatID, b.deliveryCardText(r, c), deliveryButtons(r, c))
	return nil
}

// handleDeliverButton takes dlv:t:<order>:<item> (tick), dlv:u:… (untick)
// and dlv:go:<order> (deliver): the card is edited in place.
func (b *Bot) handleDeliverButton(ctx context.Context, r *Request) error {
	parts := strings.Split(r.Args, ":")
	if len(parts) < 2 {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad delivery button %q", r.Args)
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad delivery button %q", r.Args)
	}
	switch {
	case parts[0] == "go" && len(parts) == 2:
		out, err := b.opts.Deliveries.Deliver(ctx, r.Staff.ID, id)
		if err != nil {
			return err
		}
		return b.edit(ctx, r, b.deliveredText(r, out), nil)
	case (parts[0] == "t" || parts[0] == "u") && len(parts) == 3:
		c, err := b.opts.Deliveries.TickDelivery(ctx, r.Staff.ID, id, []domain.DeliveryItem{domain.DeliveryItem(parts[2])}, parts[0] == "t")
		if err != nil {
			return err
		}
		return b.edit(ctx, r, b.deliveryCardText(r, c), deliveryButtons(r, c))
	}
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad delivery button %q", r.Args)
}

// deliveryCardText is the checklist: each item ticked (who, when) or not,
// what is left, or, once delivered, the follow-ups.
func (b *Bot) deliveryCardText(r *Request, c *domain.DeliveryCard) string {
	o := c.Order
	vin := c.VIN
	if vin == "" {
		vin = "—"
	}
	lines := []string{r.T("delivery.card", o.ID, c.LeadName, o.LeadID, o.Model, o.Trim, o.Colour, vin)}
	if o.SubDealerID != 0 {
		lines = append(lines, r.T("order.sub_dealer", o.SubDealerID, o.SubDealer))
	}
	left := 0
	for _, it := range domain.DeliveryItems {
		name := r.T("ditem." + string(it))
		tk, ok := c.Ticks[it]
		switch {
		case ok:
			lines = append(lines, r.T("delivery.ticked", name, tk.Name, b.formatTime(o.StoreID, tk.At)))
		case it == domain.DeliveryFullPayment:
			left++
			lines = append(lines, r.T("delivery.pay_hint", name, o.ID))
		default:
			left++
			lines = append(lines, r.T("delivery.unticked", name))
		}
	}
	switch {
	case o.DeliveredAt != nil:
		lines = append(lines, r.T("delivery.done_at", b.formatTime(o.StoreID, *o.DeliveredAt)))
		lines = append(lines, b.followUpLines(r, c.FollowUps)...)
	case left > 0:
		lines = append(lines, r.T("delivery.todo", left))
	default:
		lines = append(lines, r.T("delivery.ready"))
	}
	return strings.Join(lines, "\n")
}

// followUpLines are the post-delivery follow-ups: when, and what was
// logged.
func (b *Bot) followUpLines(r *Request, fus []domain.DeliveryFollowUp) []string {
	var out []string
	for _, f := range fus {
		state := r.T("delivery.fu_open")
		if f.Done() {
			state = r.T("delivery.fu_logged", r.T("sat."+f.Satisfaction), f.Note)
		}
		out = append(out, r.T("delivery.fu_line", f.Seq, f.Days, b.formatDay(f.StoreID, f.DueAt), strings.TrimSpace(state)))
	}
	return out
}

// deliveryButtons are one tap per item (not full payment: /paid records
// it) and "Delivered"; none once delivered.
func deliveryButtons(r *Request, c *domain.DeliveryCard) models.ReplyMarkup {
	if c.Order.DeliveredAt != nil {
		return nil
	}
	id := strconv.FormatInt(c.Order.ID, 10)
	var rows [][]models.InlineKeyboardButton
	var row []models.InlineKeyboardButton
	for _, it := range domain.DeliveryItems {
		if it == domain.DeliveryFullPayment {
			continue
		}
		name := stripTags(r.T("ditem." + string(it)))
		btn := models.InlineKeyboardButton{Text: r.T("btn.tick", name), CallbackData: "dlv:t:" + id + ":" + string(it)}
		if _, ok := c.Ticks[it]; ok {
			btn = models.InlineKeyboardButton{Text: r.T("btn.untick", name), CallbackData: "dlv:u:" + id + ":" + string(it)}
		}
		if row = append(row, btn); len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	rows = append(rows, []models.InlineKeyboardButton{{Text: r.T("btn.deliver"), CallbackData: "dlv:go:" + id}})
	return inlineKeyboard(rows...)
}

// deliveredText is the answer to a delivery: what happened, and the card
// with the follow-ups.
func (b *Bot) deliveredText(r *Request, out *domain.Delivered) string {
	o := out.Card.Order
	return r.T("delivery.delivered", o.ID, out.Vehicle.VIN, out.Lead.ID, out.Lead.Name) + "\n\n" + b.deliveryCardText(r, out.Card)
}

// handleSat is /sat ID 满意|一般|不满意 [备注].
func (b *Bot) handleSat(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) < 2 {
		return errUsage
	}
	id, err := orderID(f[0])
	if err != nil {
		return err
	}
	sat, err := domain.ParseDeliverySatisfaction(f[1])
	if err != nil {
		return err
	}
	out, err := b.opts.Deliveries.LogOrderSatisfaction(ctx, r.Staff.ID, id, sat, strings.Join(f[2:], " "))
	if err != nil {
		return err
	}
	b.reply(ctx, r.ChatID, b.satText(r, out))
	return b.tellDissatisfied(ctx, out)
}

// satCodes are the satisfaction buttons' codes (callback data stays short).
var satCodes = map[string]string{"s": domain.Satisfied, "n": domain.Neutral, "d": domain.Dissatisfied}

// handleSatButton takes dsat:<follow-up>:s|n|d from the morning push.
func (b *Bot) handleSatButton(ctx context.Context, r *Request) error {
	idText, code, _ := strings.Cut(r.Args, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || satCodes[code] == "" {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad satisfaction button %q", r.Args)
	}
	out, err := b.opts.Deliveries.LogDeliverySatisfaction(ctx, r.Staff.ID, id, satCodes[code], "")
	if err != nil {
		return err
	}
	b.reply(ctx, r.ChatID, b.satText(r, out))
	return b.tellDissatisfied(ctx, out)
}

// satText confirms a logged follow-up and names the next.
func (b *Bot) satText(r *Request, out *domain.SatisfactionLogged) string {
	f := out.FollowUp
	text := r.T("sat.logged", f.OrderID, f.LeadName, f.Days, r.T("sat."+f.Satisfaction))
	if out.Next != nil {
		return text + "\n" + r.T("sat.next", b.formatDay(f.StoreID, out.Next.DueAt))
	}
	return text + "\n" + r.T("sat.last")
}

// morningDeliveries adds the digest's post-delivery follow-ups (R4.5) to
// a morning message: a line each and a row of satisfaction buttons.
func morningDeliveries(lang domain.Lang, st *domain.Store, d *domain.MorningDigest, lines []string, rows [][]models.InlineKeyboardButton) ([]string, [][]models.InlineKeyboardButton) {
	if len(d.Deliveries) == 0 {
		return lines, rows
	}
	lines = append(lines, T(lang, "morning.deliveries", len(d.Deliveries)+d.DeliveriesMore))
	for _, f := range d.Deliveries {
		lines = append(lines, T(lang, "morning.delivery", f.OrderID, f.LeadName, f.Days, f.DueAt.In(st.Calendar.Location).Format("01-02")))
		var row []models.InlineKeyboardButton
		for _, c := range []string{"s", "n", "d"} {
			row = append(row, models.InlineKeyboardButton{Text: T(lang, "btn.sat", T(lang, "sat."+satCodes[c]), f.OrderID),
				CallbackData: fmt.Sprintf("dsat:%d:%s", f.ID, c)})
		}
		rows = append(rows, row)
	}
	if d.DeliveriesMore > 0 {
		lines = append(lines, T(lang, "vlist.more", d.DeliveriesMore))
	}
	return lines, rows
}

// tellDissatisfied tells the store's supervisors of a dissatisfied
// customer at a post-delivery follow-up, once per follow-up each.
func (b *Bot) tellDissatisfied(ctx context.Context, out *domain.SatisfactionLogged) error {
	f := out.FollowUp
	for _, p := range out.Supervisors {
		err := b.tell(ctx, fmt.Sprintf("dsat-sup:%d:%d", f.ID, p.ID), p, func(lang domain.Lang) string {
			return T(lang, "sat.sup", f.OrderID, f.LeadName, f.Days, out.By.Name, f.Note)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

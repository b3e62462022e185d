package bot

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The guided /order: /order 17 alone, in a private chat, asks for the car,
// the prices, the payment and the extras one at a time; a bad answer is
// asked again with the reason. The draft is the dialogue's stored data, so
// a restart in the middle loses nothing.

// orderDialog is the guided order's stored answers.
type orderDialog struct {
	Lead  string
	Draft domain.OrderDraft
}

// startOrderDialog asks the first question for lead ref.
func (b *Bot) startOrderDialog(ctx context.Context, r *Request, ref string) error {
	if err := b.startDialog(ctx, r, "order", "car", orderDialog{Lead: ref}); err != nil {
		return err
	}
	b.replyMarkup(ctx, r.ChatID, r.T("order.ask_car"), inlineKeyboard([]models.InlineKeyboardButton{cancelButton(r.Lang)}))
	return nil
}

// orderDialogText takes one answer of the guided order.
func (b *Bot) orderDialogText(ctx context.Context, r *Request, dl *domain.Dialog, text string) error {
	var od orderDialog
	if err := json.Unmarshal([]byte(dl.Data), &od); err != nil {
		return err
	}
	cancel := inlineKeyboard([]models.InlineKeyboardButton{cancelButton(r.Lang)})
	f := strings.Fields(text)
	again := func(err error, ask string) error {
		b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, err)+"\n"+r.T(ask), cancel)
		return b.startDialog(ctx, r, "order", dl.Step, od) // keep it alive: a failed step drops it
	}
	next := func(step, ask string) error {
		b.replyMarkup(ctx, r.ChatID, r.T(ask), cancel)
		return b.startDialog(ctx, r, "order", step, od)
	}
	switch dl.Step {
	case "car":
		if len(f) != 3 {
			return again(domain.Errorkf(domain.EINVALID, "err.order_car", nil, "three words"), "order.ask_car")
		}
		od.Draft.Model, od.Draft.Trim, od.Draft.Colour = f[0], f[1], f[2]
		return next("price", "order.ask_price")
	case "price":
		if len(f) != 3 {
			return again(domain.Errorkf(domain.EINVALID, "err.money", []any{text}, "three amounts"), "order.ask_price")
		}
		d := od.Draft
		if err := parsePrices(&d, f); err != nil {
			return again(err, "order.ask_price")
		}
		d.Payment = domain.PayCash // checked for the prices alone here
		if err := d.Validate(); err != nil {
			return again(err, "order.ask_price")
		}
		od.Draft.ListFen, od.Draft.AgreedFen, od.Draft.Deposit = d.ListFen, d.AgreedFen, d.Deposit
		return next("pay", "order.ask_pay")
	case "pay":
		p, err := domain.ParsePayment(text)
		if err != nil {
			return again(err, "order.ask_pay")
		}
		od.Draft.Payment = p
		return next("more", "order.ask_more")
	}
	// The last step: the extras, or 无 for none.
	if err := b.store.DeleteDialog(ctx, r.ChatID); err != nil {
		return err
	}
	if len(f) == 1 && (f[0] == "无" || f[0] == "-" || strings.EqualFold(f[0], "none")) {
		f = nil
	}
	b.parseOrderExtras(r, &od.Draft, f)
	ref, err := domain.ParseLeadRef(od.Lead)
	if err != nil {
		return err
	}
	return b.placeOrder(ctx, r, ref, od.Draft)
}

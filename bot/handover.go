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

// How a lead passes from telesales to the showroom: the handover form
// (R1.10); the invitation (R1.8) and the arrival notice (R1.9) are in
// appointment.go. Every change of owner, grade or pool is kept as a lead
// event (the audit). The use cases are domain.HandoverService's; this file
// parses the commands and buttons and renders the outcomes.

// registerHandovers adds the commands and buttons of this file, and
// /appoint (appointment.go).
func (b *Bot) registerHandovers() {
	b.Register(Command{Name: "appoint", Roles: []domain.Role{domain.RoleTelesales, domain.RoleSupervisor}, Handler: b.handleAppoint})
	b.Register(Command{Name: "handover", Roles: []domain.Role{domain.RoleTelesales, domain.RoleSupervisor}, Handler: b.handleHandover})
	b.Register(Command{Name: "transfers", Roles: []domain.Role{domain.RoleSupervisor, domain.RoleManager, domain.RoleGM}, Handler: b.handleTransfers})
	b.RegisterCallback(Callback{Prefix: "ho", Roles: []domain.Role{domain.RoleConsultant}, Handler: b.handleHandoverButton})
}

// handleHandover fills the handover form: /handover 17 陈顾问 [12-20].
func (b *Bot) handleHandover(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) < 2 || len(f) > 3 {
		return errUsage
	}
	l, err := b.lookupWorkable(ctx, r, f[0])
	if err != nil {
		return err
	}
	h := domain.Handover{LeadID: l.ID, FromID: r.Staff.ID} // the service sets the expected date by default
	if len(f) == 3 {
		// Read only: SendHandover checks it (domain.CheckExpectedBuyBy).
		if h.ExpectedBuyBy, err = domain.ReadWhen(f[2], b.now(), domain.AllDays(r.Store().Calendar.Location)); err != nil {
			return err
		}
	}
	out, err := b.opts.Handovers.SendHandover(ctx, h, f[1])
	if err != nil {
		return err
	}
	if to := out.Notify; to != nil {
		id := strconv.FormatInt(out.Handover.ID, 10)
		markup := inlineKeyboard([]models.InlineKeyboardButton{
			{Text: T(to.Lang, "btn.accept"), CallbackData: "ho:ok:" + id},
			{Text: T(to.Lang, "btn.decline"), CallbackData: "ho:no:" + id},
		})
		if err := b.Push(ctx, "handover:"+id, to.TelegramID, to.ID, b.handoverForm(ctx, to.Lang, out.Handover, out.Lead), markup); err != nil {
			return err
		}
	}
	b.reply(ctx, r.ChatID, r.T("handover.sent", out.Lead.ID, out.Lead.Name, out.To.Name))
	return nil
}

// handoverForm renders attachment 2: date, customer, phone, model, channel,
// expected purchase date, grade, status, receiving consultant; a declined
// form gives the reason.
func (b *Bot) handoverForm(ctx context.Context, lang domain.Lang, h *domain.Handover, l *domain.Lead) string {
	status := T(lang, "handover.status."+h.Status)
	if h.Status == domain.HandoverDeclined && h.Reason != "" {
		status = T(lang, "handover.status.declined_reason", clip(h.Reason, 300))
	}
	st := b.opts.Stores.Of(h.StoreID) // the form's dates are its store's
	return T(lang, "handover.form", b.staffName(ctx, h.FromID), storeTime(st, h.CreatedAtOr(b.now())), l.Name, l.Phone, l.Model,
		T(lang, "source."+string(h.Channel)), h.ExpectedBuyBy.In(st.Calendar.Location).Format(domain.DateLayout),
		T(lang, "grade."+string(h.Grade)), b.staffName(ctx, h.ToID), status)
}

// closeHandoverCards shows the decided form on the consultant's copies
// (the form and its reminder), without the buttons.
func (b *Bot) closeHandoverCards(ctx context.Context, h *domain.Handover, l *domain.Lead, to *domain.Staff) error {
	text := b.handoverForm(ctx, to.Lang, h, l)
	id := strconv.FormatInt(h.ID, 10)
	for _, key := range []string{"handover:" + id, "handover-remind:" + id} {
		if err := b.editCard(ctx, key, key+":"+h.Status, to, text); err != nil {
			return err
		}
	}
	return nil
}

// handleHandoverButton takes the consultant's answer: ho:ok:<id> or ho:no:<id>.
func (b *Bot) handleHandoverButton(ctx context.Context, r *Request) error {
	verb, idText, _ := strings.Cut(r.Args, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad handover button")
	}
	switch verb {
	case "ok":
		out, err := b.opts.Handovers.AcceptHandover(ctx, id, r.Staff.ID)
		if err != nil {
			return err
		}
		l := out.Lead
		if err := b.handoverAnswered(ctx, out, func(lang domain.Lang) string {
			return T(lang, "handover.accepted", l.ID, l.Name, r.Staff.Name)
		}); err != nil {
			return err
		}
		return b.replyCard(ctx, r, l, "handover.yours")
	case "no":
		if _, err := b.opts.Handovers.HandoverToAnswer(ctx, id, r.Staff.ID); err != nil {
			return err
		}
		return b.ask(ctx, r, "decline", id, r.T("handover.ask_reason"))
	}
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad handover verb")
}

// declineReasonText takes a declining consultant's reason.
func (b *Bot) declineReasonText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	var id int64
	if err := b.endDialog(ctx, r, d, &id); err != nil {
		return err
	}
	out, err := b.opts.Handovers.DeclineHandover(ctx, id, r.Staff.ID, text)
	if err != nil {
		return err
	}
	l, h := out.Lead, out.Handover
	if err := b.handoverAnswered(ctx, out, func(lang domain.Lang) string {
		return T(lang, "handover.declined", r.Staff.Name, l.ID, l.Name, h.Reason)
	}); err != nil {
		return err
	}
	b.reply(ctx, r.ChatID, r.T("handover.declined_ok"))
	return nil
}

// handoverAnswered tells the telesales the answer (out.Notify) and shows
// the decided form on the consultant's copies.
func (b *Bot) handoverAnswered(ctx context.Context, out *domain.HandoverAnswered, news func(domain.Lang) string) error {
	if p := out.Notify; p != nil {
		if err := b.tell(ctx, fmt.Sprintf("handover-result:%d", out.Handover.ID), p, news); err != nil {
			return err
		}
	}
	return b.closeHandoverCards(ctx, out.Handover, out.Lead, out.To)
}

// handleTransfers lists the rulings, handovers and clean-up moves of a
// month for a manager: /transfers [2026-12].
func (b *Bot) handleTransfers(ctx context.Context, r *Request) error {
	loc := r.Store().Calendar.Location
	month := r.Store().Calendar.StartOfDay(b.now())
	month = time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, loc)
	if arg := strings.TrimSpace(r.Args); arg != "" {
		t, err := time.ParseInLocation("2006-01", arg, loc)
		if err != nil {
			return errUsage
		}
		month = t
	}
	events, err := b.opts.Collisions.Transfers(ctx, r.Staff.ID, month, month.AddDate(0, 1, 0))
	if err != nil {
		return err
	}
	lines := []string{r.T("transfers.header", month.Format("2006-01"))}
	for _, e := range events {
		lines = append(lines, r.T("transfers.line", storeTime(r.Store(), e.At), e.LeadID, r.staffNameText(ctx, e.From), r.staffNameText(ctx, e.To), r.T("why."+e.Why), r.staffName(ctx, e.StaffID)))
	}
	if len(lines) == 1 {
		lines = append(lines, r.T("transfers.none"))
	}
	b.reply(ctx, r.ChatID, strings.Join(lines, "\n"))
	return nil
}

// storeTime writes t as a date and time on store st's clock.
func storeTime(st *domain.Store, t time.Time) string {
	return t.In(st.Calendar.Location).Format("2006-01-02 15:04")
}

// staffNameText is staffName for an id kept as text in a lead event.
func (r *Request) staffNameText(ctx context.Context, id string) string {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return id
	}
	return r.staffName(ctx, n)
}

// NotifyHandoverReminder reminds the consultant of an unanswered
// handover or, escalated, tells the supervisors (R1.10: 2 working hours).
// Call it in a transaction.
func (b *Bot) NotifyHandoverReminder(ctx context.Context, n domain.HandoverReminder) error {
	h, l, from, to := n.Handover, n.Lead, n.From, n.To
	id := strconv.FormatInt(h.ID, 10)
	for _, p := range n.Recipients {
		if !n.Escalate {
			markup := inlineKeyboard([]models.InlineKeyboardButton{
				{Text: T(p.Lang, "btn.accept"), CallbackData: "ho:ok:" + id},
				{Text: T(p.Lang, "btn.decline"), CallbackData: "ho:no:" + id},
			})
			if err := b.Push(ctx, "handover-remind:"+id, p.TelegramID, p.ID,
				T(p.Lang, "handover.remind", from.Name, l.ID, l.Name, ago(p.Lang, b.now().Sub(h.CreatedAt))), markup); err != nil {
				return err
			}
			continue
		}
		if err := b.Push(ctx, fmt.Sprintf("handover-escalate:%d:%d", h.ID, p.ID), p.TelegramID, p.ID,
			T(p.Lang, "handover.escalate", from.Name, to.Name, l.ID, l.Name, 2*b.opts.Stores.Of(h.StoreID).Rules.Leads.HandoverAnswerHrs), nil); err != nil {
			return err
		}
	}
	return nil
}

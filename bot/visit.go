package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The visit register (R1.11): every showroom visit is recorded with
// arrival, departure, first or returning, and the consultant; 24 hours
// later the consultant is asked for the lead's grade (jobs/visit.go).

// handleVisit registers a visit: /visit 13800138000 [first|return].
func (b *Bot) handleVisit(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) == 0 {
		return errUsage
	}
	// The phone may be typed with spaces: /visit 138 0013 8000 first.
	kind := ""
	switch strings.ToLower(f[len(f)-1]) {
	case "first", "首次", "新":
		kind, f = domain.VisitFirst, f[:len(f)-1]
	case "return", "再次", "老":
		kind, f = domain.VisitReturn, f[:len(f)-1]
	}
	ref := strings.Join(f, "")
	if ref == "" {
		return errUsage
	}
	lr, err := domain.ParseLeadRef(ref)
	if err != nil {
		return err
	}
	// Whoever greets the customer registers the visit, whoever owns the lead
	// (R1.11, R1.14.2): the service skips the owner check and answers only
	// the visit card.
	out, err := b.opts.Visits.RegisterVisit(ctx, r.Staff.ID, lr, kind)
	if domain.ErrorCode(err) == domain.ENOTFOUND && lr.Phone != "" {
		// A new walk-in: offer to log them at once (R1.12).
		b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, err)+"\n"+r.T("visit.walkin_offer"),
			inlineKeyboard([]models.InlineKeyboardButton{{Text: r.T("btn.walkin"), CallbackData: "walkin:" + lr.Phone}}))
		return nil
	}
	if err != nil {
		return err
	}
	return b.visitRegistered(ctx, r, out)
}

// visitRegistered answers the visit card of a registered visit: a lost
// customer's lead reopened is news to its owner and the supervisors,
// telesales hear of their customer, another consultant's customer opens a
// collision.
func (b *Bot) visitRegistered(ctx context.Context, r *Request, out *domain.VisitRegistered) error {
	l, v := out.Lead, out.Visit
	if rp := out.Reopened; rp != nil {
		if err := b.visitReopened(ctx, r, l, rp); err != nil {
			return err
		}
	}
	telesalesLead, invited, err := b.arrival(ctx, out.Arrival)
	if err != nil {
		return err
	}
	text := r.T("visit.card", l.Name, showPhone(r, l.Phone), Raw(b.visitLine(ctx, r, *v)))
	switch {
	case invited:
		text += "\n" + r.T("visit.invited", r.staffName(ctx, l.OwnerID))
	case telesalesLead:
		text += "\n" + r.T("visit.telesales_lead", r.staffName(ctx, l.OwnerID))
	}
	if out.Reopened != nil {
		text += "\n" + r.T("visit.reopened", l.ID, r.staffName(ctx, l.OwnerID))
	}
	b.replyMarkup(ctx, r.ChatID, text, b.visitMarkup(r, l, v))
	if out.GradePrompt {
		// The visit was the third contact of the first week (R1.4).
		b.replyMarkup(ctx, r.ChatID, r.T("grade.prompt", l.FollowUps), gradeKeyboard(r.Lang, "lead:sg:"+strconv.FormatInt(l.ID, 10)+":", false))
	}
	if out.Collision != nil {
		// Another consultant's customer: serve them, and let the supervisor
		// rule who keeps them (R1.14.3–4).
		return b.collisionOpened(ctx, r, out.Collision)
	}
	return nil
}

// visitReopened tells a new owner who did not register the visit, and the
// supervisors, that a lost customer's visit reopened their lead.
func (b *Bot) visitReopened(ctx context.Context, r *Request, l *domain.Lead, rp *domain.VisitReopened) error {
	owner := rp.Owner
	if rp.TellOwner {
		if err := b.Push(ctx, fmt.Sprintf("reopened:%d:%d", l.ID, b.now().Unix()), owner.TelegramID, owner.ID,
			T(owner.Lang, "visit.reopened_owner", l.ID, l.Name, string(rp.Was), r.Staff.Name), nil); err != nil {
			return err
		}
	}
	for _, s := range rp.Supervisors {
		if err := b.Push(ctx, fmt.Sprintf("reopened-sup:%d:%d:%d", l.ID, s.ID, b.now().Unix()), s.TelegramID, s.ID,
			T(s.Lang, "visit.reopened_sup", l.ID, l.Name, string(rp.Was), b.staffName(ctx, rp.FormerOwner), r.Staff.Name, owner.Name), nil); err != nil {
			return err
		}
	}
	return nil
}

// handleVisitLeft records the departure: visit:left:<id>; the card updates.
func (b *Bot) handleVisitLeft(ctx context.Context, r *Request) error {
	idText, ok := strings.CutPrefix(r.Args, "left:")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad visit button")
	}
	out, err := b.opts.Visits.DepartVisit(ctx, r.Staff.ID, id)
	if err != nil {
		return err
	}
	l := out.Lead
	return b.edit(ctx, r, r.T("visit.card", l.Name, showPhone(r, l.Phone), Raw(b.visitLine(ctx, r, *out.Visit))), b.visitMarkup(r, l, out.Visit))
}

// visitMarkup is a visit card's buttons: the departure while the customer
// is here, and what the visit register asks of the customer that is not
// recorded yet (R1.2, attachment 1).
func (b *Bot) visitMarkup(r *Request, l *domain.Lead, v *domain.Visit) models.ReplyMarkup {
	var markup models.ReplyMarkup
	if v.LeftAt == nil {
		markup = inlineKeyboard([]models.InlineKeyboardButton{{Text: r.T("btn.left"), CallbackData: "visit:left:" + strconv.FormatInt(v.ID, 10)}})
	}
	return withLeadDetail(r, markup, l, v.ID)
}

// NotifyVisitGrade asks each visit's consultant for the lead's grade a day
// after the visit, with the grades as buttons, keyed by the visit. Call it
// in a transaction (jobs.VisitNotifier).
func (b *Bot) NotifyVisitGrade(ctx context.Context, prompts []domain.VisitGradePrompt) error {
	for _, p := range prompts {
		l, c, v := p.Lead, p.Consultant, p.Visit
		text := T(c.Lang, "visit.grade_prompt", l.ID, l.Name, b.formatTime(l.StoreID, v.ArrivedAt), string(l.Grade))
		if err := b.Push(ctx, fmt.Sprintf("visitgrade:%d", v.ID), c.TelegramID, c.ID, text,
			gradeKeyboard(c.Lang, "lead:sg:"+strconv.FormatInt(l.ID, 10)+":", false)); err != nil {
			return err
		}
	}
	return nil
}

// walkInDraft is a walk-in being logged from the visit register.
type walkInDraft struct {
	Phone, Name string
}

// handleWalkIn starts logging the walk-in /visit did not know:
// walkin:<phone> asks the name, then the model (walkInText).
func (b *Bot) handleWalkIn(ctx context.Context, r *Request) error {
	phone, err := domain.NormalizePhone(r.Args)
	if err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad walk-in button")
	}
	out, err := b.opts.Visits.StartWalkIn(ctx, r.Staff.ID, phone)
	if err != nil {
		return err
	}
	if out != nil {
		return b.visitRegistered(ctx, r, out) // logged meanwhile
	}
	return b.ask(ctx, r, "walkin", walkInDraft{Phone: phone}, r.T("visit.walkin_name", phone))
}

// walkInText takes the walk-in's name, then their model, and logs the lead
// with its visit (domain.VisitService.WalkIn); its owner, when someone
// else, is told (R1.11, R1.12, R5.3).
func (b *Bot) walkInText(ctx context.Context, r *Request, dl *domain.Dialog, text string) error {
	var d walkInDraft
	if err := json.Unmarshal([]byte(dl.Data), &d); err != nil {
		return err
	}
	cancel := inlineKeyboard([]models.InlineKeyboardButton{cancelButton(r.Lang)})
	if dl.Step == "" {
		name, err := domain.NormalizeName(text)
		if err != nil {
			b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, err)+"\n"+r.T("visit.walkin_name", d.Phone), cancel)
			return nil
		}
		d.Name = name
		b.replyMarkup(ctx, r.ChatID, r.T("visit.walkin_model", name), cancel)
		return b.startDialog(ctx, r, "walkin", "model", d)
	}
	out, err := b.opts.Visits.WalkIn(ctx, r.Staff.ID, domain.WalkIn{Phone: d.Phone, Name: d.Name, Model: strings.TrimSpace(text)})
	if err != nil {
		return err
	}
	if out.Again != nil {
		// The dialogue stays, with the name: the model sent again logs the
		// customer (once someone is on duty).
		b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, out.Again)+"\n"+r.T("visit.walkin_model", d.Name), cancel)
		return nil
	}
	if err := b.store.DeleteDialog(ctx, r.ChatID); err != nil {
		return err
	}
	if l, owner := out.Lead, out.Owner; out.New && out.Told {
		if err := b.Push(ctx, fmt.Sprintf("walkin:%d", l.ID), owner.TelegramID, owner.ID,
			T(owner.Lang, "visit.walkin_assigned", l.ID, l.Name, l.Phone, l.Model, r.Staff.Name), nil); err != nil {
			return err
		}
	}
	return b.visitRegistered(ctx, r, out.Visit)
}

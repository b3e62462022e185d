package bot

import (
	"context"
	"fmt"
	"strconv"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// A lead graded L (unreachable) or approved lost (F) gets no more
// follow-ups. When the customer turns up again, a supervisor reopens the
// same record — back to its owner with a grade, on the lead's history —
// rather than anyone logging a second one: the phone is the customer's
// identity (R1.2).

// handleReopen reopens an L or F lead: /reopen 17 A, or /reopen 17 to be
// offered the grades.
func (b *Bot) handleReopen(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) < 1 || len(f) > 2 {
		return errUsage
	}
	return b.reopen(ctx, r, f[0], f[1:])
}

// reopenButton handles lead:ro:17 (offers the grades) and lead:ro:17:A.
func (b *Bot) reopenButton(ctx context.Context, r *Request, ref string, grade []string) error {
	return b.reopen(ctx, r, ref, grade)
}

// reopen gives the lead back to its owner with the grade named, or offers
// the grades when none is.
func (b *Bot) reopen(ctx context.Context, r *Request, ref string, grade []string) error {
	lr, err := domain.ParseLeadRef(ref)
	if err != nil {
		return err
	}
	var g domain.Grade
	if len(grade) > 0 {
		g = domain.Grade(grade[0])
	}
	out, err := b.opts.Leads.ReopenLead(ctx, r.Staff.ID, lr, g)
	if err != nil {
		return err
	}
	l := out.Lead
	if !out.Reopened {
		var row []models.InlineKeyboardButton
		id := strconv.FormatInt(l.ID, 10)
		for _, g := range domain.ReopenGrades {
			row = append(row, models.InlineKeyboardButton{Text: r.T("grade.btn." + string(g)), CallbackData: "lead:ro:" + id + ":" + string(g)})
		}
		b.replyMarkup(ctx, r.ChatID, r.T("reopen.choose", l.ID, l.Name, r.T("grade."+string(l.Grade))), inlineKeyboard(row))
		return nil
	}
	before, owner := out.Before, out.Owner
	if to := out.Notify; to != nil {
		text := T(to.Lang, "reopen.told_owner", r.Staff.Name, l.ID, l.Name, string(before), string(l.Grade), b.formatTime(l.StoreID, *l.NextDueAt))
		if err := b.Push(ctx, fmt.Sprintf("reopen:%d:%d", l.ID, b.now().Unix()), to.TelegramID, to.ID, text, nil); err != nil {
			return err
		}
	}
	for _, s := range out.Supervisors {
		if err := b.Push(ctx, fmt.Sprintf("reopen-sup:%d:%d:%d", l.ID, s.ID, b.now().Unix()), s.TelegramID, s.ID,
			T(s.Lang, "reopen.told_sup", r.Staff.Name, l.ID, l.Name, string(before), string(l.Grade), owner.Name), nil); err != nil {
			return err
		}
	}
	return b.replyCard(ctx, r, l, "reopen.done", l.ID, l.Name, string(before), string(l.Grade), owner.Name)
}

// pointToClosed answers a lead logged again with the phone of an L or F
// lead: no second record; the existing one, and how to reopen it.
func (b *Bot) pointToClosed(ctx context.Context, r *Request, l *domain.Lead) error {
	text := r.T("lead.closed_exists", l.ID, l.Name, r.T("grade."+string(l.Grade)), r.staffName(ctx, l.OwnerID))
	if !domain.CanReopenLead(r.Staff) {
		b.reply(ctx, r.ChatID, text+"\n"+r.T("lead.ask_reopen", l.ID))
		return nil
	}
	b.replyMarkup(ctx, r.ChatID, text, inlineKeyboard([]models.InlineKeyboardButton{
		{Text: r.T("btn.reopen", l.ID), CallbackData: "lead:ro:" + strconv.FormatInt(l.ID, 10)},
	}))
	return nil
}

package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The lead card: who, how hot, whose, when next, and what happened, with
// the next actions one tap away.

// cardHistory is how many follow-ups and visits a card shows.
const cardHistory = 10

// showPhone writes a number in full in a private chat and masked in a
// group, where colleagues and the odd outsider read along.
func showPhone(r *Request, phone string) string {
	if r.Message != nil && !isPrivate(r.Message) {
		return domain.MaskPhone(phone)
	}
	return phone
}

// dueText says when a lead is next due, relative to today.
func (b *Bot) dueText(r *Request, l *domain.Lead) string {
	if l.NextDueAt == nil {
		return r.T("due.none")
	}
	when := b.formatTime(l.StoreID, *l.NextDueAt)
	now := b.now()
	if !r.at.IsZero() {
		now = r.at
	}
	cal := b.opts.Stores.Of(l.StoreID).Calendar // the lead's store's days
	switch domain.DueAt(*l.NextDueAt, now, cal) {
	case domain.DueOverdue:
		days := int(cal.StartOfDay(now).Sub(cal.StartOfDay(*l.NextDueAt)).Hours() / 24)
		return r.T("due.overdue", when, days)
	case domain.DueToday:
		return r.T("due.today", when)
	}
	return when
}

// cardText renders the whole card.
func (b *Bot) cardText(ctx context.Context, r *Request, l *domain.Lead) (string, error) {
	var lines []string
	lines = append(lines, r.T("card.title", l.ID, l.Name, showPhone(r, l.Phone)))
	tradeIn := ""
	if l.TradeIn {
		tradeIn = r.T("card.tradein")
	}
	lines = append(lines, r.T("card.grade", r.T("grade."+string(l.Grade)), r.T("source."+string(l.Source)), l.Model, Raw(tradeIn)))
	lines = append(lines, r.T("card.owner", r.staffName(ctx, l.OwnerID), r.T("pool."+string(l.Pool))))
	lines = append(lines, r.T("card.due", Raw(b.dueText(r, l))))
	if l.Notes != "" {
		lines = append(lines, r.T("card.notes", l.Notes))
	}
	h, err := b.opts.Leads.LeadHistory(ctx, l.ID, cardHistory)
	if err != nil {
		return "", err
	}
	fus, events, visits := h.FollowUps, h.Events, h.Visits
	if len(fus) > 0 {
		lines = append(lines, r.T("card.followups", l.FollowUps))
		for _, f := range fus {
			change := ""
			if f.GradeAfter != "" && f.GradeAfter != f.GradeBefore {
				change = r.T("card.fu_grade", string(f.GradeBefore), string(f.GradeAfter))
			}
			lines = append(lines, r.T("card.fu", b.formatTime(l.StoreID, f.At), r.T("channel."+string(f.Channel)), r.staffName(ctx, f.StaffID), f.Note, Raw(change)))
		}
	}
	if len(events) > 0 {
		lines = append(lines, r.T("card.events"))
		for _, e := range events {
			from, to := e.From, e.To
			if e.Kind == domain.EventOwner {
				from, to = r.staffNameText(ctx, from), r.staffNameText(ctx, to)
			} else if e.Kind == domain.EventPool {
				from, to = r.T("pool."+from), r.T("pool."+to)
			}
			lines = append(lines, r.T("card.event", b.formatTime(l.StoreID, e.At), r.T("event."+e.Kind), from, to, r.T("why."+e.Why), r.staffName(ctx, e.StaffID)))
		}
	}
	if len(visits) > 0 {
		lines = append(lines, r.T("card.visits"))
		for _, v := range visits {
			lines = append(lines, b.visitLine(ctx, r, v))
		}
	}
	drives, err := b.testDriveCardLines(ctx, r, l)
	if err != nil {
		return "", err
	}
	lines = append(lines, drives...)
	return strings.Join(lines, "\n"), nil
}

// visitLine is one visit: arrival, departure, first or return, consultant.
func (b *Bot) visitLine(ctx context.Context, r *Request, v domain.Visit) string {
	left := r.T("visit.still_here")
	if v.LeftAt != nil {
		left = v.LeftAt.In(b.opts.Stores.Of(v.StoreID).Calendar.Location).Format("15:04")
	}
	kind := r.T("visit.return")
	if v.First {
		kind = r.T("visit.first")
	}
	return r.T("card.visit", b.formatTime(v.StoreID, v.ArrivedAt), left, kind, r.staffName(ctx, v.ConsultantID))
}

// cardButtons are the card's next actions, for people who may take them.
func cardButtons(r *Request, l *domain.Lead) models.ReplyMarkup {
	if !domain.CanWorkLead(r.Staff, l) || !l.Grade.Open() {
		return nil
	}
	id := strconv.FormatInt(l.ID, 10)
	return inlineKeyboard([]models.InlineKeyboardButton{
		{Text: r.T("btn.fu"), CallbackData: "lead:fu:" + id},
		{Text: r.T("btn.grade"), CallbackData: "lead:g:" + id},
		{Text: r.T("btn.lost"), CallbackData: "lead:lost:" + id},
	})
}

// replyCard answers with the card, after an optional headline key.
func (b *Bot) replyCard(ctx context.Context, r *Request, l *domain.Lead, headline string, args ...any) error {
	text, err := b.cardText(ctx, r, l)
	if err != nil {
		return err
	}
	if headline != "" {
		text = r.T(headline, args...) + "\n\n" + text
	}
	markup := cardButtons(r, l)
	if headline == "lead.created" {
		// What the visit register asks and the one-line form does not
		// (R1.2): a tap each, or none.
		markup = withLeadDetail(r, markup, l, 0)
	}
	b.replyMarkup(ctx, r.ChatID, text, markup)
	return nil
}

// leadLine is a lead in a list: id, name, phone, grade, owner, next due.
func (b *Bot) leadLine(ctx context.Context, r *Request, l *domain.Lead) string {
	return r.T("lead.line", l.ID, l.Name, showPhone(r, l.Phone), string(l.Grade), r.staffName(ctx, l.OwnerID), Raw(b.dueText(r, l)))
}

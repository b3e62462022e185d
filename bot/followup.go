package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// handleFollowUp logs a follow-up: /fu 17 [visit|wechat|sms] note
// [级别=A]. A grade changes only with its marker, never because the note
// happens to end in a letter (奔驰 C, 奥迪 A).
func (b *Bot) handleFollowUp(ctx context.Context, r *Request) error {
	f := strings.Fields(r.Args)
	if len(f) < 2 {
		return errUsage
	}
	ref, err := domain.ParseLeadRef(f[0])
	if err != nil {
		return err
	}
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.Args), f[0]))
	channel := domain.ChannelPhone
	if c, ok := domain.ParseChannel(f[1]); ok && len(f) > 2 {
		channel = c
		rest = strings.TrimSpace(strings.TrimPrefix(rest, f[1]))
	}
	note, grade, err := cutGradeMarker(rest)
	if err != nil {
		if _, lerr := b.opts.Leads.WorkLead(ctx, r.Staff.ID, ref); lerr != nil {
			return lerr // the lead's error first: it is looked up first
		}
		return err
	}
	return b.logFollowUp(ctx, r, ref, channel, note, grade)
}

// cutGradeMarker takes the grade marker out of a note
// (domain.CutGradeMarker).
func cutGradeMarker(note string) (string, domain.Grade, error) { return domain.CutGradeMarker(note) }

// logFollowUp records a contact and says when next; a grade that needs
// confirming is asked about, and after the third call of an ungraded
// lead's first week the grade is asked for (R1.4).
func (b *Bot) logFollowUp(ctx context.Context, r *Request, ref domain.LeadRef, channel domain.Channel, note string, grade domain.Grade) error {
	out, err := b.opts.Leads.LogFollowUp(ctx, r.Staff.ID, ref, channel, note, grade)
	if err != nil {
		return err
	}
	l, fu := out.Lead, out.FollowUp
	text := r.T("fu.logged", l.ID, l.Name, Raw(b.dueText(r, l)))
	if fu.GradeAfter != fu.GradeBefore {
		text += "\n" + r.T("grade.changed", string(fu.GradeBefore), string(fu.GradeAfter))
	}
	switch {
	case out.Confirm != "":
		b.replyMarkup(ctx, r.ChatID, text+"\n"+r.T("grade.confirm", l.ID, l.Name, string(l.Grade), r.T("grade."+string(out.Confirm))), gradeConfirmKeyboard(r, l, out.Confirm))
	case out.GradePrompt:
		b.replyMarkup(ctx, r.ChatID, text+"\n"+r.T("grade.prompt", l.FollowUps), gradeKeyboard(r.Lang, "lead:sg:"+strconv.FormatInt(l.ID, 10)+":", false))
	default:
		b.reply(ctx, r.ChatID, text)
	}
	return nil
}

// handleGrade changes a lead's grade: /grade 17 A.
func (b *Bot) handleGrade(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) != 2 {
		return errUsage
	}
	ref, err := domain.ParseLeadRef(f[0])
	if err != nil {
		return err
	}
	return b.setGrade(ctx, r, ref, domain.Grade(f[1]), false)
}

// setGrade applies a grade (the service checks it); the due date moves at
// once. A grade that needs confirming (L) is only asked about until
// confirmed.
func (b *Bot) setGrade(ctx context.Context, r *Request, ref domain.LeadRef, g domain.Grade, confirmed bool) error {
	out, err := b.opts.Leads.ChangeGrade(ctx, r.Staff.ID, ref, g, confirmed)
	if err != nil {
		return err
	}
	l := out.Lead
	if out.Confirm != "" {
		b.replyMarkup(ctx, r.ChatID, r.T("grade.confirm", l.ID, l.Name, string(l.Grade), r.T("grade."+string(out.Confirm))), gradeConfirmKeyboard(r, l, out.Confirm))
		return nil
	}
	b.reply(ctx, r.ChatID, r.T("grade.set", l.ID, l.Name, string(out.Before), string(l.Grade), Raw(b.dueText(r, l))))
	return nil
}

// gradeConfirmKeyboard is Confirm / Cancel for a grade that needs it:
// lead:sgc:17:L sets it, lead:sgx:17 keeps the grade.
func gradeConfirmKeyboard(r *Request, l *domain.Lead, g domain.Grade) models.ReplyMarkup {
	id := strconv.FormatInt(l.ID, 10)
	return inlineKeyboard([]models.InlineKeyboardButton{
		{Text: r.T("btn.grade_confirm", r.T("grade."+string(g))), CallbackData: "lead:sgc:" + id + ":" + string(g)},
		{Text: r.T("btn.cancel"), CallbackData: "lead:sgx:" + id},
	})
}

// handleLeadButton handles the card's buttons: lead:show:17, lead:fu:17
// (asks for the note), lead:g:17 (offers grades), lead:sg:17:A, lead:sgc:17:L
// (a confirmed grade), lead:sgx:17 (not confirmed), lead:lost:17, and
// lead:ro:17[:A] (reopen, for supervisors).
func (b *Bot) handleLeadButton(ctx context.Context, r *Request) error {
	parts := strings.Split(r.Args, ":")
	if len(parts) < 2 {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad lead button %q", r.Args)
	}
	action, ref := parts[0], parts[1]
	if action == "today" {
		return b.handleToday(ctx, r)
	}
	if action == "ro" {
		return b.reopenButton(ctx, r, ref, parts[2:])
	}
	if action == "show" {
		l, err := b.lookupLead(ctx, r, ref)
		if err != nil {
			return err
		}
		return b.replyCard(ctx, r, l, "")
	}
	l, err := b.lookupWorkable(ctx, r, ref)
	if err != nil {
		return err
	}
	switch action {
	case "fu":
		return b.ask(ctx, r, "fu", l.ID, r.T("fu.ask_note", l.ID, l.Name))
	case "g":
		b.replyMarkup(ctx, r.ChatID, r.T("grade.choose", l.ID, l.Name, string(l.Grade)), gradeKeyboard(r.Lang, "lead:sg:"+ref+":", false))
		return nil
	case "sg", "sgc":
		if len(parts) != 3 {
			return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad grade button")
		}
		return b.setGrade(ctx, r, domain.LeadByIDRef(l.ID), domain.Grade(parts[2]), action == "sgc")
	case "sgx":
		b.reply(ctx, r.ChatID, r.T("grade.kept", l.ID, l.Name, string(l.Grade)))
		return nil
	case "lost":
		return b.ask(ctx, r, "lost", l.ID, r.T("lost.ask_reason", l.ID, l.Name))
	}
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad lead action %q", action)
}

// followUpNoteText takes the note a "log follow-up" button asked for
// (its dialogue's Data is the lead id); a grade marker in it is not read.
func (b *Bot) followUpNoteText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	var leadID int64
	if err := b.endDialog(ctx, r, d, &leadID); err != nil {
		return err
	}
	channel := domain.ChannelPhone
	if first, rest, ok := strings.Cut(strings.TrimSpace(text), " "); ok {
		if c, isChannel := domain.ParseChannel(first); isChannel {
			channel, text = c, rest
		}
	}
	return b.logFollowUp(ctx, r, domain.LeadByIDRef(leadID), channel, strings.TrimSpace(text), "")
}

// leadsPageSize is how many leads /leads shows a page.
const leadsPageSize = 10

// handleLeads lists the caller's open leads, most overdue first.
func (b *Bot) handleLeads(ctx context.Context, r *Request) error {
	text, markup, err := b.leadsPage(ctx, r, 0)
	if err != nil {
		return err
	}
	b.replyMarkup(ctx, r.ChatID, text, markup)
	return nil
}

// handleLeadsPage turns the /leads page in place: leads:<page>.
func (b *Bot) handleLeadsPage(ctx context.Context, r *Request) error {
	page, err := strconv.Atoi(r.Args)
	if err != nil || page < 0 || r.Message == nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad page %q", r.Args)
	}
	text, markup, err := b.leadsPage(ctx, r, page)
	if err != nil {
		return err
	}
	return b.edit(ctx, r, text, markup)
}

func (b *Bot) leadsPage(ctx context.Context, r *Request, page int) (string, models.ReplyMarkup, error) {
	leads, total, err := b.opts.Leads.MyLeads(ctx, r.Staff.ID, page*leadsPageSize, leadsPageSize)
	if err != nil {
		return "", nil, err
	}
	if total == 0 {
		return r.T("leads.none"), nil, nil
	}
	pages := (total + leadsPageSize - 1) / leadsPageSize
	lines := []string{r.T("leads.header", total, page+1, pages)}
	var open []models.InlineKeyboardButton
	for _, l := range leads {
		lines = append(lines, b.leadLine(ctx, r, l))
		open = append(open, models.InlineKeyboardButton{Text: "#" + strconv.FormatInt(l.ID, 10), CallbackData: "lead:show:" + strconv.FormatInt(l.ID, 10)})
	}
	var rows [][]models.InlineKeyboardButton
	for len(open) > 0 {
		n := min(5, len(open))
		rows, open = append(rows, open[:n]), open[n:]
	}
	var nav []models.InlineKeyboardButton
	if page > 0 {
		nav = append(nav, models.InlineKeyboardButton{Text: r.T("btn.prev"), CallbackData: "leads:" + strconv.Itoa(page-1)})
	}
	if page+1 < pages {
		nav = append(nav, models.InlineKeyboardButton{Text: r.T("btn.next"), CallbackData: "leads:" + strconv.Itoa(page+1)})
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	return strings.Join(lines, "\n"), &models.InlineKeyboardMarkup{InlineKeyboard: rows}, nil
}

// edit replaces the pressed message's text and buttons, through the outbox.
func (b *Bot) edit(ctx context.Context, r *Request, text string, markup models.ReplyMarkup) error {
	fx := effectsFrom(ctx)
	if fx == nil || r.Message == nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "nothing to edit")
	}
	fx.replies++
	key := "upd:" + strconv.FormatInt(fx.updateID, 10) + ":" + strconv.Itoa(fx.replies)
	keys, err := b.enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: r.ChatID, Text: text, Priority: domain.PriorityReply, EditMsgID: r.Message.ID}, markup)
	if err != nil {
		return err
	}
	fx.keys = append(fx.keys, keys...)
	return nil
}

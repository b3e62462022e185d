package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// handleFollowUp logs a follow-up: /fu 17 [visit|wechat|sms] note [grade].
func (b *Bot) handleFollowUp(ctx context.Context, r *Request) error {
	f := strings.Fields(r.Args)
	if len(f) < 2 {
		return errUsage
	}
	l, err := b.lookupWorkable(ctx, r, f[0])
	if err != nil {
		return err
	}
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.Args), f[0]))
	channel := domain.ChannelPhone
	if c, ok := domain.ParseChannel(f[1]); ok && len(f) > 2 {
		channel = c
		rest = strings.TrimSpace(strings.TrimPrefix(rest, f[1]))
	}
	var grade domain.Grade
	if words := strings.Fields(rest); len(words) > 1 && isGradeWord(words[len(words)-1]) {
		if g, err := domain.ParseGrade(words[len(words)-1], domain.SettableGrades); err == nil {
			grade = g
			rest = strings.TrimSpace(strings.TrimSuffix(rest, words[len(words)-1]))
		}
	}
	return b.logFollowUp(ctx, r, l, channel, rest, grade)
}

// isGradeWord reports whether a note's last word is meant as a new grade:
// one capital letter (H, Ａ …), so "plan b" stays a note.
func isGradeWord(w string) bool {
	r := []rune(w)
	return len(r) == 1 && (r[0] >= 'A' && r[0] <= 'Z' || r[0] >= 'Ａ' && r[0] <= 'Ｚ')
}

// logFollowUp records a contact, moves the due date and says when next;
// after the third call of an ungraded lead's first week it asks for the
// grade (R1.4).
func (b *Bot) logFollowUp(ctx context.Context, r *Request, l *domain.Lead, channel domain.Channel, note string, grade domain.Grade) error {
	if strings.TrimSpace(note) == "" {
		return domain.Errorkf(domain.EINVALID, "err.note_empty", nil, "follow-up note is empty")
	}
	if len([]rune(note)) > domain.MaxNoteLen {
		return domain.Errorkf(domain.EINVALID, "err.note_long", []any{domain.MaxNoteLen}, "note too long")
	}
	now, rules := b.now(), b.opts.Rules.Leads
	fu := &domain.FollowUp{LeadID: l.ID, StaffID: r.Staff.ID, Channel: channel, Note: note, At: now, GradeBefore: l.Grade, GradeAfter: l.Grade}
	l.LogFollowUp(now, grade, rules, b.opts.Calendar)
	fu.GradeAfter = l.Grade
	if err := b.store.AddFollowUp(ctx, fu); err != nil {
		return err
	}
	if err := b.recordChange(ctx, l, r.Staff.ID, domain.EventGrade, string(fu.GradeBefore), string(fu.GradeAfter), domain.WhyFollowUp); err != nil {
		return err
	}
	if err := b.store.UpdateLead(ctx, l); err != nil {
		return err
	}
	text := r.T("fu.logged", l.ID, l.Name, Raw(b.dueText(r, l)))
	if fu.GradeAfter != fu.GradeBefore {
		text += "\n" + r.T("grade.changed", string(fu.GradeBefore), string(fu.GradeAfter))
	}
	if domain.GradePromptAfterFollowUp(l, rules, now) {
		b.replyMarkup(ctx, r.ChatID, text+"\n"+r.T("grade.prompt", l.FollowUps), gradeKeyboard(r.Lang, "lead:sg:"+strconv.FormatInt(l.ID, 10)+":", false))
		return nil
	}
	b.reply(ctx, r.ChatID, text)
	return nil
}

// handleGrade changes a lead's grade: /grade 17 A.
func (b *Bot) handleGrade(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) != 2 {
		return errUsage
	}
	l, err := b.lookupWorkable(ctx, r, f[0])
	if err != nil {
		return err
	}
	g, err := domain.ParseGrade(f[1], domain.SettableGrades)
	if err != nil {
		return err
	}
	return b.setGrade(ctx, r, l, g)
}

// setGrade applies a grade; the due date moves at once.
func (b *Bot) setGrade(ctx context.Context, r *Request, l *domain.Lead, g domain.Grade) error {
	if l.Grade == domain.GradeO {
		// An ordered lead follows its order (R4.1), not a hand-set grade.
		return domain.Errorkf(domain.EINVALID, "err.lead_closed", []any{l.ID, string(l.Grade)}, "lead %d is ordered", l.ID)
	}
	before := l.Grade
	l.SetGrade(g, b.now(), b.opts.Rules.Leads, b.opts.Calendar)
	if err := b.recordChange(ctx, l, r.Staff.ID, domain.EventGrade, string(before), string(g), domain.WhyManual); err != nil {
		return err
	}
	if err := b.store.UpdateLead(ctx, l); err != nil {
		return err
	}
	b.reply(ctx, r.ChatID, r.T("grade.set", l.ID, l.Name, string(before), string(g), Raw(b.dueText(r, l))))
	return nil
}

// handleLeadButton handles the card's buttons: lead:show:17, lead:fu:17
// (asks for the note), lead:g:17 (offers grades), lead:sg:17:A, lead:lost:17.
func (b *Bot) handleLeadButton(ctx context.Context, r *Request) error {
	parts := strings.Split(r.Args, ":")
	if len(parts) < 2 {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad lead button %q", r.Args)
	}
	action, ref := parts[0], parts[1]
	if action == "today" {
		return b.handleToday(ctx, r)
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
	case "sg":
		if len(parts) != 3 {
			return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad grade button")
		}
		g, err := domain.ParseGrade(parts[2], domain.SettableGrades)
		if err != nil {
			return err
		}
		return b.setGrade(ctx, r, l, g)
	case "lost":
		return b.ask(ctx, r, "lost", l.ID, r.T("lost.ask_reason", l.ID, l.Name))
	}
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad lead action %q", action)
}

// followUpNoteText takes the note a "log follow-up" button asked for.
func (b *Bot) followUpNoteText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	l, err := b.endLeadDialog(ctx, r, d)
	if err != nil {
		return err
	}
	channel := domain.ChannelPhone
	if first, rest, ok := strings.Cut(strings.TrimSpace(text), " "); ok {
		if c, isChannel := domain.ParseChannel(first); isChannel {
			channel, text = c, rest
		}
	}
	return b.logFollowUp(ctx, r, l, channel, strings.TrimSpace(text), "")
}

// endLeadDialog ends a dialogue about one lead (its Data is the lead id)
// and returns the lead, checked as workable by the caller.
func (b *Bot) endLeadDialog(ctx context.Context, r *Request, d *domain.Dialog) (*domain.Lead, error) {
	var leadID int64
	if err := b.endDialog(ctx, r, d, &leadID); err != nil {
		return nil, err
	}
	return b.lookupWorkable(ctx, r, strconv.FormatInt(leadID, 10))
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
	leads, total, err := b.store.LeadsByOwner(ctx, r.Staff.ID, page*leadsPageSize, leadsPageSize)
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

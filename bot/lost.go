package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Marking a lead lost (F) needs a reason and the supervisor's approval; until
// then the lead keeps its grade (R1.6). The supervisor approves or rejects
// with one tap; a rejection asks for a reason by reply; the requester is told
// either way.

// handleLost asks to mark a lead lost: /lost 17 竞品 买了别家.
func (b *Bot) handleLost(ctx context.Context, r *Request) error {
	ref, reason, _ := strings.Cut(strings.TrimSpace(r.Args), " ")
	if ref == "" || strings.TrimSpace(reason) == "" {
		return errUsage
	}
	l, err := b.lookupWorkable(ctx, r, ref)
	if err != nil {
		return err
	}
	return b.requestLost(ctx, r, l, strings.TrimSpace(reason))
}

// lostReasonText takes the reason the card's "mark lost" button asked for.
func (b *Bot) lostReasonText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	l, err := b.endLeadDialog(ctx, r, d)
	if err != nil {
		return err
	}
	return b.requestLost(ctx, r, l, strings.TrimSpace(text))
}

// requestLost files the request and sends each approver a card.
func (b *Bot) requestLost(ctx context.Context, r *Request, l *domain.Lead, text string) error {
	if text == "" {
		return domain.Errorkf(domain.EINVALID, "err.note_empty", nil, "reason is empty")
	}
	// The category word ("竞品 已在别家下定") is the reason, not the note:
	// the card names the reason once.
	first, rest, _ := strings.Cut(text, " ")
	reason, ok := domain.ParseLostReason(first)
	note := text
	if ok {
		note = strings.TrimSpace(rest)
	}
	req := &domain.LostRequest{LeadID: l.ID, RequesterID: r.Staff.ID, Reason: reason, Note: note}
	if err := b.store.CreateLostRequest(ctx, req); err != nil {
		return err
	}
	approvers, err := b.approvers(ctx, r.Staff)
	if err != nil {
		return err
	}
	if len(approvers) == 0 {
		return domain.Errorkf(domain.ENOTFOUND, "err.no_supervisor", nil, "no supervisor to approve")
	}
	id := strconv.FormatInt(req.ID, 10)
	for _, a := range approvers {
		text := T(a.Lang, "lost.card", r.Staff.Name, l.ID, l.Name, string(l.Grade), lostReason(a.Lang, reason, req.Note))
		markup := inlineKeyboard([]models.InlineKeyboardButton{
			{Text: T(a.Lang, "btn.approve"), CallbackData: "lost:ok:" + id},
			{Text: T(a.Lang, "btn.reject"), CallbackData: "lost:no:" + id},
		})
		if err := b.Push(ctx, lostCardKey(req.ID, a.ID), a.TelegramID, a.ID, text, markup); err != nil {
			return err
		}
	}
	b.reply(ctx, r.ChatID, r.T("lost.requested", l.ID, l.Name, len(approvers)))
	return nil
}

// cardNoteMax bounds the free text on an approval card: the card is edited
// in place later, and an edit cannot be split over two messages. The whole
// text stays on the lead card (/show).
const cardNoteMax = 600

func lostCardKey(reqID, approverID int64) string { return fmt.Sprintf("lost:%d:%d", reqID, approverID) }

// approvers are who rules on a staff member's request: the supervisors, or
// for a supervisor the managers — of their department when departments are
// set (/dept).
func (b *Bot) approvers(ctx context.Context, s *domain.Staff) ([]*domain.Staff, error) {
	// Their own department's, when departments are set.
	all, err := b.inDepartment(ctx, domain.ApproverRole(s.Roles), s.Department)
	if err != nil {
		return nil, err
	}
	var out []*domain.Staff
	for _, a := range all {
		if a.ID != s.ID {
			out = append(out, a)
		}
	}
	return out, nil
}

// handleLostDecision takes a supervisor's tap: lost:ok:<id> or lost:no:<id>.
func (b *Bot) handleLostDecision(ctx context.Context, r *Request) error {
	verb, idText, _ := strings.Cut(r.Args, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad lost button %q", r.Args)
	}
	req, err := b.store.LostRequestByID(ctx, id)
	if err != nil {
		return err
	}
	if req.Status != domain.LostPending {
		return domain.Errorkf(domain.ECONFLICT, "lost.already", nil, "request %d decided already", id)
	}
	requester, err := b.store.StaffByID(ctx, req.RequesterID)
	if err != nil {
		return err
	}
	if err := b.mayDecide(ctx, r.Staff, requester); err != nil {
		return err
	}
	switch verb {
	case "ok":
		return b.decideLost(ctx, r, req, requester, domain.LostApproved, "")
	case "no":
		return b.ask(ctx, r, "reject", req.ID, r.T("lost.ask_reject", req.LeadID))
	}
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad lost verb %q", verb)
}

// rejectReasonText takes the reason for a rejection.
func (b *Bot) rejectReasonText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	var id int64
	if err := b.endDialog(ctx, r, d, &id); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return domain.Errorkf(domain.EINVALID, "err.note_empty", nil, "reason is empty")
	}
	req, err := b.store.LostRequestByID(ctx, id)
	if err != nil {
		return err
	}
	requester, err := b.store.StaffByID(ctx, req.RequesterID)
	if err != nil {
		return err
	}
	if err := b.mayDecide(ctx, r.Staff, requester); err != nil {
		return err
	}
	return b.decideLost(ctx, r, req, requester, domain.LostRejected, text)
}

// mayDecide refuses a ruling by anyone but the requester's approvers (a
// forged button press, another supervisor's own request).
func (b *Bot) mayDecide(ctx context.Context, who, requester *domain.Staff) error {
	approvers, err := b.approvers(ctx, requester)
	if err != nil {
		return err
	}
	for _, a := range approvers {
		if a.ID == who.ID {
			return nil
		}
	}
	return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d may not rule on %d's request", who.ID, requester.ID)
}

// decideLost records the ruling once, applies it, tells the requester and
// turns every approver's card into the outcome (the buttons go).
func (b *Bot) decideLost(ctx context.Context, r *Request, req *domain.LostRequest, requester *domain.Staff, status, answer string) error {
	ok, err := b.store.DecideLostRequest(ctx, req.ID, status, r.Staff.ID, answer)
	if err != nil {
		return err
	}
	if !ok {
		return domain.Errorkf(domain.ECONFLICT, "lost.already", nil, "request %d decided already", req.ID)
	}
	l, err := b.store.LeadByID(ctx, req.LeadID)
	if err != nil {
		return err
	}
	asked := l.Grade // the cards show the grade the request was made at
	if status == domain.LostApproved && !l.Grade.FollowedUp() {
		// Ordered, delivered or unreachable since: F would overwrite that.
		return domain.Errorkf(domain.EINVALID, "err.lead_closed", []any{l.ID, string(l.Grade)}, "lead %d is %s now", l.ID, l.Grade)
	}
	if status == domain.LostApproved {
		l.LostNote = req.Note
		l.SetGrade(domain.GradeF, b.now(), b.opts.Rules.Leads, b.opts.Calendar)
		if err := b.recordChange(ctx, l, r.Staff.ID, domain.EventGrade, string(asked), string(domain.GradeF), domain.WhyLost); err != nil {
			return err
		}
		if err := b.store.UpdateLead(ctx, l); err != nil {
			return err
		}
	}
	tell := T(requester.Lang, "lost.approved", l.ID, l.Name, r.Staff.Name)
	outcome := "lost.done_ok"
	if status == domain.LostRejected {
		tell = T(requester.Lang, "lost.rejected", l.ID, l.Name, r.Staff.Name, answer)
		outcome = "lost.done_no"
	}
	if requester.Enrolled() {
		if err := b.Push(ctx, fmt.Sprintf("lost-result:%d", req.ID), requester.TelegramID, requester.ID, tell, nil); err != nil {
			return err
		}
	}
	approvers, err := b.approvers(ctx, requester)
	if err != nil {
		return err
	}
	for _, a := range approvers {
		card, err := b.store.OutboxByKey(ctx, lostCardKey(req.ID, a.ID))
		if err != nil || card.TelegramMsgID == 0 {
			continue // never delivered: nothing to update
		}
		text := T(a.Lang, "lost.card", requester.Name, l.ID, l.Name, string(asked), lostReason(a.Lang, req.Reason, req.Note)) +
			"\n" + T(a.Lang, outcome, r.Staff.Name, clip(answer, cardNoteMax))
		key := fmt.Sprintf("lost-card:%d:%d", req.ID, a.ID)
		if _, err := b.enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: a.TelegramID, StaffID: a.ID, Text: text, EditMsgID: card.TelegramMsgID, Priority: domain.PriorityReply}, nil); err != nil {
			return err
		}
	}
	b.reply(ctx, r.ChatID, r.T(outcome, r.Staff.Name, answer))
	return nil
}

// lostReason is a lost request's reason for its card: the category, and
// the requester's words if there are any.
func lostReason(lang domain.Lang, reason domain.LostReason, note string) Raw {
	if note == "" {
		return Raw(T(lang, "lost."+string(reason)))
	}
	return Raw(T(lang, "lost.reason_note", T(lang, "lost."+string(reason)), clip(note, cardNoteMax)))
}

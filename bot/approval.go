package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Approval cards: one helper for every kind of request an approver rules
// on (domain.ApprovalKind: lost, clean-up, collision, rest, swap). The
// service decides who the approvers are and whether a ruling stands; this
// file only shows it.
//
// The life of a card, for a kind converted to it (bot/lost.go is the model):
//
//	cards := approvalCards{
//		Key:     func(a int64) string { return fmt.Sprintf("lost:%d:%d", id, a) },      // the card
//		Done:    func(a int64) string { return fmt.Sprintf("lost-card:%d:%d", id, a) }, // its rewrite
//		Body:    func(lang domain.Lang) string { return T(lang, "lost.card", …) },
//		Buttons: approveReject("lost:ok:17", "lost:no:17"),
//	}
//	// On the request (the service's outcome lists the approvers):
//	err := b.sendApprovalCards(ctx, cards, out.Approvers)
//	// On the ruling (the same cards value, Body as the request was made):
//	err = b.tell(ctx, "lost-result:17", out.Requester, func(lang domain.Lang) string { … })
//	err = b.closeApprovalCards(ctx, cards, out.Approvers, func(lang domain.Lang) string {
//		return T(lang, "lost.done_ok", out.Decider.Name, …)
//	})
//
// Every message is an outbox row written in the caller's transaction, so the
// cards, the ruling and the news commit together. Keys are part of the
// stored state: a rewrite finds the delivered card by Key, so a kind keeps
// its keys once cards are out (the existing kinds' keys are kept as they
// were).

// approvalCards describes the cards of one request, one per approver.
type approvalCards struct {
	// Key is the outbox key of approver's card; Done is the key of its
	// rewrite with the verdict.
	Key, Done func(approverID int64) string
	// Body is the card's text in a language, without the verdict. It must
	// stay short: a rewrite is one message (cardNoteMax bounds free text).
	Body func(lang domain.Lang) string
	// Buttons are the card's one row of buttons in a language, usually
	// approveReject; a collision offers one button per side.
	Buttons func(lang domain.Lang) []models.InlineKeyboardButton
}

// approveReject is the usual row of buttons: approve and reject, with the
// given callback data.
func approveReject(approve, reject string) func(domain.Lang) []models.InlineKeyboardButton {
	return func(lang domain.Lang) []models.InlineKeyboardButton {
		return []models.InlineKeyboardButton{
			{Text: T(lang, "btn.approve"), CallbackData: approve},
			{Text: T(lang, "btn.reject"), CallbackData: reject},
		}
	}
}

// sendApprovalCards queues a card with buttons for each approver, in their
// language. Keyed per request and approver: sending twice sends once.
func (b *Bot) sendApprovalCards(ctx context.Context, c approvalCards, approvers []*domain.Staff) error {
	for _, a := range approvers {
		if err := b.Push(ctx, c.Key(a.ID), a.TelegramID, a.ID, c.Body(a.Lang), inlineKeyboard(c.Buttons(a.Lang))); err != nil {
			return err
		}
	}
	return nil
}

// closeApprovalCards rewrites each approver's delivered card as its body
// and the verdict line, without buttons, so nobody taps a settled request.
// A card not delivered yet is left alone (a late tap on it is refused by
// the service as decided already).
func (b *Bot) closeApprovalCards(ctx context.Context, c approvalCards, approvers []*domain.Staff, verdict func(lang domain.Lang) string) error {
	for _, a := range approvers {
		text := c.Body(a.Lang) + "\n" + verdict(a.Lang)
		if err := b.editCard(ctx, c.Key(a.ID), c.Done(a.ID), a, text); err != nil {
			return err
		}
	}
	return nil
}

// editCard replaces the delivered card under cardKey by text, without
// buttons; a card never delivered is left alone.
func (b *Bot) editCard(ctx context.Context, cardKey, editKey string, a *domain.Staff, text string) error {
	card, err := b.store.OutboxByKey(ctx, cardKey)
	if err != nil || card.TelegramMsgID == 0 {
		return nil //nolint:nilerr // never delivered: nothing to update
	}
	_, err = b.enqueue(ctx, domain.OutboxMessage{Key: editKey, ChatID: a.TelegramID, StaffID: a.ID, Text: text,
		EditMsgID: card.TelegramMsgID, Priority: domain.PriorityReply}, nil)
	return err
}

// tell pushes s a message in their language under key — the requester
// told of the ruling, say — unless they have not enrolled yet.
func (b *Bot) tell(ctx context.Context, key string, s *domain.Staff, text func(lang domain.Lang) string) error {
	if !s.Enrolled() {
		return nil
	}
	return b.Push(ctx, key, s.TelegramID, s.ID, text(s.Lang), nil)
}

// decisionTap reads a ruler's tap, "<verb>:<id>" (ok approves at once, no
// asks for the reason); a button that does not parse is stale. what names
// the buttons in the error.
func decisionTap(r *Request, what string) (verb string, id int64, err error) {
	verb, idText, _ := strings.Cut(r.Args, ":")
	id, err = strconv.ParseInt(idText, 10, 64)
	if err != nil || verb != "ok" && verb != "no" {
		return "", 0, domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad %s button %q", what, r.Args)
	}
	return verb, id, nil
}

// rejection ends the dialogue that asked a ruler for a rejection's reason
// and returns the request's id and the rejection; an empty reason is
// EINVALID (err.note_empty).
func (b *Bot) rejection(ctx context.Context, r *Request, d *domain.Dialog, text string) (int64, domain.Decision, error) {
	var id int64
	if err := b.endDialog(ctx, r, d, &id); err != nil {
		return 0, domain.Decision{}, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, domain.Decision{}, domain.Errorkf(domain.EINVALID, "err.note_empty", nil, "reason is empty")
	}
	return id, domain.Decision{DeciderID: r.Staff.ID, Verdict: domain.Rejected, Reason: text}, nil
}

package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/dealerbot/dealerbot/domain"
)

// Marking a lead lost (F) needs a reason and the supervisor's approval; until
// then the lead keeps its grade (R1.6). The supervisor approves or rejects
// with one tap; a rejection asks for a reason by reply; the requester is told
// either way. The use case is domain.LostService's; this file parses the
// command, the buttons and the reply, and shows the outcome on approval
// cards (approval.go).

// handleLost asks to mark a lead lost: /lost 17 竞品 买了别家.
func (b *Bot) handleLost(ctx context.Context, r *Request) error {
	ref, reason, _ := strings.Cut(strings.TrimSpace(r.Args), " ")
	if ref == "" || strings.TrimSpace(reason) == "" {
		return errUsage
	}
	l, err := b.lookupLead(ctx, r, ref) // a phone or an id
	if err != nil {
		return err
	}
	return b.requestLost(ctx, r, l.ID, strings.TrimSpace(reason))
}

// lostReasonText takes the reason the card's "mark lost" button asked for.
func (b *Bot) lostReasonText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	var leadID int64
	if err := b.endDialog(ctx, r, d, &leadID); err != nil {
		return err
	}
	return b.requestLost(ctx, r, leadID, strings.TrimSpace(text))
}

// requestLost files the request and sends each approver a card.
func (b *Bot) requestLost(ctx context.Context, r *Request, leadID int64, text string) error {
	if text == "" {
		return domain.Errorkf(domain.EINVALID, "err.note_empty", nil, "reason is empty")
	}
	// The category word ("竞品 已在别家下定") is the reason, not the note:
	// the card names the reason once.
	reason, note := domain.SplitLostText(text)
	out, err := b.opts.Lost.RequestLost(ctx, domain.LostRequest{LeadID: leadID, RequesterID: r.Staff.ID, Reason: reason, Note: note})
	if err != nil {
		return err
	}
	if err := b.sendApprovalCards(ctx, lostCards(out.Request, out.Requester, out.Lead, out.Lead.Grade), out.Approvers); err != nil {
		return err
	}
	b.reply(ctx, r.ChatID, r.T("lost.requested", out.Lead.ID, out.Lead.Name, len(out.Approvers)))
	return nil
}

// cardNoteMax bounds the free text on an approval card: the card is edited
// in place later, and an edit cannot be split over two messages. The whole
// text stays on the lead card (/show).
const cardNoteMax = 600

// lostCards are a lost request's approval cards; grade is the lead's grade
// when it was asked (the rewrite shows the same card).
func lostCards(req *domain.LostRequest, requester *domain.Staff, l *domain.Lead, grade domain.Grade) approvalCards {
	id := strconv.FormatInt(req.ID, 10)
	return approvalCards{
		Key:  func(a int64) string { return fmt.Sprintf("lost:%d:%d", req.ID, a) },
		Done: func(a int64) string { return fmt.Sprintf("lost-card:%d:%d", req.ID, a) },
		Body: func(lang domain.Lang) string {
			return T(lang, "lost.card", requester.Name, l.ID, l.Name, string(grade), lostReason(lang, req.Reason, req.Note))
		},
		Buttons: approveReject("lost:ok:"+id, "lost:no:"+id),
	}
}

// handleLostDecision takes a supervisor's tap: lost:ok:<id> approves,
// lost:no:<id> asks for the reason of a rejection.
func (b *Bot) handleLostDecision(ctx context.Context, r *Request) error {
	verb, id, err := decisionTap(r, "lost")
	if err != nil {
		return err
	}
	if verb == "no" {
		req, err := b.opts.Lost.LostToDecide(ctx, id, r.Staff.ID)
		if err != nil {
			return err
		}
		return b.ask(ctx, r, "reject", req.ID, r.T("lost.ask_reject", req.LeadID))
	}
	out, err := b.opts.Lost.DecideLost(ctx, id, domain.Decision{DeciderID: r.Staff.ID, Verdict: domain.Approved})
	if err != nil {
		return err
	}
	return b.lostDecided(ctx, r, out)
}

// rejectReasonText takes the reason for a rejection.
func (b *Bot) rejectReasonText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	id, dec, err := b.rejection(ctx, r, d, text)
	if err != nil {
		return err
	}
	out, err := b.opts.Lost.DecideLost(ctx, id, dec)
	if err != nil {
		return err
	}
	return b.lostDecided(ctx, r, out)
}

// lostDecided shows a ruling: the requester is told, every approver's card
// turns into the outcome (the buttons go), and the decider gets the answer.
func (b *Bot) lostDecided(ctx context.Context, r *Request, out *domain.LostDecided) error {
	req, l, d := out.Request, out.Lead, out.Request.Decision
	tell, outcome := "lost.approved", "lost.done_ok"
	if !d.Approved() {
		tell, outcome = "lost.rejected", "lost.done_no"
	}
	err := b.tell(ctx, fmt.Sprintf("lost-result:%d", req.ID), out.Requester, func(lang domain.Lang) string {
		if d.Approved() {
			return T(lang, tell, l.ID, l.Name, out.Decider.Name)
		}
		return T(lang, tell, l.ID, l.Name, out.Decider.Name, d.Reason)
	})
	if err != nil {
		return err
	}
	cards := lostCards(req, out.Requester, l, out.Asked)
	err = b.closeApprovalCards(ctx, cards, out.Approvers, func(lang domain.Lang) string {
		return T(lang, outcome, out.Decider.Name, clip(d.Reason, cardNoteMax))
	})
	if err != nil {
		return err
	}
	b.reply(ctx, r.ChatID, r.T(outcome, out.Decider.Name, d.Reason))
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

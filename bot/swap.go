package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Swaps (R5.1): /swap gives an approved rest day to a colleague, optionally
// for one of theirs; the colleague agrees first, then the supervisor rules
// (domain.RestService). This file parses the command and the buttons, and
// shows the outcomes.

// handleSwap offers an approved rest day to a colleague:
// /swap 12-03 王顾问 [12-05] (with the colleague's own day in return).
func (b *Bot) handleSwap(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) != 2 && len(f) != 3 {
		return errUsage
	}
	req := domain.SwapRequest{RequesterID: r.Staff.ID, Colleague: f[1]}
	var err error
	if req.Day, err = b.parseDay(r, f[0]); err != nil {
		return err
	}
	if len(f) == 3 {
		if req.TheirDay, err = b.parseDay(r, f[2]); err != nil {
			return err
		}
	}
	out, err := b.opts.Rest.RequestSwap(ctx, req)
	if err != nil {
		return restError(r.Lang, err)
	}
	sw, colleague := out.Swap, out.Colleague
	id := strconv.FormatInt(sw.Rest.ID, 10)
	markup := inlineKeyboard([]models.InlineKeyboardButton{
		{Text: T(colleague.Lang, "btn.swap_yes"), CallbackData: "swap:yes:" + id},
		{Text: T(colleague.Lang, "btn.swap_no"), CallbackData: "swap:no:" + id},
	})
	text := T(colleague.Lang, "swap.ask", Raw(swapSummary(colleague.Lang, &sw)))
	if err := b.Push(ctx, fmt.Sprintf("swap-ask:%d:%d", sw.Rest.ID, sw.Seq), colleague.TelegramID, colleague.ID, text, markup); err != nil {
		return err
	}
	r.Reply(ctx, "swap.asked", colleague.Name)
	return nil
}

// swapSummary says what a swap does, in lang.
func swapSummary(lang domain.Lang, sw *domain.Swap) string {
	from, to, day := sw.Requester.Name, sw.Colleague.Name, sw.Rest.Day
	if sw.TheirDay == "" {
		return T(lang, "swap.summary", from, restDate(lang, day), to)
	}
	return T(lang, "swap.summary_trade", from, to, restDate(lang, day), restDate(lang, sw.TheirDay))
}

// handleSwapAnswer takes the colleague's tap: swap:yes:<id> or swap:no:<id>.
func (b *Bot) handleSwapAnswer(ctx context.Context, r *Request) error {
	verb, idText, _ := strings.Cut(r.Args, ":")
	id, err := parseButtonID(idText)
	if err != nil {
		return err
	}
	var out *domain.SwapAnswered
	switch verb {
	case "yes":
		out, err = b.opts.Rest.AgreeSwap(ctx, id, r.Staff.ID)
	case "no":
		out, err = b.opts.Rest.DeclineSwap(ctx, id, r.Staff.ID)
	default:
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad swap verb %q", verb)
	}
	if err != nil {
		return restError(r.Lang, err)
	}
	sw, requester := &out.Swap, out.Notify
	askText := T(r.Lang, "swap.ask", Raw(swapSummary(r.Lang, sw)))
	answerKey := fmt.Sprintf("swap-answer:%d:%d", id, sw.Seq)
	if !out.Agreed {
		if requester != nil {
			text := T(requester.Lang, "swap.declined", r.Staff.Name, Raw(swapSummary(requester.Lang, sw)))
			if err := b.Push(ctx, fmt.Sprintf("swap-declined:%d:%d", id, sw.Seq), requester.TelegramID, requester.ID, text, nil); err != nil {
				return err
			}
		}
		return b.editPressed(ctx, r, answerKey, askText+"\n"+r.T("swap.answer_no"))
	}
	if err := b.sendApprovalCards(ctx, swapCards(sw), out.Approvers); err != nil {
		return err
	}
	if requester != nil {
		text := T(requester.Lang, "swap.agreed", r.Staff.Name)
		if err := b.Push(ctx, fmt.Sprintf("swap-agreed:%d:%d", id, sw.Seq), requester.TelegramID, requester.ID, text, nil); err != nil {
			return err
		}
	}
	return b.editPressed(ctx, r, answerKey, askText+"\n"+r.T("swap.answer_yes"))
}

// swapCards are the approval cards of one attempt at a swap.
func swapCards(sw *domain.Swap) approvalCards {
	id, seq := sw.Rest.ID, sw.Seq
	return approvalCards{
		Key:     func(a int64) string { return fmt.Sprintf("swap-card:%d:%d:%d", id, seq, a) },
		Done:    func(a int64) string { return fmt.Sprintf("swap-card-done:%d:%d:%d", id, seq, a) },
		Body:    func(lang domain.Lang) string { return T(lang, "swap.card", Raw(swapSummary(lang, sw))) },
		Buttons: approveReject(fmt.Sprintf("swapok:%d", id), fmt.Sprintf("swapno:%d", id)),
	}
}

// editPressed replaces the pressed message by text, without buttons.
func (b *Bot) editPressed(ctx context.Context, r *Request, key, text string) error {
	if r.Message == nil || r.Message.ID == 0 {
		b.reply(ctx, r.ChatID, text)
		return nil
	}
	_, err := b.enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: r.ChatID, StaffID: r.Staff.ID, Text: text,
		EditMsgID: r.Message.ID, Priority: domain.PriorityReply}, nil)
	return err
}

// decideSwap takes a supervisor's tap on an agreed swap: swapok:<id> or
// swapno:<id>.
func (b *Bot) decideSwap(ctx context.Context, r *Request, verdict domain.Verdict) error {
	id, err := parseButtonID(r.Args)
	if err != nil {
		return err
	}
	out, err := b.opts.Rest.DecideSwap(ctx, id, domain.Decision{DeciderID: r.Staff.ID, Verdict: verdict})
	if err != nil {
		return restError(r.Lang, err)
	}
	sw, decider := &out.Swap, out.Decider
	tell, outcome := "swap.rejected", "rest.done_no"
	if out.Decision.Approved() {
		tell, outcome = "swap.approved", "rest.done_ok"
	}
	for _, s := range []*domain.Staff{sw.Requester, sw.Colleague} {
		err := b.tell(ctx, fmt.Sprintf("swap-result:%d:%d:%d", id, sw.Seq, s.ID), s, func(lang domain.Lang) string {
			return T(lang, tell, decider.Name, Raw(swapSummary(lang, sw)))
		})
		if err != nil {
			return err
		}
	}
	return b.closeApprovalCards(ctx, swapCards(sw), out.Approvers, func(lang domain.Lang) string {
		return T(lang, outcome, decider.Name)
	})
}

package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The month-end clean-up (R1.13): before month end each consultant keeps
// only H, A and O leads; B, C, L and F go to the telesales pool, and so do
// leads still ungraded after their first week (domain.CleanupTakes). The bot sends
// each supervisor one card per consultant (Approve all / Review); approved
// leads are shared out evenly among the active telesales staff, and both
// sides are told what moved. The use case is domain.CleanupService's (a
// review's toggles and the ruling are stored, so any supervisor's card for
// the same consultant and month sees them); this file parses the command
// and the buttons and shows the cases on approval cards (approval.go).

// cleanupCardMax is how many leads a clean-up card lists; the card is
// edited in place later and must stay one message (~3500 characters).
const cleanupCardMax = 30

// cleanupReviewMax is how many toggle buttons a review card shows
// (Telegram allows 100 buttons on a message).
const cleanupReviewMax = 90

// cleanupNameMax bounds a customer's name on a card or button.
const cleanupNameMax = 24

// registerCleanup adds the month-end clean-up (R1.13).
func (b *Bot) registerCleanup() {
	b.Register(Command{Name: "cleanup", Roles: []domain.Role{domain.RoleSupervisor, domain.RoleManager}, Handler: b.handleCleanup})
	b.RegisterCallback(Callback{Prefix: "cu", Roles: []domain.Role{domain.RoleSupervisor, domain.RoleManager, domain.RoleGM}, Handler: b.handleCleanupButton})
}

// handleCleanup runs the clean-up of the current month on demand.
func (b *Bot) handleCleanup(ctx context.Context, r *Request) error {
	st := r.Store()
	month := domain.CleanupMonth(b.now(), st.Calendar.Location)
	p, err := b.opts.Cleanup.CleanupCases(ctx, st.ID, month)
	if err != nil {
		return err
	}
	sent, pending, err := b.pushCleanup(ctx, p)
	if err != nil {
		return err
	}
	switch {
	case sent > 0:
		b.reply(ctx, r.ChatID, r.T("cleanup.sent", sent, month))
	case pending > 0:
		b.reply(ctx, r.ChatID, r.T("cleanup.already_sent", pending, month))
	default:
		b.reply(ctx, r.ChatID, r.T("cleanup.nothing", month))
	}
	return nil
}

// NotifyCleanup sends every recipient one card per pending case of the
// month (jobs.CleanupNotifier). Keyed per month, consultant and
// supervisor: a rerun sends nothing twice. Call it in a transaction.
func (b *Bot) NotifyCleanup(ctx context.Context, p *domain.CleanupProposal) error {
	_, _, err := b.pushCleanup(ctx, p)
	return err
}

// pushCleanup returns how many cards it queued and for how many
// consultants cards were queued before.
func (b *Bot) pushCleanup(ctx context.Context, p *domain.CleanupProposal) (sent, pending int, err error) {
	for _, c := range p.Cases {
		cards := cleanupCards(p.Month, c.Owner, c.Leads)
		var fresh []*domain.Staff
		for _, s := range p.Recipients {
			if _, err := b.store.OutboxByKey(ctx, cards.Key(s.ID)); err == nil {
				continue
			} else if domain.ErrorCode(err) != domain.ENOTFOUND {
				return 0, 0, err
			}
			fresh = append(fresh, s)
		}
		if len(fresh) < len(p.Recipients) {
			pending++
		}
		if err := b.sendApprovalCards(ctx, cards, fresh); err != nil {
			return 0, 0, err
		}
		sent += len(fresh)
	}
	return sent, pending, nil
}

// cleanupCards are the cards of owner's clean-up in month, listing leads:
// at most cleanupCardMax, then how many more.
func cleanupCards(month string, owner *domain.Staff, leads []*domain.Lead) approvalCards {
	id := strconv.FormatInt(owner.ID, 10)
	return approvalCards{
		Key:  func(a int64) string { return fmt.Sprintf("cleanup:%s:%d:%d", month, owner.ID, a) },
		Done: func(a int64) string { return fmt.Sprintf("cleanup-card:%s:%d:%d", month, owner.ID, a) },
		Body: func(lang domain.Lang) string {
			if len(leads) == 0 {
				return T(lang, "cleanup.card_none", month, owner.Name)
			}
			return T(lang, "cleanup.card", month, owner.Name, len(leads), Raw(cleanupLines(lang, leads)))
		},
		Buttons: func(lang domain.Lang) []models.InlineKeyboardButton {
			return []models.InlineKeyboardButton{
				{Text: stripTags(T(lang, "btn.cleanup_all")), CallbackData: "cu:all:" + id + ":" + month},
				{Text: stripTags(T(lang, "btn.cleanup_review")), CallbackData: "cu:rev:" + id + ":" + month},
			}
		},
	}
}

func cleanupLines(lang domain.Lang, leads []*domain.Lead) string {
	lines := make([]string, 0, min(len(leads), cleanupCardMax)+1)
	for i, l := range leads {
		if i == cleanupCardMax {
			lines = append(lines, T(lang, "cleanup.more", len(leads)-cleanupCardMax))
			break
		}
		lines = append(lines, T(lang, "cleanup.line", l.ID, clip(l.Name, cleanupNameMax), string(l.Grade)))
	}
	return strings.Join(lines, "\n")
}

// handleCleanupButton takes a press: cu:all|rev|ok:<owner>:<month> or
// cu:t:<owner>:<month>:<lead>.
func (b *Bot) handleCleanupButton(ctx context.Context, r *Request) error {
	stale := domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad clean-up button %q", r.Args)
	f := strings.Split(r.Args, ":")
	if len(f) < 3 {
		return stale
	}
	ownerID, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return stale
	}
	month := f[2]
	if domain.ValidCleanupMonth(month) != nil {
		return stale
	}
	svc := b.opts.Cleanup
	switch {
	case (f[0] == "all" || f[0] == "ok") && len(f) == 3:
		out, err := svc.ApproveCleanup(ctx, month, ownerID, r.Staff.ID, f[0] == "ok")
		if err != nil {
			return err
		}
		return b.cleanupApproved(ctx, r, out)
	case f[0] == "rev" && len(f) == 3:
		c, err := svc.ReviewCleanup(ctx, month, ownerID, r.Staff.ID)
		if err != nil {
			return err
		}
		text, markup := cleanupReviewCard(r.Lang, c)
		return b.edit(ctx, r, text, markup)
	case f[0] == "t" && len(f) == 4:
		leadID, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			return stale
		}
		c, err := svc.ToggleCleanup(ctx, month, ownerID, leadID, r.Staff.ID)
		if err != nil {
			return err
		}
		text, markup := cleanupReviewCard(r.Lang, c)
		return b.edit(ctx, r, text, markup)
	}
	return stale
}

// cleanupReviewCard is the review list: one toggle per lead, then Confirm.
func cleanupReviewCard(lang domain.Lang, c *domain.CleanupCase) (string, *models.InlineKeyboardMarkup) {
	id := strconv.FormatInt(c.Owner.ID, 10)
	var rows [][]models.InlineKeyboardButton
	out := 0
	for i, l := range c.Leads {
		if c.Excluded[l.ID] {
			out++
		}
		if i >= cleanupReviewMax {
			continue
		}
		mark := "✓"
		if c.Excluded[l.ID] {
			mark = "✗"
		}
		lid := strconv.FormatInt(l.ID, 10)
		rows = append(rows, []models.InlineKeyboardButton{{
			Text:         mark + " #" + lid + " " + clip(l.Name, cleanupNameMax) + " (" + string(l.Grade) + ")",
			CallbackData: "cu:t:" + id + ":" + c.Month + ":" + lid,
		}})
	}
	rows = append(rows, []models.InlineKeyboardButton{{Text: stripTags(T(lang, "btn.cleanup_confirm")), CallbackData: "cu:ok:" + id + ":" + c.Month}})
	text := T(lang, "cleanup.review", c.Month, c.Owner.Name, len(c.Leads)-out, out)
	if len(c.Leads) > cleanupReviewMax {
		text += "\n" + T(lang, "cleanup.review_more", len(c.Leads)-cleanupReviewMax)
	}
	return text, inlineKeyboard(rows...)
}

// cleanupApproved shows a ruling: the consultant is told what went where,
// each telesales what came, and every card for this owner and month shows
// the outcome without buttons (the pressed one edited in place).
func (b *Bot) cleanupApproved(ctx context.Context, r *Request, out *domain.CleanupApproved) error {
	c, by := out.Case, out.Decider
	month, owner := c.Month, c.Owner
	if len(c.Leads) > 0 {
		err := b.tell(ctx, fmt.Sprintf("cleanup-moved:%s:%d", month, owner.ID), owner, func(lang domain.Lang) string {
			var lines []string
			for _, s := range out.Shares {
				for _, l := range s.Leads {
					lines = append(lines, T(lang, "cleanup.moved_line", l.ID, l.Name, string(l.Grade), s.To.Name))
				}
			}
			return T(lang, "cleanup.moved", month, by.Name, len(c.Leads), Raw(strings.Join(lines, "\n")))
		})
		if err != nil {
			return err
		}
	}
	summary := make([]string, 0, len(out.Shares))
	for _, s := range out.Shares {
		summary = append(summary, fmt.Sprintf("%s %d", s.To.Name, len(s.Leads)))
		err := b.tell(ctx, fmt.Sprintf("cleanup-received:%s:%d:%d", month, owner.ID, s.To.ID), s.To, func(lang domain.Lang) string {
			lines := make([]string, len(s.Leads))
			for i, l := range s.Leads {
				lines[i] = T(lang, "cleanup.line", l.ID, l.Name, string(l.Grade))
			}
			return T(lang, "cleanup.received", month, owner.Name, len(s.Leads), Raw(strings.Join(lines, "\n")))
		})
		if err != nil {
			return err
		}
	}

	cards := cleanupCards(month, owner, c.Leads)
	verdict := func(lang domain.Lang) string {
		if len(c.Leads) == 0 {
			return T(lang, "cleanup.done_none", by.Name)
		}
		return T(lang, "cleanup.done", by.Name, len(c.Leads), strings.Join(summary, T(lang, "list.sep")))
	}
	others, err := b.otherCards(ctx, r, cards, out.Recipients)
	if err != nil {
		return err
	}
	if err := b.closeApprovalCards(ctx, cards, others, verdict); err != nil {
		return err
	}
	if r.Message != nil {
		return b.edit(ctx, r, cards.Body(r.Lang)+"\n"+verdict(r.Lang), nil)
	}
	return nil
}

// otherCards keeps the approvers whose card is not the message pressed:
// that one the handler edits in place.
func (b *Bot) otherCards(ctx context.Context, r *Request, c approvalCards, approvers []*domain.Staff) ([]*domain.Staff, error) {
	if r.Message == nil {
		return approvers, nil
	}
	out := make([]*domain.Staff, 0, len(approvers))
	for _, a := range approvers {
		card, err := b.store.OutboxByKey(ctx, c.Key(a.ID))
		if err == nil && card.ChatID == r.ChatID && card.TelegramMsgID == r.Message.ID {
			continue
		} else if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

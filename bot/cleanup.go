package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The month-end clean-up (R1.13): before month end each consultant keeps
// only H, A and O leads; B, C, L and F go to the telesales pool, and so do
// leads still ungraded after their first week (domain.CleanupTakes). The bot sends
// each supervisor one card per consultant (Approve all / Review); approved
// leads are shared out evenly among the active telesales staff, and both
// sides are told what moved. Every move is kept as a lead event (why
// "cleanup"). Done-ness and a review's exclusions are small server-side
// state, so any supervisor's card for the same consultant and month sees
// them.

// cleanupStore is what the clean-up needs of storage beyond Store
// (implemented by *storage.DB).
type cleanupStore interface {
	CleanupCandidates(ctx context.Context, ownerID int64, ungradedBefore time.Time) ([]*domain.Lead, error)
	OwnersWithCleanup(ctx context.Context, ungradedBefore time.Time) (map[int64]int, error)
	GetState(ctx context.Context, key string) (string, bool, error)
	SetState(ctx context.Context, key, value string) error
}

// cleanupCardMax is how many leads a clean-up card lists; the card is
// edited in place later and must stay one message (~3500 characters).
const cleanupCardMax = 30

// cleanupReviewMax is how many toggle buttons a review card shows
// (Telegram allows 100 buttons on a message).
const cleanupReviewMax = 90

// cleanupNameMax bounds a customer's name on a card or button.
const cleanupNameMax = 24

// monthLayout is the form of a clean-up month: 2026-12.
const monthLayout = "2006-01"

// registerCleanup adds the month-end clean-up (R1.13).
func (b *Bot) registerCleanup() {
	b.Register(Command{Name: "cleanup", Roles: []domain.Role{domain.RoleSupervisor, domain.RoleManager}, Handler: b.handleCleanup})
	b.RegisterCallback(Callback{Prefix: "cu", Roles: []domain.Role{domain.RoleSupervisor, domain.RoleManager, domain.RoleGM}, Handler: b.handleCleanupButton})
}

// cleanupStore returns the store's clean-up methods.
func (b *Bot) cleanupStore() (cleanupStore, error) {
	cs, ok := b.store.(cleanupStore)
	if !ok {
		return nil, fmt.Errorf("clean-up: store %T lacks the clean-up methods", b.store)
	}
	return cs, nil
}

// cleanupUngradedBefore is when an N lead must have been created for the
// clean-up to take it now: its first week is over (domain.CleanupTakes).
func (b *Bot) cleanupUngradedBefore() time.Time {
	return domain.CleanupUngradedBefore(b.opts.Rules.Leads, b.now())
}

func cleanupCardKey(month string, ownerID, supID int64) string {
	return fmt.Sprintf("cleanup:%s:%d:%d", month, ownerID, supID)
}
func cleanupDoneKey(month string, ownerID int64) string {
	return fmt.Sprintf("cleanup-done:%s:%d", month, ownerID)
}
func cleanupReviewKey(month string, ownerID int64) string {
	return fmt.Sprintf("cleanup-review:%s:%d", month, ownerID)
}

// handleCleanup runs the clean-up of the current month on demand.
func (b *Bot) handleCleanup(ctx context.Context, r *Request) error {
	month := b.now().In(b.opts.Calendar.Location).Format(monthLayout)
	sent, pending, err := b.pushCleanup(ctx, month)
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

// PushCleanup sends every supervisor one card per consultant who has leads
// to clean up in month ("2026-12"). Keyed per month, consultant and
// supervisor: a rerun sends nothing twice. Safe inside or outside a
// transaction.
func (b *Bot) PushCleanup(ctx context.Context, month string) error {
	return b.store.InTx(ctx, func(ctx context.Context) error {
		_, _, err := b.pushCleanup(ctx, month)
		return err
	})
}

// pushCleanup returns how many cards it queued and for how many
// consultants cards were queued before.
func (b *Bot) pushCleanup(ctx context.Context, month string) (sent, pending int, err error) {
	if _, err := time.Parse(monthLayout, month); err != nil {
		return 0, 0, fmt.Errorf("clean-up: bad month %q", month)
	}
	cs, err := b.cleanupStore()
	if err != nil {
		return 0, 0, err
	}
	counts, err := cs.OwnersWithCleanup(ctx, b.cleanupUngradedBefore())
	if err != nil {
		return 0, 0, err
	}
	owners := make([]int64, 0, len(counts))
	for id := range counts {
		owners = append(owners, id)
	}
	sort.Slice(owners, func(i, j int) bool { return owners[i] < owners[j] })
	recipients, err := b.cleanupRecipients(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, id := range owners {
		owner, err := b.store.StaffByID(ctx, id)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			continue
		}
		if err != nil {
			return 0, 0, err
		}
		if !owner.Active || !owner.Roles.Has(domain.RoleConsultant) {
			continue
		}
		if _, done, err := cs.GetState(ctx, cleanupDoneKey(month, id)); err != nil {
			return 0, 0, err
		} else if done {
			continue
		}
		leads, err := cs.CleanupCandidates(ctx, id, b.cleanupUngradedBefore())
		if err != nil {
			return 0, 0, err
		}
		if len(leads) == 0 {
			continue
		}
		carded := false
		for _, s := range recipients {
			key := cleanupCardKey(month, id, s.ID)
			if _, err := b.store.OutboxByKey(ctx, key); err == nil {
				carded = true
				continue
			} else if domain.ErrorCode(err) != domain.ENOTFOUND {
				return 0, 0, err
			}
			text := b.cleanupCard(s.Lang, month, owner, leads)
			if err := b.Push(ctx, key, s.TelegramID, s.ID, text, cleanupCardButtons(s.Lang, month, id)); err != nil {
				return 0, 0, err
			}
			sent++
		}
		if carded {
			pending++
		}
	}
	return sent, pending, nil
}

// cleanupRecipients are who get the cards: the active, enrolled
// supervisors, or the managers when there is no supervisor.
func (b *Bot) cleanupRecipients(ctx context.Context) ([]*domain.Staff, error) {
	sups, err := b.staffWithAnyRole(ctx, domain.RoleSupervisor)
	if err != nil || len(sups) > 0 {
		return sups, err
	}
	return b.staffWithAnyRole(ctx, domain.RoleManager)
}

func cleanupCardButtons(lang domain.Lang, month string, ownerID int64) *models.InlineKeyboardMarkup {
	id := strconv.FormatInt(ownerID, 10)
	return inlineKeyboard([]models.InlineKeyboardButton{
		{Text: stripTags(T(lang, "btn.cleanup_all")), CallbackData: "cu:all:" + id + ":" + month},
		{Text: stripTags(T(lang, "btn.cleanup_review")), CallbackData: "cu:rev:" + id + ":" + month},
	})
}

// cleanupCard lists a consultant's leads to move: at most cleanupCardMax,
// then how many more.
func (b *Bot) cleanupCard(lang domain.Lang, month string, owner *domain.Staff, leads []*domain.Lead) string {
	return T(lang, "cleanup.card", month, owner.Name, len(leads), Raw(cleanupLines(lang, leads)))
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
	f := strings.Split(r.Args, ":")
	if len(f) < 3 {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad clean-up button %q", r.Args)
	}
	ownerID, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad clean-up button %q", r.Args)
	}
	month := f[2]
	if _, err := time.Parse(monthLayout, month); err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad clean-up month %q", r.Args)
	}
	cs, err := b.cleanupStore()
	if err != nil {
		return err
	}
	if _, done, err := cs.GetState(ctx, cleanupDoneKey(month, ownerID)); err != nil {
		return err
	} else if done {
		return domain.Errorkf(domain.ECONFLICT, "cleanup.already", nil, "clean-up of %d in %s done", ownerID, month)
	}
	owner, err := b.store.StaffByID(ctx, ownerID)
	if err != nil {
		return err
	}
	if owner.ID == r.Staff.ID {
		return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d may not approve their own clean-up", ownerID)
	}
	switch {
	case f[0] == "all" && len(f) == 3:
		return b.approveCleanup(ctx, r, cs, owner, month, false)
	case f[0] == "ok" && len(f) == 3:
		return b.approveCleanup(ctx, r, cs, owner, month, true)
	case f[0] == "rev" && len(f) == 3:
		return b.showCleanupReview(ctx, r, cs, owner, month)
	case f[0] == "t" && len(f) == 4:
		leadID, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			break
		}
		return b.toggleCleanup(ctx, r, cs, owner, month, leadID)
	}
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad clean-up button %q", r.Args)
}

// cleanupExcluded reads a review's excluded lead ids.
func cleanupExcluded(ctx context.Context, cs cleanupStore, month string, ownerID int64) (map[int64]bool, error) {
	raw, ok, err := cs.GetState(ctx, cleanupReviewKey(month, ownerID))
	if err != nil || !ok || raw == "" {
		return map[int64]bool{}, err
	}
	var ids []int64
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return nil, fmt.Errorf("clean-up review state %q: %w", raw, err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// showCleanupReview turns the card into the review list.
func (b *Bot) showCleanupReview(ctx context.Context, r *Request, cs cleanupStore, owner *domain.Staff, month string) error {
	leads, err := cs.CleanupCandidates(ctx, owner.ID, b.cleanupUngradedBefore())
	if err != nil {
		return err
	}
	excluded, err := cleanupExcluded(ctx, cs, month, owner.ID)
	if err != nil {
		return err
	}
	text, markup := b.cleanupReviewCard(r.Lang, month, owner, leads, excluded)
	return b.edit(ctx, r, text, markup)
}

// cleanupReviewCard is the review list: one toggle per lead, then Confirm.
func (b *Bot) cleanupReviewCard(lang domain.Lang, month string, owner *domain.Staff, leads []*domain.Lead, excluded map[int64]bool) (string, *models.InlineKeyboardMarkup) {
	id := strconv.FormatInt(owner.ID, 10)
	var rows [][]models.InlineKeyboardButton
	out := 0
	for i, l := range leads {
		if excluded[l.ID] {
			out++
		}
		if i >= cleanupReviewMax {
			continue
		}
		mark := "✓"
		if excluded[l.ID] {
			mark = "✗"
		}
		lid := strconv.FormatInt(l.ID, 10)
		rows = append(rows, []models.InlineKeyboardButton{{
			Text:         mark + " #" + lid + " " + clip(l.Name, cleanupNameMax) + " (" + string(l.Grade) + ")",
			CallbackData: "cu:t:" + id + ":" + month + ":" + lid,
		}})
	}
	rows = append(rows, []models.InlineKeyboardButton{{Text: stripTags(T(lang, "btn.cleanup_confirm")), CallbackData: "cu:ok:" + id + ":" + month}})
	text := T(lang, "cleanup.review", month, owner.Name, len(leads)-out, out)
	if len(leads) > cleanupReviewMax {
		text += "\n" + T(lang, "cleanup.review_more", len(leads)-cleanupReviewMax)
	}
	return text, inlineKeyboard(rows...)
}

// toggleCleanup includes or excludes one lead of a review.
func (b *Bot) toggleCleanup(ctx context.Context, r *Request, cs cleanupStore, owner *domain.Staff, month string, leadID int64) error {
	leads, err := cs.CleanupCandidates(ctx, owner.ID, b.cleanupUngradedBefore())
	if err != nil {
		return err
	}
	found := false
	for _, l := range leads {
		found = found || l.ID == leadID
	}
	if !found {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "lead %d is no clean-up candidate of %d", leadID, owner.ID)
	}
	excluded, err := cleanupExcluded(ctx, cs, month, owner.ID)
	if err != nil {
		return err
	}
	if excluded[leadID] {
		delete(excluded, leadID)
	} else {
		excluded[leadID] = true
	}
	ids := make([]int64, 0, len(excluded))
	for id := range excluded {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	raw, _ := json.Marshal(ids)
	if err := cs.SetState(ctx, cleanupReviewKey(month, owner.ID), string(raw)); err != nil {
		return err
	}
	text, markup := b.cleanupReviewCard(r.Lang, month, owner, leads, excluded)
	return b.edit(ctx, r, text, markup)
}

// approveCleanup moves the owner's current candidates (less a review's
// exclusions) to the telesales pool, shared out evenly, tells both sides
// and turns every card into the outcome. It runs once per owner and month.
func (b *Bot) approveCleanup(ctx context.Context, r *Request, cs cleanupStore, owner *domain.Staff, month string, reviewed bool) error {
	leads, err := cs.CleanupCandidates(ctx, owner.ID, b.cleanupUngradedBefore())
	if err != nil {
		return err
	}
	if reviewed {
		excluded, err := cleanupExcluded(ctx, cs, month, owner.ID)
		if err != nil {
			return err
		}
		kept := leads[:0:0]
		for _, l := range leads {
			if !excluded[l.ID] {
				kept = append(kept, l)
			}
		}
		leads = kept
	}
	all, err := b.store.StaffWithRole(ctx, domain.RoleTelesales)
	if err != nil {
		return err
	}
	var tele []*domain.Staff
	for _, s := range all {
		if s.Active && s.ID != owner.ID {
			tele = append(tele, s)
		}
	}
	// The least loaded first, so shares stay even across every consultant's
	// card, not just within one.
	load := map[int64]int{}
	for _, t := range tele {
		_, n, err := b.store.LeadsByOwner(ctx, t.ID, 0, 1)
		if err != nil {
			return err
		}
		load[t.ID] = n
	}
	sort.Slice(tele, func(i, j int) bool {
		if load[tele[i].ID] != load[tele[j].ID] {
			return load[tele[i].ID] < load[tele[j].ID]
		}
		return tele[i].ID < tele[j].ID
	})
	if len(tele) == 0 && len(leads) > 0 {
		return domain.Errorkf(domain.EINVALID, "cleanup.no_telesales", nil, "no active telesales staff")
	}
	ids := make([]int64, len(leads))
	byID := make(map[int64]*domain.Lead, len(leads))
	for i, l := range leads {
		ids[i], byID[l.ID] = l.ID, l
	}
	teleIDs := make([]int64, len(tele))
	for i, t := range tele {
		teleIDs[i] = t.ID
	}
	share := domain.ShareOut(ids, teleIDs)
	for _, t := range tele {
		for _, id := range share[t.ID] {
			if err := b.moveLead(ctx, byID[id], r.Staff.ID, t.ID, domain.PoolTelesales, domain.WhyCleanup); err != nil {
				return err
			}
		}
	}
	if err := cs.SetState(ctx, cleanupDoneKey(month, owner.ID), strconv.FormatInt(r.Staff.ID, 10)); err != nil {
		return err
	}

	// Tell the consultant what went where, and each telesales what came.
	if len(leads) > 0 && owner.Enrolled() {
		var lines []string
		for _, t := range tele {
			for _, id := range share[t.ID] {
				lines = append(lines, T(owner.Lang, "cleanup.moved_line", id, byID[id].Name, string(byID[id].Grade), t.Name))
			}
		}
		text := T(owner.Lang, "cleanup.moved", month, r.Staff.Name, len(leads), Raw(strings.Join(lines, "\n")))
		if err := b.Push(ctx, fmt.Sprintf("cleanup-moved:%s:%d", month, owner.ID), owner.TelegramID, owner.ID, text, nil); err != nil {
			return err
		}
	}
	var summary []string
	for _, t := range tele {
		got := share[t.ID]
		if len(got) == 0 {
			continue
		}
		summary = append(summary, fmt.Sprintf("%s %d", t.Name, len(got)))
		if !t.Enrolled() {
			continue
		}
		lines := make([]string, len(got))
		for i, id := range got {
			l := byID[id]
			lines[i] = T(t.Lang, "cleanup.line", l.ID, l.Name, string(l.Grade))
		}
		text := T(t.Lang, "cleanup.received", month, owner.Name, len(got), Raw(strings.Join(lines, "\n")))
		if err := b.Push(ctx, fmt.Sprintf("cleanup-received:%s:%d:%d", month, owner.ID, t.ID), t.TelegramID, t.ID, text, nil); err != nil {
			return err
		}
	}

	// Every card for this owner and month shows the outcome, without buttons.
	outcome := func(lang domain.Lang) string {
		if len(leads) == 0 {
			return T(lang, "cleanup.card_none", month, owner.Name) + "\n" + T(lang, "cleanup.done_none", r.Staff.Name)
		}
		return b.cleanupCard(lang, month, owner, leads) + "\n" + T(lang, "cleanup.done", r.Staff.Name, len(leads), strings.Join(summary, T(lang, "list.sep")))
	}
	recipients, err := b.cleanupRecipients(ctx)
	if err != nil {
		return err
	}
	for _, s := range recipients {
		card, err := b.store.OutboxByKey(ctx, cleanupCardKey(month, owner.ID, s.ID))
		if err != nil || card.TelegramMsgID == 0 {
			continue // never delivered: nothing to update
		}
		if r.Message != nil && card.ChatID == r.ChatID && card.TelegramMsgID == r.Message.ID {
			continue // the pressed card: edited below
		}
		key := fmt.Sprintf("cleanup-card:%s:%d:%d", month, owner.ID, s.ID)
		if _, err := b.enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: s.TelegramID, StaffID: s.ID, Text: outcome(s.Lang), EditMsgID: card.TelegramMsgID, Priority: domain.PriorityReply}, nil); err != nil {
			return err
		}
	}
	if r.Message != nil {
		return b.edit(ctx, r, outcome(r.Lang), nil)
	}
	return nil
}

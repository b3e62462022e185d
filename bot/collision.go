package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Collisions (撞单, R1.14): a customer claimed by two staff. The bot opens a
// case when a lead is logged, or a visit registered by a consultant, with a
// phone an open lead of someone else already has. Nobody argues in front of
// the customer: whoever serves them goes on. The supervisor sees both claims
// side by side and rules with one tap; the ruling is final.

// collisionStore is what collisions need of storage.
type collisionStore interface {
	CreateCollision(ctx context.Context, c *domain.Collision) (bool, error)
	CollisionByID(ctx context.Context, id int64) (*domain.Collision, error)
	SetCollisionNote(ctx context.Context, id int64, side, note string) error
	RuleCollision(ctx context.Context, id, winnerID, deciderID int64) (bool, error)
}

var rulers = []domain.Role{domain.RoleSupervisor, domain.RoleManager, domain.RoleGM}

// registerCollisions adds the collision buttons and telesales' Dispute.
func (b *Bot) registerCollisions() {
	b.RegisterCallback(Callback{Prefix: "col", Handler: b.handleCollisionButton})
	b.RegisterCallback(Callback{Prefix: "dispute", Roles: []domain.Role{domain.RoleTelesales, domain.RoleSupervisor}, Handler: b.handleDispute})
}

// openCollision files a case for claimant's claim on lead l and tells both
// sides and the supervisors. It answers the claimant itself.
func (b *Bot) openCollision(ctx context.Context, r *Request, l *domain.Lead, src domain.Source) error {
	owner, err := b.store.StaffByID(ctx, l.OwnerID)
	if err != nil {
		return err
	}
	c, created, err := b.fileCollision(ctx, l, owner, r.Staff, src)
	if err != nil {
		return err
	}
	id := strconv.FormatInt(c.ID, 10)
	if !created {
		b.reply(ctx, r.ChatID, r.T("collision.open_already", c.ID, l.ID))
		return nil
	}
	if owner.Enrolled() {
		if err := b.Push(ctx, fmt.Sprintf("collision:%d:a", c.ID), owner.TelegramID, owner.ID,
			T(owner.Lang, "collision.told_a", r.Staff.Name, l.ID, l.Name, b.opts.Rules.Leads.CollisionNotes.Hours()),
			inlineKeyboard([]models.InlineKeyboardButton{{Text: T(owner.Lang, "btn.note"), CallbackData: "col:na:" + id}})); err != nil {
			return err
		}
	}
	b.replyMarkup(ctx, r.ChatID, r.T("collision.told_b", l.ID, l.Name, owner.Name, b.opts.Rules.Leads.CollisionNotes.Hours()),
		inlineKeyboard([]models.InlineKeyboardButton{{Text: r.T("btn.note"), CallbackData: "col:nb:" + id}}))
	return nil
}

// fileCollision stores the case of owner (A) and claimant (B) over lead l
// and puts the card before the supervisors; created is false when the
// claimant's case over the lead is open already (c is that one).
func (b *Bot) fileCollision(ctx context.Context, l *domain.Lead, owner, claimant *domain.Staff, src domain.Source) (*domain.Collision, bool, error) {
	c := &domain.Collision{LeadID: l.ID, OwnerID: owner.ID, ClaimantID: claimant.ID, Phone: l.Phone, Source: src, ClaimedAt: b.now()}
	created, err := b.store.CreateCollision(ctx, c)
	if err != nil || !created {
		return c, false, err
	}
	sups, err := b.staffWithAnyRole(ctx, domain.RoleSupervisor)
	if err != nil {
		return nil, false, err
	}
	for _, s := range sups {
		if err := b.Push(ctx, collisionCardKey(c.ID, s.ID), s.TelegramID, s.ID, b.collisionCard(ctx, s, c, l, owner, claimant),
			b.rulingButtons(s.Lang, c, owner, claimant)); err != nil {
			return nil, false, err
		}
	}
	return c, true, nil
}

// handleDispute takes telesales' Dispute on a visit a consultant
// registered as theirs for a telesales lead (R1.14.2): dispute:<visit>
// opens the collision case, owner against consultant, for the
// supervisor to rule (R1.14.4).
func (b *Bot) handleDispute(ctx context.Context, r *Request) error {
	vid, err := strconv.ParseInt(r.Args, 10, 64)
	if err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad dispute button")
	}
	v, err := b.store.VisitByID(ctx, vid)
	if err != nil {
		return err
	}
	l, err := b.store.LeadByID(ctx, v.LeadID)
	if err != nil {
		return err
	}
	if l.OwnerID != r.Staff.ID {
		return domain.Errorkf(domain.EFORBIDDEN, "err.lead_not_yours", []any{l.ID}, "lead %d is not the caller's", l.ID)
	}
	if !l.Grade.Open() {
		return domain.Errorkf(domain.EINVALID, "err.lead_closed", []any{l.ID, string(l.Grade)}, "lead %d is closed", l.ID)
	}
	if v.ConsultantID == l.OwnerID || b.now().Sub(v.ArrivedAt) > b.opts.Rules.Leads.CollisionNotes {
		return domain.Errorkf(domain.ECONFLICT, "collision.dispute_late", nil, "visit %d: nothing to dispute", v.ID)
	}
	claimant, err := b.store.StaffByID(ctx, v.ConsultantID)
	if err != nil {
		return err
	}
	c, created, err := b.fileCollision(ctx, l, r.Staff, claimant, domain.SourceWalkIn)
	if err != nil {
		return err
	}
	id := strconv.FormatInt(c.ID, 10)
	if !created {
		b.reply(ctx, r.ChatID, r.T("collision.open_already", c.ID, l.ID))
		return nil
	}
	hours := b.opts.Rules.Leads.CollisionNotes.Hours()
	if claimant.Enrolled() {
		if err := b.Push(ctx, fmt.Sprintf("collision:%d:b", c.ID), claimant.TelegramID, claimant.ID,
			T(claimant.Lang, "collision.disputed", r.Staff.Name, l.ID, l.Name, hours),
			inlineKeyboard([]models.InlineKeyboardButton{{Text: T(claimant.Lang, "btn.note"), CallbackData: "col:nb:" + id}})); err != nil {
			return err
		}
	}
	b.replyMarkup(ctx, r.ChatID, r.T("collision.dispute_ok", c.ID, claimant.Name, hours),
		inlineKeyboard([]models.InlineKeyboardButton{{Text: r.T("btn.note"), CallbackData: "col:na:" + id}}))
	return nil
}

func collisionCardKey(id, supID int64) string { return fmt.Sprintf("collision-card:%d:%d", id, supID) }

// collisionCard shows the two claims side by side: who, since when, the
// follow-ups and the last one, the source, and each side's note.
func (b *Bot) collisionCard(ctx context.Context, to *domain.Staff, c *domain.Collision, l *domain.Lead, a, claimant *domain.Staff) string {
	r := &Request{Staff: to, Lang: to.Lang, bot: b}
	last := r.T("collision.no_followup")
	if fus, err := b.store.FollowUps(ctx, l.ID, 1); err == nil && len(fus) > 0 {
		last = r.T("collision.last", b.formatTime(fus[0].At), clip(fus[0].Note, 80))
	}
	text := r.T("collision.card", c.ID, l.Name, domain.MaskPhone(l.Phone),
		a.Name, b.formatTime(l.CreatedAt), l.FollowUps, last, r.T("source."+string(l.Source)),
		claimant.Name, b.formatTime(c.ClaimedAt), r.T("source."+string(c.Source)))
	if c.NoteA != "" {
		text += "\n" + r.T("collision.note_a", clip(c.NoteA, 300))
	}
	if c.NoteB != "" {
		text += "\n" + r.T("collision.note_b", clip(c.NoteB, 300))
	}
	return text
}

func (b *Bot) rulingButtons(lang domain.Lang, c *domain.Collision, a, claimant *domain.Staff) models.ReplyMarkup {
	id := strconv.FormatInt(c.ID, 10)
	return inlineKeyboard([]models.InlineKeyboardButton{
		{Text: stripTags(T(lang, "btn.award", a.Name)), CallbackData: "col:a:" + id},
		{Text: stripTags(T(lang, "btn.award", claimant.Name)), CallbackData: "col:b:" + id},
	})
}

// handleCollisionButton: col:a|b:<id> rule; col:na|nb:<id> add a note.
func (b *Bot) handleCollisionButton(ctx context.Context, r *Request) error {
	verb, idText, _ := strings.Cut(r.Args, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad collision button")
	}
	c, err := b.store.CollisionByID(ctx, id)
	if err != nil {
		return err
	}
	switch verb {
	case "a", "b":
		if !r.Staff.Roles.HasAny(rulers...) || r.Staff.ID == c.OwnerID || r.Staff.ID == c.ClaimantID {
			return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "not a supervisor, or a side of the case")
		}
		winner := c.OwnerID
		if verb == "b" {
			winner = c.ClaimantID
		}
		return b.ruleCollision(ctx, r, c, winner)
	case "na", "nb":
		side := verb[1:]
		if (side == "a" && r.Staff.ID != c.OwnerID) || (side == "b" && r.Staff.ID != c.ClaimantID) {
			return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "not a side of collision %d", id)
		}
		if c.Status != domain.CollisionOpen || b.now().Sub(c.ClaimedAt) > b.opts.Rules.Leads.CollisionNotes {
			return domain.Errorkf(domain.ECONFLICT, "collision.notes_closed", nil, "notes closed")
		}
		return b.ask(ctx, r, "cnote", collisionNoteDraft{ID: id, Side: side}, r.T("collision.ask_note", id))
	}
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad collision verb")
}

type collisionNoteDraft struct {
	ID   int64
	Side string
}

// collisionNoteText takes a side's note and passes it to the supervisors.
func (b *Bot) collisionNoteText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	var n collisionNoteDraft
	if err := b.endDialog(ctx, r, d, &n); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return domain.Errorkf(domain.EINVALID, "err.note_empty", nil, "empty note")
	}
	c, err := b.store.CollisionByID(ctx, n.ID)
	if err != nil {
		return err
	}
	if b.now().Sub(c.ClaimedAt) > b.opts.Rules.Leads.CollisionNotes {
		return domain.Errorkf(domain.ECONFLICT, "collision.notes_closed", nil, "notes closed")
	}
	if err := b.store.SetCollisionNote(ctx, c.ID, n.Side, text); err != nil {
		return err
	}
	sups, err := b.staffWithAnyRole(ctx, domain.RoleSupervisor)
	if err != nil {
		return err
	}
	for _, s := range sups {
		key := fmt.Sprintf("collision-note:%d:%s:%d:%d", c.ID, n.Side, s.ID, b.now().Unix())
		if err := b.Push(ctx, key, s.TelegramID, s.ID, T(s.Lang, "collision.note_pushed", c.ID, r.Staff.Name, clip(text, 1000)), nil); err != nil {
			return err
		}
	}
	b.reply(ctx, r.ChatID, r.T("collision.note_ok"))
	return nil
}

// ruleCollision records the final ruling once, moves the lead to the
// winner, tells both sides and closes every supervisor's card.
func (b *Bot) ruleCollision(ctx context.Context, r *Request, c *domain.Collision, winner int64) error {
	ok, err := b.store.RuleCollision(ctx, c.ID, winner, r.Staff.ID)
	if err != nil {
		return err
	}
	if !ok {
		return domain.Errorkf(domain.ECONFLICT, "collision.final", nil, "collision %d ruled already", c.ID)
	}
	l, err := b.store.LeadByID(ctx, c.LeadID)
	if err != nil {
		return err
	}
	a, err := b.store.StaffByID(ctx, c.OwnerID)
	if err != nil {
		return err
	}
	claimant, err := b.store.StaffByID(ctx, c.ClaimantID)
	if err != nil {
		return err
	}
	won := a
	if winner == claimant.ID {
		won = claimant
	}
	if l.OwnerID != won.ID {
		// The winner gets it, whoever holds it now (it may have moved since).
		if err := b.moveLead(ctx, l, r.Staff.ID, won.ID, domain.PoolOf(won.Roles), domain.WhyRuling); err != nil {
			return err
		}
	}
	for _, s := range []*domain.Staff{a, claimant} {
		if s.Enrolled() {
			if err := b.Push(ctx, fmt.Sprintf("collision-result:%d:%d", c.ID, s.ID), s.TelegramID, s.ID,
				T(s.Lang, "collision.ruled_to", c.ID, l.Name, won.Name, r.Staff.Name), nil); err != nil {
				return err
			}
		}
	}
	sups, err := b.staffWithAnyRole(ctx, domain.RoleSupervisor)
	if err != nil {
		return err
	}
	for _, s := range sups {
		card, err := b.store.OutboxByKey(ctx, collisionCardKey(c.ID, s.ID))
		if err != nil || card.TelegramMsgID == 0 {
			continue
		}
		text := b.collisionCard(ctx, s, c, l, a, claimant) + "\n" + T(s.Lang, "collision.verdict", won.Name, r.Staff.Name, b.formatTime(b.now()))
		if _, err := b.enqueue(ctx, domain.OutboxMessage{Key: fmt.Sprintf("collision-card-done:%d:%d", c.ID, s.ID), ChatID: s.TelegramID, StaffID: s.ID,
			Text: text, EditMsgID: card.TelegramMsgID, Priority: domain.PriorityReply}, nil); err != nil {
			return err
		}
	}
	// The reminders (24 h, supervisors) and escalations (48 h, managers)
	// carried the buttons too: they close as well.
	for _, step := range []struct {
		role domain.Role
		key  string
	}{{domain.RoleSupervisor, "collision-remind"}, {domain.RoleManager, "collision-escalate"}} {
		people, err := b.staffWithAnyRole(ctx, step.role)
		if err != nil {
			return err
		}
		for _, p := range people {
			text := T(p.Lang, "collision.verdict", won.Name, r.Staff.Name, b.formatTime(b.now()))
			if err := b.editCard(ctx, fmt.Sprintf("%s:%d:%d", step.key, c.ID, p.ID), fmt.Sprintf("%s-done:%d:%d", step.key, c.ID, p.ID), p, text); err != nil {
				return err
			}
		}
	}
	if !r.Staff.Roles.Has(domain.RoleSupervisor) {
		// A manager ruling from a reminder: their card is not among the
		// supervisors', so they get the verdict as an answer.
		b.reply(ctx, r.ChatID, r.T("collision.verdict", won.Name, r.Staff.Name, b.formatTime(b.now())))
	}
	return nil
}

// NotifyCollisionReminder tells the supervisors (or, escalated, the
// managers) that a case is unruled past its time, with its card when both
// sides are still known. Call it in a transaction.
func (b *Bot) NotifyCollisionReminder(ctx context.Context, n domain.CollisionReminder) error {
	c, l, a, claimant := n.Collision, n.Lead, n.Owner, n.Claimant
	key := "collision-remind"
	if n.Escalate {
		key = "collision-escalate"
	}
	for _, p := range n.Recipients {
		text := T(p.Lang, "collision.remind", c.ID, l.Name, ago(p.Lang, b.now().Sub(c.ClaimedAt)))
		var markup models.ReplyMarkup
		if a != nil && claimant != nil {
			text = b.collisionCard(ctx, p, &c, l, a, claimant) + "\n" + text
			markup = b.rulingButtons(p.Lang, &c, a, claimant)
		}
		if err := b.Push(ctx, fmt.Sprintf("%s:%d:%d", key, c.ID, p.ID), p.TelegramID, p.ID, text, markup); err != nil {
			return err
		}
	}
	return nil
}

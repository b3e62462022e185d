package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Collisions (撞单, R1.14): a customer claimed by two staff. A case opens
// when a lead is logged, or a visit registered by a consultant, with a
// phone an open lead of someone else already has, or when telesales
// dispute a consultant's claim on their visitor. Nobody argues in front of
// the customer: whoever serves them goes on. The supervisor sees both
// claims side by side and rules with one tap; the ruling is final. The use
// cases are domain.CollisionService's; this file parses the buttons and
// the note, and shows the outcomes (the supervisors' cards through
// approval.go).

// registerCollisions adds the collision buttons and telesales' Dispute.
func (b *Bot) registerCollisions() {
	b.RegisterCallback(Callback{Prefix: "col", Handler: b.handleCollisionButton})
	b.RegisterCallback(Callback{Prefix: "dispute", Roles: []domain.Role{domain.RoleTelesales, domain.RoleSupervisor}, Handler: b.handleDispute})
}

// collisionOpened tells both sides and the supervisors of the caller's
// claim a lead's creation or a visit opened (the claimant is answered
// here). A case open already is only pointed to.
func (b *Bot) collisionOpened(ctx context.Context, r *Request, out *domain.CollisionOpened) error {
	c, owner := out.Collision, out.Owner
	if !out.Created {
		b.reply(ctx, r.ChatID, r.T("collision.open_already", c.ID, out.Lead.ID))
		return nil
	}
	if err := b.sendApprovalCards(ctx, b.collisionCards(out.Collision, out.Lead, out.Last, owner, out.Claimant), out.Supervisors); err != nil {
		return err
	}
	hours := b.opts.Stores.Of(c.StoreID).Rules.Leads.CollisionNotes.Hours()
	if err := b.tellWithNote(ctx, fmt.Sprintf("collision:%d:a", c.ID), owner, c, domain.SideOwner, func(lang domain.Lang) string {
		return T(lang, "collision.told_a", r.Staff.Name, out.Lead.ID, out.Lead.Name, hours)
	}); err != nil {
		return err
	}
	b.replyMarkup(ctx, r.ChatID, r.T("collision.told_b", out.Lead.ID, out.Lead.Name, owner.Name, hours), noteButton(r.Lang, c, domain.SideClaimant))
	return nil
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
	out, err := b.opts.Collisions.DisputeVisit(ctx, vid, r.Staff.ID)
	if err != nil {
		return err
	}
	c, l, claimant := out.Collision, out.Lead, out.Claimant
	if !out.Created {
		b.reply(ctx, r.ChatID, r.T("collision.open_already", c.ID, l.ID))
		return nil
	}
	if err := b.sendApprovalCards(ctx, b.collisionCards(c, l, out.Last, out.Owner, claimant), out.Supervisors); err != nil {
		return err
	}
	hours := b.opts.Stores.Of(c.StoreID).Rules.Leads.CollisionNotes.Hours()
	if err := b.tellWithNote(ctx, fmt.Sprintf("collision:%d:b", c.ID), claimant, c, domain.SideClaimant, func(lang domain.Lang) string {
		return T(lang, "collision.disputed", r.Staff.Name, l.ID, l.Name, hours)
	}); err != nil {
		return err
	}
	b.replyMarkup(ctx, r.ChatID, r.T("collision.dispute_ok", c.ID, claimant.Name, hours), noteButton(r.Lang, c, domain.SideOwner))
	return nil
}

// tellWithNote pushes a side of case c the news with the button to write
// their note, unless they have not enrolled yet.
func (b *Bot) tellWithNote(ctx context.Context, key string, s *domain.Staff, c *domain.Collision, side string, text func(domain.Lang) string) error {
	if !s.Enrolled() {
		return nil
	}
	return b.Push(ctx, key, s.TelegramID, s.ID, text(s.Lang), noteButton(s.Lang, c, side))
}

// noteButton is the button that asks side's note on case c: col:na|nb:<id>.
func noteButton(lang domain.Lang, c *domain.Collision, side string) models.ReplyMarkup {
	return inlineKeyboard([]models.InlineKeyboardButton{{Text: T(lang, "btn.note"), CallbackData: "col:n" + side + ":" + strconv.FormatInt(c.ID, 10)}})
}

func collisionCardKey(id, supID int64) string { return fmt.Sprintf("collision-card:%d:%d", id, supID) }

// collisionCards are the supervisors' cards of case c: the two claims side
// by side, a button to award the customer to each side.
func (b *Bot) collisionCards(c *domain.Collision, l *domain.Lead, last *domain.FollowUp, a, claimant *domain.Staff) approvalCards {
	return approvalCards{
		Key:  func(s int64) string { return collisionCardKey(c.ID, s) },
		Done: func(s int64) string { return fmt.Sprintf("collision-card-done:%d:%d", c.ID, s) },
		Body: func(lang domain.Lang) string { return b.collisionCard(lang, c, l, last, a, claimant) },
		Buttons: func(lang domain.Lang) []models.InlineKeyboardButton {
			return rulingButtons(lang, c, a, claimant)
		},
	}
}

// collisionCard shows the two claims side by side: who, since when, the
// follow-ups and the last one, the source, and each side's note.
func (b *Bot) collisionCard(lang domain.Lang, c *domain.Collision, l *domain.Lead, last *domain.FollowUp, a, claimant *domain.Staff) string {
	lastText := T(lang, "collision.no_followup")
	if last != nil {
		lastText = T(lang, "collision.last", b.formatTime(l.StoreID, last.At), clip(last.Note, 80))
	}
	text := T(lang, "collision.card", c.ID, l.Name, domain.MaskPhone(l.Phone),
		a.Name, b.formatTime(l.StoreID, l.CreatedAt), l.FollowUps, lastText, T(lang, "source."+string(l.Source)),
		claimant.Name, b.formatTime(l.StoreID, c.ClaimedAt), T(lang, "source."+string(c.Source)))
	if c.NoteA != "" {
		text += "\n" + T(lang, "collision.note_a", clip(c.NoteA, 300))
	}
	if c.NoteB != "" {
		text += "\n" + T(lang, "collision.note_b", clip(c.NoteB, 300))
	}
	return text
}

// rulingButtons award the case to one side or the other: col:a|b:<id>.
func rulingButtons(lang domain.Lang, c *domain.Collision, a, claimant *domain.Staff) []models.InlineKeyboardButton {
	id := strconv.FormatInt(c.ID, 10)
	return []models.InlineKeyboardButton{
		{Text: stripTags(T(lang, "btn.award", a.Name)), CallbackData: "col:a:" + id},
		{Text: stripTags(T(lang, "btn.award", claimant.Name)), CallbackData: "col:b:" + id},
	}
}

// handleCollisionButton: col:a|b:<id> rule; col:na|nb:<id> add a note.
func (b *Bot) handleCollisionButton(ctx context.Context, r *Request) error {
	verb, idText, _ := strings.Cut(r.Args, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad collision button")
	}
	switch verb {
	case "a", "b":
		return b.ruleCollision(ctx, r, id, verb)
	case "na", "nb":
		side := verb[1:]
		if _, err := b.opts.Collisions.CollisionNoteToAdd(ctx, id, r.Staff.ID, side); err != nil {
			return err
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
	out, err := b.opts.Collisions.AddCollisionNote(ctx, n.ID, r.Staff.ID, n.Side, text)
	if err != nil {
		return err
	}
	for _, s := range out.Supervisors {
		key := fmt.Sprintf("collision-note:%d:%s:%d:%d", out.Collision.ID, n.Side, s.ID, b.now().Unix())
		if err := b.Push(ctx, key, s.TelegramID, s.ID, T(s.Lang, "collision.note_pushed", out.Collision.ID, r.Staff.Name, clip(out.Note, 1000)), nil); err != nil {
			return err
		}
	}
	b.reply(ctx, r.ChatID, r.T("collision.note_ok"))
	return nil
}

// ruleCollision awards case id to side "a" (the owner) or "b" (the
// claimant), tells both sides, and closes every card that carried the
// buttons: the supervisors' cards and reminders, the managers' escalations.
func (b *Bot) ruleCollision(ctx context.Context, r *Request, id int64, side string) error {
	out, err := b.opts.Collisions.DecideCollision(ctx, id, side, r.Staff.ID)
	if err != nil {
		return err
	}
	c, l, won, decider := out.Collision, out.Lead, out.Winner, out.Decider
	verdict := func(lang domain.Lang) string {
		return T(lang, "collision.verdict", won.Name, decider.Name, b.formatTime(l.StoreID, b.now()))
	}
	for _, s := range []*domain.Staff{out.Owner, out.Claimant} {
		if err := b.tell(ctx, fmt.Sprintf("collision-result:%d:%d", c.ID, s.ID), s, func(lang domain.Lang) string {
			return T(lang, "collision.ruled_to", c.ID, l.Name, won.Name, decider.Name)
		}); err != nil {
			return err
		}
	}
	cards := b.collisionCards(out.Collision, l, out.Last, out.Owner, out.Claimant)
	if err := b.closeApprovalCards(ctx, cards, out.Supervisors, verdict); err != nil {
		return err
	}
	// The reminders (24 h, supervisors) and escalations (48 h, managers)
	// carried the buttons too: they close as well.
	for _, step := range []struct {
		people []*domain.Staff
		key    string
	}{{out.Supervisors, "collision-remind"}, {out.Managers, "collision-escalate"}} {
		for _, p := range step.people {
			if err := b.editCard(ctx, fmt.Sprintf("%s:%d:%d", step.key, c.ID, p.ID), fmt.Sprintf("%s-done:%d:%d", step.key, c.ID, p.ID), p, verdict(p.Lang)); err != nil {
				return err
			}
		}
	}
	if !r.Staff.Roles.Has(domain.RoleSupervisor) {
		// A manager ruling from a reminder: their card is not among the
		// supervisors', so they get the verdict as an answer.
		b.reply(ctx, r.ChatID, verdict(r.Lang))
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
			text = b.collisionCard(p.Lang, &c, l, n.Last, a, claimant) + "\n" + text
			markup = inlineKeyboard(rulingButtons(p.Lang, &c, a, claimant))
		}
		if err := b.Push(ctx, fmt.Sprintf("%s:%d:%d", key, c.ID, p.ID), p.TelegramID, p.ID, text, markup); err != nil {
			return err
		}
	}
	return nil
}

package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// A complaint's card is every message that shows it: the registration
// answer, the owner's card, the manager's opinion request, reminders,
// escalations and the service centre's survey. Each is remembered
// (complaint_cards) and edited in place as the complaint moves, as the
// rest-day cards are, so that nobody acts on a stale state: the logged
// actions are on it, and each reader keeps only the buttons they may still
// use (a closed complaint's card has none).

// cardActions is how many logged actions a card shows, the latest.
const cardActions = 6

// complaintActionLines are the latest logged actions, with who and when.
func (b *Bot) complaintActionLines(ctx context.Context, lang domain.Lang, c *domain.Complaint) []string {
	cs, err := b.complaints()
	if err != nil {
		return nil
	}
	acts, err := cs.ComplaintActions(ctx, c.ID)
	if err != nil {
		return nil
	}
	r := &Request{Lang: lang, bot: b}
	var lines []string
	for _, a := range acts {
		kind, arg, _ := strings.Cut(a.Kind, ":")
		label := ""
		switch kind {
		case "registered", "reply", "contact", "progress", "solution", "appraisal", "result", "opinion", "close", "owner":
			label = T(lang, "act."+kind)
		case "survey":
			label = T(lang, "act.survey", T(lang, "sat."+arg))
		default:
			continue // bookkeeping for the register (a round's outcomes, a late report)
		}
		lines = append(lines, T(lang, "cmp.action", b.formatTime(a.At), r.staffName(ctx, a.StaffID), Raw(label), clip(a.Note, 100)))
	}
	if len(lines) > cardActions {
		lines = lines[len(lines)-cardActions:]
	}
	if len(lines) == 0 {
		return nil
	}
	return append([]string{T(lang, "cmp.actions")}, lines...)
}

// opinionGivers are who owe the manager's opinion on c (R2.4): the
// department's managers, else every manager, else the general manager.
func (b *Bot) opinionGivers(ctx context.Context, c *domain.Complaint) ([]*domain.Staff, []*domain.Staff, error) {
	managers, err := b.staffWithAnyRole(ctx, domain.RoleManager)
	if err != nil {
		return nil, nil, err
	}
	givers := domain.OpinionGivers(c, managers)
	if len(givers) == 0 {
		if givers, err = b.staffWithAnyRole(ctx, domain.RoleGM); err != nil {
			return nil, nil, err
		}
	}
	return givers, managers, nil
}

// complaintButtons are the actions s may take on c in its state: the
// owner's steps for the owner and those above, and the manager's opinion
// only for those who owe it or the general manager (R2.4).
func (b *Bot) complaintButtons(ctx context.Context, lang domain.Lang, s *domain.Staff, c *domain.Complaint) models.ReplyMarkup {
	if c.Status != domain.ComplaintOpen || !domain.CanActOnComplaint(s, c) {
		return nil
	}
	id := strconv.FormatInt(c.ID, 10)
	btn := func(act string) models.InlineKeyboardButton {
		return models.InlineKeyboardButton{Text: T(lang, "cmpbtn."+act), CallbackData: "cmp:" + act + ":" + id}
	}
	rows := [][]models.InlineKeyboardButton{{btn("reply"), btn("contact"), btn("progress")}, {btn("solution"), btn("appraisal"), btn("close")}}
	if c.Appraisal {
		rows[1][1] = btn("result")
	}
	if c.Subject == domain.SubjectService && c.OpinionAt == nil {
		if _, managers, err := b.opinionGivers(ctx, c); err == nil && domain.CanGiveOpinion(s, c, managers) {
			rows = append(rows, []models.InlineKeyboardButton{btn("opinion")})
		}
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// cardMarkup is what a card of kind offers s now.
func (b *Bot) cardMarkup(ctx context.Context, kind string, s *domain.Staff, c *domain.Complaint) models.ReplyMarkup {
	id := strconv.FormatInt(c.ID, 10)
	switch kind {
	case domain.CardEscalation:
		if c.Status != domain.ComplaintOpen || s.ID == c.OwnerID || !s.Roles.HasAny(rulers...) {
			return nil
		}
		return inlineKeyboard([]models.InlineKeyboardButton{
			{Text: T(s.Lang, "cmpbtn.take"), CallbackData: "cmp:take:" + id},
			{Text: T(s.Lang, "cmpbtn.re"), CallbackData: "cmp:re:" + id},
		})
	case domain.CardSurvey:
		if c.Status != domain.ComplaintClosing || !s.Roles.Has(domain.RoleService) {
			return nil
		}
		return inlineKeyboard([]models.InlineKeyboardButton{
			{Text: T(s.Lang, "cmpbtn.sat_s"), CallbackData: "cmp:sat:" + id + ":s"},
			{Text: T(s.Lang, "cmpbtn.sat_n"), CallbackData: "cmp:sat:" + id + ":n"},
			{Text: T(s.Lang, "cmpbtn.sat_d"), CallbackData: "cmp:sat:" + id + ":d"},
		})
	}
	return b.complaintButtons(ctx, s.Lang, s, c)
}

// complaintCardText is a card of c for lang under its headline.
func (b *Bot) complaintCardText(ctx context.Context, lang domain.Lang, c *domain.Complaint, headline string) string {
	text := b.complaintCard(ctx, lang, c)
	if headline != "" {
		text = headline + "\n\n" + text
	}
	return text
}

// pushCard sends to someone a card of kind under headline (already in
// their language) and remembers it. Within an update the message counts
// among the update's own, so the update is handled once it is delivered.
func (b *Bot) pushCard(ctx context.Context, key, kind string, to *domain.Staff, c *domain.Complaint, headline string) error {
	keys, err := b.enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: to.TelegramID, StaffID: to.ID,
		Text: b.complaintCardText(ctx, to.Lang, c, headline), Priority: domain.PriorityPush}, b.cardMarkup(ctx, kind, to, c))
	if err != nil {
		return err
	}
	if fx := effectsFrom(ctx); fx != nil {
		fx.keys = append(fx.keys, keys...)
	}
	return b.rememberCard(ctx, keys, kind, to, c, headline)
}

// rememberCard keeps the message that carries a card's buttons (the last
// part of a long one).
func (b *Bot) rememberCard(ctx context.Context, keys []string, kind string, to *domain.Staff, c *domain.Complaint, headline string) error {
	if len(keys) != 1 {
		return nil // split in parts: too long to edit in one piece
	}
	cs, err := b.complaints()
	if err != nil {
		return err
	}
	return cs.AddComplaintCard(ctx, &domain.ComplaintCard{ComplaintID: c.ID, StaffID: to.ID, Kind: kind, Key: keys[0], Headline: headline})
}

// replyComplaintCard answers the update with c's card under headline and
// remembers it.
func (b *Bot) replyComplaintCard(ctx context.Context, r *Request, c *domain.Complaint, headline string) error {
	keys := b.replyMarkupKeys(ctx, r.ChatID, b.complaintCardText(ctx, r.Lang, c, headline), b.complaintButtons(ctx, r.Lang, r.Staff, c))
	return b.rememberCard(ctx, keys, domain.CardComplaint, r.Staff, c, headline)
}

// refreshComplaintCards edits every delivered card of c to show it as it
// stands, each with the buttons its reader may still use. Call it after
// the change and its logged action: the action's id makes the edit's key.
func (b *Bot) refreshComplaintCards(ctx context.Context, c *domain.Complaint) error {
	cs, err := b.complaints()
	if err != nil {
		return err
	}
	cards, err := cs.ComplaintCards(ctx, c.ID)
	if err != nil {
		return err
	}
	acts, err := cs.ComplaintActions(ctx, c.ID)
	if err != nil {
		return err
	}
	var version int64
	for _, a := range acts {
		version = max(version, a.ID)
	}
	people := map[int64]*domain.Staff{}
	for _, card := range cards {
		msg, err := b.store.OutboxByKey(ctx, card.Key)
		if err != nil || msg.TelegramMsgID == 0 {
			continue // purged, or not delivered yet: it is sent as it was
		}
		s, ok := people[card.StaffID]
		if !ok {
			if s, err = b.store.StaffByID(ctx, card.StaffID); err != nil {
				return err
			}
			people[card.StaffID] = s
		}
		text := b.complaintCardText(ctx, s.Lang, c, card.Headline)
		if len(splitText(text, maxMessageLen)) > 1 {
			text = b.complaintCard(ctx, s.Lang, c)
		}
		if len(splitText(text, maxMessageLen)) > 1 {
			continue
		}
		_, err = b.enqueue(ctx, domain.OutboxMessage{Key: fmt.Sprintf("cmp-edit:%d:%d", card.ID, version), ChatID: msg.ChatID,
			StaffID: s.ID, Text: text, EditMsgID: msg.TelegramMsgID, Priority: domain.PriorityReply}, b.cardMarkup(ctx, card.Kind, s, c))
		if err != nil {
			return err
		}
	}
	return nil
}

// askOpinions sends the card with the opinion button to whoever owes the
// manager's opinion (R2.4) as soon as the complaint is registered or
// reopened (for an on-site complaint ahead of its deadline, which starts
// if it is not settled in 10 minutes); the opinion's reminder carries the
// same card.
func (b *Bot) askOpinions(ctx context.Context, c *domain.Complaint) error {
	for _, d := range c.Deadlines(b.opts.Rules.Complaints, b.opts.Calendar) {
		if d.Kind == domain.DeadlineOpinion && !d.Done {
			return b.pushOpinionAsked(ctx, c, d)
		}
	}
	return nil
}

// pushOpinionAsked sends the department's manager (every manager when it
// has none) the complaint's card with the opinion button, once per round
// of the complaint (R2.4).
func (b *Bot) pushOpinionAsked(ctx context.Context, c *domain.Complaint, d domain.Deadline) error {
	givers, _, err := b.opinionGivers(ctx, c)
	if err != nil {
		return err
	}
	for _, g := range givers {
		key := fmt.Sprintf("cmp-opinion:%d:%d:%d", c.ID, c.OpenedAt.Unix(), g.ID)
		if err := b.pushCard(ctx, key, domain.CardComplaint, g, c, T(g.Lang, "cmp.opinion_asked", c.ID, b.formatTime(d.Due))); err != nil {
			return err
		}
	}
	return nil
}

// parseComplaintID reads a complaint number as shown (12, K12, #K12).
func parseComplaintID(s string) (int64, bool) {
	s = strings.TrimPrefix(s, "#")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "K"), "k")
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// showComplaint answers /complaint 12 with the card, for those involved
// (domain.CanSeeComplaint).
func (b *Bot) showComplaint(ctx context.Context, r *Request, id int64) error {
	cs, err := b.complaints()
	if err != nil {
		return err
	}
	c, err := cs.ComplaintByID(ctx, id)
	if err != nil {
		return err
	}
	acts, err := cs.ComplaintActions(ctx, id)
	if err != nil {
		return err
	}
	if !domain.CanSeeComplaint(r.Staff, c, acts) {
		return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "not involved in complaint %d", id)
	}
	return b.replyComplaintCard(ctx, r, c, "")
}

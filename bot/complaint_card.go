package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

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

// complaintActionLines are the latest logged actions of c, with who and
// when (in c's store's time zone).
func (b *Bot) complaintActionLines(ctx context.Context, lang domain.Lang, c *domain.Complaint, acts []domain.ComplaintAction) []string {
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
		lines = append(lines, T(lang, "cmp.action", b.complaintTime(c, a.At), r.staffName(ctx, a.StaffID), Raw(label), clip(a.Note, 100)))
	}
	if len(lines) > cardActions {
		lines = lines[len(lines)-cardActions:]
	}
	if len(lines) == 0 {
		return nil
	}
	return append([]string{T(lang, "cmp.actions")}, lines...)
}

// complaintButtons are the actions s may take on c in its state: the
// owner's steps for the owner and those above, and the manager's opinion
// only for those who owe it or the general manager (R2.4).
func (b *Bot) complaintButtons(lang domain.Lang, s *domain.Staff, v *domain.ComplaintView) models.ReplyMarkup {
	c := v.Complaint
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
		if v.MayGiveOpinion(s) {
			rows = append(rows, []models.InlineKeyboardButton{btn("opinion")})
		}
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// cardMarkup is what a card of kind offers s now.
func (b *Bot) cardMarkup(kind string, s *domain.Staff, v *domain.ComplaintView) models.ReplyMarkup {
	c := v.Complaint
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
	return b.complaintButtons(s.Lang, s, v)
}

// complaintCardText is a card of c for lang under its headline.
func (b *Bot) complaintCardText(ctx context.Context, lang domain.Lang, v *domain.ComplaintView, headline string) string {
	text := b.complaintCard(ctx, lang, v)
	if headline != "" {
		text = headline + "\n\n" + text
	}
	return text
}

// pushCard sends to someone a card of kind under headline (already in
// their language) and remembers it. Within an update the message counts
// among the update's own, so the update is handled once it is delivered.
func (b *Bot) pushCard(ctx context.Context, key, kind string, to *domain.Staff, v *domain.ComplaintView, headline string) error {
	keys, err := b.enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: to.TelegramID, StaffID: to.ID,
		Text: b.complaintCardText(ctx, to.Lang, v, headline), Priority: domain.PriorityPush}, b.cardMarkup(kind, to, v))
	if err != nil {
		return err
	}
	if fx := effectsFrom(ctx); fx != nil {
		fx.keys = append(fx.keys, keys...)
	}
	return b.rememberCard(ctx, keys, kind, to, v.Complaint, headline)
}

// rememberCard keeps the message that carries a card's buttons (the last
// part of a long one).
func (b *Bot) rememberCard(ctx context.Context, keys []string, kind string, to *domain.Staff, c *domain.Complaint, headline string) error {
	if len(keys) != 1 {
		return nil // split in parts: too long to edit in one piece
	}
	return b.opts.Complaints.RememberComplaintCard(ctx, domain.ComplaintCard{ComplaintID: c.ID, StaffID: to.ID, Kind: kind, Key: keys[0], Headline: headline})
}

// replyComplaintCard answers the update with c's card under headline and
// remembers it.
func (b *Bot) replyComplaintCard(ctx context.Context, r *Request, v *domain.ComplaintView, headline string) error {
	keys := b.replyMarkupKeys(ctx, r.ChatID, b.complaintCardText(ctx, r.Lang, v, headline), b.complaintButtons(r.Lang, r.Staff, v))
	return b.rememberCard(ctx, keys, domain.CardComplaint, r.Staff, v.Complaint, headline)
}

// refreshComplaintCards edits every delivered card of c to show it as it
// stands, each with the buttons its reader may still use. Call it after
// the change and its logged action: the action's id makes the edit's key.
func (b *Bot) refreshComplaintCards(ctx context.Context, v *domain.ComplaintView) error {
	version := v.Version()
	people := map[int64]*domain.Staff{}
	for _, card := range v.Cards {
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
		text := b.complaintCardText(ctx, s.Lang, v, card.Headline)
		if len(splitText(text, maxMessageLen)) > 1 {
			text = b.complaintCard(ctx, s.Lang, v)
		}
		if len(splitText(text, maxMessageLen)) > 1 {
			continue
		}
		_, err = b.enqueue(ctx, domain.OutboxMessage{Key: fmt.Sprintf("cmp-edit:%d:%d", card.ID, version), ChatID: msg.ChatID,
			StaffID: s.ID, Text: text, EditMsgID: msg.TelegramMsgID, Priority: domain.PriorityReply}, b.cardMarkup(card.Kind, s, v))
		if err != nil {
			return err
		}
	}
	return nil
}

// pushOpinionAsked sends whoever owes the manager's opinion (R2.4: the
// department's managers, every manager when it has none) the complaint's
// card with the opinion button as soon as it is registered or reopened
// (for an on-site complaint ahead of its deadline, which starts if it is
// not settled in 10 minutes), once per round; the opinion's reminder
// carries the same card.
func (b *Bot) pushOpinionAsked(ctx context.Context, v *domain.ComplaintView, d domain.Deadline) error {
	c := v.Complaint
	for _, g := range v.OpinionGivers {
		key := fmt.Sprintf("cmp-opinion:%d:%d:%d", c.ID, c.OpenedAt.Unix(), g.ID)
		if err := b.pushCard(ctx, key, domain.CardComplaint, g, v, T(g.Lang, "cmp.opinion_asked", c.ID, b.complaintTime(c, d.Due))); err != nil {
			return err
		}
	}
	return nil
}

// complaintStore is the store c belongs to: its rules and calendar give
// c's deadlines, its time zone the times shown.
func (b *Bot) complaintStore(c *domain.Complaint) *domain.Store { return b.opts.Stores.Of(c.StoreID) }

// complaintTime shows t in the time zone of c's store.
func (b *Bot) complaintTime(c *domain.Complaint, t time.Time) string {
	return t.In(b.complaintStore(c).Calendar.Location).Format("2006-01-02 15:04")
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
	v, err := b.opts.Complaints.ComplaintFor(ctx, id, r.Staff.ID)
	if err != nil {
		return err
	}
	return b.replyComplaintCard(ctx, r, v, "")
}

// rulers are the roles that settle a complaint's steps.
var rulers = []domain.Role{domain.RoleSupervisor, domain.RoleManager, domain.RoleGM}

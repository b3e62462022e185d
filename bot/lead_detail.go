package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The facts of R1.2 the regulation's visit register needs and a busy
// consultant would not type: gender, the trade-in intention and how the
// customer heard of us (来店信息来源). The card of a lead just logged and
// the card of a visit offer them as buttons under the card's own; each
// tap sets one fact (domain.LeadService.SetLeadDetail) and the card shows
// it ticked. Nothing has to be pressed; the rows go once all are known.

// leadDetailMissing reports whether l lacks a fact the form asks.
func leadDetailMissing(l *domain.Lead) bool {
	return l.Gender == "" || !l.TradeInKnown || l.HeardVia == ""
}

// withLeadDetail is markup with the detail rows of l added under its own
// rows, when a fact is missing and r's caller may tell it; visit is the
// visit card's visit (0: a lead card).
func withLeadDetail(r *Request, markup models.ReplyMarkup, l *domain.Lead, visit int64) models.ReplyMarkup {
	if !leadDetailMissing(l) || !domain.MayTellLeadDetail(r.Staff) {
		return markup
	}
	var rows [][]models.InlineKeyboardButton
	if kb, ok := markup.(*models.InlineKeyboardMarkup); ok && kb != nil {
		rows = append(rows, kb.InlineKeyboard...)
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: append(rows, leadDetailRows(r.Lang, l, visit)...)}
}

// leadDetailRows: 男 女 有置换 无置换, then the seven answers of
// 来店信息来源; what is recorded ticked. Data: ld:<lead>:<fact>:<value>
// and, on a visit card, :<visit>.
func leadDetailRows(lang domain.Lang, l *domain.Lead, visit int64) [][]models.InlineKeyboardButton {
	prefix := "ld:" + strconv.FormatInt(l.ID, 10) + ":"
	suffix := ""
	if visit != 0 {
		suffix = ":" + strconv.FormatInt(visit, 10)
	}
	btn := func(key, data string, on bool) models.InlineKeyboardButton {
		text := T(lang, key)
		if on {
			text = "✓" + text
		}
		return models.InlineKeyboardButton{Text: text, CallbackData: prefix + data + suffix}
	}
	rows := [][]models.InlineKeyboardButton{{
		btn("detail.male", "g:"+domain.GenderMale, l.Gender == domain.GenderMale),
		btn("detail.female", "g:"+domain.GenderFemale, l.Gender == domain.GenderFemale),
		btn("detail.trade_yes", "t:1", l.TradeInKnown && l.TradeIn),
		btn("detail.trade_no", "t:0", l.TradeInKnown && !l.TradeIn),
	}}
	heard, _ := domain.ParseHeardVia(l.HeardVia)
	var row []models.InlineKeyboardButton
	for _, h := range domain.HeardVias {
		row = append(row, btn("heard."+string(h), "h:"+string(h), h == heard))
		if len(row) == 4 {
			rows, row = append(rows, row), nil
		}
	}
	return append(rows, row)
}

// handleLeadDetail takes a tap: ld:17:g:F, ld:17:t:1, ld:17:h:radio[:9],
// and shows the card again with the fact.
func (b *Bot) handleLeadDetail(ctx context.Context, r *Request) error {
	parts := strings.Split(r.Args, ":")
	stale := domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad detail button %q", r.Args)
	if len(parts) != 3 && len(parts) != 4 {
		return stale
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return stale
	}
	var visit int64
	if len(parts) == 4 {
		if visit, err = strconv.ParseInt(parts[3], 10, 64); err != nil {
			return stale
		}
	}
	var d domain.LeadDetail
	switch parts[1] {
	case "g":
		d.Gender = parts[2]
	case "t":
		yes := parts[2] == "1"
		d.TradeIn = &yes
	case "h":
		d.HeardVia = domain.HeardVia(parts[2])
	default:
		return stale
	}
	out, err := b.opts.Leads.SetLeadDetail(ctx, r.Staff.ID, id, visit, d)
	if err != nil {
		return err
	}
	l := out.Lead
	if v := out.Visit; v != nil {
		return b.edit(ctx, r, r.T("visit.card", l.Name, showPhone(r, l.Phone), Raw(b.visitLine(ctx, r, *v))), b.visitMarkup(r, l, v))
	}
	text, err := b.cardText(ctx, r, l)
	if err != nil {
		return err
	}
	return b.edit(ctx, r, text, withLeadDetail(r, cardButtons(r, l), l, 0))
}

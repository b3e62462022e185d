package bot

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The day's follow-ups, on demand (/today) and every morning (the push):
// overdue and due today, grouped by grade, each one tap from being logged.

// todayLimit bounds the leads /today lists; the rest are counted.
const todayLimit = 30

// gradeOrder is the order grades are listed in: the hottest first.
var gradeOrder = []domain.Grade{domain.GradeH, domain.GradeA, domain.GradeN, domain.GradeB, domain.GradeC}

func gradeRank(g domain.Grade) int {
	for i, o := range gradeOrder {
		if o == g {
			return i
		}
	}
	return len(gradeOrder)
}

// handleToday lists the caller's follow-ups due by the end of today.
func (b *Bot) handleToday(ctx context.Context, r *Request) error {
	due, err := b.opts.Leads.TodayLeads(ctx, r.Staff.ID, todayLimit+1)
	if err != nil {
		return err
	}
	if len(due) == 0 {
		b.reply(ctx, r.ChatID, r.T("today.none"))
		return nil
	}
	more := len(due) > todayLimit
	if more {
		due = due[:todayLimit]
	}
	sort.SliceStable(due, func(i, j int) bool { return gradeRank(due[i].Grade) < gradeRank(due[j].Grade) })
	lines := []string{r.T("today.header", r.Store().Calendar.StartOfDay(b.now()).Format("01-02"))}
	var rows [][]models.InlineKeyboardButton
	var group domain.Grade
	for _, l := range due {
		if l.Grade != group {
			group = l.Grade
			lines = append(lines, r.T("today.grade", r.T("grade."+string(l.Grade))))
		}
		lines = append(lines, b.leadLine(ctx, r, l))
		rows = append(rows, []models.InlineKeyboardButton{{Text: stripTags(r.T("btn.fu_lead", l.ID, l.Name)), CallbackData: "lead:fu:" + strconv.FormatInt(l.ID, 10)}})
	}
	if more {
		lines = append(lines, r.T("today.more", todayLimit))
	}
	b.replyMarkup(ctx, r.ChatID, strings.Join(lines, "\n"), &models.InlineKeyboardMarkup{InlineKeyboard: rows})
	return nil
}

// NotifyMorning queues each person's morning message under a key for
// the person and the day, so a rerun or a restart at 08:30 sends nothing
// twice. Call it in a transaction.
func (b *Bot) NotifyMorning(ctx context.Context, digests []*domain.MorningDigest) error {
	for _, d := range digests {
		if err := b.pushMorning(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// pushMorning renders and queues one digest; the service gives digests
// only to people who can be told (domain.Tellable).
func (b *Bot) pushMorning(ctx context.Context, d *domain.MorningDigest) error {
	if d.Empty() {
		return nil
	}
	lang, st := d.Staff.Lang, b.StoreOf(d.Staff)
	// "Today's follow-ups" heads a list of follow-ups; reception's list of
	// booked visits gets a plain greeting.
	head := "morning.hello"
	if len(d.Counts) > 0 || d.Ungraded > 0 || len(d.Team) > 0 {
		head = "morning.header"
	}
	lines := []string{T(lang, head, d.Staff.Name)}
	sort.Slice(d.Counts, func(i, j int) bool { return gradeRank(d.Counts[i].Grade) < gradeRank(d.Counts[j].Grade) })
	total := 0
	for _, c := range d.Counts {
		total += c.Overdue + c.Today
		lines = append(lines, T(lang, "morning.grade", T(lang, "grade."+string(c.Grade)), c.Overdue, c.Today))
	}
	if total > 0 {
		lines = append(lines, T(lang, "morning.total", total))
	}
	var rows [][]models.InlineKeyboardButton
	if len(d.Top) > 0 {
		lines = append(lines, T(lang, "morning.top"))
		r := &Request{Staff: d.Staff, Lang: lang, bot: b, at: d.At}
		for _, l := range d.Top {
			lines = append(lines, b.leadLine(ctx, r, l))
			rows = append(rows, []models.InlineKeyboardButton{{Text: stripTags(T(lang, "btn.open_lead", l.ID, l.Name)), CallbackData: "lead:show:" + strconv.FormatInt(l.ID, 10)}})
		}
	}
	if d.Ungraded > 0 {
		lines = append(lines, T(lang, "morning.ungraded", d.Ungraded))
	}
	if len(d.Team) > 0 {
		lines = append(lines, T(lang, "morning.team", st.Rules.Leads.OverdueAlertDays))
		for _, o := range d.Team {
			lines = append(lines, T(lang, "morning.team_line", o.Name, o.Count))
		}
	}
	if len(d.Appointments) > 0 {
		lines = append(lines, T(lang, "appoint.today"))
		for _, a := range d.Appointments {
			lines = append(lines, T(lang, "appoint.line", a.At.In(st.Calendar.Location).Format("15:04"), a.LeadID, a.Name, a.Telesales))
		}
	}
	if len(d.Missed) > 0 {
		lines = append(lines, T(lang, "appoint.missed"))
		for _, a := range d.Missed {
			lines = append(lines, T(lang, "appoint.line", a.At.In(st.Calendar.Location).Format("01-02 15:04"), a.LeadID, a.Name, a.Telesales))
		}
	}
	lines, rows = morningDeliveries(lang, st, d, lines, rows)
	lines = appendAging(lang, st, lines, d)
	if total > 0 {
		rows = append(rows, []models.InlineKeyboardButton{{Text: T(lang, "btn.today"), CallbackData: "lead:today:0"}})
	}
	var markup models.ReplyMarkup
	if len(rows) > 0 {
		markup = &models.InlineKeyboardMarkup{InlineKeyboard: rows}
	}
	key := fmt.Sprintf("morning:%d:%s", d.Staff.ID, d.Day.Format(domain.DateLayout))
	return b.Push(ctx, key, d.Staff.TelegramID, d.Staff.ID, strings.Join(lines, "\n"), markup)
}

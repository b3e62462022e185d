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

// The showroom reception rotation (R5.3). The use case is
// domain.ReceptionService's: the day's line, who is called, who passes.
// This file parses /next, /queue, /away, /back and the Accept and Busy
// buttons, and renders the outcomes: the card to whoever is called and
// the notes to the receptionist who asked. A call unanswered within
// ReceptionAnswerLimit is passed over by the jobs' timers
// (CheckReceptionTimeout, at the instant ReceptionDeadline reports).

// handleNext calls the first in line for a walk-in: /next, or /next
// 13800138000 (or #17) for a known customer, whose visit Accept registers.
func (b *Bot) handleNext(ctx context.Context, r *Request) error {
	var leadID int64
	if ref := strings.Join(r.Fields(), ""); ref != "" {
		l, err := b.lookupLeadAny(ctx, ref)
		if err != nil {
			return err
		}
		leadID = l.ID
	}
	out, err := b.opts.Reception.CallNext(ctx, r.Staff.ID, leadID)
	if err != nil {
		return err
	}
	switch {
	case out.Empty:
		r.Reply(ctx, "rq.nobody_on_duty")
		return nil
	case out.Waiting != nil:
		r.Reply(ctx, "rq.waiting", out.Waiting.Name, b.formatTime(r.Staff.StoreID, out.WaitingSince))
		return nil
	}
	if err := b.sendReceptionCard(ctx, out.Call); err != nil {
		return err
	}
	if out.Call == nil {
		r.Reply(ctx, "rq.nobody_free")
	} else {
		r.Reply(ctx, "rq.calling", out.Call.Staff.Name)
	}
	return nil
}

// sendReceptionCard sends the card of call c (nil: nobody called), with
// the answer time of the called person's store. The key names the store:
// each store numbers its own calls of the day.
func (b *Bot) sendReceptionCard(ctx context.Context, c *domain.ReceptionCall) error {
	if c == nil {
		return nil
	}
	s := c.Staff
	data := c.Day + ":" + strconv.FormatInt(s.ID, 10)
	markup := inlineKeyboard([]models.InlineKeyboardButton{
		{Text: T(s.Lang, "btn.rq_accept"), CallbackData: "rq:ok:" + data},
		{Text: T(s.Lang, "btn.rq_busy"), CallbackData: "rq:busy:" + data},
	})
	text := T(s.Lang, "rq.card", s.Name, spanText(s.Lang, b.StoreOf(s).Rules.Rota.ReceptionAnswerLimit))
	return b.Push(ctx, fmt.Sprintf("rq-call:%d:%s:%d", c.StoreID, c.Day, c.Number), s.TelegramID, s.ID, text, markup)
}

// tellReception pushes a note to the receptionist who asked for the
// call (nil: nobody); note names it within the store's day (e.g.
// "busy:3": the third call).
func (b *Bot) tellReception(ctx context.Context, rec *domain.Staff, store int64, day, note, key string, args ...any) error {
	if rec == nil {
		return nil
	}
	return b.Push(ctx, fmt.Sprintf("rq-note:%d:%s:%s", store, day, note), rec.TelegramID, rec.ID, T(rec.Lang, key, args...), nil)
}

// receptionPassed renders a call passed over (busy, timeout): the card to
// whoever is called next, and the note to reception.
func (b *Bot) receptionPassed(ctx context.Context, p *domain.ReceptionPassed) error {
	if p == nil {
		return nil
	}
	if err := b.sendReceptionCard(ctx, p.Next); err != nil {
		return err
	}
	note := p.Why + ":" + strconv.Itoa(p.Number)
	if p.Next == nil {
		return b.tellReception(ctx, p.Reception, p.StoreID, p.Day, note, "rq."+p.Why+"_nobody", p.Passed.Name)
	}
	return b.tellReception(ctx, p.Reception, p.StoreID, p.Day, note, "rq."+p.Why+"_next", p.Passed.Name, p.Next.Staff.Name)
}

// handleReceptionButton takes a consultant's answer: rq:ok|busy:<day>:<staff>.
func (b *Bot) handleReceptionButton(ctx context.Context, r *Request) error {
	parts := strings.Split(r.Args, ":")
	stale := domain.Errorkf(domain.ENOTFOUND, "rq.stale", nil, "reception button %q", r.Args)
	if len(parts) != 3 {
		return stale
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return stale
	}
	switch parts[0] {
	case "ok":
		out, err := b.opts.Reception.Accept(ctx, parts[1], id, r.Staff.ID)
		if err != nil {
			return err
		}
		if err := b.tellReception(ctx, out.Reception, out.StoreID, out.Day, "ok:"+strconv.Itoa(out.Number), "rq.accepted", r.Staff.Name); err != nil {
			return err
		}
		r.Reply(ctx, "rq.accept_ok")
		if l, v := out.Lead, out.Visit; l != nil && v != nil {
			// The named customer's visit, to whoever took them (R5.3).
			b.replyMarkup(ctx, r.ChatID, r.T("visit.card", l.Name, l.Phone, Raw(b.visitLine(ctx, r, *v))),
				inlineKeyboard([]models.InlineKeyboardButton{{Text: r.T("btn.left"), CallbackData: "visit:left:" + strconv.FormatInt(v.ID, 10)}}))
		}
		return nil
	case "busy":
		out, err := b.opts.Reception.Busy(ctx, parts[1], id, r.Staff.ID)
		if err != nil {
			return err
		}
		if err := b.receptionPassed(ctx, out); err != nil {
			return err
		}
		r.Reply(ctx, "rq.busy_ok")
		return nil
	}
	return stale
}

// CheckReceptionTimeout passes over each store's call of today if it has
// gone unanswered for the store's ReceptionAnswerLimit (at now exactly,
// too) and renders what follows: the next call and the note to reception.
// Call it inside a transaction (jobs, at the instant ReceptionDeadline
// gives).
func (b *Bot) CheckReceptionTimeout(ctx context.Context, now time.Time) error {
	passed, err := b.opts.Reception.Timeouts(ctx, now)
	if err != nil {
		return err
	}
	for _, p := range passed {
		if err := b.NotifyReceptionPassed(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// NotifyReceptionPassed renders a call passed over on timeout (nil:
// nothing); it implements jobs.ReceptionNotifier. Call it inside a
// transaction.
func (b *Bot) NotifyReceptionPassed(ctx context.Context, p *domain.ReceptionPassed) error {
	return b.receptionPassed(ctx, p)
}

// ReceptionDeadline is when a pending call goes unanswered: the instant
// CheckReceptionTimeout passes it over (domain.ReceptionService.NextDeadline).
func (b *Bot) ReceptionDeadline(ctx context.Context, after time.Time) (time.Time, bool, error) {
	return b.opts.Reception.NextDeadline(ctx, after)
}

// handleQueue shows today's line of the requester's store: /queue.
func (b *Bot) handleQueue(ctx context.Context, r *Request) error {
	st, err := b.opts.Reception.Queue(ctx, r.Store().ID)
	if err != nil {
		return err
	}
	if st.Empty() {
		r.Reply(ctx, "rq.nobody_on_duty")
		return nil
	}
	var lines []string
	for i, id := range st.Order {
		line := r.T("rq.line", i+1, r.staffName(ctx, id))
		switch {
		case st.Away[id]:
			line += r.T("rq.mark_away")
		case st.Calling == id:
			line += r.T("rq.mark_calling")
		}
		if n := st.Misses[id]; n > 0 {
			line += r.T("rq.mark_misses", n)
		}
		lines = append(lines, line)
	}
	r.Reply(ctx, "rq.queue", st.Day, Raw(strings.Join(lines, "\n")))
	return nil
}

// handleAway takes the consultant out of today's line: /away.
func (b *Bot) handleAway(ctx context.Context, r *Request) error {
	out, err := b.opts.Reception.Away(ctx, r.Staff.ID)
	if err != nil {
		return err
	}
	if err := b.receptionPassed(ctx, out); err != nil {
		return err
	}
	r.Reply(ctx, "rq.away_ok")
	return nil
}

// handleBack rejoins today's line at the back: /back.
func (b *Bot) handleBack(ctx context.Context, r *Request) error {
	out, err := b.opts.Reception.Back(ctx, r.Staff.ID)
	if err != nil {
		return err
	}
	if out.Already {
		r.Reply(ctx, "rq.back_already")
		return nil
	}
	r.Reply(ctx, "rq.back_ok", out.Position)
	return nil
}

// spanText writes a configured time span in lang: 30 秒, 2 分钟, 1 分 30 秒;
// 30 seconds, 1 minute, 1 minute 30 seconds.
func spanText(lang domain.Lang, d time.Duration) string {
	d = max(d, time.Second).Round(time.Second)
	m, sec := int(d/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case m == 0:
		return T(lang, "span.s", sec)
	case sec == 0:
		return T(lang, "span.m", m)
	}
	return T(lang, "span.ms", m, sec)
}

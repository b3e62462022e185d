package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The showroom reception rotation (R5.3). The day's line is built on first
// use from the consultants on duty (any duty role) and not resting, and
// kept as JSON under state key queue:<day>. /next calls the first in line,
// who answers Accept (takes the customer, goes to the back) or Busy (keeps
// the place, the next is called); a call unanswered within
// ReceptionAnswerLimit counts a miss and calls the next
// (CheckReceptionTimeout, run by the jobs' timers at the instant
// ReceptionDeadline reports).

// receptionState is the stored queue with what the bot needs around it.
type receptionState struct {
	domain.ReceptionQueue
	Reception int64 `json:"reception,omitempty"` // who asked for the current call
	Calls     int   `json:"calls,omitempty"`     // calls made today: each card's key
	// LeadID is the waiting customer, when reception named one (/next
	// 13800138000): Accept registers their visit to whoever takes them.
	LeadID int64 `json:"lead_id,omitempty"`
}

func queueKey(day string) string { return "queue:" + day }

// loadQueue reads the day's line, building it on first use. Consultants
// put on duty since join at the back.
func (b *Bot) loadQueue(ctx context.Context, day string) (*receptionState, error) {
	ds, err := b.dutyStore()
	if err != nil {
		return nil, err
	}
	onDuty, err := b.dutyConsultants(ctx, ds, day)
	if err != nil {
		return nil, err
	}
	raw, ok, err := ds.GetState(ctx, queueKey(day))
	if err != nil {
		return nil, err
	}
	st := &receptionState{}
	if ok {
		if err := json.Unmarshal([]byte(raw), st); err != nil {
			return nil, fmt.Errorf("queue %s: %w", day, err)
		}
		for _, id := range onDuty {
			if !st.In(id) {
				st.Join(id) // a late arrival
			}
		}
		return st, nil
	}
	st.Day = day
	st.Build(onDuty, nil) // dutyConsultants left out who rests
	return st, nil
}

// dutyConsultants are the active consultants on duty on day, not resting,
// in the order the rota lists them (each once).
func (b *Bot) dutyConsultants(ctx context.Context, ds dutyStore, day string) ([]int64, error) {
	list, err := ds.DutyOn(ctx, day)
	if err != nil {
		return nil, err
	}
	resting, err := ds.RestingOn(ctx, day)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, a := range list {
		if containsID(out, a.StaffID) || containsID(resting, a.StaffID) {
			continue
		}
		s, err := b.store.StaffByID(ctx, a.StaffID)
		if err != nil {
			return nil, err
		}
		if s.Active && s.Enrolled() && s.Roles.Has(domain.RoleConsultant) {
			out = append(out, s.ID)
		}
	}
	return out, nil
}

// saveQueue stores the day's line.
func (b *Bot) saveQueue(ctx context.Context, st *receptionState) error {
	ds, err := b.dutyStore()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return ds.SetState(ctx, queueKey(st.Day), string(raw))
}

// handleNext calls the first in line for a walk-in: /next, or /next
// 13800138000 (or #17) for a known customer, whose visit Accept registers.
func (b *Bot) handleNext(ctx context.Context, r *Request) error {
	var lead *domain.Lead
	if ref := strings.Join(r.Fields(), ""); ref != "" {
		l, err := b.lookupLeadAny(ctx, ref)
		if err != nil {
			return err
		}
		lead = l
	}
	st, err := b.loadQueue(ctx, b.dayOf(b.now()))
	if err != nil {
		return err
	}
	if st.Empty() {
		r.Reply(ctx, "rq.nobody_on_duty")
		return nil
	}
	if st.Calling != 0 {
		r.Reply(ctx, "rq.waiting", r.staffName(ctx, st.Calling), b.formatTime(st.CalledAt))
		return nil
	}
	st.Reception, st.LeadID = r.Staff.ID, 0
	if lead != nil {
		st.LeadID = lead.ID
	}
	id, err := b.callNext(ctx, st)
	if err != nil {
		return err
	}
	if id == 0 {
		r.Reply(ctx, "rq.nobody_free")
	} else {
		r.Reply(ctx, "rq.calling", r.staffName(ctx, id))
	}
	return b.saveQueue(ctx, st)
}

// callNext calls whoever is next and sends them the card; it returns who
// (0: nobody free). The caller saves the queue.
func (b *Bot) callNext(ctx context.Context, st *receptionState) (int64, error) {
	return b.call(ctx, st, st.Next(), b.now())
}

// call sends the card to id (0: nobody, nothing sent), called at `at`:
// the answer time runs from then.
func (b *Bot) call(ctx context.Context, st *receptionState, id int64, at time.Time) (int64, error) {
	if id == 0 {
		return 0, nil
	}
	s, err := b.store.StaffByID(ctx, id)
	if err != nil {
		return 0, err
	}
	st.Call(id, at)
	st.Calls++
	data := st.Day + ":" + strconv.FormatInt(id, 10)
	markup := inlineKeyboard([]models.InlineKeyboardButton{
		{Text: T(s.Lang, "btn.rq_accept"), CallbackData: "rq:ok:" + data},
		{Text: T(s.Lang, "btn.rq_busy"), CallbackData: "rq:busy:" + data},
	})
	text := T(s.Lang, "rq.card", s.Name, spanText(s.Lang, b.opts.Rules.Rota.ReceptionAnswerLimit))
	return id, b.Push(ctx, fmt.Sprintf("rq-call:%s:%d", st.Day, st.Calls), s.TelegramID, s.ID, text, markup)
}

// tellReception pushes a note to the receptionist who asked for the
// call; note names it within the day (e.g. "busy:3": the third call).
func (b *Bot) tellReception(ctx context.Context, st *receptionState, note string, key string, args ...any) error {
	if st.Reception == 0 {
		return nil
	}
	rec, err := b.store.StaffByID(ctx, st.Reception)
	if err != nil || !rec.Enrolled() {
		return err
	}
	return b.Push(ctx, fmt.Sprintf("rq-note:%s:%s", st.Day, note), rec.TelegramID, rec.ID, T(rec.Lang, key, args...), nil)
}

// afterPass calls the next, at `at`, once someone passed (why: busy,
// timeout) and tells reception.
func (b *Bot) afterPass(ctx context.Context, st *receptionState, passed int64, why string, at time.Time) error {
	note := why + ":" + strconv.Itoa(st.Calls)
	// Within the round: the one who just passed is not called again.
	id, err := b.call(ctx, st, st.NextInRound(), at)
	if err != nil {
		return err
	}
	name := b.staffName(ctx, passed)
	if id == 0 {
		return b.tellReception(ctx, st, note, "rq."+why+"_nobody", name)
	}
	return b.tellReception(ctx, st, note, "rq."+why+"_next", name, b.staffName(ctx, id))
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
	if id != r.Staff.ID {
		return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d pressed %d's call", r.Staff.ID, id)
	}
	if _, err := time.Parse(domain.DateLayout, parts[1]); err != nil || parts[1] != b.dayOf(b.now()) {
		return stale // an earlier day's call has expired
	}
	st, err := b.loadQueue(ctx, parts[1])
	if err != nil {
		return err
	}
	if st.Calling != id {
		return stale // answered, or passed over on timeout
	}
	switch parts[0] {
	case "ok":
		st.Accept(id)
		if err := b.tellReception(ctx, st, "ok:"+strconv.Itoa(st.Calls), "rq.accepted", r.Staff.Name); err != nil {
			return err
		}
		r.Reply(ctx, "rq.accept_ok")
		if st.LeadID != 0 {
			// The named customer's visit, to whoever took them (R5.3).
			l, err := b.store.LeadByID(ctx, st.LeadID)
			if err != nil {
				return err
			}
			prior, err := b.store.Visits(ctx, l.ID, 1)
			if err != nil {
				return err
			}
			registrar := st.Reception
			if registrar == 0 {
				registrar = r.Staff.ID
			}
			v, err := b.recordVisit(ctx, l, registrar, r.Staff.ID, len(prior) == 0)
			if err != nil {
				return err
			}
			b.replyMarkup(ctx, r.ChatID, r.T("visit.card", l.Name, l.Phone, Raw(b.visitLine(ctx, r, *v))),
				inlineKeyboard([]models.InlineKeyboardButton{{Text: r.T("btn.left"), CallbackData: "visit:left:" + strconv.FormatInt(v.ID, 10)}}))
			st.LeadID = 0
		}
	case "busy":
		st.Busy(id)
		if err := b.afterPass(ctx, st, id, "busy", b.now()); err != nil {
			return err
		}
		r.Reply(ctx, "rq.busy_ok")
	default:
		return stale
	}
	return b.saveQueue(ctx, st)
}

// CheckReceptionTimeout passes over today's call if it has gone
// unanswered for ReceptionAnswerLimit (at now exactly, too): the miss is
// counted and the next is called. Call it inside a transaction (jobs, at
// the instant ReceptionDeadline gives).
func (b *Bot) CheckReceptionTimeout(ctx context.Context, now time.Time) error {
	ds, err := b.dutyStore()
	if err != nil {
		return err
	}
	day := b.dayOf(now)
	if _, ok, err := ds.GetState(ctx, queueKey(day)); err != nil || !ok {
		return err
	}
	st, err := b.loadQueue(ctx, day)
	if err != nil {
		return err
	}
	if st.Calling == 0 || now.Before(st.CalledAt.Add(b.opts.Rules.Rota.ReceptionAnswerLimit)) {
		return nil
	}
	missed := st.Calling
	st.Timeout(missed)
	// The next call starts at the instant of the timeout, not whenever the
	// check ran, so that each answer time is the full limit.
	if err := b.afterPass(ctx, st, missed, "timeout", now); err != nil {
		return err
	}
	return b.saveQueue(ctx, st)
}

// ReceptionDeadline is when a pending call goes unanswered: the instant
// CheckReceptionTimeout passes it over. It reads the stored line of
// after's day and of today (the timers' `after` may be days old when
// nothing was due since).
func (b *Bot) ReceptionDeadline(ctx context.Context, after time.Time) (time.Time, bool, error) {
	ds, err := b.dutyStore()
	if err != nil {
		return time.Time{}, false, err
	}
	var first time.Time
	found := false
	for _, day := range []string{b.dayOf(after), b.dayOf(b.now())} {
		raw, ok, err := ds.GetState(ctx, queueKey(day))
		if err != nil {
			return time.Time{}, false, err
		}
		if !ok {
			continue
		}
		var st receptionState
		if err := json.Unmarshal([]byte(raw), &st); err != nil {
			return time.Time{}, false, fmt.Errorf("queue %s: %w", day, err)
		}
		if at := st.CalledAt.Add(b.opts.Rules.Rota.ReceptionAnswerLimit); st.Calling != 0 && (!found || at.Before(first)) {
			first, found = at, true
		}
	}
	return first, found, nil
}

// handleQueue shows today's line: /queue.
func (b *Bot) handleQueue(ctx context.Context, r *Request) error {
	st, err := b.loadQueue(ctx, b.dayOf(b.now()))
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
	st, err := b.loadQueue(ctx, b.dayOf(b.now()))
	if err != nil {
		return err
	}
	if !st.In(r.Staff.ID) {
		return domain.Errorkf(domain.EINVALID, "rq.not_in_line", nil, "staff %d not in line", r.Staff.ID)
	}
	wasCalled := st.Calling == r.Staff.ID
	st.Leave(r.Staff.ID)
	if wasCalled {
		if err := b.afterPass(ctx, st, r.Staff.ID, "busy", b.now()); err != nil {
			return err
		}
	}
	r.Reply(ctx, "rq.away_ok")
	return b.saveQueue(ctx, st)
}

// handleBack rejoins today's line at the back: /back.
func (b *Bot) handleBack(ctx context.Context, r *Request) error {
	st, err := b.loadQueue(ctx, b.dayOf(b.now()))
	if err != nil {
		return err
	}
	if !st.In(r.Staff.ID) {
		return domain.Errorkf(domain.EINVALID, "rq.not_in_line", nil, "staff %d not in line", r.Staff.ID)
	}
	if !st.Away[r.Staff.ID] {
		r.Reply(ctx, "rq.back_already")
		return nil
	}
	st.Back(r.Staff.ID)
	r.Reply(ctx, "rq.back_ok", len(st.Order))
	return b.saveQueue(ctx, st)
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

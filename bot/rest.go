package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Rest days (R5.1). A consultant asks for a rest day with /rest; the limits
// are checked (domain.CheckRest) before the supervisor gets an approve /
// reject card, and again at approval. /swap gives an approved rest day to a
// colleague (optionally for one of theirs): the colleague agrees first, then
// the supervisor approves. /rota shows a month's approved rest days; a
// supervisor sets a month's plan with /rota and one line per person.

// restStore is what rest days need of storage beyond Store (implemented by
// *storage.DB).
type restStore interface {
	CreateRestDay(ctx context.Context, d *domain.RestDay) error
	RestDayByID(ctx context.Context, id int64) (*domain.RestDay, error)
	RestDaysOf(ctx context.Context, staffID int64, from, to string) ([]domain.RestDay, error)
	OffOnDay(ctx context.Context, day string, exceptStaff int64) (int, error)
	DecideRestDay(ctx context.Context, id int64, status string, deciderID int64) (bool, error)
	RestDaysBetween(ctx context.Context, from, to string, statuses []string) ([]domain.RestDay, error)
	SetRestDaySwap(ctx context.Context, id, withStaff int64, withDay string) error
	MoveRestDay(ctx context.Context, id, toStaff, deciderID int64) error
	CancelRestDays(ctx context.Context, staffIDs []int64, from, to string) (int64, error)
	GetState(ctx context.Context, key string) (string, bool, error)
	SetState(ctx context.Context, key, value string) error
}

// rests returns the store's rest-day methods.
func (b *Bot) rests() (restStore, error) {
	rs, ok := b.store.(restStore)
	if !ok {
		return nil, domain.Errorf(domain.EINTERNAL, "store %T keeps no rest days", b.store)
	}
	return rs, nil
}

var (
	restRequesters = []domain.Role{domain.RoleConsultant}
	restApprovers  = []domain.Role{domain.RoleSupervisor, domain.RoleManager}
	// rotaPlanners set a month's plan with /rota (R5.1: the supervisor).
	rotaPlanners = []domain.Role{domain.RoleSupervisor}
)

// registerRest adds /rest, /swap, /rota and their buttons.
func (b *Bot) registerRest() {
	b.Register(Command{Name: "rest", Roles: restRequesters, Handler: b.handleRest})
	b.Register(Command{Name: "swap", Roles: restRequesters, Handler: b.handleSwap})
	b.Register(Command{Name: "rota", Grants: []Grant{{Name: "plan", Roles: rotaPlanners}}, Handler: b.handleRota})
	b.RegisterCallback(Callback{Prefix: "rest", Roles: restApprovers, Handler: b.handleRestDecision})
	b.RegisterCallback(Callback{Prefix: "swap", Roles: restRequesters, Handler: b.handleSwapAnswer})
	b.RegisterCallback(Callback{Prefix: "swapok", Roles: restApprovers,
		Handler: func(ctx context.Context, r *Request) error { return b.decideSwap(ctx, r, true) }})
	b.RegisterCallback(Callback{Prefix: "swapno", Roles: restApprovers,
		Handler: func(ctx context.Context, r *Request) error { return b.decideSwap(ctx, r, false) }})
}

// restDate writes a store date with its weekday: 2026-12-03（周四）.
func restDate(lang domain.Lang, day string) string {
	t, err := time.Parse(domain.DateLayout, day)
	if err != nil {
		return day
	}
	return T(lang, "rest.date", day, T(lang, "rest.wd."+strconv.Itoa(int(t.Weekday()))))
}

// restDay reads a stored date as midnight in the store's zone.
func (b *Bot) restDay(day string) (time.Time, error) {
	t, err := time.ParseInLocation(domain.DateLayout, day, b.opts.Calendar.Location)
	if err != nil {
		return time.Time{}, domain.Errorkf(domain.EINVALID, "err.day_bad", []any{day}, "bad rest day %q", day)
	}
	return t, nil
}

// laterRules are the limits for a rest day decided later than it was asked
// for (an approval, a swap, a plan): no notice period, the rest holds.
func (b *Bot) laterRules() domain.RotaRules {
	r := b.opts.Rules.Rota
	r.RequestDaysAhead = 0
	return r
}

// checkRestFor checks a rest day for staffID on day, ignoring the rows in
// skip (days being approved or given away) and counting skipOff fewer
// people off that day.
func (b *Bot) checkRestFor(ctx context.Context, rs restStore, staffID int64, day time.Time, rules domain.RotaRules, skip []int64, skipOff int) error {
	from, to := domain.RestWindow(day)
	all, err := rs.RestDaysOf(ctx, staffID, from, to)
	if err != nil {
		return err
	}
	mine := slices.DeleteFunc(all, func(d domain.RestDay) bool { return slices.Contains(skip, d.ID) })
	off, err := rs.OffOnDay(ctx, day.Format(domain.DateLayout), staffID)
	if err != nil {
		return err
	}
	return domain.CheckRest(staffID, day, mine, max(off-skipOff, 0), rules, b.opts.Calendar, b.now())
}

// handleRest asks for a rest day: /rest 2026-12-03.
func (b *Bot) handleRest(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) != 1 {
		return errUsage
	}
	rs, err := b.rests()
	if err != nil {
		return err
	}
	day, err := domain.ParseDay(f[0], b.now(), b.opts.Calendar)
	if err != nil {
		return err
	}
	rd := &domain.RestDay{StaffID: r.Staff.ID, Day: day.Format(domain.DateLayout)}
	err = b.store.InTx(ctx, func(ctx context.Context) error {
		if err := b.checkRestFor(ctx, rs, r.Staff.ID, day, b.opts.Rules.Rota, nil, 0); err != nil {
			return err
		}
		return rs.CreateRestDay(ctx, rd)
	})
	if err != nil {
		return err
	}
	approvers, err := b.approvers(ctx, r.Staff)
	if err != nil {
		return err
	}
	if len(approvers) == 0 {
		return domain.Errorkf(domain.ENOTFOUND, "err.no_supervisor", nil, "no supervisor to approve")
	}
	if err := b.sendApprovalCards(ctx, restCards(rd, r.Staff), approvers); err != nil {
		return err
	}
	r.Reply(ctx, "rest.requested", restDate(r.Lang, rd.Day), len(approvers))
	return nil
}

// approvers are who rules on a staff member's request (domain.Approvers).
// Rest and swap use it until they move to a service, as lost did.
func (b *Bot) approvers(ctx context.Context, s *domain.Staff) ([]*domain.Staff, error) {
	staff, err := b.store.StaffWithRole(ctx, domain.ApproverRole(s.Roles))
	if err != nil {
		return nil, err
	}
	return domain.Approvers(s, staff), nil
}

// mayDecide refuses a ruling on a rest day or swap by anyone but the
// requester's approvers (a forged button press, another supervisor's own
// request): domain.Approval.MayDecide.
func (b *Bot) mayDecide(ctx context.Context, kind domain.ApprovalKind, id int64, who, requester *domain.Staff) error {
	staff, err := b.store.StaffWithRole(ctx, domain.ApproverRole(requester.Roles))
	if err != nil {
		return err
	}
	a := domain.Approval{Kind: kind, ID: id, Requester: requester}
	return a.MayDecide(who, staff)
}

// restCards are a rest day's approval cards.
func restCards(rd *domain.RestDay, requester *domain.Staff) approvalCards {
	id := strconv.FormatInt(rd.ID, 10)
	return approvalCards{
		Key:     func(a int64) string { return fmt.Sprintf("rest:%d:%d", rd.ID, a) },
		Done:    func(a int64) string { return fmt.Sprintf("rest-card:%d:%d", rd.ID, a) },
		Body:    func(lang domain.Lang) string { return T(lang, "rest.card", requester.Name, restDate(lang, rd.Day)) },
		Buttons: approveReject("rest:ok:"+id, "rest:no:"+id),
	}
}

// parseButtonID reads the id at the end of a button's payload.
func parseButtonID(payload string) (int64, error) {
	id, err := strconv.ParseInt(payload, 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad rest button %q", payload)
	}
	return id, nil
}

// handleRestDecision takes a supervisor's tap: rest:ok:<id> or rest:no:<id>.
func (b *Bot) handleRestDecision(ctx context.Context, r *Request) error {
	verb, idText, _ := strings.Cut(r.Args, ":")
	id, err := parseButtonID(idText)
	if err != nil {
		return err
	}
	if verb != "ok" && verb != "no" {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad rest verb %q", verb)
	}
	rs, err := b.rests()
	if err != nil {
		return err
	}
	rd, err := rs.RestDayByID(ctx, id)
	if err != nil {
		return err
	}
	if rd.Status != domain.RestPending {
		return domain.AlreadyDecided(domain.ApprovalRest, id)
	}
	requester, err := b.store.StaffByID(ctx, rd.StaffID)
	if err != nil {
		return err
	}
	if err := b.mayDecide(ctx, domain.ApprovalRest, rd.ID, r.Staff, requester); err != nil {
		return err
	}
	status, outcome, tell := domain.RestRejected, "rest.done_no", "rest.rejected"
	if verb == "ok" {
		status, outcome, tell = domain.RestApproved, "rest.done_ok", "rest.approved"
		// The day may have filled up since it was asked for.
		day, err := b.restDay(rd.Day)
		if err != nil {
			return err
		}
		if err := b.checkRestFor(ctx, rs, rd.StaffID, day, b.laterRules(), []int64{rd.ID}, 0); err != nil {
			return err
		}
	}
	ok, err := rs.DecideRestDay(ctx, rd.ID, status, r.Staff.ID)
	if err != nil {
		return err
	}
	if !ok {
		return domain.AlreadyDecided(domain.ApprovalRest, id)
	}
	err = b.tell(ctx, fmt.Sprintf("rest-result:%d", rd.ID), requester, func(lang domain.Lang) string {
		return T(lang, tell, restDate(lang, rd.Day), r.Staff.Name)
	})
	if err != nil {
		return err
	}
	if status == domain.RestApproved {
		if err := b.warnDutyOnRest(ctx, r, requester, rd.Day); err != nil {
			return err
		}
	}
	approvers, err := b.approvers(ctx, requester)
	if err != nil {
		return err
	}
	return b.closeApprovalCards(ctx, restCards(rd, requester), approvers, func(lang domain.Lang) string {
		return T(lang, outcome, r.Staff.Name)
	})
}

// swapState is where a swap stands, kept server-side under swapStateKey:
// asked (the colleague decides), agreed (the supervisors decide) or ""
// (settled). Seq counts the attempts on the rest day, so that one
// attempt's messages are told from an earlier attempt's.
type swapState struct {
	Stage string `json:"stage"`
	With  int64  `json:"with"`
	Day   string `json:"day,omitempty"`
	Seq   int64  `json:"seq"`
}

func swapStateKey(id int64) string { return fmt.Sprintf("rest-swap:%d", id) }

func (b *Bot) swapStateOf(ctx context.Context, rs restStore, id int64) (swapState, error) {
	var st swapState
	v, ok, err := rs.GetState(ctx, swapStateKey(id))
	if err != nil || !ok || v == "" {
		return st, err
	}
	if err := json.Unmarshal([]byte(v), &st); err != nil {
		return swapState{}, fmt.Errorf("swap state %d: %w", id, err)
	}
	return st, nil
}

func (b *Bot) setSwapState(ctx context.Context, rs restStore, id int64, st *swapState) error {
	v, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return rs.SetState(ctx, swapStateKey(id), string(v))
}

// approvedRestOn returns staffID's approved rest day on day, or nil.
func approvedRestOn(ctx context.Context, rs restStore, staffID int64, day string) (*domain.RestDay, error) {
	ds, err := rs.RestDaysOf(ctx, staffID, day, day)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.Status == domain.RestApproved {
			return &d, nil
		}
	}
	return nil, nil
}

// handleSwap offers an approved rest day to a colleague:
// /swap 12-03 王顾问 [12-05] (with the colleague's own day in return).
func (b *Bot) handleSwap(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) != 2 && len(f) != 3 {
		return errUsage
	}
	rs, err := b.rests()
	if err != nil {
		return err
	}
	day, err := b.futureDay(f[0])
	if err != nil {
		return err
	}
	d := day.Format(domain.DateLayout)
	colleague, err := b.store.StaffByName(ctx, f[1])
	if err != nil {
		return err
	}
	switch {
	case colleague.ID == r.Staff.ID:
		return domain.Errorkf(domain.EINVALID, "swap.self", nil, "swap with oneself")
	case !colleague.Active || !colleague.Roles.Has(domain.RoleConsultant) || !colleague.Enrolled():
		return domain.Errorkf(domain.EINVALID, "swap.not_consultant", []any{colleague.Name}, "%s is not an active consultant", colleague.Name)
	}
	rd, err := approvedRestOn(ctx, rs, r.Staff.ID, d)
	if err != nil {
		return err
	}
	if rd == nil {
		return domain.Errorkf(domain.EINVALID, "swap.none", []any{restDate(r.Lang, d)}, "no approved rest day on %s", d)
	}
	if rd.SwapWith != 0 {
		return domain.Errorkf(domain.ECONFLICT, "swap.pending", []any{restDate(r.Lang, d)}, "rest day %d has a swap pending", rd.ID)
	}
	theirDay := ""
	if len(f) == 3 {
		td, err := b.futureDay(f[2])
		if err != nil {
			return err
		}
		theirDay = td.Format(domain.DateLayout)
		theirs, err := approvedRestOn(ctx, rs, colleague.ID, theirDay)
		if err != nil {
			return err
		}
		if theirs == nil || theirs.SwapWith != 0 {
			// Missing, or already offered in another swap.
			return domain.Errorkf(domain.EINVALID, "swap.none_theirs", []any{colleague.Name, restDate(r.Lang, theirDay)},
				"%s has no free approved rest day on %s", colleague.Name, theirDay)
		}
	}
	if err := b.checkSwap(ctx, rs, r.Lang, rd, r.Staff, colleague, theirDay); err != nil {
		return err
	}
	if err := rs.SetRestDaySwap(ctx, rd.ID, colleague.ID, theirDay); err != nil {
		return err
	}
	prev, err := b.swapStateOf(ctx, rs, rd.ID)
	if err != nil {
		return err
	}
	st := &swapState{Stage: "asked", With: colleague.ID, Day: theirDay, Seq: prev.Seq + 1}
	if err := b.setSwapState(ctx, rs, rd.ID, st); err != nil {
		return err
	}
	id := strconv.FormatInt(rd.ID, 10)
	markup := inlineKeyboard([]models.InlineKeyboardButton{
		{Text: T(colleague.Lang, "btn.swap_yes"), CallbackData: "swap:yes:" + id},
		{Text: T(colleague.Lang, "btn.swap_no"), CallbackData: "swap:no:" + id},
	})
	text := T(colleague.Lang, "swap.ask", Raw(swapSummary(colleague.Lang, r.Staff.Name, colleague.Name, d, theirDay)))
	if err := b.Push(ctx, fmt.Sprintf("swap-ask:%d:%d", rd.ID, st.Seq), colleague.TelegramID, colleague.ID, text, markup); err != nil {
		return err
	}
	r.Reply(ctx, "swap.asked", colleague.Name)
	return nil
}

// futureDay parses a date that must be after today.
func (b *Bot) futureDay(s string) (time.Time, error) {
	day, err := domain.ParseDay(s, b.now(), b.opts.Calendar)
	if err != nil {
		return time.Time{}, err
	}
	if !day.After(b.opts.Calendar.StartOfDay(b.now())) {
		d := day.Format(domain.DateLayout)
		return time.Time{}, domain.Errorkf(domain.EINVALID, "rest.past", []any{d}, "%s is not after today", d)
	}
	return day, nil
}

// swapSummary says what a swap does, in lang.
func swapSummary(lang domain.Lang, from, to, day, theirDay string) string {
	if theirDay == "" {
		return T(lang, "swap.summary", from, restDate(lang, day), to)
	}
	return T(lang, "swap.summary_trade", from, to, restDate(lang, day), restDate(lang, theirDay))
}

// checkSwap checks the limits as they would stand after the swap: the
// colleague resting on rd's day, and the requester on theirDay (if any).
// The count of people off a day does not change.
func (b *Bot) checkSwap(ctx context.Context, rs restStore, lang domain.Lang, rd *domain.RestDay, requester, colleague *domain.Staff, theirDay string) error {
	day, err := b.restDay(rd.Day)
	if err != nil {
		return err
	}
	var theirs *domain.RestDay
	if theirDay != "" {
		if theirs, err = approvedRestOn(ctx, rs, colleague.ID, theirDay); err != nil {
			return err
		}
		if theirs == nil {
			return domain.Errorkf(domain.ECONFLICT, "swap.stale", nil, "%s no longer rests on %s", colleague.Name, theirDay)
		}
	}
	limit := func(who string, err error) error {
		if e, ok := err.(*domain.Error); ok && e.Key != "" {
			return domain.Errorkf(e.Code, "swap.limit", []any{who, Raw(T(lang, e.Key, e.Args...))}, "swap: %s: %s", who, e.Message)
		}
		return err
	}
	var skip []int64
	if theirs != nil {
		skip = []int64{theirs.ID}
	}
	if err := b.checkRestFor(ctx, rs, colleague.ID, day, b.laterRules(), skip, 1); err != nil {
		return limit(colleague.Name, err)
	}
	if theirs != nil {
		td, err := b.restDay(theirs.Day)
		if err != nil {
			return err
		}
		if err := b.checkRestFor(ctx, rs, requester.ID, td, b.laterRules(), []int64{rd.ID}, 1); err != nil {
			return limit(requester.Name, err)
		}
	}
	return nil
}

// loadSwap reads a rest day under swap and where the swap stands.
func (b *Bot) loadSwap(ctx context.Context, id int64) (restStore, *domain.RestDay, swapState, error) {
	rs, err := b.rests()
	if err != nil {
		return nil, nil, swapState{}, err
	}
	rd, err := rs.RestDayByID(ctx, id)
	if err != nil {
		return nil, nil, swapState{}, err
	}
	st, err := b.swapStateOf(ctx, rs, id)
	return rs, rd, st, err
}

// handleSwapAnswer takes the colleague's tap: swap:yes:<id> or swap:no:<id>.
func (b *Bot) handleSwapAnswer(ctx context.Context, r *Request) error {
	verb, idText, _ := strings.Cut(r.Args, ":")
	id, err := parseButtonID(idText)
	if err != nil {
		return err
	}
	rs, rd, st, err := b.loadSwap(ctx, id)
	if err != nil {
		return err
	}
	if rd.Status != domain.RestApproved || rd.SwapWith != r.Staff.ID || st.Stage != "asked" || st.With != r.Staff.ID {
		return domain.Errorkf(domain.ECONFLICT, "swap.stale", nil, "swap of rest day %d is not waiting for %d", id, r.Staff.ID)
	}
	requester, err := b.store.StaffByID(ctx, rd.StaffID)
	if err != nil {
		return err
	}
	summary := func(lang domain.Lang) string {
		return swapSummary(lang, requester.Name, r.Staff.Name, rd.Day, rd.SwapDay)
	}
	askText := T(r.Lang, "swap.ask", Raw(summary(r.Lang)))
	switch verb {
	case "no":
		if err := rs.SetRestDaySwap(ctx, id, 0, ""); err != nil {
			return err
		}
		if err := b.setSwapState(ctx, rs, id, &swapState{Seq: st.Seq}); err != nil {
			return err
		}
		if requester.Enrolled() {
			text := T(requester.Lang, "swap.declined", r.Staff.Name, Raw(summary(requester.Lang)))
			if err := b.Push(ctx, fmt.Sprintf("swap-declined:%d:%d", id, st.Seq), requester.TelegramID, requester.ID, text, nil); err != nil {
				return err
			}
		}
		return b.editPressed(ctx, r, fmt.Sprintf("swap-answer:%d:%d", id, st.Seq), askText+"\n"+r.T("swap.answer_no"))
	case "yes":
	default:
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad swap verb %q", verb)
	}
	if err := b.checkSwap(ctx, rs, r.Lang, rd, requester, r.Staff, rd.SwapDay); err != nil {
		return err
	}
	approvers, err := b.approvers(ctx, requester)
	if err != nil {
		return err
	}
	if len(approvers) == 0 {
		return domain.Errorkf(domain.ENOTFOUND, "err.no_supervisor", nil, "no supervisor to approve")
	}
	st.Stage = "agreed"
	if err := b.setSwapState(ctx, rs, id, &st); err != nil {
		return err
	}
	if err := b.sendApprovalCards(ctx, swapCards(id, st.Seq, summary), approvers); err != nil {
		return err
	}
	err = b.tell(ctx, fmt.Sprintf("swap-agreed:%d:%d", id, st.Seq), requester, func(lang domain.Lang) string {
		return T(lang, "swap.agreed", r.Staff.Name)
	})
	if err != nil {
		return err
	}
	return b.editPressed(ctx, r, fmt.Sprintf("swap-answer:%d:%d", id, st.Seq), askText+"\n"+r.T("swap.answer_yes"))
}

// swapCards are the approval cards of attempt seq at swapping rest day id;
// summary tells the swap in a language.
func swapCards(id, seq int64, summary func(domain.Lang) string) approvalCards {
	return approvalCards{
		Key:     func(a int64) string { return fmt.Sprintf("swap-card:%d:%d:%d", id, seq, a) },
		Done:    func(a int64) string { return fmt.Sprintf("swap-card-done:%d:%d:%d", id, seq, a) },
		Body:    func(lang domain.Lang) string { return T(lang, "swap.card", Raw(summary(lang))) },
		Buttons: approveReject(fmt.Sprintf("swapok:%d", id), fmt.Sprintf("swapno:%d", id)),
	}
}

// editPressed replaces the pressed message by text, without buttons.
func (b *Bot) editPressed(ctx context.Context, r *Request, key, text string) error {
	if r.Message == nil || r.Message.ID == 0 {
		b.reply(ctx, r.ChatID, text)
		return nil
	}
	_, err := b.enqueue(ctx, domain.OutboxMessage{Key: key, ChatID: r.ChatID, StaffID: r.Staff.ID, Text: text,
		EditMsgID: r.Message.ID, Priority: domain.PriorityReply}, nil)
	return err
}

// decideSwap takes a supervisor's tap on an agreed swap: swapok:<id> or
// swapno:<id>.
func (b *Bot) decideSwap(ctx context.Context, r *Request, approve bool) error {
	id, err := parseButtonID(r.Args)
	if err != nil {
		return err
	}
	rs, rd, st, err := b.loadSwap(ctx, id)
	if err != nil {
		return err
	}
	if rd.Status != domain.RestApproved || rd.SwapWith == 0 || st.Stage != "agreed" || st.With != rd.SwapWith {
		return domain.Errorkf(domain.ECONFLICT, "swap.stale", nil, "swap of rest day %d is not waiting for a ruling", id)
	}
	requester, err := b.store.StaffByID(ctx, rd.StaffID)
	if err != nil {
		return err
	}
	colleague, err := b.store.StaffByID(ctx, rd.SwapWith)
	if err != nil {
		return err
	}
	if err := b.mayDecide(ctx, domain.ApprovalSwap, rd.ID, r.Staff, requester); err != nil {
		return err
	}
	theirDay := rd.SwapDay
	summary := func(lang domain.Lang) string {
		return swapSummary(lang, requester.Name, colleague.Name, rd.Day, theirDay)
	}
	tell, outcome := "swap.rejected", "rest.done_no"
	if approve {
		tell, outcome = "swap.approved", "rest.done_ok"
		if err := b.checkSwap(ctx, rs, r.Lang, rd, requester, colleague, theirDay); err != nil {
			return err
		}
		if theirDay != "" {
			theirs, err := approvedRestOn(ctx, rs, colleague.ID, theirDay)
			if err != nil {
				return err
			}
			if err := rs.MoveRestDay(ctx, theirs.ID, requester.ID, r.Staff.ID); err != nil {
				return err
			}
		}
		if err := rs.MoveRestDay(ctx, rd.ID, colleague.ID, r.Staff.ID); err != nil {
			return err
		}
	} else if err := rs.SetRestDaySwap(ctx, rd.ID, 0, ""); err != nil {
		return err
	}
	if err := b.setSwapState(ctx, rs, id, &swapState{Seq: st.Seq}); err != nil {
		return err
	}
	for _, s := range []*domain.Staff{requester, colleague} {
		err := b.tell(ctx, fmt.Sprintf("swap-result:%d:%d:%d", id, st.Seq, s.ID), s, func(lang domain.Lang) string {
			return T(lang, tell, r.Staff.Name, Raw(summary(lang)))
		})
		if err != nil {
			return err
		}
	}
	approvers, err := b.approvers(ctx, requester)
	if err != nil {
		return err
	}
	return b.closeApprovalCards(ctx, swapCards(id, st.Seq, summary), approvers, func(lang domain.Lang) string {
		return T(lang, outcome, r.Staff.Name)
	})
}

// rotaMonthLayout is how /rota names a month: 2026-12.
const rotaMonthLayout = "2006-01"

// handleRota shows a month's approved rest days (/rota [2026-12]) or, with
// lines "姓名: 3 10 17 24" after the month, sets the month's plan.
func (b *Bot) handleRota(ctx context.Context, r *Request) error {
	lines := strings.Split(r.Args, "\n")
	head := strings.TrimSpace(lines[0])
	var plan []string
	for _, l := range lines[1:] {
		if strings.TrimSpace(l) != "" {
			plan = append(plan, l)
		}
	}
	if strings.ContainsAny(head, ":：") { // "/rota\n张三: …" with no month
		return errUsage
	}
	loc := b.opts.Calendar.Location
	month := b.now().In(loc)
	if head != "" {
		m, err := time.ParseInLocation(rotaMonthLayout, head, loc)
		if err != nil {
			return domain.Errorkf(domain.EINVALID, "rota.month_bad", []any{head}, "%q is not a month like 2026-12", head)
		}
		month = m
	}
	first := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, loc)
	rs, err := b.rests()
	if err != nil {
		return err
	}
	if len(plan) > 0 {
		if !r.May("plan") {
			return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d may not set the rota", r.Staff.ID)
		}
		return b.setRotaPlan(ctx, r, rs, first, plan)
	}
	return b.showRota(ctx, r, rs, first)
}

// showRota answers with the month's approved rest days, one line a person.
func (b *Bot) showRota(ctx context.Context, r *Request, rs restStore, first time.Time) error {
	last := first.AddDate(0, 1, -1)
	days, err := rs.RestDaysBetween(ctx, first.Format(domain.DateLayout), last.Format(domain.DateLayout), []string{domain.RestApproved})
	if err != nil {
		return err
	}
	month := first.Format(rotaMonthLayout)
	if len(days) == 0 {
		r.Reply(ctx, "rota.empty", month)
		return nil
	}
	byStaff := map[int64][]string{}
	names := map[int64]string{}
	for _, d := range days {
		if _, ok := names[d.StaffID]; !ok {
			s, err := b.store.StaffByID(ctx, d.StaffID)
			if err != nil {
				return err
			}
			names[d.StaffID] = s.Name
		}
		byStaff[d.StaffID] = append(byStaff[d.StaffID], strings.TrimLeft(d.Day[8:], "0"))
	}
	ids := make([]int64, 0, len(names))
	width := 0
	for id, n := range names {
		ids = append(ids, id)
		width = max(width, textWidth(n))
	}
	slices.SortFunc(ids, func(a, b int64) int { return strings.Compare(names[a], names[b]) })
	var sb strings.Builder
	for _, id := range ids {
		n := names[id]
		sb.WriteString(html.EscapeString(n) + strings.Repeat(" ", width-textWidth(n)) + "  ")
		for i, d := range byStaff[id] {
			if i > 0 {
				sb.WriteString(" ")
			}
			fmt.Fprintf(&sb, "%2s", d)
		}
		sb.WriteString("\n")
	}
	r.Reply(ctx, "rota.table", month, Raw(strings.TrimRight(sb.String(), "\n")))
	return nil
}

// textWidth is how many monospace columns s takes (wide characters 2).
func textWidth(s string) int {
	n := 0
	for _, c := range s {
		if c >= 0x1100 && (unicode.Is(unicode.Han, c) || c >= 0x3000) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// planLine is one person's line of a month's plan.
type planLine struct {
	n     int
	staff *domain.Staff
	days  []time.Time
}

// setRotaPlan checks every line of a month's plan against the limits and
// saves it — replacing the listed people's rest days of the month — only
// if every line passes; otherwise it answers with the broken lines and
// saves nothing.
func (b *Bot) setRotaPlan(ctx context.Context, r *Request, rs restStore, first time.Time, plan []string) error {
	month := first.Format(rotaMonthLayout)
	var problems []string
	var lines []planLine
	seen := map[int64]bool{}
	for i, text := range plan {
		n := i + 1
		name, dayText, ok := strings.Cut(strings.ReplaceAll(text, "：", ":"), ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			problems = append(problems, r.T("rota.line_bad", n, strings.TrimSpace(text)))
			continue
		}
		s, err := b.store.StaffByName(ctx, name)
		if domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && !s.Active {
			problems = append(problems, r.T("rota.line_unknown", n, name))
			continue
		} else if err != nil {
			return err
		}
		if seen[s.ID] {
			problems = append(problems, r.T("rota.line_twice", n, name))
			continue
		}
		seen[s.ID] = true
		pl := planLine{n: n, staff: s}
		for _, tok := range strings.FieldsFunc(dayText, func(c rune) bool { return c == ',' || c == '，' || c == '、' || unicode.IsSpace(c) }) {
			d, err := strconv.Atoi(tok)
			day := first.AddDate(0, 0, d-1)
			if err != nil || d < 1 || day.Month() != first.Month() || day.Year() != first.Year() {
				problems = append(problems, r.T("rota.line_bad_day", n, tok, month))
				continue
			}
			pl.days = append(pl.days, day)
		}
		lines = append(lines, pl)
	}
	if len(problems) > 0 {
		r.Reply(ctx, "rota.plan_refused", Raw(strings.Join(problems, "\n")))
		return nil
	}

	// The people listed get the rest of their month replaced (days already
	// past stay, and count); everyone else's days stay.
	from, to := domain.RestWindow(first)
	monthFrom, monthTo := first.Format(domain.DateLayout), first.AddDate(0, 1, -1).Format(domain.DateLayout)
	if tomorrow := b.opts.Calendar.StartOfDay(b.now()).AddDate(0, 0, 1).Format(domain.DateLayout); tomorrow > monthFrom {
		monthFrom = tomorrow
	}
	existing, err := rs.RestDaysBetween(ctx, from, to, []string{domain.RestPending, domain.RestApproved})
	if err != nil {
		return err
	}
	replaced := func(d domain.RestDay) bool { return seen[d.StaffID] && d.Day >= monthFrom && d.Day <= monthTo }
	var kept []domain.RestDay
	for _, d := range existing {
		if !replaced(d) {
			kept = append(kept, d)
		}
	}
	var accepted []domain.RestDay
	rules := b.laterRules()
	total := 0
	for _, pl := range lines {
		for _, day := range pl.days {
			d := day.Format(domain.DateLayout)
			var mine []domain.RestDay
			off := map[int64]bool{}
			for _, x := range slices.Concat(kept, accepted) {
				if x.StaffID == pl.staff.ID {
					mine = append(mine, x)
				} else if x.Day == d {
					off[x.StaffID] = true
				}
			}
			if err := domain.CheckRest(pl.staff.ID, day, mine, len(off), rules, b.opts.Calendar, b.now()); err != nil {
				e, ok := err.(*domain.Error)
				if !ok {
					return err
				}
				problems = append(problems, r.T("rota.line_limit", pl.n, pl.staff.Name, restDate(r.Lang, d), Raw(r.T(e.Key, e.Args...))))
				continue
			}
			accepted = append(accepted, domain.RestDay{StaffID: pl.staff.ID, Day: d, Status: domain.RestApproved, DecidedBy: r.Staff.ID})
			total++
		}
	}
	if len(problems) > 0 {
		r.Reply(ctx, "rota.plan_refused", Raw(strings.Join(problems, "\n")))
		return nil
	}
	ids := make([]int64, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	err = b.store.InTx(ctx, func(ctx context.Context) error {
		if _, err := rs.CancelRestDays(ctx, ids, monthFrom, monthTo); err != nil {
			return err
		}
		for i := range accepted {
			if err := rs.CreateRestDay(ctx, &accepted[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.Reply(ctx, "rota.plan_saved", month, len(lines), total)
	return b.showRota(ctx, r, rs, first)
}

// warnDutyOnRest tells whoever approves a rest day, at once, that the
// person is on duty that day: a rest approved after the day-before flag
// (R5.2) must not leave the duty silently uncovered.
func (b *Bot) warnDutyOnRest(ctx context.Context, r *Request, s *domain.Staff, day string) error {
	roster, err := b.opts.Duty.Duties(ctx, day)
	if err != nil {
		return err
	}
	var roles []string
	for _, d := range roster.Assignments {
		if d.StaffID == s.ID {
			roles = append(roles, dutyRoleName(r.Lang, d.Role))
		}
	}
	if len(roles) > 0 {
		b.reply(ctx, r.ChatID, r.T("rest.duty_warning", s.Name, restDate(r.Lang, day), strings.Join(roles, r.T("list.sep"))))
	}
	return nil
}

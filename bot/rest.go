package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// Rest days (R5.1). A consultant asks for a rest day with /rest; the
// supervisor gets an approve / reject card. /swap gives an approved rest
// day to a colleague (swap.go); /rota shows or plans a month (rota.go). The
// use cases are domain.RestService's (the limits, the re-check at
// approval, decide-once, who may rule); these files parse and render.

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
		Handler: func(ctx context.Context, r *Request) error { return b.decideSwap(ctx, r, domain.Approved) }})
	b.RegisterCallback(Callback{Prefix: "swapno", Roles: restApprovers,
		Handler: func(ctx context.Context, r *Request) error { return b.decideSwap(ctx, r, domain.Rejected) }})
}

// restDate writes a store date with its weekday: 2026-12-03（周四）.
func restDate(lang domain.Lang, day string) string {
	t, err := time.Parse(domain.DateLayout, day)
	if err != nil {
		return day
	}
	return T(lang, "rest.date", day, T(lang, "rest.wd."+strconv.Itoa(int(t.Weekday()))))
}

// restError writes a rest, swap or plan error's arguments in lang: a
// domain.RestDate with its weekday, a nested *domain.Error (the limit a
// swap or a plan line breaks) as its text.
func restError(lang domain.Lang, err error) error {
	var e *domain.Error
	if !errors.As(err, &e) || e.Key == "" {
		return err
	}
	return &domain.Error{Code: e.Code, Key: e.Key, Args: restArgs(lang, e.Args), Message: e.Message}
}

func restArgs(lang domain.Lang, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case domain.RestDate:
			out[i] = Raw(restDate(lang, string(v)))
		case *domain.Error:
			out[i] = Raw(T(lang, v.Key, restArgs(lang, v.Args)...))
		default:
			out[i] = a
		}
	}
	return out
}

// handleRest asks for a rest day: /rest 2026-12-03.
func (b *Bot) handleRest(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) != 1 {
		return errUsage
	}
	day, err := b.parseDay(r, f[0])
	if err != nil {
		return err
	}
	out, err := b.opts.Rest.RequestRest(ctx, r.Staff.ID, day)
	if err != nil {
		return err
	}
	if err := b.sendApprovalCards(ctx, restCards(out.Rest, out.Requester), out.Approvers); err != nil {
		return err
	}
	r.Reply(ctx, "rest.requested", restDate(r.Lang, out.Rest.Day), len(out.Approvers))
	return nil
}

// parseDay reads a date as staff type it (domain.ParseDay, on the clock
// and the calendar of the requester's store); whether the date is allowed
// is the service's.
func (b *Bot) parseDay(r *Request, s string) (time.Time, error) {
	return domain.ParseDay(s, b.now(), r.Store().Calendar)
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
	verdict := domain.Rejected
	switch verb {
	case "ok":
		verdict = domain.Approved
	case "no":
	default:
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad rest verb %q", verb)
	}
	out, err := b.opts.Rest.DecideRest(ctx, id, domain.Decision{DeciderID: r.Staff.ID, Verdict: verdict})
	if err != nil {
		return err
	}
	rd, decider := out.Rest, out.Decider
	outcome, tell := "rest.done_no", "rest.rejected"
	if out.Decision.Approved() {
		outcome, tell = "rest.done_ok", "rest.approved"
	}
	err = b.tell(ctx, fmt.Sprintf("rest-result:%d", rd.ID), out.Requester, func(lang domain.Lang) string {
		return T(lang, tell, restDate(lang, rd.Day), decider.Name)
	})
	if err != nil {
		return err
	}
	if len(out.Duties) > 0 {
		// A rest approved after the day-before flag (R5.2) must not leave
		// the duty silently uncovered: the approver hears at once.
		roles := make([]string, len(out.Duties))
		for i, d := range out.Duties {
			roles[i] = dutyRoleName(r.Lang, d)
		}
		b.reply(ctx, r.ChatID, r.T("rest.duty_warning", out.Requester.Name, restDate(r.Lang, rd.Day), strings.Join(roles, r.T("list.sep"))))
	}
	return b.closeApprovalCards(ctx, restCards(rd, out.Requester), out.Approvers, func(lang domain.Lang) string {
		return T(lang, outcome, decider.Name)
	})
}

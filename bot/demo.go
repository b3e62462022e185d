package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The demo fleet (R3.4, R3.6): /demo moves a stock car to the fleet,
// /fleet lists it, /demouse asks the manager for another use (an approval
// card); the upkeep reminders are jobs.DemoUpkeep's, told through
// NotifyDemoUpkeep. The rules are domain.DemoFleetService's.

// registerDemoFleet adds /demo, /fleet, /demouse and the approval's buttons.
func (b *Bot) registerDemoFleet() {
	b.Register(Command{Name: "demo", Roles: domain.DemoFleetManagers, Handler: b.handleDemo})
	b.Register(Command{Name: "fleet", Roles: domain.DemoFleetViewers, Handler: b.handleFleet})
	b.Register(Command{Name: "demouse", Roles: domain.DemoFleetViewers, Handler: b.handleDemoUse})
	b.RegisterCallback(Callback{Prefix: "dmu", Roles: domain.DemoFleetManagers, Handler: b.handleDemoUseDecision})
}

// handleDemo is /demo VIN 保管人 [保险到期] [保养到期] [里程]: dates in
// order (insurance, then service; "-" for none), a number is the mileage.
func (b *Bot) handleDemo(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) < 2 || len(f) > 5 {
		return errUsage
	}
	d := domain.DemoDraft{Car: f[0], Keeper: f[1]}
	loc := r.Store().Calendar.Location
	dates := 0
	for _, s := range f[2:] {
		if km, err := strconv.Atoi(s); err == nil {
			if d.Km = km; km < 0 {
				return domain.Errorkf(domain.EINVALID, "err.km_bad", []any{s}, "bad km %q", s)
			}
			continue
		}
		var t time.Time
		if s != "-" {
			var err error
			if t, err = time.ParseInLocation(domain.DateLayout, s, loc); err != nil {
				return domain.Errorkf(domain.EINVALID, "err.demo_date", []any{s}, "bad date %q", s)
			}
		}
		switch dates {
		case 0:
			d.InsuranceDue = t
		case 1:
			d.ServiceDue = t
		default:
			return errUsage
		}
		dates++
	}
	c, err := b.opts.Demos.MoveToDemo(ctx, r.Staff.ID, d)
	if err != nil {
		return err
	}
	r.Reply(ctx, "demo.moved", c.Car.Vehicle.Model, c.Car.Vehicle.VIN, c.Keeper.Name)
	return nil
}

// handleFleet is /fleet.
func (b *Bot) handleFleet(ctx context.Context, r *Request) error {
	fleet, err := b.opts.Demos.DemoFleet(ctx, r.Staff.ID)
	if err != nil {
		return err
	}
	if len(fleet) == 0 {
		r.Reply(ctx, "fleet.empty")
		return nil
	}
	loc := r.Store().Calendar.Location
	lines := []string{r.T("fleet.head", len(fleet))}
	for _, c := range fleet {
		v := c.Car.Vehicle
		lines = append(lines, r.T("fleet.car", v.Model, v.VIN, c.Keeper.Name, dayOrDash(c.Car.InsuranceDue, loc),
			dayOrDash(c.Car.ServiceDue, loc), c.Car.Km, c.Retirement.AgeMonths))
		if c.Retirement.Due {
			lines = append(lines, r.T("fleet.retire", Raw(retireWhy(r.Lang, c.Retirement))))
		}
	}
	b.reply(ctx, r.ChatID, strings.Join(lines, "\n"))
	return nil
}

func dayOrDash(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format(domain.DateLayout)
}

// retireWhy says why a car is proposed for retirement.
func retireWhy(lang domain.Lang, ret domain.Retirement) string {
	var why []string
	if ret.ByAge {
		why = append(why, T(lang, "retire.age", ret.AgeMonths))
	}
	if ret.ByKm {
		why = append(why, T(lang, "retire.km", ret.Km))
	}
	return strings.Join(why, T(lang, "list.sep"))
}

// demoUseCards are the approval cards of demo-use request q.
func demoUseCards(q *domain.DemoUseRequest) approvalCards {
	id := strconv.FormatInt(q.ID, 10)
	return approvalCards{
		Key:  func(a int64) string { return fmt.Sprintf("demouse:%d:%d", q.ID, a) },
		Done: func(a int64) string { return fmt.Sprintf("demouse-card:%d:%d", q.ID, a) },
		Body: func(lang domain.Lang) string {
			return T(lang, "demouse.card", q.Requester.Name, q.Vehicle.Model, q.Vehicle.VIN, q.Reason)
		},
		Buttons: approveReject("dmu:ok:"+id, "dmu:no:"+id),
	}
}

// handleDemoUse is /demouse VIN reason.
func (b *Bot) handleDemoUse(ctx context.Context, r *Request) error {
	car, reason, _ := strings.Cut(strings.TrimSpace(r.Args), " ")
	if car == "" || strings.TrimSpace(reason) == "" {
		return errUsage
	}
	out, err := b.opts.Demos.RequestDemoUse(ctx, r.Staff.ID, car, reason)
	if err != nil {
		return err
	}
	if err := b.sendApprovalCards(ctx, demoUseCards(out.Request), out.Approvers); err != nil {
		return err
	}
	if len(out.Approvers) == 0 {
		r.Reply(ctx, "demouse.no_approver", out.Request.ID)
		return nil
	}
	r.Reply(ctx, "demouse.sent", out.Request.ID, len(out.Approvers))
	return nil
}

// handleDemoUseDecision takes a manager's tap: dmu:ok:<id> or dmu:no:<id>.
func (b *Bot) handleDemoUseDecision(ctx context.Context, r *Request) error {
	verb, idText, _ := strings.Cut(r.Args, ":")
	id, err := parseButtonID(idText)
	if err != nil {
		return err
	}
	v := domain.Approved
	switch verb {
	case "ok":
	case "no":
		v = domain.Rejected
	default:
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad demo use verb %q", verb)
	}
	out, err := b.opts.Demos.DecideDemoUse(ctx, r.Staff.ID, id, v)
	if err != nil {
		return err
	}
	q := out.Request
	suffix := "ok"
	if v == domain.Rejected {
		suffix = "no"
	}
	if err := b.tell(ctx, fmt.Sprintf("demouse-result:%d", q.ID), q.Requester, func(lang domain.Lang) string {
		return T(lang, "demouse.result_"+suffix, q.ID, q.Vehicle.VIN, out.Decider.Name)
	}); err != nil {
		return err
	}
	return b.closeApprovalCards(ctx, demoUseCards(q), out.Approvers, func(lang domain.Lang) string {
		return T(lang, "demouse.done_"+suffix, out.Decider.Name)
	})
}

// NotifyDemoUpkeep tells each demo car's keeper and the store's managers
// what is due and whether it should retire (jobs.DemoUpkeepNotifier),
// keyed per car, person and day.
func (b *Bot) NotifyDemoUpkeep(ctx context.Context, notices []domain.DemoUpkeepNotice) error {
	for _, n := range notices {
		c := n.Car
		loc := b.opts.Stores.Of(c.StoreID).Calendar.Location
		for _, p := range n.Recipients {
			key := fmt.Sprintf("demo-upkeep:%d:%s:%d", c.Car.Vehicle.ID, n.Day, p.ID)
			err := b.tell(ctx, key, p, func(lang domain.Lang) string {
				lines := []string{T(lang, "upkeep.head", c.Car.Vehicle.Model, c.Car.Vehicle.VIN, c.Keeper.Name)}
				for _, u := range c.Upkeep {
					what := T(lang, "upkeep."+string(u.Kind))
					if u.Overdue() {
						lines = append(lines, T(lang, "upkeep.overdue", what, u.Due.In(loc).Format(domain.DateLayout), -u.DaysLeft))
					} else {
						lines = append(lines, T(lang, "upkeep.due", what, u.Due.In(loc).Format(domain.DateLayout), u.DaysLeft))
					}
				}
				if c.Retirement.Due {
					lines = append(lines, T(lang, "fleet.retire", Raw(retireWhy(lang, c.Retirement))))
				}
				return strings.Join(lines, "\n")
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

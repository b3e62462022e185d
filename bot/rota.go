package bot

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode"

	"github.com/dealerbot/dealerbot/domain"
)

// The month's rest rota (R5.1): /rota [2026-12] shows the approved rest
// days; a supervisor sets the month's plan with one line a person after the
// month, saved only if every line keeps the limits (domain.RestService).

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
	loc := r.Store().Calendar.Location
	month := b.now().In(loc)
	if head != "" {
		m, err := time.ParseInLocation(domain.RotaMonthLayout, head, loc)
		if err != nil {
			return domain.Errorkf(domain.EINVALID, "rota.month_bad", []any{head}, "%q is not a month like 2026-12", head)
		}
		month = m
	}
	if len(plan) == 0 {
		rota, err := b.opts.Rest.Rota(ctx, r.Staff.ID, month)
		if err != nil {
			return err
		}
		b.showRota(ctx, r, rota)
		return nil
	}
	out, err := b.opts.Rest.PlanMonth(ctx, r.Staff.ID, domain.ParsePlan(month, plan))
	if err != nil {
		return err
	}
	if len(out.Problems) > 0 {
		problems := make([]string, len(out.Problems))
		for i, p := range out.Problems {
			problems[i] = r.T(p.Key, restArgs(r.Lang, p.Args)...)
		}
		r.Reply(ctx, "rota.plan_refused", Raw(strings.Join(problems, "\n")))
		return nil
	}
	r.Reply(ctx, "rota.plan_saved", out.Month, out.People, out.Days)
	b.showRota(ctx, r, out.Rota)
	return nil
}

// showRota answers with the month's approved rest days, one line a person.
func (b *Bot) showRota(ctx context.Context, r *Request, rota *domain.Rota) {
	if len(rota.Lines) == 0 {
		r.Reply(ctx, "rota.empty", rota.Month)
		return
	}
	width := 0
	for _, l := range rota.Lines {
		width = max(width, textWidth(l.Staff.Name))
	}
	var sb strings.Builder
	for _, l := range rota.Lines {
		n := l.Staff.Name
		sb.WriteString(html.EscapeString(n) + strings.Repeat(" ", width-textWidth(n)) + "  ")
		for i, d := range l.Days {
			if i > 0 {
				sb.WriteString(" ")
			}
			fmt.Fprintf(&sb, "%2d", d)
		}
		sb.WriteString("\n")
	}
	r.Reply(ctx, "rota.table", rota.Month, Raw(strings.TrimRight(sb.String(), "\n")))
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

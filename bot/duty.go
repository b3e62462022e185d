package bot

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The duty rota (R5.2): a supervisor puts people on the day's duty roles,
// one day at a time or as a weekly pattern; anyone sees who is on duty;
// each morning the people on duty get their roles and tasks, and the day
// before, supervisors hear of anyone on duty who has an approved rest day.
// The reception rotation (R5.3) is in reception.go.

// Who may do what with the rota (README's command table). A supervisor
// may stand in for reception at the reception rotation; consultants see
// the line they stand in.
var (
	dutyPlanners   = domain.DutyPlanners
	receptionStaff = []domain.Role{domain.RoleReception, domain.RoleSupervisor}
	queueViewers   = []domain.Role{domain.RoleReception, domain.RoleSupervisor, domain.RoleConsultant}
)

// registerDuty adds /duty, the reception rotation's commands and buttons.
func (b *Bot) registerDuty() {
	b.Register(Command{Name: "duty", Grants: []Grant{{Name: "plan", Roles: dutyPlanners}}, Handler: b.handleDuty})
	b.Register(Command{Name: "next", Roles: receptionStaff, Handler: b.handleNext})
	b.Register(Command{Name: "queue", Roles: queueViewers, Handler: b.handleQueue})
	b.Register(Command{Name: "away", Roles: []domain.Role{domain.RoleConsultant}, Handler: b.handleAway})
	b.Register(Command{Name: "back", Roles: []domain.Role{domain.RoleConsultant}, Handler: b.handleBack})
	b.RegisterCallback(Callback{Prefix: "rq", Roles: []domain.Role{domain.RoleConsultant}, Handler: b.handleReceptionButton})
}

// dayOf is st's date of t: 2006-01-02 in the store's zone.
func dayOf(st *domain.Store, t time.Time) string {
	return t.In(st.Calendar.Location).Format(domain.DateLayout)
}

// handleDuty dispatches /duty [date], /duty set … and /duty weekly ….
func (b *Bot) handleDuty(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) > 0 {
		switch strings.ToLower(f[0]) {
		case "set":
			return b.handleDutySet(ctx, r, f[1:])
		case "unset":
			return b.handleDutyUnset(ctx, r, f[1:])
		case "weekly":
			return b.handleDutyWeekly(ctx, r, f[1:])
		}
	}
	if len(f) > 1 {
		return errUsage
	}
	day := b.now()
	if len(f) == 1 {
		t, err := b.parseDutyDay(r, f[0])
		if err != nil {
			return err
		}
		day = t
	}
	roster, err := b.opts.Duty.Duties(ctx, r.Staff.ID, day)
	if err != nil {
		return err
	}
	return b.showDuties(ctx, r, roster)
}

// showDuties renders a day's roster.
func (b *Bot) showDuties(ctx context.Context, r *Request, roster *domain.DutyRoster) error {
	day := roster.Day
	list, resting := roster.Assignments, roster.Resting
	if len(list) == 0 {
		r.Reply(ctx, "duty.none", day)
		return nil
	}
	var lines []string
	for _, role := range dutyRolesOf(r.Store(), list) {
		var names []string
		for _, a := range list {
			if a.Role != role {
				continue
			}
			name := "#" + strconv.FormatInt(a.StaffID, 10)
			if s := roster.Staff[a.StaffID]; s != nil {
				name = s.Name
			}
			if slices.Contains(resting, a.StaffID) {
				name += r.T("duty.resting_mark")
			}
			names = append(names, name)
		}
		lines = append(lines, r.T("duty.line", dutyRoleName(r.Lang, role), strings.Join(names, r.T("list.sep"))))
	}
	r.Reply(ctx, "duty.list", day, Raw(strings.Join(lines, "\n")))
	return nil
}

// dutyRolesOf lists the roles of the assignments in st's configured
// order, then any others (a role removed from the configuration) by name.
func dutyRolesOf(st *domain.Store, list []domain.DutyAssignment) []string {
	seen := map[string]bool{}
	for _, a := range list {
		seen[a.Role] = true
	}
	var out []string
	for _, d := range st.Rules.Rota.DutyRoles {
		if seen[d.Name] {
			out = append(out, d.Name)
			delete(seen, d.Name)
		}
	}
	var rest []string
	for role := range seen {
		rest = append(rest, role)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// handleDutySet assigns a duty: /duty set <date> <role> <name>.
func (b *Bot) handleDutySet(ctx context.Context, r *Request, f []string) error {
	role, name, err := b.dutyPlan(r, f)
	if err != nil {
		return err
	}
	t, err := b.parseDutyDay(r, f[0])
	if err != nil {
		return err
	}
	out, err := b.opts.Duty.SetDuty(ctx, r.Staff.ID, t, role.Name, name)
	if err != nil {
		return err
	}
	day, who := out.Day, out.Staff
	r.Reply(ctx, "duty.set_ok", who.Name, day, dutyRoleName(r.Lang, role.Name))
	return b.tellDuty(ctx, out.Tell, fmt.Sprintf("duty-set:%s:%s:%d", day, role.Name, who.ID), func(lang domain.Lang, tasks string) string {
		return T(lang, "duty.assigned", who.Name, restDate(lang, day), Raw(tasks))
	}, role.Name)
}

// tellDuty pushes someone just put on duty their role and its tasks (R5.2);
// who is nil when the service says nobody is to be told.
func (b *Bot) tellDuty(ctx context.Context, who *domain.Staff, key string, text func(lang domain.Lang, tasks string) string, role string) error {
	if who == nil {
		return nil
	}
	return b.Push(ctx, key, who.TelegramID, who.ID, text(who.Lang, dutyTasks(b.StoreOf(who), who.Lang, []string{role})), nil)
}

// dutyTasks lists duty roles with the tasks st configures for them, in
// lang.
func dutyTasks(st *domain.Store, lang domain.Lang, roles []string) string {
	var parts []string
	for _, role := range roles {
		part := T(lang, "duty.remind_role", dutyRoleName(lang, role))
		if dr, ok := st.Rules.Rota.DutyRoleNamed(role); ok {
			for _, task := range dr.Tasks {
				part += "\n" + T(lang, "duty.remind_task", task)
			}
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "\n")
}

// dutyPlan reads what /duty set, unset and weekly share: the caller must
// plan duties (the command's grant; the service checks it again), and f is
// [when, role, name…]. The service finds the person named in the
// caller's store.
func (b *Bot) dutyPlan(r *Request, f []string) (domain.DutyRole, string, error) {
	if !r.May("plan") {
		return domain.DutyRole{}, "", domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d may not plan duties", r.Staff.ID)
	}
	if len(f) < 3 {
		return domain.DutyRole{}, "", errUsage
	}
	role, err := b.dutyRoleFromInput(r, f[1])
	if err != nil {
		return domain.DutyRole{}, "", err
	}
	return role, strings.Join(f[2:], " "), nil
}

// handleDutyUnset takes a duty off someone: /duty unset <date|weekday>
// <role> <name> — a date removes that day's assignment, a weekday (周一,
// monday, 1) the weekly pattern's entry.
func (b *Bot) handleDutyUnset(ctx context.Context, r *Request, f []string) error {
	role, name, err := b.dutyPlan(r, f)
	if err != nil {
		return err
	}
	var (
		out  *domain.DutyUnset
		when string
	)
	if wd, ok := parseDutyWeekday(f[0]); ok {
		when = r.T("duty.weekday." + strconv.Itoa(int(wd))) // "1" or "mon" said as 星期一
		out, err = b.opts.Duty.UnsetWeekly(ctx, r.Staff.ID, wd, role.Name, name)
	} else {
		t, perr := b.parseDutyDay(r, f[0])
		if perr != nil {
			return perr
		}
		when = dayOf(r.Store(), t)
		out, err = b.opts.Duty.UnsetDuty(ctx, r.Staff.ID, t, role.Name, name)
	}
	if err != nil {
		return err
	}
	if !out.Removed {
		r.Reply(ctx, "duty.unset_none", out.Staff.Name, when, dutyRoleName(r.Lang, role.Name))
		return nil
	}
	r.Reply(ctx, "duty.unset_ok", out.Staff.Name, when, dutyRoleName(r.Lang, role.Name))
	return nil
}

// handleDutyWeekly sets the weekly pattern: /duty weekly <weekday> <role> <name>.
func (b *Bot) handleDutyWeekly(ctx context.Context, r *Request, f []string) error {
	role, name, err := b.dutyPlan(r, f)
	if err != nil {
		return err
	}
	wd, ok := parseDutyWeekday(f[0])
	if !ok {
		return domain.Errorkf(domain.EINVALID, "duty.weekday_bad", []any{f[0]}, "%q is no weekday", f[0])
	}
	out, err := b.opts.Duty.SetWeekly(ctx, r.Staff.ID, wd, role.Name, name)
	if err != nil {
		return err
	}
	who := out.Staff
	r.Reply(ctx, "duty.weekly_ok", who.Name, r.T("duty.weekday."+strconv.Itoa(int(wd))), dutyRoleName(r.Lang, role.Name))
	return b.tellDuty(ctx, out.Tell, fmt.Sprintf("duty-weekly:%d:%s:%d:%s", wd, role.Name, who.ID, dayOf(r.Store(), b.now())), func(lang domain.Lang, tasks string) string {
		return T(lang, "duty.assigned_weekly", who.Name, T(lang, "duty.weekday."+strconv.Itoa(int(wd))), restDate(lang, out.Day), Raw(tasks))
	}, role.Name)
}

// parseDutyDay reads a date as staff type it (domain.ParseDay, on the
// calendar of the requester's store).
func (b *Bot) parseDutyDay(r *Request, s string) (time.Time, error) {
	t, err := domain.ParseDay(s, b.now(), r.Store().Calendar)
	if err != nil {
		return time.Time{}, domain.Errorkf(domain.EINVALID, "duty.day_bad", []any{s}, "%q is not a date", s)
	}
	return t, nil
}

// parseDutyWeekday reads 0–6 (0 Sunday), monday…, 周一…周日, 星期一….
func parseDutyWeekday(s string) (time.Weekday, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Weekday(n), n >= 0 && n <= 6
	}
	for _, p := range []string{"星期", "礼拜", "周"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			i := strings.Index("日一二三四五六", rest)
			if rest == "天" {
				return time.Sunday, true
			}
			if i >= 0 && len(rest) == len("一") {
				return time.Weekday(i / len("一")), true
			}
			return 0, false
		}
	}
	return domain.ParseWeekday(s)
}

// dutyRoleFromInput finds a duty role of the requester's store by its
// name or its name in either language.
func (b *Bot) dutyRoleFromInput(r *Request, s string) (domain.DutyRole, error) {
	rota := r.Store().Rules.Rota
	if d, ok := rota.DutyRoleNamed(s); ok {
		return d, nil
	}
	var names []string
	for _, d := range rota.DutyRoles {
		for _, lang := range []domain.Lang{domain.LangZH, domain.LangEN} {
			if dutyRoleName(lang, d.Name) == s {
				return d, nil
			}
		}
		names = append(names, dutyRoleName(r.Lang, d.Name))
	}
	return domain.DutyRole{}, domain.Errorkf(domain.EINVALID, "duty.role_bad", []any{s, strings.Join(names, r.T("list.sep"))}, "%q is no duty role", s)
}

// dutyRoleName is a duty role's name in lang: the catalogue's
// dutyrole.<name> if there is one, else the configured name.
func dutyRoleName(lang domain.Lang, role string) string {
	if text, ok := messages[lang]["dutyrole."+role]; ok {
		return text
	}
	return role
}

// NotifyDutyReminder sends everyone on duty their roles and tasks (key
// duty:<day>:<staff>, so a rerun sends nothing twice) and the roster to
// the store's group chat. Call it inside a transaction (jobs.DutyNotifier).
func (b *Bot) NotifyDutyReminder(ctx context.Context, rem *domain.DutyReminder) error {
	d, st := rem.Day, b.opts.Stores.Of(rem.StoreID)
	for _, p := range rem.Remind {
		s := p.Staff
		text := T(s.Lang, "duty.remind", s.Name, d, Raw(dutyTasks(st, s.Lang, p.Roles)))
		if err := b.Push(ctx, fmt.Sprintf("duty:%s:%d", d, s.ID), s.TelegramID, s.ID, text, nil); err != nil {
			return err
		}
	}
	return b.pushRoster(ctx, st, d, rem.Roster)
}

// pushRoster posts st's roster of day in the store's group chat, if it
// has one (group_chat_id), in the store's language. The key names the
// store: every store posts a roster each day.
func (b *Bot) pushRoster(ctx context.Context, st *domain.Store, day string, roster []domain.StaffOnDuty) error {
	if st.GroupChatID == 0 || len(roster) == 0 {
		return nil
	}
	lang := domain.LangZH
	lines := []string{T(lang, "duty.roster", day)}
	for _, p := range roster {
		var names []string
		for _, role := range p.Roles {
			names = append(names, dutyRoleName(lang, role))
		}
		lines = append(lines, T(lang, "duty.roster_line", p.Staff.Name, strings.Join(names, T(lang, "list.sep"))))
	}
	return b.Push(ctx, fmt.Sprintf("roster:%d:%s", st.ID, day), st.GroupChatID, 0, strings.Join(lines, "\n"), nil)
}

// NotifyDutyRestConflicts tells the supervisors of anyone on duty who has
// an approved rest day then (key per day, person and supervisor). Call it
// inside a transaction (jobs.DutyNotifier).
func (b *Bot) NotifyDutyRestConflicts(ctx context.Context, conflicts []domain.DutyRestConflict) error {
	for _, c := range conflicts {
		for _, sup := range c.Supervisors {
			var roles []string
			for _, role := range c.Roles {
				roles = append(roles, dutyRoleName(sup.Lang, role))
			}
			text := T(sup.Lang, "duty.rest_clash", c.Staff.Name, c.Day, strings.Join(roles, T(sup.Lang, "list.sep")))
			if err := b.Push(ctx, fmt.Sprintf("duty-rest:%s:%d:%d", c.Day, c.Staff.ID, sup.ID), sup.TelegramID, sup.ID, text, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

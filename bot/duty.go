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

// dutyStore is what the duty rota and the reception rotation need of
// storage beyond Store (implemented by *storage.DB).
type dutyStore interface {
	AssignDuty(ctx context.Context, day, role string, staffID int64) error
	UnassignDuty(ctx context.Context, day, role string, staffID int64) (bool, error)
	SetPattern(ctx context.Context, weekday int, role string, staffID int64) error
	UnsetPattern(ctx context.Context, weekday int, role string, staffID int64) (bool, error)
	DutyOn(ctx context.Context, day string) ([]domain.DutyAssignment, error)
	RestingOn(ctx context.Context, day string) ([]int64, error)
	GetState(ctx context.Context, key string) (string, bool, error)
	SetState(ctx context.Context, key, value string) error
}

// dutyStore returns the store's duty methods.
func (b *Bot) dutyStore() (dutyStore, error) {
	ds, ok := b.store.(dutyStore)
	if !ok {
		return nil, fmt.Errorf("duty: store %T lacks the duty methods", b.store)
	}
	return ds, nil
}

// Who may do what with the rota (README's command table). A supervisor
// may stand in for reception at the reception rotation; consultants see
// the line they stand in.
var (
	dutyPlanners   = []domain.Role{domain.RoleSupervisor, domain.RoleManager}
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

// dayOf is the store date of t: 2006-01-02 in the store's zone.
func (b *Bot) dayOf(t time.Time) string {
	return t.In(b.opts.Calendar.Location).Format(domain.DateLayout)
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
	day := b.dayOf(b.now())
	if len(f) == 1 {
		t, err := b.parseDutyDay(f[0])
		if err != nil {
			return err
		}
		day = b.dayOf(t)
	}
	ds, err := b.dutyStore()
	if err != nil {
		return err
	}
	list, err := ds.DutyOn(ctx, day)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		r.Reply(ctx, "duty.none", day)
		return nil
	}
	resting, err := ds.RestingOn(ctx, day)
	if err != nil {
		return err
	}
	var lines []string
	for _, role := range b.dutyRolesOf(list) {
		var names []string
		for _, a := range list {
			if a.Role != role {
				continue
			}
			name := r.staffName(ctx, a.StaffID)
			if containsID(resting, a.StaffID) {
				name += r.T("duty.resting_mark")
			}
			names = append(names, name)
		}
		lines = append(lines, r.T("duty.line", dutyRoleName(r.Lang, role), strings.Join(names, r.T("list.sep"))))
	}
	r.Reply(ctx, "duty.list", day, Raw(strings.Join(lines, "\n")))
	return nil
}

// dutyRolesOf lists the roles of the assignments in configured order,
// then any others (a role removed from the configuration) by name.
func (b *Bot) dutyRolesOf(list []domain.DutyAssignment) []string {
	seen := map[string]bool{}
	for _, a := range list {
		seen[a.Role] = true
	}
	var out []string
	for _, d := range b.opts.Rules.Rota.DutyRoles {
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
	role, who, ds, err := b.dutyPlan(ctx, r, f)
	if err != nil {
		return err
	}
	t, err := b.parseDutyDay(f[0])
	if err != nil {
		return err
	}
	day := b.dayOf(t)
	if day < b.dayOf(b.now()) {
		return domain.Errorkf(domain.EINVALID, "duty.day_past", []any{day}, "duty day %s is past", day)
	}
	resting, err := ds.RestingOn(ctx, day)
	if err != nil {
		return err
	}
	if containsID(resting, who.ID) {
		return domain.Errorkf(domain.ECONFLICT, "duty.resting", []any{who.Name, day}, "staff %d rests on %s", who.ID, day)
	}
	if err := ds.AssignDuty(ctx, day, role.Name, who.ID); err != nil {
		return err
	}
	r.Reply(ctx, "duty.set_ok", who.Name, day, dutyRoleName(r.Lang, role.Name))
	if !domain.TellDutyAtOnce(t, b.now(), b.opts.Rules.Rota.DutyReminder, b.opts.Calendar.Location) {
		return nil // the morning reminder tells them
	}
	return b.tellDuty(ctx, r, who, fmt.Sprintf("duty-set:%s:%s:%d", day, role.Name, who.ID), func(lang domain.Lang, tasks string) string {
		return T(lang, "duty.assigned", who.Name, restDate(lang, day), Raw(tasks))
	}, role.Name)
}

// tellDuty pushes someone just put on duty their role and its tasks (R5.2),
// unless they put themselves on it.
func (b *Bot) tellDuty(ctx context.Context, r *Request, who *domain.Staff, key string, text func(lang domain.Lang, tasks string) string, role string) error {
	if who.ID == r.Staff.ID || !who.Enrolled() {
		return nil
	}
	return b.Push(ctx, key, who.TelegramID, who.ID, text(who.Lang, b.dutyTasks(who.Lang, []string{role})), nil)
}

// dutyTasks lists duty roles with their configured tasks, in lang.
func (b *Bot) dutyTasks(lang domain.Lang, roles []string) string {
	var parts []string
	for _, role := range roles {
		part := T(lang, "duty.remind_role", dutyRoleName(lang, role))
		if dr, ok := b.opts.Rules.Rota.DutyRoleNamed(role); ok {
			for _, task := range dr.Tasks {
				part += "\n" + T(lang, "duty.remind_task", task)
			}
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "\n")
}

// dutyPlan reads what /duty set, unset and weekly share: the caller must
// plan duties, and f is [when, role, name…].
func (b *Bot) dutyPlan(ctx context.Context, r *Request, f []string) (domain.DutyRole, *domain.Staff, dutyStore, error) {
	if !r.May("plan") {
		return domain.DutyRole{}, nil, nil, domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d may not plan duties", r.Staff.ID)
	}
	if len(f) < 3 {
		return domain.DutyRole{}, nil, nil, errUsage
	}
	role, err := b.dutyRoleFromInput(r, f[1])
	if err != nil {
		return domain.DutyRole{}, nil, nil, err
	}
	who, err := b.dutyPerson(ctx, strings.Join(f[2:], " "))
	if err != nil {
		return domain.DutyRole{}, nil, nil, err
	}
	ds, err := b.dutyStore()
	return role, who, ds, err
}

// handleDutyUnset takes a duty off someone: /duty unset <date|weekday>
// <role> <name> — a date removes that day's assignment, a weekday (周一,
// monday, 1) the weekly pattern's entry.
func (b *Bot) handleDutyUnset(ctx context.Context, r *Request, f []string) error {
	role, who, ds, err := b.dutyPlan(ctx, r, f)
	if err != nil {
		return err
	}
	var removed bool
	when := f[0]
	if wd, ok := parseDutyWeekday(f[0]); ok {
		when = r.T("duty.weekday." + strconv.Itoa(int(wd))) // "1" or "mon" said as 星期一
		removed, err = ds.UnsetPattern(ctx, int(wd), role.Name, who.ID)
	} else {
		t, perr := b.parseDutyDay(f[0])
		if perr != nil {
			return perr
		}
		when = b.dayOf(t)
		removed, err = ds.UnassignDuty(ctx, when, role.Name, who.ID)
	}
	if err != nil {
		return err
	}
	if !removed {
		r.Reply(ctx, "duty.unset_none", who.Name, when, dutyRoleName(r.Lang, role.Name))
		return nil
	}
	r.Reply(ctx, "duty.unset_ok", who.Name, when, dutyRoleName(r.Lang, role.Name))
	return nil
}

// handleDutyWeekly sets the weekly pattern: /duty weekly <weekday> <role> <name>.
func (b *Bot) handleDutyWeekly(ctx context.Context, r *Request, f []string) error {
	role, who, ds, err := b.dutyPlan(ctx, r, f)
	if err != nil {
		return err
	}
	wd, ok := parseDutyWeekday(f[0])
	if !ok {
		return domain.Errorkf(domain.EINVALID, "duty.weekday_bad", []any{f[0]}, "%q is no weekday", f[0])
	}
	if err := ds.SetPattern(ctx, int(wd), role.Name, who.ID); err != nil {
		return err
	}
	r.Reply(ctx, "duty.weekly_ok", who.Name, r.T("duty.weekday."+strconv.Itoa(int(wd))), dutyRoleName(r.Lang, role.Name))
	// The first day it applies: today if it is that weekday.
	now := b.now().In(b.opts.Calendar.Location)
	next := b.dayOf(now.AddDate(0, 0, (int(wd)-int(now.Weekday())+7)%7))
	return b.tellDuty(ctx, r, who, fmt.Sprintf("duty-weekly:%d:%s:%d:%s", wd, role.Name, who.ID, b.dayOf(now)), func(lang domain.Lang, tasks string) string {
		return T(lang, "duty.assigned_weekly", who.Name, T(lang, "duty.weekday."+strconv.Itoa(int(wd))), restDate(lang, next), Raw(tasks))
	}, role.Name)
}

// parseDutyDay reads a date as staff type it (domain.ParseDay).
func (b *Bot) parseDutyDay(s string) (time.Time, error) {
	t, err := domain.ParseDay(s, b.now(), b.opts.Calendar)
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

// dutyRoleFromInput finds a configured duty role by its name or its name
// in either language.
func (b *Bot) dutyRoleFromInput(r *Request, s string) (domain.DutyRole, error) {
	if d, ok := b.opts.Rules.Rota.DutyRoleNamed(s); ok {
		return d, nil
	}
	var names []string
	for _, d := range b.opts.Rules.Rota.DutyRoles {
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

// dutyPerson finds the active staff member named.
func (b *Bot) dutyPerson(ctx context.Context, name string) (*domain.Staff, error) {
	s, err := b.store.StaffByName(ctx, name)
	if err != nil || !s.Active {
		if err == nil || domain.ErrorCode(err) == domain.ENOTFOUND || domain.ErrorCode(err) == domain.EINVALID {
			return nil, domain.Errorkf(domain.ENOTFOUND, "err.staff_not_found", []any{name}, "no staff %q", name)
		}
		return nil, err
	}
	return s, nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// PushDutyReminder sends everyone on duty on day their roles and tasks
// (key duty:<day>:<staff>, so a rerun sends nothing twice). Call it inside
// a transaction. (The team's group roster needs a group chat id, which the
// bot's options do not carry yet.)
func (b *Bot) PushDutyReminder(ctx context.Context, day time.Time) error {
	ds, err := b.dutyStore()
	if err != nil {
		return err
	}
	if !b.opts.Calendar.IsWorkingDay(day) {
		return nil // the store is closed: no duty
	}
	d := b.dayOf(day)
	list, err := ds.DutyOn(ctx, d)
	if err != nil {
		return err
	}
	resting, err := ds.RestingOn(ctx, d)
	if err != nil {
		return err
	}
	roles := map[int64][]string{}
	var order []int64
	for _, a := range list {
		if slices.Contains(resting, a.StaffID) {
			continue // resting: the supervisor was told the day before
		}
		if _, ok := roles[a.StaffID]; !ok {
			order = append(order, a.StaffID)
		}
		roles[a.StaffID] = append(roles[a.StaffID], a.Role)
	}
	for _, id := range order {
		s, err := b.store.StaffByID(ctx, id)
		if err != nil {
			return err
		}
		if !s.Active || !s.Enrolled() {
			continue
		}
		text := T(s.Lang, "duty.remind", s.Name, d, Raw(b.dutyTasks(s.Lang, roles[id])))
		if err := b.Push(ctx, fmt.Sprintf("duty:%s:%d", d, id), s.TelegramID, s.ID, text, nil); err != nil {
			return err
		}
	}
	return b.pushRoster(ctx, d, order, roles)
}

// pushRoster posts the day's roster in the team's group chat, if one is
// configured (telegram.group_chat_id), in the store's language.
func (b *Bot) pushRoster(ctx context.Context, day string, order []int64, roles map[int64][]string) error {
	if b.opts.GroupChatID == 0 || len(order) == 0 {
		return nil
	}
	lang := domain.LangZH
	lines := []string{T(lang, "duty.roster", day)}
	for _, id := range order {
		var names []string
		for _, role := range roles[id] {
			names = append(names, dutyRoleName(lang, role))
		}
		lines = append(lines, T(lang, "duty.roster_line", b.staffName(ctx, id), strings.Join(names, T(lang, "list.sep"))))
	}
	return b.Push(ctx, "roster:"+day, b.opts.GroupChatID, 0, strings.Join(lines, "\n"), nil)
}

// FlagDutyOnRest tells the supervisors of anyone on duty on day who has
// an approved rest day then (run the day before; key per day, person and
// supervisor). Call it inside a transaction.
func (b *Bot) FlagDutyOnRest(ctx context.Context, day time.Time) error {
	ds, err := b.dutyStore()
	if err != nil {
		return err
	}
	d := b.dayOf(day)
	list, err := ds.DutyOn(ctx, d)
	if err != nil {
		return err
	}
	resting, err := ds.RestingOn(ctx, d)
	if err != nil {
		return err
	}
	clash := map[int64][]string{}
	var order []int64
	for _, a := range list {
		if !containsID(resting, a.StaffID) {
			continue
		}
		if _, ok := clash[a.StaffID]; !ok {
			order = append(order, a.StaffID)
		}
		clash[a.StaffID] = append(clash[a.StaffID], a.Role)
	}
	if len(order) == 0 {
		return nil
	}
	sups, err := b.staffWithAnyRole(ctx, domain.RoleSupervisor)
	if err != nil {
		return err
	}
	for _, id := range order {
		name := b.staffName(ctx, id)
		for _, sup := range sups {
			var roles []string
			for _, role := range clash[id] {
				roles = append(roles, dutyRoleName(sup.Lang, role))
			}
			text := T(sup.Lang, "duty.rest_clash", name, d, strings.Join(roles, T(sup.Lang, "list.sep")))
			if err := b.Push(ctx, fmt.Sprintf("duty-rest:%s:%d:%d", d, id, sup.ID), sup.TelegramID, sup.ID, text, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

package bot

import (
	"context"
	"log/slog"
	"strings"

	"github.com/dealerbot/dealerbot/domain"
)

// registerBuiltins adds the commands every deployment has: enrolment,
// help, language, and staff administration.
func (b *Bot) registerBuiltins() {
	b.Register(Command{Name: "start", Public: true, Handler: b.handleStart})
	b.Register(Command{Name: "help", Handler: b.handleHelp})
	b.Register(Command{Name: "lang", Handler: b.handleLang})
	b.Register(Command{Name: "staff", Roles: domain.StaffListerRoles, Private: true, Handler: b.handleStaff})
	b.Register(Command{Name: "invite", Roles: domain.StaffAdminRoles, Private: true, Handler: b.handleInvite})
	b.Register(Command{Name: "deactivate", Roles: domain.StaffAdminRoles, Private: true, Handler: b.handleDeactivate})
	b.Register(Command{Name: "dept", Roles: domain.DepartmentSetterRoles, Private: true, Handler: b.handleDept})
	b.Register(Command{Name: "health", Roles: []domain.Role{domain.RoleManager, domain.RoleGM, domain.RoleAdmin}, Private: true, Handler: b.handleHealth})
	b.registerStore()
}

// handleStart enrols a stranger who brings an invite code (/start CODE,
// the deep link's payload) and greets staff who are enrolled already.
func (b *Bot) handleStart(ctx context.Context, r *Request) error {
	if r.Staff != nil {
		b.reply(ctx, r.ChatID, r.T("start.already", r.Staff.Name, r.Store().Name))
		return nil
	}
	code := strings.TrimSpace(r.Args)
	if code == "" || !isPrivate(r.Message) {
		if isPrivate(r.Message) {
			b.reply(ctx, r.ChatID, r.T("refuse.stranger"))
		}
		return nil
	}
	s, err := b.opts.Staff.RedeemInvite(ctx, code, r.From.ID, r.Lang)
	if err != nil {
		return err
	}
	r.Staff, r.Lang = s, s.Lang
	b.log.Info("staff enrolled", slog.Int64("staff_id", s.ID), slog.Int64("chat_id", r.ChatID))
	b.reply(ctx, r.ChatID, r.T("start.welcome", s.Name, r.Store().Name, roleNames(r.Lang, s.Roles)))
	b.publishCommands(ctx, s)
	return nil
}

// handleHelp lists the commands the caller's roles allow, nothing more.
func (b *Bot) handleHelp(ctx context.Context, r *Request) error {
	lines := []string{r.T("help.header", roleNames(r.Lang, r.Staff.Roles), r.Store().Name)}
	for _, c := range b.allowed(r.Staff) {
		lines = append(lines, r.T("help.line", c.Name, c.desc(r.Lang, r.Staff)))
	}
	b.reply(ctx, r.ChatID, strings.Join(lines, "\n"))
	return nil
}

// handleLang switches the caller's language and their command menu.
func (b *Bot) handleLang(ctx context.Context, r *Request) error {
	lang, ok := domain.ParseLang(r.Args)
	if !ok {
		b.reply(ctx, r.ChatID, r.T("lang.bad"))
		return nil
	}
	if err := b.opts.Staff.SetStaffLang(ctx, r.Staff.ID, lang); err != nil {
		return err
	}
	r.Staff.Lang, r.Lang = lang, lang
	b.reply(ctx, r.ChatID, r.T("lang.ok"))
	b.publishCommands(ctx, r.Staff)
	return nil
}

// handleInvite creates (or re-invites) a staff member and answers with the
// one-time code and deep link to pass on: /invite NAME ROLES.
func (b *Bot) handleInvite(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) < 2 {
		return errUsage
	}
	roles, err := domain.ParseRoles(f[len(f)-1])
	if err != nil {
		return err
	}
	name := strings.Join(f[:len(f)-1], " ")
	out, err := b.opts.Staff.Invite(ctx, r.Staff.ID, name, roles)
	if err != nil {
		return err
	}
	s, inv := out.Staff, out.Invite
	b.log.Info("staff invited", slog.Int64("staff_id", s.ID), slog.Int64("by_staff_id", out.By.ID))
	b.reply(ctx, r.ChatID, r.T("invite.ok", s.Name, roleNames(r.Lang, s.Roles), inv.Code,
		b.InviteLink(inv.Code), b.formatTime(s.StoreID, inv.ExpiresAt)))
	return nil
}

// handleStaff lists the staff; admins also see deactivated members.
func (b *Bot) handleStaff(ctx context.Context, r *Request) error {
	all, err := b.opts.Staff.VisibleStaff(ctx, r.Staff.ID)
	if err != nil {
		return err
	}
	lines := []string{r.T("staff.header", len(all))}
	for _, s := range all {
		status := "staff.enrolled"
		switch {
		case !s.Active:
			status = "staff.inactive"
		case !s.Enrolled():
			status = "staff.pending"
		}
		roles := roleNames(r.Lang, s.Roles)
		if s.Department != "" {
			roles += " · " + s.Department
		}
		lines = append(lines, r.T("staff.line", s.Name, roles, r.T(status)))
	}
	b.reply(ctx, r.ChatID, strings.Join(lines, "\n"))
	return nil
}

// handleDeactivate blocks a staff member at once: /deactivate NAME.
func (b *Bot) handleDeactivate(ctx context.Context, r *Request) error {
	name := strings.TrimSpace(r.Args)
	if name == "" {
		return errUsage
	}
	out, err := b.opts.Staff.Deactivate(ctx, r.Staff.ID, name)
	if err != nil {
		return err
	}
	s := out.Staff
	if out.Already {
		b.reply(ctx, r.ChatID, r.T("deactivate.already", s.Name))
		return nil
	}
	b.log.Info("staff deactivated", slog.Int64("staff_id", s.ID), slog.Int64("by_staff_id", out.By.ID))
	b.reply(ctx, r.ChatID, r.T("deactivate.ok", s.Name))
	if s.Enrolled() {
		b.clearCommands(ctx, s.TelegramID)
	}
	return nil
}

// handleDept puts a staff member in a department (R2.3): /dept 李主管 销售部
// (or "-" for none). A complaint of the department defaults to its
// supervisor, and escalates within it.
func (b *Bot) handleDept(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) < 2 {
		return errUsage
	}
	dept := f[len(f)-1]
	if dept == "-" {
		dept = ""
	}
	s, err := b.opts.Staff.SetDepartment(ctx, r.Staff.ID, strings.Join(f[:len(f)-1], " "), dept)
	if err != nil {
		return err
	}
	if dept == "" {
		dept = "-"
	}
	b.reply(ctx, r.ChatID, r.T("dept.ok", s.Name, dept))
	return nil
}

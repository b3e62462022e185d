package domain

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen is the longest staff name accepted, in characters.
const MaxNameLen = 32

// Staff is a person of the store who uses the bot. TelegramID is zero until
// they redeem an invite; an inactive member is refused like a stranger.
type Staff struct {
	ID int64
	// StoreID is the store the person works in (Store.ID). A group role's
	// is the store it chose last with /store, where it acts.
	StoreID    int64
	Name       string
	Roles      Roles
	TelegramID int64
	Lang       Lang
	Department string // one of rules.complaints.departments, "" if none
	Active     bool
	CreatedAt  time.Time
}

// Enrolled reports whether a Telegram account is bound to the record.
func (s *Staff) Enrolled() bool { return s.TelegramID != 0 }

// NormalizeName trims and folds inner white space of a staff name and checks
// it: not empty, at most MaxNameLen characters, printable.
func NormalizeName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return "", Errorkf(EINVALID, "err.name_empty", nil, "name is empty")
	case utf8.RuneCountInString(name) > MaxNameLen:
		return "", Errorkf(EINVALID, "err.name_long", []any{MaxNameLen}, "name is longer than %d characters", MaxNameLen)
	case !utf8.ValidString(name) || strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return "", Errorkf(EINVALID, "err.name_bad", nil, "name has characters that cannot be printed")
	}
	return name, nil
}

// NormalizeCustomerName is NormalizeName for a customer, who is known by
// name and phone: a name that is itself a phone number was typed in the
// wrong place, and is refused rather than stored as the name.
func NormalizeCustomerName(name string) (string, error) {
	name, err := NormalizeName(name)
	if err != nil {
		return "", err
	}
	if _, err := NormalizePhone(name); err == nil {
		return "", Errorkf(EINVALID, "err.name_phone", []any{name}, "name %q is a phone number", name)
	}
	return name, nil
}

// Validate checks a staff record before it is stored.
func (s *Staff) Validate() error {
	name, err := NormalizeName(s.Name)
	if err != nil {
		return err
	}
	s.Name = name
	if len(s.Roles) == 0 {
		return Errorkf(EINVALID, "err.role_none", []any{JoinRoles(AllRoles)}, "at least one role is required")
	}
	for _, r := range s.Roles {
		if !r.Valid() {
			return Errorkf(EINVALID, "err.role_unknown", []any{string(r), JoinRoles(AllRoles)}, "unknown role %q", r)
		}
	}
	s.Roles = s.Roles.normalize()
	if s.Lang == "" {
		s.Lang = LangZH
	}
	return nil
}

// Reachable keeps the staff who can be told anything: active and enrolled
// in the chat.
func Reachable(staff []*Staff) []*Staff {
	var out []*Staff
	for _, s := range staff {
		if s.Active && s.Enrolled() {
			out = append(out, s)
		}
	}
	return out
}

// Tellable returns s when they must hear of an act by actorID: reachable
// (active and enrolled) and not the actor, who knows what they did; nil
// otherwise (nil too for a nil s).
func Tellable(s *Staff, actorID int64) *Staff {
	if s == nil || s.ID == actorID || !s.Active || !s.Enrolled() {
		return nil
	}
	return s
}

// InDepartmentOrAll keeps the staff of dept; when dept has none of them,
// all of them (a store without departments, or a department without that
// role).
func InDepartmentOrAll(staff []*Staff, dept string) []*Staff {
	var mine []*Staff
	for _, s := range staff {
		if s.Department == dept {
			mine = append(mine, s)
		}
	}
	if len(mine) == 0 {
		return staff
	}
	return mine
}

// Console stands, as the "by" of a StaffService call, for the operator at
// the server's console (`dealerbot staff add|list`): whoever can run the
// CLI can open the database, so they act as an administrator. No staff
// record has this id (stored ids are positive), so no chat message can
// claim it.
const Console int64 = -1

// ConsoleOperator is the administrator that Console acts as. Its StoreID
// is 0 (the default store); the service sets the store of ConsoleIn.
func ConsoleOperator() *Staff {
	return &Staff{ID: Console, Name: "console", Roles: Roles{RoleAdmin}, Lang: LangZH, Active: true}
}

// ConsoleIn stands, as a "by", for the console's operator acting in store
// (`dealerbot staff add --store CODE`, a job of one store): store 0 is
// Console, which acts in the default store. Like Console, no staff record
// has such an id (they are all negative).
func ConsoleIn(store int64) int64 {
	if store <= 0 {
		return Console
	}
	return Console - store
}

// ConsoleStore reports whether by is Console or a ConsoleIn, and the store
// it acts in (0: the default store).
func ConsoleStore(by int64) (store int64, ok bool) {
	if by > Console {
		return 0, false
	}
	return Console - by, true
}

// Who may administer the staff: the roles of /invite and /deactivate,
// of /dept, and of /staff.
var (
	StaffAdminRoles       = []Role{RoleAdmin}
	DepartmentSetterRoles = []Role{RoleAdmin, RoleManager}
	StaffListerRoles      = []Role{RoleSupervisor, RoleManager, RoleGM, RoleAdmin}
	// StoreChooserRoles are the group roles: /store picks the store they
	// act in.
	StoreChooserRoles = GroupRoles
)

// errForbidden is the EFORBIDDEN of a staff member acting beyond their roles.
func errForbidden(by *Staff, what string) error {
	return Errorkf(EFORBIDDEN, "err.forbidden", nil, "staff %d may not %s", by.ID, what)
}

// mayAct returns nil when by is active and holds one of roles.
func mayAct(by *Staff, roles []Role, what string) error {
	if !by.Active || !by.Roles.HasAny(roles...) {
		return errForbidden(by, what)
	}
	return nil
}

// CanAdministerStaff returns nil when by may invite, re-invite and
// deactivate staff: an active admin. EFORBIDDEN (err.forbidden) otherwise.
func CanAdministerStaff(by *Staff) error { return mayAct(by, StaffAdminRoles, "administer staff") }

// CanDeactivate returns nil when by may deactivate s: an active admin, and
// not s themselves. EFORBIDDEN (err.forbidden), EINVALID
// (err.self_deactivate).
func CanDeactivate(by, s *Staff) error {
	if err := CanAdministerStaff(by); err != nil {
		return err
	}
	if by.ID == s.ID {
		return Errorkf(EINVALID, "err.self_deactivate", nil, "cannot deactivate oneself")
	}
	return nil
}

// CanSetDepartment returns nil when by may put staff in a department
// (R2.3): an active admin or manager. EFORBIDDEN (err.forbidden).
func CanSetDepartment(by *Staff) error {
	return mayAct(by, DepartmentSetterRoles, "set departments")
}

// CanListStaff returns nil when by may see the staff list: an active
// supervisor, manager, GM or admin. EFORBIDDEN (err.forbidden).
func CanListStaff(by *Staff) error { return mayAct(by, StaffListerRoles, "list staff") }

// CanChooseStore returns nil when by may choose the store it acts in
// (/store): an active holder of a group role. EFORBIDDEN (err.forbidden).
func CanChooseStore(by *Staff) error {
	if !by.Active || !by.Roles.Group() {
		return errForbidden(by, "choose a store")
	}
	return nil
}

// SeesInactiveStaff reports whether by's staff list shows the deactivated
// members too: only an admin's does, who may invite them back.
func SeesInactiveStaff(by *Staff) bool { return by.Roles.HasAny(StaffAdminRoles...) }

// ValidDepartment returns nil when dept is "" (none) or one of departments
// (rules.complaints.departments). EINVALID (err.department_bad) otherwise.
func ValidDepartment(dept string, departments []string) error {
	if dept == "" || slices.Contains(departments, dept) {
		return nil
	}
	return Errorkf(EINVALID, "err.department_bad", []any{dept, strings.Join(departments, " ")}, "no department %q", dept)
}

// StaffService invites, enrols and administers the staff; chat, the CLI
// and tests call the same methods. A "by" is the id of the staff member
// who asks, or Console; who may do what is checked inside. Each method is
// one transaction, or joins the caller's.
type StaffService interface {
	// StaffByTelegramID returns the member bound to a Telegram account:
	// the active one, or else the latest deactivated one. ENOTFOUND.
	StaffByTelegramID(ctx context.Context, telegramID int64) (*Staff, error)

	// StaffWithRole returns the active holders of r in store, enrolled or
	// not, ordered by name (Reachable keeps those who can be told). Group
	// roles are not holders of the role they act as: those told are the
	// store's own people. EINVALID (err.role_unknown).
	StaffWithRole(ctx context.Context, store int64, r Role) ([]*Staff, error)

	// MemberBlocked says who must hear that member id blocked the bot
	// (once per blocking, in the transaction that marks their chat
	// blocked): the reachable holders of the role that approves their
	// requests (ApproverRole: the supervisors, or for a supervisor and
	// above the managers), never the member themselves. ENOTFOUND
	// (err.staff_not_found).
	MemberBlocked(ctx context.Context, id int64) (*StaffBlocked, error)

	// Invite prepares name for enrolment in by's store (ConsoleIn: the
	// console's) with roles and a new invite valid for the store's
	// rules.staff.invite_ttl: a new name becomes an active, unenrolled
	// member; a member of the store not enrolled, or deactivated, gets
	// the roles back and their earlier unused invites stop working.
	// EFORBIDDEN (err.forbidden: by is no admin), EINVALID (err.name_empty,
	// err.name_long, err.name_bad, err.role_none, err.role_unknown,
	// err.invalid), ECONFLICT (err.staff_enrolled, err.staff_exists).
	Invite(ctx context.Context, by int64, name string, roles Roles) (*StaffInvited, error)

	// RedeemInvite binds telegramID to the member the code was made for
	// and returns them, enrolled: the one to greet. lang, the person's
	// Telegram language, is recorded unless one was chosen before.
	// ENOTFOUND (err.invite_unknown), EFORBIDDEN (err.invite_unknown: the
	// member was deactivated), EINVALID (err.invite_expired, err.invalid),
	// ECONFLICT (err.invite_used, err.telegram_bound).
	RedeemInvite(ctx context.Context, code string, telegramID int64, lang Lang) (*Staff, error)

	// Deactivate blocks member name at once; deactivating an inactive
	// member changes nothing (StaffDeactivated.Already). EFORBIDDEN
	// (err.forbidden), ENOTFOUND (err.staff_not_found), EINVALID
	// (err.self_deactivate, err.name_empty, err.name_long, err.name_bad).
	Deactivate(ctx context.Context, by int64, name string) (*StaffDeactivated, error)

	// SetDepartment puts member name in dept, one of
	// rules.complaints.departments, or in none for "" (R2.3), and returns
	// them as they are now. EFORBIDDEN (err.forbidden), EINVALID
	// (err.department_bad, err.name_*), ENOTFOUND (err.staff_not_found).
	SetDepartment(ctx context.Context, by int64, name, dept string) (*Staff, error)

	// SetStaffLang records the language member id chose for themselves.
	// EINVALID (err.invalid), ENOTFOUND (err.staff_not_found).
	SetStaffLang(ctx context.Context, id int64, lang Lang) error

	// VisibleStaff returns the staff list of by's store as by may see
	// it, ordered by name: the active members, and for an admin the
	// deactivated too. EFORBIDDEN (err.forbidden).
	VisibleStaff(ctx context.Context, by int64) ([]*Staff, error)

	// ChooseStore makes the store with code the one group role by acts
	// in (Staff.StoreID), and returns by as it is now and the store;
	// choosing the current store changes nothing. EFORBIDDEN
	// (err.forbidden: not a group role), EINVALID (err.store_unknown,
	// naming the known codes).
	ChooseStore(ctx context.Context, by int64, code string) (*StoreChosen, error)
}

// StoreChosen is what ChooseStore did: the group member, now acting in
// Store, and whether it acted there already.
type StoreChosen struct {
	Staff   *Staff
	Store   *Store
	Already bool
}

// StaffInvited is what Invite did: the member as invited, their new
// invite, and who invited them (ConsoleOperator for the CLI), who must be
// given the code to pass on.
type StaffInvited struct {
	Staff  *Staff
	Invite *Invite
	By     *Staff
}

// StaffDeactivated is what Deactivate did: the member, inactive now, and
// who deactivated them. Already says they were inactive before and nothing
// changed; otherwise an enrolled member's chat must lose its menu.
type StaffDeactivated struct {
	Staff   *Staff
	By      *Staff
	Already bool
}

// StaffBlocked is what MemberBlocked found: the member who blocked the
// bot and whom to Tell (none when nobody is reachable).
type StaffBlocked struct {
	Staff *Staff
	Tell  []*Staff
}

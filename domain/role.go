package domain

import (
	"slices"
	"strings"
)

// Role is a job a staff member holds; a person may hold several.
type Role string

// The roles of a store's sales department (see DOMAIN.md's glossary).
const (
	RoleTelesales  Role = "telesales"  // 电销员: works leads by phone before they visit
	RoleConsultant Role = "consultant" // 销售顾问: sells face to face in the showroom
	RoleReception  Role = "reception"  // 展厅接待: greets walk-ins
	RoleSupervisor Role = "supervisor" // 销售主管: rules disputes, approves
	RoleManager    Role = "manager"    // 部门经理: second step of escalation
	RoleGM         Role = "gm"         // 总经理: last step of escalation
	RoleService    Role = "service"    // 客服中心: complaint follow-up and surveys
	RoleAdmin      Role = "admin"      // runs the bot: invites and deactivates staff
	// RoleStockKeeper keeps the stock ledger (R3.1): imports the dispatch
	// list, receives and inspects cars.
	RoleStockKeeper Role = "stock_keeper" // 库管员

	// The group office's roles see every store of the group and act in the
	// one they choose with /store, as the store's own gm or service centre.
	RoleGroupGM      Role = "group_gm"      // 集团总经理
	RoleGroupService Role = "group_service" // 集团客服中心
)

// groupImplies is what a group role holds in the store it has chosen.
var groupImplies = map[Role]Role{RoleGM: RoleGroupGM, RoleService: RoleGroupService}

// GroupRoles are the roles that see every store.
var GroupRoles = []Role{RoleGroupGM, RoleGroupService}

// AllRoles lists every role in a stable order (the order /help and /staff use).
var AllRoles = []Role{
	RoleTelesales, RoleConsultant, RoleReception, RoleSupervisor,
	RoleManager, RoleGM, RoleService, RoleAdmin, RoleStockKeeper, RoleGroupGM, RoleGroupService,
}

// roleNamesZH lets staff type roles in Chinese, as the regulation names them.
var roleNamesZH = map[string]Role{
	"电销员": RoleTelesales, "电话营销员": RoleTelesales, "电销": RoleTelesales,
	"销售顾问": RoleConsultant, "直销员": RoleConsultant, "顾问": RoleConsultant,
	"展厅接待": RoleReception, "接待": RoleReception,
	"销售主管": RoleSupervisor, "主管": RoleSupervisor,
	"部门经理": RoleManager, "经理": RoleManager,
	"总经理":  RoleGM,
	"客服中心": RoleService, "客服": RoleService,
	"管理员": RoleAdmin,
	"库管员": RoleStockKeeper, "库管": RoleStockKeeper, "仓库管理员": RoleStockKeeper,
	"集团总经理": RoleGroupGM, "集团客服中心": RoleGroupService, "集团客服": RoleGroupService,
}

// Valid reports whether r is one of AllRoles.
func (r Role) Valid() bool { return slices.Contains(AllRoles, r) }

// Roles is a set of roles, kept sorted in AllRoles order without repeats.
type Roles []Role

// ParseRoles reads a comma-separated list such as "manager,admin". Empty
// items and repeats are dropped; an unknown role is an EINVALID error naming it.
func ParseRoles(s string) (Roles, error) {
	var rs Roles
	for _, item := range strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == '，' || c == '、' || c == ' ' }) {
		r := Role(strings.ToLower(strings.TrimSpace(item)))
		if alias, ok := roleNamesZH[strings.TrimSpace(item)]; ok {
			r = alias
		}
		if !r.Valid() {
			return nil, Errorkf(EINVALID, "err.role_unknown", []any{item, JoinRoles(AllRoles)},
				"unknown role %q (known: %s)", item, JoinRoles(AllRoles))
		}
		rs = append(rs, r)
	}
	if len(rs) == 0 {
		return nil, Errorkf(EINVALID, "err.role_none", []any{JoinRoles(AllRoles)}, "at least one role is required")
	}
	return rs.normalize(), nil
}

func (rs Roles) normalize() Roles {
	out := make(Roles, 0, len(rs))
	for _, r := range AllRoles {
		if slices.Contains(rs, r) {
			out = append(out, r)
		}
	}
	return out
}

// Has reports whether the set holds r, or the group role that acts as r
// in its chosen store (group_gm as gm, group_service as service).
func (rs Roles) Has(r Role) bool {
	return slices.Contains(rs, r) || groupImplies[r] != "" && slices.Contains(rs, groupImplies[r])
}

// Group reports whether the set holds a group role: its holder sees every
// store and chooses the one it acts in (/store).
func (rs Roles) Group() bool {
	return slices.ContainsFunc(rs, func(r Role) bool { return slices.Contains(GroupRoles, r) })
}

// HasAny reports whether the set holds at least one of want. An empty want
// means "anyone": it returns true.
func (rs Roles) HasAny(want ...Role) bool {
	if len(want) == 0 {
		return true
	}
	for _, r := range want {
		if rs.Has(r) {
			return true
		}
	}
	return false
}

// String joins the roles with commas, the form ParseRoles reads.
func (rs Roles) String() string { return JoinRoles(rs) }

// JoinRoles joins roles with commas.
func JoinRoles(rs []Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ",")
}

// ApproverRole is who rules on a staff member's request (a lost lead,
// R1.6) and hears about their problems (a blocked bot): the supervisors, or
// for a supervisor or above, the managers.
func ApproverRole(requester Roles) Role {
	if requester.HasAny(RoleSupervisor, RoleManager, RoleGM) {
		return RoleManager
	}
	return RoleSupervisor
}

package domain

import "testing"

// memberWith is an active member with id and roles, for the rules' tables.
func memberWith(id int64, roles ...Role) *Staff {
	return &Staff{ID: id, Name: "s", Roles: roles, Active: true}
}

func TestStaffAdministrationRules(t *testing.T) {
	inactiveAdmin := memberWith(9, RoleAdmin)
	inactiveAdmin.Active = false
	for _, tc := range []struct {
		name                     string
		by                       *Staff
		invite, dept, list, sees bool
	}{
		{"Admin", memberWith(1, RoleAdmin), true, true, true, true},
		{"Console", ConsoleOperator(), true, true, true, true},
		{"Manager", memberWith(2, RoleManager), false, true, true, false},
		{"GM", memberWith(3, RoleGM), false, false, true, false},
		{"Supervisor", memberWith(4, RoleSupervisor), false, false, true, false},
		{"Consultant", memberWith(5, RoleConsultant), false, false, false, false},
		{"Telesales", memberWith(6, RoleTelesales, RoleReception, RoleService), false, false, false, false},
		{"InactiveAdmin", inactiveAdmin, false, false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range []struct {
				rule string
				err  error
				want bool
			}{
				{"CanAdministerStaff", CanAdministerStaff(tc.by), tc.invite},
				{"CanSetDepartment", CanSetDepartment(tc.by), tc.dept},
				{"CanListStaff", CanListStaff(tc.by), tc.list},
			} {
				if c.want && c.err != nil || !c.want && ErrorCode(c.err) != EFORBIDDEN {
					t.Errorf("%s = %v, want allowed %v", c.rule, c.err, c.want)
				}
			}
			if got := SeesInactiveStaff(tc.by); got != tc.sees {
				t.Errorf("SeesInactiveStaff = %v, want %v", got, tc.sees)
			}
		})
	}
}

func TestCanDeactivate(t *testing.T) {
	admin, chen := memberWith(1, RoleManager, RoleAdmin), memberWith(2, RoleConsultant)
	for _, tc := range []struct {
		name      string
		by, s     *Staff
		code, key string
	}{
		{"OK", admin, chen, "", ""},
		{"OKFromConsole", ConsoleOperator(), admin, "", ""},
		{"ErrSelf", admin, admin, EINVALID, "err.self_deactivate"},
		{"ErrNoAdmin", memberWith(3, RoleManager, RoleGM), chen, EFORBIDDEN, "err.forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CanDeactivate(tc.by, tc.s)
			var key string
			if e, ok := err.(*Error); ok {
				key = e.Key
			}
			if ErrorCode(err) != tc.code || key != tc.key {
				t.Errorf("CanDeactivate = %v, want %s %s", err, tc.code, tc.key)
			}
		})
	}
}

func TestValidDepartment(t *testing.T) {
	depts := []string{"销售部", "客服部"}
	for _, tc := range []struct {
		dept string
		ok   bool
	}{
		{"", true}, {"销售部", true}, {"客服部", true}, {"财务部", false}, {"-", false},
	} {
		err := ValidDepartment(tc.dept, depts)
		if tc.ok != (err == nil) || !tc.ok && ErrorCode(err) != EINVALID {
			t.Errorf("ValidDepartment(%q) = %v, want ok %v", tc.dept, err, tc.ok)
		}
	}
	if err := ValidDepartment("x", nil); ErrorCode(err) != EINVALID {
		t.Errorf("no departments configured: %v", err)
	}
}

func TestReachableAndInDepartmentOrAll(t *testing.T) {
	a := &Staff{ID: 1, Active: true, TelegramID: 11, Department: "销售部"}
	b := &Staff{ID: 2, Active: true, TelegramID: 12}
	unenrolled := &Staff{ID: 3, Active: true, Department: "销售部"}
	inactive := &Staff{ID: 4, TelegramID: 14, Department: "销售部"}
	ids := func(list []*Staff) (out []int64) {
		for _, s := range list {
			out = append(out, s.ID)
		}
		return out
	}
	if got := ids(Reachable([]*Staff{a, b, unenrolled, inactive})); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("Reachable = %v", got)
	}
	for _, tc := range []struct {
		dept string
		want int
	}{
		{"销售部", 1}, {"", 1}, {"客服部", 2},
	} {
		if got := InDepartmentOrAll([]*Staff{a, b}, tc.dept); len(got) != tc.want {
			t.Errorf("InDepartmentOrAll(%q) = %v, want %d", tc.dept, ids(got), tc.want)
		}
	}
}

func TestTellable(t *testing.T) {
	owner := &Staff{ID: 1, Active: true, TelegramID: 11}
	for _, tc := range []struct {
		name  string
		s     *Staff
		actor int64
		want  bool
	}{
		{"another's act", owner, 2, true},
		{"their own act", owner, 1, false},
		{"not enrolled", &Staff{ID: 3, Active: true}, 2, false},
		{"deactivated", &Staff{ID: 4, TelegramID: 14}, 2, false},
		{"nobody", nil, 2, false},
	} {
		if got := Tellable(tc.s, tc.actor); (got != nil) != tc.want || (got != nil && got != tc.s) {
			t.Errorf("%s: Tellable = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	for _, tc := range []struct{ in, want, code string }{
		{"  王  经理 ", "王 经理", ""},
		{"A<B&C", "A<B&C", ""},
		{"", "", EINVALID},
		{"   ", "", EINVALID},
		{"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三", "", EINVALID},
		{"bad\x00name", "", EINVALID},
	} {
		got, err := NormalizeName(tc.in)
		if ErrorCode(err) != tc.code || (err == nil && got != tc.want) {
			t.Errorf("NormalizeName(%q) = %q, %v", tc.in, got, err)
		}
	}
}

package domain

import "testing"

func TestParseRoles(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		code     string
	}{
		{"manager,admin", "manager,admin", ""},
		{"admin, manager ,admin", "manager,admin", ""},
		{"销售顾问、电销员", "telesales,consultant", ""},
		{"Consultant", "consultant", ""},
		{"administrator", "", EINVALID},
		{"admin,boss", "", EINVALID},
		{"", "", EINVALID},
		{" , ", "", EINVALID},
	} {
		rs, err := ParseRoles(tc.in)
		if ErrorCode(err) != tc.code {
			t.Errorf("ParseRoles(%q) error %v, want code %q", tc.in, err, tc.code)
			continue
		}
		if err == nil && rs.String() != tc.want {
			t.Errorf("ParseRoles(%q) = %s, want %s", tc.in, rs, tc.want)
		}
	}
}

func TestRoles_HasAny(t *testing.T) {
	rs := Roles{RoleConsultant}
	if !rs.HasAny() {
		t.Error("no roles required: everyone may")
	}
	if rs.HasAny(RoleManager, RoleAdmin) {
		t.Error("consultant has manager or admin")
	}
	if !rs.HasAny(RoleManager, RoleConsultant) {
		t.Error("consultant lacks consultant")
	}
}

func TestR1_6_ApproverRole(t *testing.T) {
	for _, tc := range []struct {
		who  Roles
		want Role
	}{
		{Roles{RoleConsultant}, RoleSupervisor},
		{Roles{RoleTelesales}, RoleSupervisor},
		{Roles{RoleSupervisor}, RoleManager},
		{Roles{RoleConsultant, RoleSupervisor}, RoleManager},
	} {
		if got := ApproverRole(tc.who); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.who, got, tc.want)
		}
	}
}

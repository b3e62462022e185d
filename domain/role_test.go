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

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"zh": LangZH, "zh-hans": LangZH, "EN": LangEN, "en-US": LangEN} {
		if got, ok := ParseLang(in); !ok || got != want {
			t.Errorf("ParseLang(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := ParseLang("fr"); ok {
		t.Error("fr accepted")
	}
	if LangFromTelegram("ru") != LangZH || LangFromTelegram("en") != LangEN {
		t.Error("LangFromTelegram default wrong")
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

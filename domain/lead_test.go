package domain

import "testing"

func TestR1_2_CustomerNameIsNotAPhone(t *testing.T) {
	for _, name := range []string{"13800138000", "138-0013-8000", "+86 138 0013 8000", "010-12345678"} {
		if _, err := NormalizeCustomerName(name); ErrorCode(err) != EINVALID {
			t.Errorf("name %q accepted", name)
		}
		l := Lead{Name: name, Phone: "13900139000", Model: "轩逸", Source: SourceCall}
		if err := l.ValidateNew(); ErrorCode(err) != EINVALID {
			t.Errorf("new lead named %q accepted", name)
		}
		if err := l.Validate(); err != nil {
			t.Errorf("a stored lead named %q no longer validates: %v", name, err)
		}
	}
	for _, name := range []string{"王石", "客户01", "A<b>&C🚗", "12345"} {
		if got, err := NormalizeCustomerName(name); err != nil || got != name {
			t.Errorf("NormalizeCustomerName(%q) = %q, %v", name, got, err)
		}
	}
}

func TestR1_2_NormalizeSearch(t *testing.T) {
	for in, want := range map[string]string{"王": "王", "王\x00": "王", "\x01王 大\t": "王 大", "138\x00 0013": "138 0013"} {
		if got, err := NormalizeSearch(in); err != nil || got != want {
			t.Errorf("NormalizeSearch(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", " ", "\x00", "\x01", "\x00\x1f\x7f"} {
		if _, err := NormalizeSearch(in); ErrorCode(err) != EINVALID {
			t.Errorf("NormalizeSearch(%q) accepted", in)
		}
	}
}

func TestR1_5_OnlyLNeedsConfirmAndOnlyLFReopen(t *testing.T) {
	for _, g := range []Grade{GradeN, GradeH, GradeA, GradeB, GradeC, GradeO, GradeD, GradeF, GradeL} {
		if g.NeedsConfirm() != (g == GradeL) {
			t.Errorf("%s needs confirm: %v", g, g.NeedsConfirm())
		}
		if g.Reopenable() != (g == GradeL || g == GradeF) {
			t.Errorf("%s reopenable: %v", g, g.Reopenable())
		}
		if g.Reopenable() && g.Open() {
			t.Errorf("%s is open and reopenable", g)
		}
	}
	if !CanReopenLead(&Staff{Roles: Roles{RoleSupervisor}}) || CanReopenLead(&Staff{Roles: Roles{RoleConsultant}}) {
		t.Error("reopen is for supervisors")
	}
}

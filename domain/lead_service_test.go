package domain

import "testing"

func TestParseLeadRef(t *testing.T) {
	for _, c := range []struct {
		in   string
		want LeadRef
		err  string
	}{
		{"17", LeadRef{ID: 17}, ""},
		{" #17", LeadRef{ID: 17}, ""},
		{"13800138000", LeadRef{Phone: "13800138000"}, ""},
		{"0", LeadRef{}, EINVALID},
		{"abc", LeadRef{}, EINVALID},
	} {
		got, err := ParseLeadRef(c.in)
		if ErrorCode(err) != c.err && !(c.err == "" && err == nil) || got != c.want {
			t.Errorf("%q: %+v, %v", c.in, got, err)
		}
	}
}

func TestCutGradeMarker(t *testing.T) {
	for _, c := range []struct {
		in, note string
		grade    Grade
		err      string
	}{
		{"想买奔驰 C", "想买奔驰 C", "", ""},
		{"回电 级别=A 下周来", "回电  下周来", GradeA, ""},
		{"grade＝b", "", GradeB, ""},
		{"级别=A 级别=B", "", "", EINVALID},
		{"级别=Z", "", "", EINVALID},
	} {
		note, g, err := CutGradeMarker(c.in)
		if c.err != "" {
			if ErrorCode(err) != c.err {
				t.Errorf("%q: %v", c.in, err)
			}
			continue
		}
		if err != nil || note != c.note || g != c.grade {
			t.Errorf("%q: %q %q %v", c.in, note, g, err)
		}
	}
}

func TestCanReopen(t *testing.T) {
	sup := &Staff{ID: 1, Roles: Roles{RoleSupervisor}}
	tel := &Staff{ID: 2, Roles: Roles{RoleTelesales}}
	if err := CanReopen(sup, &Lead{Grade: GradeF}); err != nil {
		t.Error(err)
	}
	if ErrorCode(CanReopen(tel, &Lead{Grade: GradeF})) != EFORBIDDEN || ErrorCode(CanReopen(sup, &Lead{Grade: GradeA})) != EINVALID {
		t.Error("reopen checks")
	}
}

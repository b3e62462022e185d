package domain

import "testing"

func TestR1_2_NormalizePhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"13800138000", "13800138000"},
		{"138 0013 8000", "13800138000"},
		{"138-0013-8000", "13800138000"},
		{"+86 138 0013 8000", "13800138000"},
		{"0086-13800138000", "13800138000"},
		{"8613800138000", "13800138000"},
		{"１３８００１３８０００", "13800138000"},
		{"010-12345678", "01012345678"},
		{"(0755) 8765-4321", "075587654321"},
		{"0571-8888888", "05718888888"},
	} {
		got, err := NormalizePhone(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "12345", "12800138000", "1380013800", "138001380001", "abc", "138O0138000", "00123456789", "+1 415 555 0100", "13800138000x"} {
		if _, err := NormalizePhone(bad); ErrorCode(err) != EINVALID {
			t.Errorf("NormalizePhone(%q) accepted", bad)
		}
	}
}

func TestR1_2_MaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000":  "138****8000",
		"01012345678":  "010****5678",
		"075587654321": "0755****4321",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

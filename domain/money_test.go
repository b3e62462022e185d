package domain_test

import (
	"testing"

	"github.com/dealerbot/dealerbot/domain"
)

func TestR4_1_ParseMoney(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"128000", 12800000},
		{"128,000", 12800000},
		{"128000.5", 12800050},
		{"128,000.55", 12800055},
		{"¥128,000.00", 12800000},
		{"12.8万", 12800000},
		{"12.80005万", 12800050},
		{"3万", 3000000},
		{"0.01", 1},
		{" 5000元 ", 500000},
	} {
		t.Run("OK/"+tc.in, func(t *testing.T) {
			got, err := domain.ParseMoney(tc.in, false)
			if err != nil || got != tc.want {
				t.Fatalf("ParseMoney(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
	for _, in := range []string{"", "-5", "−5", "abc", "12.345", "1.2.3", "12.8千", ".5", "5.", "0.0000001万", "99999999999", "0", "0.00"} {
		t.Run("ErrInvalid/"+in, func(t *testing.T) {
			if _, err := domain.ParseMoney(in, false); domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("ParseMoney(%q) = %v, want EINVALID", in, err)
			}
		})
	}
	t.Run("ZeroAllowed", func(t *testing.T) {
		if got, err := domain.ParseMoney("0", true); err != nil || got != 0 {
			t.Fatalf("got %d, %v", got, err)
		}
	})
}

func TestR4_1_FormatFen(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{12800000, "¥128,000.00"},
		{12800055, "¥128,000.55"},
		{1, "¥0.01"},
		{0, "¥0.00"},
		{100000000, "¥1,000,000.00"},
		{99900, "¥999.00"},
		{-50, "-¥0.50"},
	} {
		if got := domain.FormatFen(tc.in); got != tc.want {
			t.Errorf("FormatFen(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if domain.YuanToFen(2000) != 200000 {
		t.Error("YuanToFen")
	}
}

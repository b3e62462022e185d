package domain

import (
	"testing"
	"time"
)

func TestInvite_Usable(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	used := now.Add(-time.Hour)
	for _, tc := range []struct {
		name string
		inv  Invite
		code string
	}{
		{"OK", Invite{ExpiresAt: now.Add(time.Minute)}, ""},
		{"ErrExpired", Invite{ExpiresAt: now}, EINVALID},
		{"ErrUsed", Invite{ExpiresAt: now.Add(time.Hour), UsedAt: &used}, ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ErrorCode(tc.inv.Usable(now)); got != tc.code {
				t.Fatalf("code %q, want %q", got, tc.code)
			}
		})
	}
}

func TestNewInviteCode(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		c := NewInviteCode()
		if !ValidInviteCode(c) || seen[c] {
			t.Fatalf("bad or repeated code %q", c)
		}
		seen[c] = true
	}
	for _, bad := range []string{"", "abc", "AAAAAAAAAAAAAAA1", "AAAAAAAAAAAAAAAAA", "<script>AAAAAAAA"} {
		if ValidInviteCode(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

package domain

import (
	"crypto/rand"
	"encoding/base32"
	"regexp"
	"time"
)

// Invite is a one-time code that binds a Telegram account to a staff record.
type Invite struct {
	Code      string
	StaffID   int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// inviteCodeRE is the shape NewInviteCode makes; Telegram allows A-Z a-z 0-9 _ -
// in a /start payload, up to 64 characters.
var inviteCodeRE = regexp.MustCompile(`^[A-Z2-7]{16}$`)

// NewInviteCode returns a random code of 16 base32 letters (80 bits): short
// enough to type, far too many to guess.
func NewInviteCode() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base32.StdEncoding.EncodeToString(b)
}

// ValidInviteCode reports whether s has the shape of an invite code, so that
// junk is refused without a database look-up.
func ValidInviteCode(s string) bool { return inviteCodeRE.MatchString(s) }

// Usable says whether the invite can be redeemed at now: not used, not expired.
func (inv *Invite) Usable(now time.Time) error {
	switch {
	case inv.UsedAt != nil:
		return Errorkf(ECONFLICT, "err.invite_used", nil, "invite code already used")
	case !now.Before(inv.ExpiresAt):
		return Errorkf(EINVALID, "err.invite_expired", nil, "invite code expired at %s", inv.ExpiresAt.Format(time.RFC3339))
	}
	return nil
}

package domain

import (
	"strings"
	"unicode"
)

// NormalizePhone reads a phone number as staff type it and returns the
// customer's identity (R1.2): spaces, dashes, dots and brackets stripped,
// a +86 / 0086 / 86 country prefix dropped. A mainland mobile is 11 digits
// starting 1[3-9]; a landline keeps its area code: 0 followed by 9 to 11
// digits (010-12345678 → 01012345678). Anything else is EINVALID.
func NormalizePhone(s string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９': // full-width digits from a Chinese keyboard
			b.WriteRune('0' + (r - '０'))
		case r == '+' && i == 0:
			b.WriteRune('+')
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '（' || r == '）' || r == '－' || unicode.IsSpace(r):
		default:
			return "", Errorkf(EINVALID, "err.phone_bad", []any{s}, "%q is not a phone number", s)
		}
	}
	p := b.String()
	switch {
	case strings.HasPrefix(p, "+86"):
		p = p[3:]
	case strings.HasPrefix(p, "0086"):
		p = p[4:]
	case strings.HasPrefix(p, "86") && len(p) == 13:
		p = p[2:]
	}
	switch {
	case len(p) == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9':
		return p, nil
	case len(p) >= 10 && len(p) <= 12 && p[0] == '0' && p[1] != '0':
		return p, nil
	}
	return "", Errorkf(EINVALID, "err.phone_bad", []any{s}, "%q is not a phone number", s)
}

// IsMobile reports whether a normalised number is a mainland mobile.
func IsMobile(p string) bool { return len(p) == 11 && p[0] == '1' }

// MaskPhone hides the middle of a number for group chats: 138****8000;
// a landline keeps its area code and last four digits.
func MaskPhone(p string) string {
	switch {
	case IsMobile(p):
		return p[:3] + "****" + p[7:]
	case len(p) >= 10:
		area := 3
		if p[1] != '1' && p[1] != '2' { // 010, 02x have 3-digit codes; others 4
			area = 4
		}
		return p[:area] + strings.Repeat("*", len(p)-area-4) + p[len(p)-4:]
	}
	return strings.Repeat("*", len(p))
}

// LooksLikePhone reports whether s is meant as a phone number rather than a
// lead id or a name: 7 or more digits once separators are dropped.
func LooksLikePhone(s string) bool {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n >= 7
}

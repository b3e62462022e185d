package domain

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen is the longest staff name accepted, in characters.
const MaxNameLen = 32

// Lang is a language of the message catalogue.
type Lang string

// The languages the bot speaks. Chinese is the default.
const (
	LangZH Lang = "zh"
	LangEN Lang = "en"
)

// ParseLang reads "zh" or "en" (and the Telegram codes zh-hans, en-US, …).
func ParseLang(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "zh" || strings.HasPrefix(s, "zh-"):
		return LangZH, true
	case s == "en" || strings.HasPrefix(s, "en-"):
		return LangEN, true
	}
	return "", false
}

// LangFromTelegram picks the starting language from a Telegram user's
// language_code: English for English codes, Chinese for everything else.
func LangFromTelegram(code string) Lang {
	if l, ok := ParseLang(code); ok {
		return l
	}
	return LangZH
}

// Staff is a person of the store who uses the bot. TelegramID is zero until
// they redeem an invite; an inactive member is refused like a stranger.
type Staff struct {
	ID         int64
	Name       string
	Roles      Roles
	TelegramID int64
	Lang       Lang
	Department string // one of rules.complaints.departments, "" if none
	Active     bool
	CreatedAt  time.Time
}

// Enrolled reports whether a Telegram account is bound to the record.
func (s *Staff) Enrolled() bool { return s.TelegramID != 0 }

// NormalizeName trims and folds inner white space of a staff name and checks
// it: not empty, at most MaxNameLen characters, printable.
func NormalizeName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return "", Errorkf(EINVALID, "err.name_empty", nil, "name is empty")
	case utf8.RuneCountInString(name) > MaxNameLen:
		return "", Errorkf(EINVALID, "err.name_long", []any{MaxNameLen}, "name is longer than %d characters", MaxNameLen)
	case !utf8.ValidString(name) || strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return "", Errorkf(EINVALID, "err.name_bad", nil, "name has characters that cannot be printed")
	}
	return name, nil
}

// NormalizeCustomerName is NormalizeName for a customer, who is known by
// name and phone: a name that is itself a phone number was typed in the
// wrong place, and is refused rather than stored as the name.
func NormalizeCustomerName(name string) (string, error) {
	name, err := NormalizeName(name)
	if err != nil {
		return "", err
	}
	if _, err := NormalizePhone(name); err == nil {
		return "", Errorkf(EINVALID, "err.name_phone", []any{name}, "name %q is a phone number", name)
	}
	return name, nil
}

// Validate checks a staff record before it is stored.
func (s *Staff) Validate() error {
	name, err := NormalizeName(s.Name)
	if err != nil {
		return err
	}
	s.Name = name
	if len(s.Roles) == 0 {
		return Errorkf(EINVALID, "err.role_none", []any{JoinRoles(AllRoles)}, "at least one role is required")
	}
	for _, r := range s.Roles {
		if !r.Valid() {
			return Errorkf(EINVALID, "err.role_unknown", []any{string(r), JoinRoles(AllRoles)}, "unknown role %q", r)
		}
	}
	s.Roles = s.Roles.normalize()
	if s.Lang == "" {
		s.Lang = LangZH
	}
	return nil
}

// Reachable keeps the staff who can be told anything: active and enrolled
// in the chat.
func Reachable(staff []*Staff) []*Staff {
	var out []*Staff
	for _, s := range staff {
		if s.Active && s.Enrolled() {
			out = append(out, s)
		}
	}
	return out
}

// InDepartmentOrAll keeps the staff of dept; when dept has none of them,
// all of them (a store without departments, or a department without that
// role).
func InDepartmentOrAll(staff []*Staff, dept string) []*Staff {
	var mine []*Staff
	for _, s := range staff {
		if s.Department == dept {
			mine = append(mine, s)
		}
	}
	if len(mine) == 0 {
		return staff
	}
	return mine
}

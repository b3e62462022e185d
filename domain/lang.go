package domain

import "strings"

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

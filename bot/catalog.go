package bot

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"

	"github.com/dealerbot/dealerbot/domain"
)

// Every user-facing text comes from the catalogue in messages.go. A text is
// trusted HTML (Telegram's subset); its arguments are user data and are
// escaped here, so no handler ever builds HTML from input by hand.

// verbRE finds the fmt verbs of a catalogue text.
var verbRE = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

// T renders the catalogue text key in lang with args. Strings among args are
// HTML-escaped; a value of type Raw is inserted as it is. Missing
// arguments render as empty, extra ones are dropped, so a domain error whose
// arguments do not match a text still reads well. An unknown key renders as
// the key itself, which the catalogue test catches.
func T(lang domain.Lang, key string, args ...any) string {
	text, ok := messages[lang][key]
	if !ok {
		if text, ok = messages[domain.LangZH][key]; !ok {
			return html.EscapeString(key)
		}
	}
	n := len(verbRE.FindAllString(strings.ReplaceAll(text, "%%", ""), -1))
	if n == 0 {
		return text
	}
	out := make([]any, n)
	for i := range out {
		if i >= len(args) {
			out[i] = ""
			continue
		}
		out[i] = escapeArg(args[i])
	}
	return fmt.Sprintf(pluralize(text, out), out...)
}

// pluralRE finds a plural choice of a catalogue text: "{lead|leads}".
var pluralRE = regexp.MustCompile(`\{([^{}|]*)\|([^{}|]*)\}`)

// pluralize settles each plural choice "{one|other}" of text by the
// number of the nearest verb before it: "%d {lead|leads}" reads "1 lead",
// "2 leads". English needs it; Chinese texts have none.
func pluralize(text string, args []any) string {
	if !strings.Contains(text, "|") {
		return text
	}
	verbs := verbRE.FindAllStringIndex(text, -1)
	var sb strings.Builder
	last := 0
	for _, m := range pluralRE.FindAllStringSubmatchIndex(text, -1) {
		arg := -1
		for i, v := range verbs {
			if v[0] < m[0] && text[v[0]:v[1]] != "%%" {
				arg = i
			}
		}
		choice := text[m[4]:m[5]]
		if arg >= 0 && arg < len(args) && isOne(args[arg]) {
			choice = text[m[2]:m[3]]
		}
		sb.WriteString(text[last:m[0]])
		sb.WriteString(choice)
		last = m[1]
	}
	sb.WriteString(text[last:])
	return sb.String()
}

// isOne reports whether a text argument is the number 1.
func isOne(a any) bool {
	switch v := a.(type) {
	case int:
		return v == 1
	case int64:
		return v == 1
	case float64:
		return v == 1
	}
	return false
}

// Raw is HTML the bot made itself (another catalogue text, a list of
// rendered lines); T inserts it without escaping.
type Raw string

func escapeArg(a any) any {
	switch v := a.(type) {
	case Raw:
		return string(v)
	case string:
		return html.EscapeString(v)
	case fmt.Stringer:
		return html.EscapeString(v.String())
	case error:
		return html.EscapeString(v.Error())
	}
	return a
}

// roleName is a role's name in lang.
func roleName(lang domain.Lang, r domain.Role) string {
	return T(lang, "role."+string(r))
}

// errorArgs are a domain error's arguments as shown in lang. The role
// errors end with the roles by code (domain.JoinRoles), which an English
// reader types; a Chinese reader gets the Chinese names, which
// domain.ParseRoles reads as well.
func errorArgs(lang domain.Lang, de *domain.Error) []any {
	switch de.Key {
	case "err.reopen_open": // the grade by its name
		if len(de.Args) == 2 {
			if g, ok := de.Args[1].(string); ok {
				return []any{de.Args[0], T(lang, "grade."+g)}
			}
		}
	case "err.vehicle_move", "err.vehicle_mismatch", "err.vehicle_field_missing", "err.vehicle_field_long": // states, papers and columns by their names
		args := slices.Clone(de.Args)
		prefix := map[string]string{"err.vehicle_move": "vstate.", "err.vehicle_mismatch": "vmatch.",
			"err.vehicle_field_missing": "vcol.", "err.vehicle_field_long": "vcol."}[de.Key]
		for i, a := range args {
			if s, ok := a.(string); ok {
				args[i] = T(lang, prefix+s)
			}
		}
		return args
	case "err.delivery_unticked": // the unticked items by their names
		if len(de.Args) == 1 {
			if codes, ok := de.Args[0].(string); ok {
				names := strings.Split(codes, ",")
				for i, c := range names {
					names[i] = T(lang, "ditem."+c)
				}
				sep := ", "
				if lang == domain.LangZH {
					sep = "、"
				}
				return []any{strings.Join(names, sep)}
			}
		}
	case "err.no_approver": // the missing rank by its name (R4.2)
		if len(de.Args) == 1 {
			return []any{roleName(lang, domain.Role(fmt.Sprint(de.Args[0])))}
		}
	case "err.dealer_not_active": // the contract's state by its name (R4.6)
		if len(de.Args) == 2 {
			return []any{de.Args[0], T(lang, "dealer.state_"+fmt.Sprint(de.Args[1]))}
		}
	case "err.role_unknown", "err.role_none":
		if lang == domain.LangZH && len(de.Args) > 0 {
			args := slices.Clone(de.Args)
			args[len(args)-1] = roleNames(lang, domain.AllRoles)
			return args
		}
	}
	return de.Args
}

// roleNames joins the roles' names in lang.
func roleNames(lang domain.Lang, rs []domain.Role) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = roleName(lang, r)
	}
	return strings.Join(names, T(lang, "list.sep"))
}

package bot

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
)

// TestCatalog_Complete checks that both languages have every key with the
// same arguments, so no user ever sees a raw key or a %!s.
func TestCatalog_Complete(t *testing.T) {
	zh, en := messages[domain.LangZH], messages[domain.LangEN]
	for _, texts := range []map[string]string{zh, en} {
		for k, v := range texts {
			if strings.HasPrefix(v, "DUPLICATE KEY") {
				t.Errorf("key %q defined twice", k)
			}
		}
	}
	for _, pair := range [][2]map[string]string{{zh, en}, {en, zh}} {
		for k, v := range pair[0] {
			w, ok := pair[1][k]
			if !ok {
				t.Errorf("key %q missing in one language", k)
				continue
			}
			if a, b := verbRE.FindAllString(v, -1), verbRE.FindAllString(w, -1); strings.Join(a, "") != strings.Join(b, "") {
				t.Errorf("key %q: verbs %v vs %v", k, a, b)
			}
		}
	}
}

// TestCatalog_CommandsDescribed checks every built-in command has its
// description, and every one that answers with usage has its usage line.
func TestCatalog_CommandsDescribed(t *testing.T) {
	b := &Bot{byName: map[string]*Command{}, callbacks: map[string]*Callback{}}
	b.registerBuiltins()
	for _, c := range b.commands {
		for _, lang := range []domain.Lang{domain.LangZH, domain.LangEN} {
			if _, ok := messages[lang]["desc."+c.Name]; !ok {
				t.Errorf("%s: no desc.%s", lang, c.Name)
			}
		}
	}
	for _, name := range []string{"invite", "deactivate", "lang"} {
		if _, ok := messages[domain.LangEN]["usage."+name]; !ok {
			t.Errorf("no usage.%s", name)
		}
		if _, ok := messages[domain.LangEN]["example."+name]; !ok {
			t.Errorf("no example.%s", name)
		}
	}
}

func TestT_EscapesArguments(t *testing.T) {
	got := T(domain.LangEN, "staff.line", "A<b>&C", Raw("<i>x</i>"), "ok")
	if want := "• <b>A&lt;b&gt;&amp;C</b> — <i>x</i> — ok"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := T(domain.LangEN, "err.staff_not_found"); strings.Contains(got, "%!") {
		t.Fatalf("missing argument rendered as %q", got)
	}
}

func TestSplitText(t *testing.T) {
	line := strings.Repeat("字", 100) + "\n"
	text := strings.Repeat(line, 100) // 10,100 characters
	parts := splitText(text, maxMessageLen)
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	var total int
	for _, p := range parts {
		n := len([]rune(p))
		if n > maxMessageLen {
			t.Errorf("part of %d characters", n)
		}
		total += strings.Count(p, "字")
	}
	if total != 10000 {
		t.Errorf("lost text: %d characters kept", total)
	}
	escaped := strings.Repeat("a&amp;b", 2000) // one line of entities
	for _, p := range splitText(escaped, maxMessageLen) {
		if strings.HasSuffix(p, "&") || strings.HasPrefix(p, "amp;") || strings.HasPrefix(p, "mp;") || strings.HasPrefix(p, "p;") {
			t.Fatalf("entity cut in two: …%q", p[len(p)-10:])
		}
	}
	long := strings.Repeat("x", 9000)
	if parts := splitText(long, maxMessageLen); len(parts) != 3 || len(parts[0]) != maxMessageLen {
		t.Errorf("one long line split into %d parts", len(parts))
	}
}

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct{ in, name, target, args string }{
		{"/help", "help", "", ""},
		{"/Help@Dealer_Bot  a b ", "help", "Dealer_Bot", "a b"},
		{"/invite\n李娜 consultant", "invite", "", "李娜 consultant"},
	} {
		n, tg, a, ok := parseCommand(tc.in)
		if !ok || n != tc.name || tg != tc.target || a != tc.args {
			t.Errorf("parseCommand(%q) = %q %q %q %v", tc.in, n, tg, a, ok)
		}
	}
	for _, in := range []string{"hello", "/", "/@bot", ""} {
		if _, _, _, ok := parseCommand(in); ok {
			t.Errorf("%q parsed as a command", in)
		}
	}
}

// TestCatalog_EnglishCountsAgree checks that no English text puts a fixed
// plural after a count ("1 follow-ups"): a count's noun is a plural choice,
// "%d {follow-up|follow-ups}", settled by the number.
func TestCatalog_EnglishCountsAgree(t *testing.T) {
	countRE := regexp.MustCompile(`(?:^|[^#K])%(?:d|\.0f) (?:working )?([A-Za-z-]+)`) // not an id: #17, #K17
	for k, v := range messages[domain.LangEN] {
		if strings.Contains(v, "(s)") {
			t.Errorf("%s: %q has a “(s)”", k, v)
		}
		for _, m := range countRE.FindAllStringSubmatch(pluralRE.ReplaceAllString(v, "{}"), -1) {
			if w := m[1]; w == "people" || strings.HasSuffix(w, "s") && w != "is" && w != "has" && w != "was" {
				t.Errorf("%s: %q puts a plural after a count", k, v)
			}
		}
	}
	for _, c := range []struct {
		key  string
		args []any
		want string
	}{
		{"morning.ungraded", []any{1}, "⚠️ 1 lead is past"},
		{"morning.ungraded", []any{2}, "⚠️ 2 leads are past"},
		{"rota.plan_saved", []any{"2026-12", 1, 4}, "1 person, 4 days"},
		{"rota.plan_saved", []any{"2026-12", 3, 1}, "3 people, 1 day"},
		{"collision.told_a", []any{"A", 17, "B", 24.0}, "within 24 hours"},
		{"collision.told_a", []any{"A", 17, "B", 1.0}, "within 1 hour"},
		{"due.overdue", []any{"2026-12-01", 1}, "1 day overdue"},
	} {
		if got := T(domain.LangEN, c.key, c.args...); !strings.Contains(got, c.want) {
			t.Errorf("%s %v: %q lacks %q", c.key, c.args, got, c.want)
		}
	}
}

// TestCatalog_VehicleErrorsNameStates checks that a refused state change
// reads with the states' names, not their codes (R3.1).
func TestCatalog_VehicleErrorsNameStates(t *testing.T) {
	err := domain.Transition(domain.VehicleDelivered, domain.VehicleInStock, domain.TransitionFacts{})
	de := err.(*domain.Error)
	if got := T(domain.LangZH, de.Key, errorArgs(domain.LangZH, de)...); got != "车辆不能从“已交车”改为“在库”。" {
		t.Errorf("zh: %q", got)
	}
	err = domain.Transition(domain.VehicleArrived, domain.VehicleInStock, domain.TransitionFacts{PDIPassed: true, VINMatches: true, EngineMatches: true})
	de = err.(*domain.Error)
	if got := T(domain.LangEN, de.Key, errorArgs(domain.LangEN, de)...); !strings.Contains(got, "certificate of conformity does not match") {
		t.Errorf("en: %q", got)
	}
}

// TestR4_5_UntickedItemsByName: a refused delivery names the unticked
// items in the reader's language, not by their codes.
func TestR4_5_UntickedItemsByName(t *testing.T) {
	var de *domain.Error
	if !errors.As(domain.CheckDelivery(domain.DeliveryChecklist{domain.DeliveryItems[0]: true}), &de) {
		t.Fatal("no domain error")
	}
	for _, lang := range []domain.Lang{domain.LangZH, domain.LangEN} {
		got := T(lang, de.Key, errorArgs(lang, de)...)
		name := map[domain.Lang]string{domain.LangZH: "合格证", domain.LangEN: "certificate of conformity"}[lang]
		if strings.Contains(got, "ditem.") || !strings.Contains(got, name) {
			t.Errorf("%s: codes shown: %q", lang, got)
		}
	}
}

// TestCatalog_EveryWhyNamed: every reason a lead's owner, grade or pool
// changes has a name in both languages, so the lead card's history and
// /transfers never show a code such as "why.order" (an order placed or
// cancelled, R4.1/R4.4) or "why.delivery" (the lead made D, R4.5).
func TestCatalog_EveryWhyNamed(t *testing.T) {
	whys := []string{domain.WhyManual, domain.WhyFollowUp, domain.WhyLost, domain.WhyHandover, domain.WhyRuling,
		domain.WhyCleanup, domain.WhyReopen, domain.WhyOrder, domain.WhyDelivery, domain.WhyReturned}
	for _, lang := range []domain.Lang{domain.LangZH, domain.LangEN} {
		for _, w := range whys {
			if _, ok := messages[lang]["why."+w]; !ok {
				t.Errorf("%s: no name for why.%s", lang, w)
			}
		}
	}
}

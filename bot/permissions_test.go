package bot_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/bot"
	"github.com/dealerbot/dealerbot/domain"
)

// readmeCommand is one command of README's command table: who may use it,
// and the parts of it kept to fewer roles (after a ";" in the who column).
type readmeCommand struct {
	name   string
	public bool // anyone with an invite (/start)
	roles  []domain.Role
	parts  map[string][]domain.Role // "set, weekly, unset" → supervisor, manager
}

// readmeCommands reads the command table of README.md (every row of the
// "### Commands" section whose first cell names a command). The who column
// is a list of roles, "staff" (every role), "lead workers" (defined in the
// text above the table), or "same" (the row above).
func readmeCommands(t *testing.T) []readmeCommand {
	t.Helper()
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	start := strings.Index(text, "### Commands")
	if start < 0 {
		t.Fatal("README has no ### Commands section")
	}
	text = text[start:]
	if end := strings.Index(text[3:], "\n## "); end >= 0 {
		text = text[:end+3]
	}
	def := regexp.MustCompile(`\*Lead workers\* are ([^;.]+)[;.]`).FindStringSubmatch(text)
	if def == nil {
		t.Fatal("README does not say who the lead workers are")
	}
	aliases := map[string][]domain.Role{
		"staff":        domain.AllRoles,
		"all staff":    domain.AllRoles,
		"lead workers": readmeRoles(t, def[1], nil),
	}
	cell := regexp.MustCompile(`(?:[^|\\]|\\.)+`)
	cmdRE := regexp.MustCompile("`/([a-z]+)")
	var out []readmeCommand
	var prev []domain.Role
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "| `/") {
			continue
		}
		cells := cell.FindAllString(line, -1)
		if len(cells) < 3 {
			t.Fatalf("README row %q: want command | who | does", line)
		}
		who := strings.TrimSpace(cells[1])
		base, rest, _ := strings.Cut(who, ";")
		c := readmeCommand{parts: map[string][]domain.Role{}}
		switch base = strings.TrimSpace(base); base {
		case "anyone with an invite":
			c.public = true
		case "same":
			c.roles = prev
		default:
			c.roles = readmeRoles(t, base, aliases)
		}
		if rest != "" {
			label, roles, ok := strings.Cut(rest, ":")
			if !ok {
				t.Fatalf("README row %q: a part is “label: roles”", line)
			}
			c.parts[strings.TrimSpace(label)] = readmeRoles(t, roles, aliases)
		}
		prev = c.roles
		seen := map[string]bool{}
		for _, m := range cmdRE.FindAllStringSubmatch(cells[0], -1) {
			if seen[m[1]] {
				continue
			}
			seen[m[1]] = true
			cc := c
			cc.name = m[1]
			out = append(out, cc)
		}
	}
	return out
}

// readmeRoles reads "telesales, consultant and manager" (aliases allowed;
// a trailing remark in parentheses is ignored).
func readmeRoles(t *testing.T, s string, aliases map[string][]domain.Role) []domain.Role {
	t.Helper()
	s = regexp.MustCompile(`\([^)]*\)`).ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, " and ", ", ")
	var out []domain.Role
	for _, w := range strings.Split(s, ",") {
		w = strings.TrimSpace(w)
		if rs, ok := aliases[w]; ok {
			out = append(out, rs...)
			continue
		}
		rs, err := domain.ParseRoles(w)
		if err != nil {
			rs, err = domain.ParseRoles(strings.TrimSuffix(w, "s"))
		}
		if err != nil {
			t.Fatalf("README: %q is no role", w)
		}
		out = append(out, rs...)
	}
	return out
}

// partProbes are messages that use a part of a command kept to fewer
// roles, with the grant that part is in /help (desc.<command>.<grant>).
var partProbes = map[string]struct {
	grant  string
	probes []string
}{
	"rota plan":               {"plan", []string{"/rota 2026-12\n某某: 3"}},
	"duty set, weekly, unset": {"plan", []string{"/duty set 明天 开门 某某", "/duty weekly 周一 开门 某某", "/duty unset 明天 开门 某某"}},
}

// TestCommandTable_EveryRoleEveryCommand walks README's command table for
// every role: an allowed command is in the member's /help and menu and is
// not refused; any other is in neither and answers who it is for; a part
// kept to fewer roles is described and allowed only for them.
func TestCommandTable_EveryRoleEveryCommand(t *testing.T) {
	table := readmeCommands(t)
	if len(table) < 30 {
		t.Fatalf("read only %d commands from README", len(table))
	}
	h := newHarness(t)
	refusal := regexp.MustCompile(`^您无权使用 /[a-z]+，此命令仅限：`)
	denied := bot.T(domain.LangZH, "err.forbidden")
	for _, role := range domain.AllRoles {
		t.Run(string(role), func(t *testing.T) {
			u := h.enroll("员工"+string(role), string(role), "zh")
			help := h.reply(u, "/help")
			helpCmds := map[string]bool{}
			for _, m := range regexp.MustCompile(`(?m)^/([a-z]+) — `).FindAllStringSubmatch(help, -1) {
				helpCmds[m[1]] = true
			}
			menu := map[string]bool{}
			for _, c := range h.emu.Commands(&models.BotCommandScopeChat{ChatID: u.ID}, "") {
				menu[c.Command] = true
			}
			readme := map[string]bool{}
			for _, c := range table {
				readme[c.name] = true
				allowed := !c.public && slices.Contains(c.roles, role)
				if helpCmds[c.name] != allowed || menu[c.name] != allowed {
					t.Errorf("/%s: README allows it: %v; in /help: %v; in the menu: %v", c.name, allowed, helpCmds[c.name], menu[c.name])
				}
				if c.public {
					continue
				}
				msgs := h.say(u, "/"+c.name)
				refused := len(msgs) > 0 && refusal.MatchString(msgs[0].Plain)
				if refused == allowed {
					t.Errorf("/%s: README allows it: %v; answered %q", c.name, allowed, plains(msgs))
				}
				for label, roles := range c.parts {
					p, ok := partProbes[c.name+" "+label]
					if !ok {
						t.Fatalf("/%s: no probe for the part %q of README's table", c.name, label)
					}
					may := allowed && slices.Contains(roles, role)
					desc := bot.T(domain.LangZH, "desc."+c.name+"."+p.grant)
					if allowed && strings.Contains(help, "/"+c.name+" — "+desc) != may {
						t.Errorf("/%s %s: README allows it: %v; /help says %q", c.name, label, may, help)
					}
					for _, probe := range p.probes {
						got := strings.Join(plains(h.say(u, probe)), "\n")
						if strings.Contains(got, denied) == may {
							t.Errorf("%q: README allows it: %v; answered %q", probe, may, got)
						}
					}
				}
			}
			for name := range helpCmds {
				if !readme[name] {
					t.Errorf("/%s is in /help but not in README's table", name)
				}
			}
		})
	}
}

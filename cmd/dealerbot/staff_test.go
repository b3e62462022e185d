package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// TestStaffCommand_SharesTheChatsUseCase: `dealerbot staff add|list` call
// the staff service that /invite and /staff call, as the console's
// operator: the same checks, the same invite lifetime, the same list.
func TestStaffCommand_SharesTheChatsUseCase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfgPath, []byte("database:\n  path: "+filepath.Join(dir, "s.db")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(string) string { return "" }
	staff := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := runMain(ctx, append([]string{"staff"}, append(args, "--config", cfgPath)...), nil, &out, &errOut, getenv)
		return out.String(), err
	}
	codeRE := regexp.MustCompile(`Invite code: ([A-Z2-7]{16})`)

	out, err := staff("add", "--name", "王经理", "--role", "manager,admin")
	if err != nil || !strings.Contains(out, "王经理 (manager,admin) added") || codeRE.FindStringSubmatch(out) == nil {
		t.Fatalf("staff add: %v\n%s", err, out)
	}
	code := codeRE.FindStringSubmatch(out)[1]

	cfg, db, err := openConfigured(ctx, cfgPath, getenv)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wang, err := db.RedeemInvite(ctx, code, 501, domain.LangZH)
	if err != nil {
		t.Fatal(err)
	}
	// The invite lives as long as chat's: rules.staff.invite_ttl.
	if inv, err := db.Invite(ctx, wang.ID, "陈顾问", domain.Roles{domain.RoleConsultant}); err != nil ||
		inv.Invite.ExpiresAt.Sub(inv.Invite.CreatedAt) != cfg.Rules.Staff.InviteTTL || cfg.Rules.Staff.InviteTTL != 48*time.Hour {
		t.Fatalf("chat invite %+v, %v", inv, err)
	}
	if _, err := db.Deactivate(ctx, wang.ID, "陈顾问"); err != nil {
		t.Fatal(err)
	}

	t.Run("ErrEnrolled", func(t *testing.T) {
		_, err := staff("add", "--name", "王经理", "--role", "admin")
		if err == nil || !strings.Contains(err.Error(), "already enrolled") {
			t.Fatalf("re-adding an enrolled admin: %v", err)
		}
	})
	t.Run("ListShowsTheDeactivated", func(t *testing.T) {
		out, err := staff("list")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 || !strings.Contains(out, "王经理") || !strings.Contains(lines[0]+lines[1], "linked") ||
			!strings.Contains(out, "陈顾问") || !strings.Contains(out, "deactivated") {
			t.Fatalf("staff list:\n%s", out)
		}
	})
	t.Run("ReAddBringsBack", func(t *testing.T) {
		out, err := staff("add", "--name", "陈顾问", "--role", "consultant")
		if err != nil || codeRE.FindStringSubmatch(out) == nil {
			t.Fatalf("re-adding a deactivated member: %v\n%s", err, out)
		}
		if s, err := db.StaffByName(ctx, 1, "陈顾问"); err != nil || !s.Active {
			t.Fatalf("re-added %+v, %v", s, err)
		}
	})
}

// TestStores_StaffCommandTakesTheStore: with several stores, `dealerbot
// staff add|list` need --store, an unknown code names the flag and the
// known codes, and the member is added to (and listed in) that store only.
func TestStores_StaffCommandTakesTheStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfgPath, []byte("database:\n  path: "+filepath.Join(dir, "s.db")+"\n"+twoStores), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(string) string { return "" }
	staff := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := runMain(ctx, append([]string{"staff"}, append(args, "--config", cfgPath)...), nil, &out, &errOut, getenv)
		return out.String(), err
	}
	if _, err := staff("add", "--name", "王经理", "--role", "admin"); err == nil ||
		!strings.Contains(err.Error(), "--store is required") || !strings.Contains(err.Error(), "bj01, wlmq") {
		t.Fatalf("add without --store: %v", err)
	}
	if _, err := staff("list", "--store", "xa01"); err == nil ||
		!strings.Contains(err.Error(), `--store "xa01"`) || !strings.Contains(err.Error(), "bj01, wlmq") {
		t.Fatalf("list with an unknown store: %v", err)
	}
	out, err := staff("add", "--name", "王经理", "--role", "admin", "--store", "wlmq")
	if err != nil || !strings.Contains(out, "added to store wlmq") || !strings.Contains(out, "+06") {
		t.Fatalf("add to wlmq: %v\n%s", err, out)
	}
	// The same name is another person in the other store.
	if out, err := staff("add", "--name", "王经理", "--role", "admin", "--store", "bj01"); err != nil || !strings.Contains(out, "added to store bj01") {
		t.Fatalf("add to bj01: %v\n%s", err, out)
	}
	if out, err := staff("add", "--name", "李顾问", "--role", "consultant", "--store", "bj01"); err != nil {
		t.Fatalf("add to bj01: %v\n%s", err, out)
	}
	out, err = staff("list", "--store", "wlmq")
	if err != nil || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, "王经理") {
		t.Fatalf("list wlmq:\n%s %v", out, err)
	}
	if out, err := staff("list", "--store", "bj01"); err != nil || !strings.Contains(out, "李顾问") || !strings.Contains(out, "王经理") {
		t.Fatalf("list bj01:\n%s %v", out, err)
	}
}

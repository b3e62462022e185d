package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
)

// syncBuffer is a log buffer the child process writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startRun starts `dealerbot run` and returns the process and its log.
func startRun(t *testing.T, bin, cfgPath string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, "run", "--config", cfgPath)
	cmd.Env = binEnv(binToken)
	logs := &syncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	return cmd, logs
}

var (
	invitedRE = regexp.MustCompile(`已为 (K\d+_\d+)（销售顾问）生成邀请。\n邀请码：([A-Z2-7]{16})`)
	inDoubtRE = regexp.MustCompile(`messages in doubt after a crash are sent again" count=(\d+)`)
)

// TestBinary_KillMidBurstExactlyOnce starts the real binary, kills it with
// SIGKILL in the middle of a burst of commands, restarts it, and checks
// that every command took effect exactly once and every answer arrived.
//
// Telegram has no idempotency key: a message Telegram accepted in the
// instant before the kill, and that was not yet marked sent, is sent again
// after the restart. The restarted bot counts these ("in doubt") and the
// test allows exactly that many repeats, no more.
func TestBinary_KillMidBurstExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary three times")
	}
	bin := buildBinary(t)
	emu := telegramtest.New(telegramtest.Options{Token: binToken})
	defer emu.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	cfg := fmt.Sprintf("telegram:\n  api_url: %s\n  poll_timeout: 2s\ndatabase:\n  path: %s\n", emu.URL(), filepath.Join(dir, "bot.db"))
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	const admins, each = 10, 5
	var users []telegramtest.User
	for i := range admins {
		add := exec.Command(bin, "staff", "add", "--config", cfgPath, "--name", fmt.Sprintf("管理员%d", i), "--role", "admin")
		add.Env = binEnv("")
		out, err := add.CombinedOutput()
		if err != nil {
			t.Fatalf("staff add: %v\n%s", err, out)
		}
		code := regexp.MustCompile(`Invite code: ([A-Z2-7]{16})`).FindSubmatch(out)
		u := emu.User(int64(100+i), "A", "", "zh")
		emu.SendText(u, "/start "+string(code[1]))
		users = append(users, u)
	}
	run1, logs1 := startRun(t, bin, cfgPath)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for _, u := range users {
		if _, err := emu.WaitMessage(ctx, u.ID, func(m telegramtest.Message) bool { return strings.Contains(m.Plain, "欢迎") }); err != nil {
			t.Fatalf("enrolment: %v\n%s", err, logs1.String())
		}
	}

	// The burst: 50 commands, answered at Telegram's pace of 1 a second a chat.
	for n := range each {
		for i, u := range users {
			emu.SendText(u, fmt.Sprintf("/invite K%d_%d consultant", i, n))
		}
	}
	invited := func() int { return countInvites(emu, users) }
	for invited() < admins*each/4 {
		if ctx.Err() != nil {
			t.Fatalf("burst stalled\n%s", logs1.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := run1.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = run1.Wait()
	killedAt := invited()

	run2, logs2 := startRun(t, bin, cfgPath)
	for invited() < admins*each {
		if ctx.Err() != nil {
			t.Fatalf("after the restart only %d of %d answers\n%s", invited(), admins*each, logs2.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Settle: give a wrongly repeated command time to show.
	time.Sleep(1500 * time.Millisecond)
	_ = run2.Process.Signal(syscall.SIGTERM)
	_ = run2.Wait()

	inDoubt := 0
	if m := inDoubtRE.FindStringSubmatch(logs2.String()); m != nil {
		inDoubt, _ = strconv.Atoi(m[1])
	}
	codes := map[string]map[string]int{} // name → code → deliveries
	for _, u := range users {
		for _, m := range emu.Messages(u.ID) {
			for _, sub := range invitedRE.FindAllStringSubmatch(m.Plain, -1) {
				if codes[sub[1]] == nil {
					codes[sub[1]] = map[string]int{}
				}
				codes[sub[1]][sub[2]]++
			}
		}
	}
	repeats := 0
	for name, byCode := range codes {
		if len(byCode) != 1 {
			t.Errorf("/invite %s took effect %d times: %v", name, len(byCode), byCode)
		}
		for _, n := range byCode {
			repeats += n - 1
		}
	}
	if len(codes) != admins*each {
		t.Errorf("%d of %d commands answered", len(codes), admins*each)
	}
	if repeats > inDoubt {
		t.Errorf("%d answers delivered twice, but only %d were in doubt at the kill", repeats, inDoubt)
	}
	list := exec.Command(bin, "staff", "list", "--config", cfgPath)
	list.Env = binEnv("")
	out, err := list.CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(out), "\n"); n != admins+admins*each {
		t.Errorf("staff list has %d rows, want %d", n, admins+admins*each)
	}
	t.Logf("killed after %d of %d answers; %d in doubt, %d delivered twice", killedAt, admins*each, inDoubt, repeats)
}

// countInvites counts the distinct invite answers the admins received.
func countInvites(emu *telegramtest.Server, users []telegramtest.User) int {
	seen := map[string]bool{}
	for _, u := range users {
		for _, m := range emu.Messages(u.ID) {
			for _, sub := range invitedRE.FindAllStringSubmatch(m.Plain, -1) {
				seen[sub[1]] = true
			}
		}
	}
	return len(seen)
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary built for the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// buildBinary builds the real dealerbot binary once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dealerbot-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "dealerbot")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

const binToken = "123456789:AAHtestTOKENabcdefghijklmnopqrstuv"

// binEnv is the environment the binary runs with: the token, nothing else
// of ours.
func binEnv(token string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DEALERBOT_") {
			env = append(env, kv)
		}
	}
	if token != "" {
		env = append(env, "DEALERBOT_TELEGRAM_TOKEN="+token)
	}
	return env
}

// TestBinary_StaffAddRunAndStopOnSIGTERM is the real-life path: bootstrap
// the first admin from the shell, serve Telegram (the emulator), enrol by
// the printed link, and stop cleanly on SIGTERM.
func TestBinary_StaffAddRunAndStopOnSIGTERM(t *testing.T) {
	bin := buildBinary(t)
	emu := telegramtest.New(telegramtest.Options{Token: binToken})
	defer emu.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	cfg := fmt.Sprintf("telegram:\n  api_url: %s\n  poll_timeout: 2s\ndatabase:\n  path: %s\ndelivery:\n  shutdown_timeout: 5s\n",
		emu.URL(), filepath.Join(dir, "bot.db"))
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	add := exec.Command(bin, "staff", "add", "--config", cfgPath, "--name", "王经理", "--role", "manager,admin")
	add.Env = binEnv(binToken)
	out, err := add.CombinedOutput()
	if err != nil {
		t.Fatalf("staff add: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`https://t\.me/` + emu.BotUsername() + `\?start=([A-Z2-7]{16})`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("staff add printed no deep link:\n%s", out)
	}
	if bytes.Contains(out, []byte(binToken)) {
		t.Fatal("staff add printed the token")
	}

	run := exec.Command(bin, "run", "--config", cfgPath)
	run.Env = binEnv(binToken)
	var logs bytes.Buffer
	run.Stderr = &logs
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- run.Wait() }()
	defer func() {
		if run.ProcessState == nil {
			_ = run.Process.Kill()
		}
	}()

	wang := emu.User(42, "Wang", "", "zh")
	emu.SendText(wang, "/start "+string(m[1]))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := emu.WaitMessage(ctx, wang.ID, func(m telegramtest.Message) bool { return strings.Contains(m.Plain, "欢迎") }); err != nil {
		t.Fatalf("no welcome: %v\nlogs:\n%s", err, logs.String())
	}

	if err := run.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("run exited with %v\nlogs:\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("run did not stop on SIGTERM\nlogs:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "dealerbot stopped") {
		t.Errorf("no clean stop in the log:\n%s", logs.String())
	}
	t.Logf("the run's log:\n%s", logs.String())
	if strings.Contains(logs.String(), binToken) || strings.Contains(logs.String(), "王经理") && strings.Contains(logs.String(), "/start") {
		t.Errorf("log leaks the token or message text:\n%s", logs.String())
	}
}

// TestBinary_BadStart checks the binary refuses to start with a clear
// message: no token, a bad config naming its key.
func TestBinary_BadStart(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name, cfg, token, want string
	}{
		{"ErrNoToken", "store:\n  name: 测试店\n", "", "DEALERBOT_TELEGRAM_TOKEN is not set"},
		{"ErrBadKey", "store:\n  time_zone: Asia/Shangai\n", binToken, "store.time_zone"},
		{"ErrTokenInFile", "telegram:\n  token: " + binToken + "\n", binToken, "telegram.token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".yaml")
			if err := os.WriteFile(p, []byte(tc.cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "run", "--config", p)
			cmd.Env = binEnv(tc.token)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("started with a bad config:\n%s", out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("message %q does not name %q", out, tc.want)
			}
			if strings.Contains(string(out), binToken) {
				t.Errorf("message shows the token: %q", out)
			}
		})
	}
}

// TestBinary_Migrate checks `dealerbot migrate` creates the schema and is
// safe to repeat.
func TestBinary_Migrate(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte("database:\n  path: "+filepath.Join(dir, "m.db")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		cmd := exec.Command(bin, "migrate", "--config", p)
		cmd.Env = binEnv("")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "schema is at version") {
			t.Fatalf("migrate: %v\n%s", err, out)
		}
	}
}

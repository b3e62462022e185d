package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestDemo_Script runs the shipped demo script, as a newcomer would with
// `go run ./cmd/dealerbot demo --script …`, and reads the transcript.
func TestDemo_Script(t *testing.T) {
	var out, errs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := runMain(ctx, []string{"demo", "--script", "testdata/enrol.demo", "--at", "2026-12-01 09:00", "--files", t.TempDir()},
		strings.NewReader(""), &out, &errs, func(string) string { return "" })
	if err != nil {
		t.Fatalf("demo: %v\nstderr:\n%s", err, errs.String())
	}
	got := out.String()
	for _, want := range []string{
		"王经理> /help",
		"/invite — 邀请员工加入",                    // the admin's help
		"欢迎，周新！",                              // enrolment
		"您可用的命令（销售顾问）",                        // a consultant's help…
		"此邀请码已使用过",                            // a reused code
		"Your commands (consultant)",          // /lang en
		"You may not use /staff",              // a consultant refused
		"job housekeeping ran at 12-02 03:00", // the clock fires jobs
		"此邀请码已过期",                             // and expires invites
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if help := between(got, "周新> /help", "# The same code"); strings.Contains(help, "/invite") {
		t.Errorf("consultant's /help lists /invite:\n%s", help)
	}
	if t.Failed() {
		t.Logf("transcript:\n%s\nstderr:\n%s", got, errs.String())
	}
}

func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	before, _, _ := strings.Cut(after, to)
	return before
}

// TestDemo_Interactive types at the prompt, switches person and presses
// nothing that is not there.
func TestDemo_Interactive(t *testing.T) {
	var out, errs bytes.Buffer
	in := strings.NewReader("/who\n/as 陈顾问\n/help\n/press 1\n/clock +abc\n/clock +1h\n/quit\n/help\n")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := runMain(ctx, []string{"demo", "--files", t.TempDir()}, in, &out, &errs, func(string) string { return "" }); err != nil {
		t.Fatalf("demo: %v\n%s", err, errs.String())
	}
	got := out.String()
	for _, want := range []string{"李主管 (supervisor)", "陈顾问> ", "您可用的命令（销售顾问）", "no button", "say +1d", "(demo) clock"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "您可用的命令") != 1 {
		t.Errorf("a line after /quit was run:\n%s", got)
	}
}

// TestDemo_HandoverScript runs the telesales script: booking, reminder,
// arrival, handover accepted, a collision ruled, the month's transfers.
func TestDemo_HandoverScript(t *testing.T) {
	var out, errs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := runMain(ctx, []string{"demo", "--script", "testdata/handover.demo", "--at", "2026-12-01 09:00", "--files", t.TempDir()},
		strings.NewReader(""), &out, &errs, func(string) string { return "" })
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, errs.String())
	}
	got := out.String()
	for _, want := range []string{
		"已邀约 #8 钱多多 于 2026-12-02 14:30",
		"今天的邀约到店",
		"约 14:30 到店",
		"job reminders ran at 12-02 14:00", // at the reminder's instant, on the store's clock
		"您邀约的客户 钱多多（#8）已到店",
		"状态：已接收",
		"已由 陈顾问 接收",
		"撞单 #C1",
		"已判定：归 刘顾问",
		"#8 张电销→陈顾问（交接，陈顾问）",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("transcript:\n%s", got)
	}
}

// TestDemo_SavesTheFilesItSends: the demo names its folder at start, saves
// every document the bot sends there and prints each path under its
// caption, so a newcomer can open the .xlsx; a refused export saves
// nothing.
func TestDemo_SavesTheFilesItSends(t *testing.T) {
	var out, errs bytes.Buffer
	dir := filepath.Join(t.TempDir(), "files") // made by the demo
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := runMain(ctx, []string{"demo", "--script", "testdata/files.demo", "--at", "2026-12-01 09:00", "--files", dir},
		strings.NewReader(""), &out, &errs, func(string) string { return "" })
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, errs.String())
	}
	got := out.String()
	if !strings.Contains(got, "Documents and photos the bot sends are saved in "+dir+"\n") {
		t.Errorf("the start does not name the folder:\n%s", got)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	// The visit register, then the complaint register's three departments.
	if len(files) != 4 {
		t.Fatalf("saved %v", files)
	}
	visits := filepath.Join(dir, "001_来店客户登记表_main_2026-12.xlsx")
	if files[0] != visits || !strings.Contains(files[1], "002_投诉登记表_") {
		t.Errorf("saved %v", files)
	}
	// Each path is printed right under its caption.
	if !strings.Contains(got, "附件1 来店(电)客户登记表 2026-12，共 0 条\n") || !strings.Contains(got, "📎 "+visits+"\n") {
		t.Errorf("no caption and path for the export:\n%s", got)
	}
	if strings.Index(got, "📎 "+visits) < strings.Index(got, "附件1 来店(电)客户登记表 2026-12") {
		t.Error("the path comes before its caption")
	}
	for _, f := range files {
		if !strings.Contains(got, "📎 "+f+"\n") {
			t.Errorf("%s saved but not printed", f)
		}
	}
	x, err := excelize.OpenFile(visits)
	if err != nil {
		t.Fatalf("the saved export does not open: %v", err)
	}
	defer x.Close()
	if h, _ := x.GetCellValue("2026-12", "A3"); h != "客户姓名" {
		t.Errorf("saved export's first heading %q", h)
	}
	if !strings.Contains(got, "“2026-13”不是有效的月份") || strings.Count(got, "📎 ") != 4 {
		t.Errorf("a refused export printed a file:\n%s", got)
	}
	if t.Failed() {
		t.Logf("transcript:\n%s", got)
	}
}

// TestDemo_SavesTheReportChart: /report in the demo saves its chart (a
// PNG 1080 px wide) and its workbook in the demo's folder.
func TestDemo_SavesTheReportChart(t *testing.T) {
	var out, errs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	script := filepath.Join(t.TempDir(), "report.demo")
	if err := os.WriteFile(script, []byte("/report month\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := runMain(ctx, []string{"demo", "--script", script, "--at", "2026-12-01 09:00", "--files", dir},
		strings.NewReader(""), &out, &errs, func(string) string { return "" })
	if err != nil {
		t.Fatalf("demo: %v\nstderr:\n%s", err, errs.String())
	}
	got := out.String()
	chartPath, xlsx := filepath.Join(dir, "001_report.png"), filepath.Join(dir, "002_报表_示例4S店_2026-12.xlsx")
	if !strings.Contains(got, "📎 "+chartPath+"\n") || !strings.Contains(got, "📎 "+xlsx+"\n") {
		t.Fatalf("transcript:\n%s", got)
	}
	f, err := os.Open(chartPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 1080 {
		t.Fatalf("saved chart: %+v, %v", cfg, err)
	}
	if st, err := os.Stat(xlsx); err != nil || st.Size() < 1000 {
		t.Fatalf("saved workbook: %v", err)
	}
}

// TestDemo_DrainWaitsUntilIdle: drain's wait goes on past the stall
// window as long as the backlog keeps falling, stops a stall after it
// stops falling or at the cap, saying what is left, and passes errors on.
func TestDemo_DrainWaitsUntilIdle(t *testing.T) {
	ctx := context.Background()
	w := idleWait{poll: 2 * time.Millisecond, stall: 60 * time.Millisecond, max: 5 * time.Second}
	// A backlog of 20 that goes one message every 15 ms: 300 ms, five
	// stall windows, all waited for.
	start := time.Now()
	falling := func(context.Context) (int, error) {
		return max(0, 20-int(time.Since(start)/(15*time.Millisecond))), nil
	}
	if left, err := w.wait(ctx, falling); left != 0 || err != nil {
		t.Fatalf("falling backlog: left %d, %v", left, err)
	}
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Fatalf("returned after %s with the backlog still falling", took)
	}
	// Stuck: given up after the stall window, what is left said.
	start = time.Now()
	left, err := w.wait(ctx, func(context.Context) (int, error) { return 7, nil })
	if took := time.Since(start); left != 7 || err != nil || took < w.stall || took > 20*w.stall {
		t.Fatalf("stuck backlog: left %d, %v after %s", left, err, took)
	}
	// Always falling, never empty: the cap ends it.
	capped := idleWait{poll: 2 * time.Millisecond, stall: time.Second, max: 100 * time.Millisecond}
	start = time.Now()
	n := 1 << 20
	left, err = capped.wait(ctx, func(context.Context) (int, error) { n--; return n, nil })
	if took := time.Since(start); left == 0 || err != nil || took < capped.max || took > 10*capped.max {
		t.Fatalf("capped: left %d, %v after %s", left, err, took)
	}
	// An error reading the outbox ends it.
	boom := context.DeadlineExceeded
	if _, err := w.wait(ctx, func(context.Context) (int, error) { return 0, boom }); err != boom {
		t.Fatalf("error: %v", err)
	}
}

// TestDemo_ClockPushesPrintBeforeTheNextCommand: /clock +5d queues more
// pushes than go out in 10 s at one a second per chat; all of them print
// before the next command, whose answer follows its line directly.
func TestDemo_ClockPushesPrintBeforeTheNextCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("sends five days of pushes at Telegram's rate (~15 s)")
	}
	script := filepath.Join(t.TempDir(), "clock.demo")
	if err := os.WriteFile(script, []byte("/clock +5d\n/who\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := runMain(ctx, []string{"demo", "--script", script, "--at", "2026-12-01 09:00", "--files", t.TempDir()},
		strings.NewReader(""), &out, &errs, func(string) string { return "" })
	if err != nil {
		t.Fatalf("demo: %v\nstderr:\n%s", err, errs.String())
	}
	_, after, ok := strings.Cut(out.String(), "王经理> /who\n")
	if !ok {
		t.Fatalf("no /who in the transcript:\n%s", out.String())
	}
	var want strings.Builder
	for _, p := range demoStaff {
		want.WriteString("  " + p.name + " (" + p.roles + ")\n")
	}
	if after != want.String() {
		t.Errorf("after /who, want its answer only, got:\n%s", after)
	}
	if strings.Contains(out.String(), "still waiting to be sent") {
		t.Errorf("drain gave up:\n%s", out.String())
	}
}

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestDemo_Script runs the shipped demo script, as a newcomer would with
// `go run ./cmd/dealerbot demo --script …`, and reads the transcript.
func TestDemo_Script(t *testing.T) {
	var out, errs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := runMain(ctx, []string{"demo", "--script", "testdata/enrol.demo", "--at", "2026-12-01 09:00"},
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
	if err := runMain(ctx, []string{"demo"}, in, &out, &errs, func(string) string { return "" }); err != nil {
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
	err := runMain(ctx, []string{"demo", "--script", "testdata/handover.demo", "--at", "2026-12-01 09:00"},
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

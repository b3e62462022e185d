package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// TestOutboxCommand_ShowsWhatIsNotDelivered: `dealerbot outbox` lists the
// pending, failed and undeliverable messages with the totals.
func TestOutboxCommand_ShowsWhatIsNotDelivered(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfgPath, []byte("database:\n  path: "+filepath.Join(dir, "o.db")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(cfgPath, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := openDB(ctx, cfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Enqueue(ctx,
		domain.OutboxMessage{Key: "a", ChatID: 1, Text: "早上好，今天有 3 个跟进"},
		domain.OutboxMessage{Key: "b", ChatID: 2, Text: "投诉即将超时"},
		domain.OutboxMessage{Key: "c", ChatID: 3, Text: "已屏蔽"},
	); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MarkChatUndeliverable(ctx, 3, "Forbidden: bot was blocked by the user"); err != nil {
		t.Fatal(err)
	}
	if err := db.Heartbeat(ctx, "replica-a", "webhook"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var out, errs bytes.Buffer
	if err := runMain(ctx, []string{"outbox", "--config", cfgPath}, nil, &out, &errs, func(string) string { return "" }); err != nil {
		t.Fatalf("%v\n%s", err, errs.String())
	}
	got := out.String()
	for _, want := range []string{"pending 2", "undeliverable 1", "早上好", "blocked by the user",
		"at 30 msg/s (all replicas together) the last of them goes out in 0s", "backlog per store: (group) 2",
		"leader: none", "replica replica-a (webhook) live, last seen 0s ago"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

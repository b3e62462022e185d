package jobs

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// The fakes (dutyStore, dutyBot) are in duty_test.go: one store answers
// both jobs.

// TestR5_3_ReceptionTimeouts_NextAndRun: the job is due when the pending
// call's answer time ends (no longer every minute), and checks at now.
func TestR5_3_ReceptionTimeouts_NextAndRun(t *testing.T) {
	store, bot := &txStore{}, &dutyBot{}
	j := &ReceptionTimeouts{Store: dutyStore{store, bot}, Bot: bot}
	if j.Name() == "" {
		t.Errorf("name %q", j.Name())
	}
	now := time.Date(2026, 11, 27, 9, 32, 17, 0, time.UTC)
	if at, ok, err := j.Next(context.Background(), now); err != nil || ok {
		t.Errorf("no call: next %s %v %v", at, ok, err)
	}
	bot.deadline = now.Add(2 * time.Minute)
	if at, ok, err := j.Next(context.Background(), now); err != nil || !ok || !at.Equal(bot.deadline) {
		t.Errorf("a call: next %s %v %v, want %s", at, ok, err, bot.deadline)
	}
	if err := j.Run(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	if store.txs != 1 || len(bot.checked) != 1 || !bot.checked[0].Equal(now) {
		t.Fatalf("txs %d checked %v", store.txs, bot.checked)
	}
	if fmt.Sprint(bot.stores) != "[1 2]" {
		t.Fatalf("each store's passed call told, once: %v", bot.stores)
	}
}

package main

import (
	"context"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestHousekeeping_PurgesOnlyWhatIsOld runs the job wired to a real store: an
// invite used long ago goes, a fresh one stays; a sent message older than
// its retention goes, a pending one never does.
func TestHousekeeping_PurgesOnlyWhatIsOld(t *testing.T) {
	db := storagetest.Open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return t0 }
	_, old, err := db.InviteStaff(ctx, "旧", domain.Roles{domain.RoleConsultant}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Enqueue(ctx,
		domain.OutboxMessage{Key: "sent", ChatID: 1, Text: "x"},
		domain.OutboxMessage{Key: "pending", ChatID: 2, Text: "y"}); err != nil {
		t.Fatal(err)
	}
	sent, _ := db.OutboxByKey(ctx, "sent")
	if err := db.MarkSending(ctx, sent.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, sent.ID, 5); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(40 * 24 * time.Hour)
	db.Now = func() time.Time { return now }
	_, fresh, err := db.InviteStaff(ctx, "新", domain.Roles{domain.RoleConsultant}, 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	if err := (&jobs.Housekeeping{Store: db}).Run(ctx, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OutboxByKey(ctx, "sent"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("old sent message kept: %v", err)
	}
	if _, err := db.OutboxByKey(ctx, "pending"); err != nil {
		t.Errorf("pending message purged: %v", err)
	}
	if _, err := db.RedeemInvite(ctx, old.Code, 77, domain.LangZH); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("old invite not purged: %v", err)
	}
	if _, err := db.RedeemInvite(ctx, fresh.Code, 78, domain.LangZH); err != nil {
		t.Errorf("fresh invite purged: %v", err)
	}
}

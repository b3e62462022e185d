package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestReplicas: a heartbeat registers a replica and keeps it live; one
// that stops beating is no longer counted, is listed with its last beat
// until forgotten, and a replica that leaves is gone at once.
func TestReplicas(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		now := time.Date(2026, 11, 27, 0, 30, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		must(t, db.Heartbeat(ctx, "a", "webhook"))
		must(t, db.Heartbeat(ctx, "b", "webhook"))
		now = now.Add(5 * time.Second)
		must(t, db.Heartbeat(ctx, "a", "webhook"))
		if n, err := db.LiveReplicas(ctx, now.Add(-3*time.Second)); err != nil || n != 1 {
			t.Fatalf("live %d, %v; want a only", n, err)
		}
		if n, err := db.LiveReplicas(ctx, now.Add(-5*time.Second)); err != nil || n != 2 {
			t.Fatalf("live %d, %v; want both", n, err)
		}
		list, err := db.Replicas(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "a" || !list[0].LastSeen.Equal(now) ||
			!list[0].StartedAt.Equal(now.Add(-5*time.Second)) || list[1].Name != "b" || list[1].Role != "webhook" {
			t.Fatalf("replicas %+v, %v", list, err)
		}
		if !list[0].Live(now.Add(-time.Second)) || list[1].Live(now.Add(-time.Second)) {
			t.Fatalf("live: %+v", list)
		}
		if n, err := db.ForgetReplicas(ctx, now.Add(-time.Second)); err != nil || n != 1 {
			t.Fatalf("forgot %d, %v; want b", n, err)
		}
		ok, err := db.TakeLease(ctx, domain.SchedulerLease, "a", now, now.Add(10*time.Second))
		must(t, err)
		if leases, err := db.Leases(ctx); !ok || err != nil || len(leases) != 1 || leases[0].Holder != "a" ||
			!leases[0].Until.Equal(now.Add(10*time.Second)) {
			t.Fatalf("leases %+v, %v", leases, err)
		}
		must(t, db.LeaveReplica(ctx, "a"))
		if list, err := db.Replicas(ctx); err != nil || len(list) != 0 {
			t.Fatalf("after leaving: %+v, %v", list, err)
		}
	})
}

// TestRecoverOrphans: with several replicas, only the messages claimed by
// one that stopped beating (or by nobody named) are made pending again;
// a live replica's sends in flight stay its own.
func TestRecoverOrphans(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		now := time.Date(2026, 11, 27, 0, 30, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		ids := MustEnqueue(t, db, msg("live", 1), msg("dead", 2), msg("anon", 3), msg("idle", 4))
		must(t, db.Heartbeat(ctx, "dead", "webhook"))
		now = now.Add(10 * time.Second)
		must(t, db.Heartbeat(ctx, "live", "webhook"))
		must(t, db.ClaimSend(ctx, ids[0], "live"))
		must(t, db.ClaimSend(ctx, ids[1], "dead"))
		must(t, db.MarkSending(ctx, ids[2]))
		AssertError(t, db.ClaimSend(ctx, ids[0], "dead"), domain.ECONFLICT, "err.conflict")
		n, err := db.RecoverOrphans(ctx, now.Add(-5*time.Second))
		if err != nil || n != 2 {
			t.Fatalf("recovered %d, %v; want dead and anon", n, err)
		}
		for key, want := range map[string]string{"live": domain.OutboxSending, "dead": domain.OutboxPending,
			"anon": domain.OutboxPending, "idle": domain.OutboxPending} {
			if m := MustGet(t, db, key); m.Status != want {
				t.Errorf("%s is %s, want %s", key, m.Status, want)
			}
		}
	})
}

// TestDueMessagesSpaced: on PostgreSQL a chat sent to less than a second
// ago (by any replica) has nothing due, and a group that had its 20 in
// the last minute neither; on SQLite the spacing is the sender's alone.
func TestDueMessagesSpaced(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		now := time.Date(2026, 11, 27, 0, 30, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		var first []domain.OutboxMessage
		for i := range 20 {
			first = append(first, msg(fmt.Sprintf("g%d", i), -7))
		}
		first = append(first, msg("p1", 5))
		ids := MustEnqueue(t, db, first...)
		for i, id := range ids {
			must(t, db.ClaimSend(ctx, id, "r"))
			must(t, db.MarkSent(ctx, id, i+1))
		}
		MustEnqueue(t, db, msg("p2", 5), msg("g21", -7), msg("other", 6))
		due := func() string {
			list, err := db.DueMessagesSpaced(ctx, 0, nil, 1, 20)
			must(t, err)
			return fmt.Sprint(keys(list))
		}
		if db.Driver() == storage.DriverSQLite {
			if got := due(); got != "[p2 g21 other]" {
				t.Fatalf("sqlite: %s", got)
			}
			return
		}
		if got := due(); got != "[other]" {
			t.Fatalf("at once: %s", got)
		}
		now = now.Add(time.Second)
		if got := due(); got != "[p2 other]" {
			t.Fatalf("a second later: %s", got)
		}
		now = now.Add(59 * time.Second)
		if got := due(); got != "[p2 g21 other]" {
			t.Fatalf("a minute later: %s", got)
		}
	})
}

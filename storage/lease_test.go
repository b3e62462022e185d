package storage_test

import (
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

func TestLease(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		const ttl = 10 * time.Second
		take := func(t *testing.T, holder string, at time.Time, want bool) {
			t.Helper()
			got, err := db.TakeLease(ctx, "scheduler", holder, at, at.Add(ttl))
			if err != nil || got != want {
				t.Fatalf("%s takes the lease at %s: %v, %v; want %v", holder, at.Format(time.TimeOnly), got, err, want)
			}
		}
		t.Run("TakeRenewExpire", func(t *testing.T) {
			take(t, "a", now, true)                      // free
			take(t, "b", now.Add(time.Second), false)    // a holds it
			take(t, "a", now.Add(2*time.Second), true)   // a renews, until +12s
			take(t, "b", now.Add(11*time.Second), false) // would have expired without the renewal
			take(t, "b", now.Add(12*time.Second+time.Microsecond), true)
			take(t, "a", now.Add(13*time.Second), false) // a, back from a pause, has lost it
			holder, until, ok, err := db.LeaseHolder(ctx, "scheduler")
			if err != nil || !ok || holder != "b" || !until.Equal(now.Add(22*time.Second+time.Microsecond)) {
				t.Fatalf("holder %q until %s, %v, %v", holder, until, ok, err)
			}
		})
		t.Run("Release", func(t *testing.T) {
			at := now.Add(time.Minute)
			take(t, "a", at, true)
			if err := db.ReleaseLease(ctx, "scheduler", "b"); err != nil { // not b's: kept
				t.Fatal(err)
			}
			take(t, "b", at, false)
			if err := db.ReleaseLease(ctx, "scheduler", "a"); err != nil {
				t.Fatal(err)
			}
			take(t, "b", at, true) // at once, not when it expires
		})
		t.Run("OtherNamesApart", func(t *testing.T) {
			if ok, err := db.TakeLease(ctx, "other", "c", now, now.Add(ttl)); err != nil || !ok {
				t.Fatalf("%v, %v", ok, err)
			}
		})
	})
}

func TestRecordRun(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		shanghai := time.FixedZone("CST", 8*3600)
		at := time.Date(2026, 3, 2, 8, 30, 0, 0, shanghai)
		for _, c := range []struct {
			job    string
			at     time.Time
			holder string
			want   bool
		}{
			{"morning_push", at, "a", true},
			{"morning_push", at, "a", false},       // fired already
			{"morning_push", at.UTC(), "b", false}, // the same instant, by another replica
			{"morning_push", at.Add(24 * time.Hour), "b", true},
			{"housekeeping", at, "b", true},
		} {
			got, err := db.RecordRun(ctx, c.job, c.at, c.holder)
			if err != nil || got != c.want {
				t.Fatalf("record %s at %s by %s: %v, %v; want %v", c.job, c.at, c.holder, got, err, c.want)
			}
		}
	})
}

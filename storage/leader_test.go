package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/jobs"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// countedJob counts its runs per instant, across replicas.
type countedJob struct {
	mu   *sync.Mutex
	runs map[time.Time][]string
	who  string
}

func (j countedJob) Name() string { return "push" }
func (j countedJob) Run(_ context.Context, now time.Time) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.runs[now.UTC()] = append(j.runs[now.UTC()], j.who)
	return nil
}

// TestLeader_TwoSchedulersOneDB runs two replicas' schedulers on one
// database: each minute fires once, by the leader; when the leader stops
// renewing, the other takes over within TTL+Renew and fires the next
// minute; no instant fires twice.
func TestLeader_TwoSchedulersOneDB(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		shanghai := time.FixedZone("CST", 8*3600)
		start := time.Date(2026, 3, 2, 8, 0, 0, 0, shanghai)
		var mu sync.Mutex
		clock := start
		now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
		runs := map[time.Time][]string{}
		var jobMu sync.Mutex
		replica := func(name string) *jobs.Scheduler {
			s := jobs.NewScheduler(shanghai, now, nil)
			s.SetLeader(jobs.Leader{Leases: db, Runs: db, Holder: name})
			if err := s.Add("* * * * *", countedJob{mu: &jobMu, runs: runs, who: name}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Stop(context.Background()) })
			return s
		}
		a, b := replica("a"), replica("b")
		aDies := start.Add(90 * time.Second) // its last renewal
		var bLeads time.Time
		prev := start
		for cur := start; !cur.After(start.Add(4 * time.Minute)); cur = cur.Add(jobs.DefaultLeaseRenew) {
			mu.Lock()
			clock = cur
			mu.Unlock()
			if !cur.After(aDies) {
				a.Elect(ctx)
				if b.Elect(ctx) {
					t.Fatalf("%s: b leads beside a", cur.Format(time.TimeOnly))
				}
				a.Advance(ctx, prev, cur)
			} else if b.Elect(ctx) && bLeads.IsZero() {
				bLeads = cur
			}
			b.Advance(ctx, prev, cur)
			prev = cur
		}
		if bLeads.IsZero() || bLeads.After(aDies.Add(jobs.DefaultLeaseTTL+jobs.DefaultLeaseRenew)) {
			t.Errorf("b leads from %s; a renewed last at %s", bLeads.Format(time.TimeOnly), aDies.Format(time.TimeOnly))
		}
		// The terms' re-firing runs beside: let it finish.
		if err := b.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		jobMu.Lock()
		defer jobMu.Unlock()
		for m := 1; m <= 4; m++ {
			at := start.Add(time.Duration(m) * time.Minute).UTC()
			want := "b"
			if m == 1 {
				want = "a"
			}
			if got := runs[at]; len(got) != 1 || got[0] != want {
				t.Errorf("%s fired by %v, want by %s once", at.In(shanghai).Format(time.TimeOnly), got, want)
			}
		}
	})
}

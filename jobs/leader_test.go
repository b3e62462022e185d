package jobs

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// memLeases keeps leases and job runs as the store does (storage/lease.go,
// whose tests hold it to the same contract on both drivers).
type memLeases struct {
	mu     sync.Mutex
	leases map[string]memLease
	runs   map[string]string // job@instant → holder
	// refused counts the firings skipped by their key.
	refused int
}

type memLease struct {
	holder string
	until  time.Time
}

func newMemLeases() *memLeases {
	return &memLeases{leases: map[string]memLease{}, runs: map[string]string{}}
}

func (m *memLeases) TakeLease(_ context.Context, name, holder string, now, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.leases[name]; ok && l.holder != holder && !l.until.Before(now) {
		return false, nil
	}
	m.leases[name] = memLease{holder: holder, until: until}
	return true, nil
}

func (m *memLeases) ReleaseLease(_ context.Context, name, holder string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.leases[name].holder == holder {
		delete(m.leases, name)
	}
	return nil
}

func (m *memLeases) RecordRun(_ context.Context, job string, at time.Time, holder string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := job + "@" + at.UTC().Format(time.RFC3339Nano)
	if _, ok := m.runs[key]; ok {
		m.refused++
		return false, nil
	}
	m.runs[key] = holder
	return true, nil
}

// firings is what the replicas' jobs did, shared by the replicas.
type firings struct {
	mu  sync.Mutex
	log []string // "replica job@hh:mm:ss"
	at  map[string]int
}

func (f *firings) job(replica, name string) Job {
	return &firingJob{f: f, replica: replica, name: name}
}

type firingJob struct {
	f       *firings
	replica string
	name    string
}

func (j *firingJob) Name() string { return j.name }
func (j *firingJob) Run(_ context.Context, now time.Time) error {
	j.f.mu.Lock()
	defer j.f.mu.Unlock()
	key := j.name + "@" + now.Format(time.TimeOnly)
	j.f.log = append(j.f.log, j.replica+" "+key)
	if j.f.at == nil {
		j.f.at = map[string]int{}
	}
	j.f.at[key]++
	return nil
}

// replica is a scheduler of the group on the shared lease, driven by
// hand: Elect every step, robfig/cron's call at every minute.
func newReplica(t *testing.T, name string, clock *fakeClock, m *memLeases, f *firings) *Scheduler {
	t.Helper()
	s := NewScheduler(mustLoc(t), clock.Now, nil)
	s.after = func(time.Duration) <-chan time.Time { return nil } // the test moves time
	s.SetLeader(Leader{Leases: m, Runs: m, Holder: name})
	if err := s.Add("* * * * *", f.job(name, "push")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return s
}

// cronCalls is robfig/cron calling the replica's entry now.
func cronCalls(s *Scheduler) {
	s.mu.Lock()
	e := s.entries[0]
	s.mu.Unlock()
	s.tick(context.Background(), e.schedule, e.job)
}

// waitReady waits until the term s began (if any) has re-fired its
// instants and run its catch-up.
func waitReady(t *testing.T, s *Scheduler) {
	t.Helper()
	s.mu.Lock()
	sess := s.session
	s.mu.Unlock()
	if sess == nil {
		return
	}
	select {
	case <-sess.ready:
	case <-time.After(2 * time.Second):
		t.Fatal("the new term never got ready")
	}
}

func TestLeader_HandOver(t *testing.T) {
	loc := mustLoc(t)
	at := func(h, m, s int) time.Time { return time.Date(2026, 11, 27, h, m, s, 0, loc) }
	for _, c := range []struct {
		name string
		// a stops (dies or pauses) after its step at stop, and comes
		// back at resume (zero: never).
		stop, resume time.Time
		// wantA are the instants a fires; b fires the rest.
		wantA []string
		// keyed: b, taking over, re-fires an instant a ran, and its key
		// stops it.
		keyed bool
	}{
		{"DiesAfterFiring", at(8, 31, 0), time.Time{}, []string{"08:30:00", "08:31:00"}, true},
		{"DiesBeforeFiring", at(8, 31, 58), time.Time{}, []string{"08:30:00", "08:31:00"}, false},
		{"PausedLeaderStepsDown", at(8, 31, 0), at(8, 31, 30), []string{"08:30:00", "08:31:00"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := newFakeClock(at(8, 29, 50))
			m, f := newMemLeases(), &firings{}
			a := newReplica(t, "a", clock, m, f)
			b := newReplica(t, "b", clock, m, f)
			var bLeads time.Time
			for now := at(8, 29, 50); !now.After(at(8, 34, 0)); now = now.Add(DefaultLeaseRenew) {
				clock.set(now)
				aUp := !now.After(c.stop) || (!c.resume.IsZero() && !now.Before(c.resume))
				if aUp {
					a.Elect(context.Background())
					waitReady(t, a)
				}
				if b.Elect(context.Background()) && bLeads.IsZero() {
					bLeads = now
				}
				waitReady(t, b)
				if aUp && b.Leading() && a.Leading() {
					t.Fatalf("%s: both lead", now.Format(time.TimeOnly))
				}
				if now.Second() == 0 {
					if aUp {
						cronCalls(a)
					}
					cronCalls(b)
				}
			}
			// a renewed last at its stop step; b must lead within TTL+Renew.
			if bLeads.IsZero() || bLeads.After(c.stop.Add(DefaultLeaseTTL+DefaultLeaseRenew)) {
				t.Errorf("b leads from %s, want by %s", bLeads.Format(time.TimeOnly), c.stop.Add(DefaultLeaseTTL+DefaultLeaseRenew).Format(time.TimeOnly))
			}
			m.mu.Lock()
			refused := m.refused
			m.mu.Unlock()
			if refused == 0 && c.keyed {
				t.Error("no firing was skipped by its key")
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			var want []string
			for _, hhmm := range []string{"08:30:00", "08:31:00", "08:32:00", "08:33:00", "08:34:00"} {
				who := "b"
				for _, w := range c.wantA {
					if w == hhmm {
						who = "a"
					}
				}
				want = append(want, who+" push@"+hhmm)
				if n := f.at["push@"+hhmm]; n != 1 {
					t.Errorf("push at %s fired %d times, want once", hhmm, n)
				}
			}
			if fmt.Sprint(f.log) != fmt.Sprint(want) {
				t.Errorf("fired %v\nwant  %v", f.log, want)
			}
		})
	}
}

func TestLeader_KeyRecordedSkipped(t *testing.T) {
	loc := mustLoc(t)
	start := time.Date(2026, 11, 27, 8, 0, 0, 0, loc)
	clock := newFakeClock(start)
	m, f := newMemLeases(), &firings{}
	s := newReplica(t, "a", clock, m, f)
	if !s.Elect(context.Background()) {
		t.Fatal("a alone does not lead")
	}
	waitReady(t, s)
	// Another replica fired 08:01 before it died.
	if ok, _ := m.RecordRun(context.Background(), "push", start.Add(time.Minute), "gone"); !ok {
		t.Fatal("record")
	}
	clock.set(start.Add(2 * time.Minute))
	if !s.Elect(context.Background()) {
		t.Fatal("a lost the lease")
	}
	fired := s.Advance(context.Background(), start, start.Add(2*time.Minute))
	if len(fired) != 1 || !fired[0].At.Equal(start.Add(2*time.Minute)) {
		t.Fatalf("fired %+v, want 08:02 only", fired)
	}
	// 08:00 is the instant a took the lease at: it fired that on taking it.
	if fmt.Sprint(f.log) != "[a push@08:00:00 a push@08:02:00]" {
		t.Fatalf("ran %v", f.log)
	}
}

func TestLeader_CatchUpAndTimersOnlyOnLeader(t *testing.T) {
	loc := mustLoc(t)
	start := time.Date(2026, 11, 27, 8, 0, 0, 0, loc)
	clock := newFakeClock(start)
	m, f := newMemLeases(), &firings{}
	caughtUp := make(chan string, 4)
	var deadlines []*deadlineJob
	replicas := map[string]*Scheduler{}
	for _, name := range []string{"a", "b"} {
		s := newReplica(t, name, clock, m, f)
		s.OnLead(func(_ context.Context, now time.Time) { caughtUp <- name })
		d := newDeadlineJob("deadline-"+name, start) // due already
		s.AddDeadline(d)
		deadlines = append(deadlines, d)
		replicas[name] = s
	}
	replicas["a"].Elect(context.Background())
	replicas["b"].Elect(context.Background())
	waitReady(t, replicas["a"])
	if got := <-caughtUp; got != "a" {
		t.Fatalf("%s caught up", got)
	}
	select {
	case at := <-deadlines[0].runs:
		if !at.Equal(start) {
			t.Fatalf("a's deadline ran at %s", at)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the leader's timers never ran")
	}
	select {
	case got := <-caughtUp:
		t.Fatalf("%s caught up too", got)
	case at := <-deadlines[1].runs:
		t.Fatalf("a follower's deadline ran at %s", at)
	default:
	}
	// a shuts down: it gives the lease up, and b leads at its next round.
	if err := replicas["a"].Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.set(start.Add(time.Second))
	if !replicas["b"].Elect(context.Background()) {
		t.Fatal("b does not lead after a resigned")
	}
	waitReady(t, replicas["b"])
	if got := <-caughtUp; got != "b" {
		t.Fatalf("%s caught up", got)
	}
}

func TestScheduler_StartWithoutLeaderCatchesUpOnce(t *testing.T) {
	loc := mustLoc(t)
	start := time.Date(2026, 11, 27, 8, 0, 0, 0, loc)
	clock := newFakeClock(start)
	s := NewScheduler(loc, clock.Now, nil)
	s.after = func(time.Duration) <-chan time.Time { return nil }
	caughtUp := make(chan time.Time, 2)
	s.OnLead(func(_ context.Context, now time.Time) { caughtUp <- now })
	if !s.Leading() || !s.Elect(context.Background()) {
		t.Fatal("a scheduler without a Leader does not lead")
	}
	s.Start()
	if at := <-caughtUp; !at.Equal(start) {
		t.Fatalf("caught up at %s", at)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(caughtUp) != 0 {
		t.Fatal("caught up twice")
	}
}

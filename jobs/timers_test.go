package jobs

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock is the timers' clock in tests: the loop's sleeps come out on
// sleeps, and the test wakes them after moving the clock.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps chan sleep
}

type sleep struct {
	d    time.Duration
	wake chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, sleeps: make(chan sleep, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	s := sleep{d: d, wake: make(chan time.Time, 1)}
	c.sleeps <- s
	return s.wake
}

// set moves the clock to t.
func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// nextSleep is the loop's next sleep.
func (c *fakeClock) nextSleep(t *testing.T) sleep {
	t.Helper()
	select {
	case s := <-c.sleeps:
		return s
	case <-time.After(2 * time.Second):
		t.Fatal("the timers never went to sleep")
		return sleep{}
	}
}

// deadlineJob is a DeadlineJob over a list of instants it must act at,
// kept like rows marked done once done: Run at t does every one not after
// t, unless failing.
type deadlineJob struct {
	name string
	mu   sync.Mutex
	due  []time.Time
	fail bool
	runs chan time.Time
}

func newDeadlineJob(name string, due ...time.Time) *deadlineJob {
	return &deadlineJob{name: name, due: due, runs: make(chan time.Time, 100)}
}

func (j *deadlineJob) Name() string { return j.name }

func (j *deadlineJob) Next(_ context.Context, _ time.Time) (time.Time, bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.due) == 0 {
		return time.Time{}, false, nil
	}
	return slices.MinFunc(j.due, time.Time.Compare), true, nil
}

func (j *deadlineJob) Run(_ context.Context, now time.Time) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.runs <- now
	if j.fail {
		return errors.New("db down")
	}
	j.due = slices.DeleteFunc(j.due, func(t time.Time) bool { return !t.After(now) })
	return nil
}

func (j *deadlineJob) add(t time.Time) {
	j.mu.Lock()
	j.due = append(j.due, t)
	j.mu.Unlock()
}

// ran is the instant of the job's next run.
func (j *deadlineJob) ran(t *testing.T) time.Time {
	t.Helper()
	select {
	case at := <-j.runs:
		return at
	case <-time.After(2 * time.Second):
		t.Fatalf("%s did not run", j.name)
		return time.Time{}
	}
}

// startTimers starts s on the fake clock and stops it at the test's end.
func startTimers(t *testing.T, loc *time.Location, c *fakeClock, js ...DeadlineJob) *Scheduler {
	t.Helper()
	s := NewScheduler(loc, c.Now, nil)
	s.after = c.After
	for _, j := range js {
		s.AddDeadline(j)
	}
	s.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	return s
}

// TestTimers_FireAtTheSecond: a deadline at 09:32:17 runs its job with
// now = 09:32:17, though the loop sleeps at most a minute at a time and
// its last timer wakes late.
func TestTimers_FireAtTheSecond(t *testing.T) {
	loc := mustLoc(t)
	start := time.Date(2026, 11, 27, 9, 30, 0, 0, loc)
	due := start.Add(2*time.Minute + 17*time.Second)
	c := newFakeClock(start)
	j := newDeadlineJob("reception-timeouts", due)
	startTimers(t, loc, c, j)
	if at := j.ran(t); !at.Equal(start) {
		t.Fatalf("start run at %s, want %s", at, start)
	}
	for c.Now().Before(due) {
		s := c.nextSleep(t)
		if s.d <= 0 || s.d > timerWake {
			t.Fatalf("sleeps %s", s.d)
		}
		woke := c.Now().Add(s.d)
		if !woke.Before(due) {
			woke = woke.Add(300 * time.Millisecond) // the last timer wakes late
		}
		c.set(woke)
		s.wake <- woke
	}
	if at := j.ran(t); !at.Equal(due) {
		t.Fatalf("ran at %s, want %s", at, due)
	}
	c.nextSleep(t) // nothing due: asleep again, not running
	select {
	case at := <-j.runs:
		t.Fatalf("ran again at %s", at)
	default:
	}
}

// TestTimers_PokeBringsADeadlineNearer: asleep with nothing due, the loop
// hears of a new deadline from Poke and runs at it.
func TestTimers_PokeBringsADeadlineNearer(t *testing.T) {
	loc := mustLoc(t)
	start := time.Date(2026, 11, 27, 9, 30, 0, 0, loc)
	c := newFakeClock(start)
	j := newDeadlineJob("complaint-chaser")
	s := startTimers(t, loc, c, j)
	j.ran(t)
	if sl := c.nextSleep(t); sl.d != timerWake {
		t.Fatalf("nothing due: sleeps %s", sl.d)
	}
	due := start.Add(8*time.Minute + 3*time.Second)
	j.add(due)
	s.Poke()
	sl := c.nextSleep(t)
	c.set(start.Add(sl.d))
	sl.wake <- c.Now()
	for c.Now().Before(due) {
		sl = c.nextSleep(t)
		c.set(c.Now().Add(sl.d))
		sl.wake <- c.Now()
	}
	if at := j.ran(t); !at.Equal(due) {
		t.Fatalf("ran at %s, want %s", at, due)
	}
}

// TestTimers_RestartRunsWhatIsOverdueAtOnce: new timers over stored work
// that fell due while nobody ran run the job at start, and work booked
// already due (a poke) at once, each at the clock's instant.
func TestTimers_RestartRunsWhatIsOverdueAtOnce(t *testing.T) {
	loc := mustLoc(t)
	start := time.Date(2026, 11, 27, 9, 30, 0, 0, loc)
	c := newFakeClock(start)
	j := newDeadlineJob("reminders", start.Add(-10*time.Minute))
	s := startTimers(t, loc, c, j)
	if at := j.ran(t); !at.Equal(start) {
		t.Fatalf("ran at %s, want %s", at, start)
	}
	c.nextSleep(t)
	now := start.Add(5 * time.Second)
	c.set(now)
	j.add(start.Add(-time.Minute)) // a visit booked 29 minutes ahead
	s.Poke()
	if at := j.ran(t); !at.Equal(now) {
		t.Fatalf("ran at %s, want %s", at, now)
	}
}

// TestTimers_StuckWorkWaitsToRetry: a job that fails leaves its work due;
// the loop runs it again after timerRetry, not at once.
func TestTimers_StuckWorkWaitsToRetry(t *testing.T) {
	loc := mustLoc(t)
	start := time.Date(2026, 11, 27, 9, 30, 0, 0, loc)
	c := newFakeClock(start)
	j := newDeadlineJob("visit-grade", start.Add(-time.Minute))
	j.fail = true
	startTimers(t, loc, c, j)
	if at := j.ran(t); !at.Equal(start) {
		t.Fatalf("ran at %s", at)
	}
	sl := c.nextSleep(t)
	if sl.d != timerRetry {
		t.Fatalf("sleeps %s, want the retry", sl.d)
	}
	select {
	case at := <-j.runs:
		t.Fatalf("ran again at %s", at)
	default:
	}
	c.set(start.Add(sl.d))
	sl.wake <- c.Now()
	if at := j.ran(t); !at.Equal(start.Add(timerRetry)) {
		t.Fatalf("retried at %s", at)
	}
}

// TestScheduler_AdvanceFiresDeadlines: Advance runs the deadline jobs at
// their exact instants, in time order with the cron runs; work already
// due at `from` runs at `from`.
func TestScheduler_AdvanceFiresDeadlines(t *testing.T) {
	loc := mustLoc(t)
	from := time.Date(2026, 11, 27, 9, 30, 0, 0, loc)
	at := func(hm string, sec int) time.Time {
		t.Helper()
		d, err := time.ParseInLocation("2006-01-02 15:04", "2026-11-27 "+hm, loc)
		if err != nil {
			t.Fatal(err)
		}
		return d.Add(time.Duration(sec) * time.Second)
	}
	s := NewScheduler(loc, func() time.Time { return from }, nil)
	push := &recordJob{name: "push"}
	if err := s.Add("0 10 * * *", push); err != nil {
		t.Fatal(err)
	}
	// Deadlines read from the database come back in UTC.
	chaser := newDeadlineJob("chaser", at("09:40", 17).UTC(), at("10:00", 0), at("10:20", 5), at("11:00", 0))
	rec := newDeadlineJob("reception", at("09:20", 0), at("09:32", 17))
	s.AddDeadline(chaser)
	s.AddDeadline(rec)
	fired := s.Advance(context.Background(), from, at("10:30", 0))
	want := []struct {
		job string
		at  time.Time
	}{
		{"reception", from},
		{"reception", at("09:32", 17)},
		{"chaser", at("09:40", 17)},
		{"push", at("10:00", 0)},
		{"chaser", at("10:00", 0)},
		{"chaser", at("10:20", 5)},
	}
	if len(fired) != len(want) {
		t.Fatalf("fired %+v", fired)
	}
	for i, w := range want {
		if fired[i].Job != w.job || !fired[i].At.Equal(w.at) || fired[i].Err != nil {
			t.Errorf("run %d = %s at %s (%v), want %s at %s", i, fired[i].Job, fired[i].At, fired[i].Err, w.job, w.at)
		}
		if fired[i].At.Location() != loc {
			t.Errorf("run %d at %s, not on the store's clock", i, fired[i].At)
		}
	}
	// The rest is left for later.
	if fired := s.Advance(context.Background(), at("10:30", 0), at("10:59", 59)); len(fired) != 0 {
		t.Fatalf("fired %+v", fired)
	}
	if fired := s.Advance(context.Background(), at("10:59", 59), at("11:00", 0)); len(fired) != 1 || !fired[0].At.Equal(at("11:00", 0)) {
		t.Fatalf("fired %+v", fired)
	}
}

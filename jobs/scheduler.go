// Package jobs holds the bot's scheduled work. Each job is a plain value
// with Run(ctx, now); the Scheduler decides when, on the store's clock:
// on a cron spec, or, for a DeadlineJob, at the instants it computes.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is one piece of scheduled work. Run must be safe to repeat for the
// same now: what it sends goes through the outbox with a key per period.
type Job interface {
	Name() string
	Run(ctx context.Context, now time.Time) error
}

// Scheduler runs jobs on cron specs in the store's time zone, and deadline
// jobs at their instants (timers.go). In real time it wraps robfig/cron,
// whose clock cannot be injected, so the callback only reads Now and calls
// Run; the timers sleep on the injected clock. A demo moves its own clock
// and calls Advance, which fires every run the specs and the deadlines
// hold between two instants.
type Scheduler struct {
	loc  *time.Location
	now  func() time.Time
	log  *slog.Logger
	cron *cron.Cron
	// after is the timers' sleep (time.After; a fake clock's in tests).
	after func(time.Duration) <-chan time.Time
	poke  chan struct{}

	mu          sync.Mutex
	entries     []entry
	deadlines   []DeadlineJob
	stopTimers  context.CancelFunc
	timersEnded chan struct{}
}

type entry struct {
	spec     string
	schedule cron.Schedule
	job      Job
}

// NewScheduler returns a scheduler on the store's zone and clock.
func NewScheduler(loc *time.Location, now func() time.Time, log *slog.Logger) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{
		loc: loc, now: now, log: log,
		after: time.After,
		poke:  make(chan struct{}, 1),
		cron:  cron.New(cron.WithLocation(loc), cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger))),
	}
}

// Add schedules job on a standard five-field cron spec ("30 8 * * *").
func (s *Scheduler) Add(spec string, job Job) error {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("schedule %s: spec %q: %w", job.Name(), spec, err)
	}
	s.mu.Lock()
	s.entries = append(s.entries, entry{spec: spec, schedule: sched, job: job})
	s.mu.Unlock()
	s.cron.Schedule(sched, cron.FuncJob(func() { s.run(context.Background(), job, s.now()) }))
	return nil
}

// Start runs the jobs in real time until Stop. The deadline jobs run at
// once (what fell due while the bot was down), then at their instants.
func (s *Scheduler) Start() {
	s.cron.Start()
	ctx, cancel := context.WithCancel(context.Background())
	timers := s.newTimers(s.now())
	ended := make(chan struct{})
	s.mu.Lock()
	s.stopTimers, s.timersEnded = cancel, ended
	s.mu.Unlock()
	go func() {
		defer close(ended)
		s.runTimers(ctx, timers)
	}()
}

// Stop stops the real-time schedule and waits (bounded by ctx) for jobs
// that are running.
func (s *Scheduler) Stop(ctx context.Context) error {
	cronDone := s.cron.Stop().Done()
	s.mu.Lock()
	stopTimers, timersEnded := s.stopTimers, s.timersEnded
	s.mu.Unlock()
	if stopTimers != nil {
		stopTimers()
	}
	for _, done := range []<-chan struct{}{cronDone, timersEnded} {
		if done == nil {
			continue
		}
		select {
		case <-done:
		case <-ctx.Done():
			return fmt.Errorf("jobs still running: %w", ctx.Err())
		}
	}
	return nil
}

// Fired is one run that Advance made.
type Fired struct {
	Job string
	At  time.Time
	Err error
}

// Advance runs, in time order, every scheduled run after `from` up to and
// including `to`: the cron specs' and each deadline job's exact instants
// (a deadline's work already due at `from` runs at `from`). The demo's
// clock and tests use it; real time uses Start.
func (s *Scheduler) Advance(ctx context.Context, from, to time.Time) []Fired {
	s.mu.Lock()
	entries := append([]entry(nil), s.entries...)
	s.mu.Unlock()
	timers := s.newTimers(from)
	var due []Fired
	jobs := map[string]Job{}
	for _, e := range entries {
		jobs[e.job.Name()] = e.job
		for t := e.schedule.Next(from.In(s.loc)); !t.After(to); t = e.schedule.Next(t) {
			due = append(due, Fired{Job: e.job.Name(), At: t})
		}
	}
	sort.SliceStable(due, func(i, j int) bool { return due[i].At.Before(due[j].At) })
	var fired []Fired
	cur := from
	for i := 0; ctx.Err() == nil; {
		at, ready := s.dueTimers(ctx, timers, cur)
		timerNext := len(ready) > 0 && !at.After(to)
		if i < len(due) && (!timerNext || !at.Before(due[i].At)) {
			// A cron run first, and first on a tie.
			due[i].Err = s.run(ctx, jobs[due[i].Job], due[i].At)
			fired, cur = append(fired, due[i]), due[i].At
			i++
			continue
		}
		if !timerNext {
			break
		}
		at = later(at, cur)
		fired, cur = append(fired, s.fire(ctx, ready, at)...), at
	}
	return fired
}

// run calls the job, recovering and logging a panic or an error.
func (s *Scheduler) run(ctx context.Context, job Job, now time.Time) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("job %s panicked: %v", job.Name(), r)
		}
		if err != nil {
			s.log.Error("job failed", slog.String("job", job.Name()), slog.Any("error", err))
		}
	}()
	start := time.Now()
	err = job.Run(ctx, now)
	s.log.Info("job ran", slog.String("job", job.Name()), slog.Time("at", now), slog.Duration("took", time.Since(start)))
	return err
}

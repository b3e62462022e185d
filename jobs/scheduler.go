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

	mu        sync.Mutex
	entries   []entry
	deadlines []DeadlineJob
	onLead    []func(ctx context.Context, now time.Time)
	// session is the jobs' run while the scheduler leads (leader.go);
	// leading and leaseUntil say whether and until when it holds the
	// lease, with a Leader.
	session    *session
	leader     *Leader
	leading    bool
	leaseUntil time.Time
	// stopCampaign and campaignEnded stop the election loop.
	stopCampaign  context.CancelFunc
	campaignEnded chan struct{}
}

// session is one term of leading: the timers and the catch-up.
type session struct {
	cancel context.CancelFunc
	done   chan struct{}
	// ready is closed once the catch-up and the instants re-fired at the
	// start of the term are done.
	ready chan struct{}
}

type entry struct {
	spec     string
	schedule cron.Schedule
	job      Job
}

// NewScheduler returns a scheduler on a clock, with the zone of the specs
// that name none (the group's housekeeping; a store's jobs name theirs).
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

// Add schedules job on a standard five-field cron spec ("30 8 * * *"),
// in the scheduler's zone, or in the zone a "CRON_TZ=Area/City " prefix
// names (a store's calendar job: "CRON_TZ=Asia/Urumqi 30 8 * * *"). Its
// instants are the same in real time, in the catch-up and in Advance:
// robfig/cron's schedule computes them in the spec's zone.
func (s *Scheduler) Add(spec string, job Job) error {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("schedule %s: spec %q: %w", job.Name(), spec, err)
	}
	s.mu.Lock()
	s.entries = append(s.entries, entry{spec: spec, schedule: sched, job: job})
	s.mu.Unlock()
	s.cron.Schedule(sched, cron.FuncJob(func() { s.tick(context.Background(), sched, job) }))
	return nil
}

// tick is robfig/cron calling job: without a Leader it runs job at the
// clock's now, as it always did; with one, at the instant cron is calling
// for, keyed so that it runs once across the replicas.
func (s *Scheduler) tick(ctx context.Context, sched cron.Schedule, job Job) {
	now := s.now()
	s.mu.Lock()
	keyed := s.leader != nil
	s.mu.Unlock()
	if keyed {
		at, ok := lastInstant(sched, now)
		if !ok {
			s.log.Warn("job called off its schedule", slog.String("job", job.Name()), slog.Time("now", now))
			return
		}
		now = at.In(s.loc)
	}
	s.runCron(ctx, job, now)
}

// Start runs the jobs in real time until Stop. The deadline jobs run at
// once (what fell due while the bot was down), then at their instants;
// the OnLead catch-ups run beside them. With a Leader all this waits
// until the scheduler holds the lease, and stops when it loses it.
func (s *Scheduler) Start() {
	s.cron.Start()
	s.mu.Lock()
	l := s.leader
	s.mu.Unlock()
	if l == nil {
		now := s.now()
		s.startSession(now, now)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	ended := make(chan struct{})
	s.mu.Lock()
	s.stopCampaign, s.campaignEnded = cancel, ended
	s.mu.Unlock()
	go func() {
		defer close(ended)
		s.campaign(ctx, l.Renew)
	}()
}

// startSession starts a term of leading at now: the catch-ups, the cron
// instants after `since` (with a Leader: those a previous leader may
// have missed), and the timers.
func (s *Scheduler) startSession(now, since time.Time) {
	ctx, cancel := context.WithCancel(context.Background())
	sess := &session{cancel: cancel, done: make(chan struct{}), ready: make(chan struct{})}
	timers := s.newTimers(now)
	s.mu.Lock()
	s.session = sess
	hooks := append([]func(context.Context, time.Time){}, s.onLead...)
	entries := append([]entry(nil), s.entries...)
	s.mu.Unlock()
	go func() {
		defer close(sess.done)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(sess.ready)
			s.refire(ctx, entries, since, now)
			for _, fn := range hooks {
				fn(ctx, now)
			}
		}()
		s.runTimers(ctx, timers)
		wg.Wait()
	}()
}

// refire runs the entries' instants after since up to now, each once
// across the replicas (runCron).
func (s *Scheduler) refire(ctx context.Context, entries []entry, since, now time.Time) {
	for _, e := range entries {
		for t := e.schedule.Next(since.In(s.loc)); !t.After(now); t = e.schedule.Next(t) {
			if ctx.Err() != nil {
				return
			}
			s.runCron(ctx, e.job, t)
		}
	}
}

// endSession ends the term of leading and waits (bounded by ctx) for the
// jobs running.
func (s *Scheduler) endSession(ctx context.Context) error {
	s.mu.Lock()
	sess := s.session
	s.session = nil
	s.mu.Unlock()
	if sess == nil {
		return nil
	}
	sess.cancel()
	select {
	case <-sess.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("jobs still running: %w", ctx.Err())
	}
}

// Stop stops the real-time schedule, waits (bounded by ctx) for jobs
// that are running and, with a Leader, gives the lease up so another
// replica takes over at once.
func (s *Scheduler) Stop(ctx context.Context) error {
	cronDone := s.cron.Stop().Done()
	s.mu.Lock()
	stopCampaign, campaignEnded := s.stopCampaign, s.campaignEnded
	s.mu.Unlock()
	if stopCampaign != nil {
		stopCampaign()
		select {
		case <-campaignEnded:
		case <-ctx.Done():
			return fmt.Errorf("scheduler election still running: %w", ctx.Err())
		}
	}
	if err := s.endSession(ctx); err != nil {
		return err
	}
	select {
	case <-cronDone:
	case <-ctx.Done():
		return fmt.Errorf("jobs still running: %w", ctx.Err())
	}
	return s.resign(ctx)
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
			// A cron run first, and first on a tie. With a Leader, a run
			// another replica fired, or fired while this one did not
			// lead, is not reported.
			var ran bool
			ran, due[i].Err = s.runCron(ctx, jobs[due[i].Job], due[i].At)
			if ran || due[i].Err != nil {
				fired = append(fired, due[i])
			}
			cur = due[i].At
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

package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Deadlines (a complaint's reminder and breaches, a reception call's
// answer time, a handover's working hours) fall due at instants the jobs
// can compute from what is stored. Rather than poll each minute, the
// scheduler asks each deadline job for its next instant, sleeps until the
// nearest and runs the job with now set to it, so a deadline acts at its
// second. Everything is computed from the database: after a restart the
// first round does whatever fell due meanwhile.

// DeadlineJob is a job that knows when it next has something to do.
type DeadlineJob interface {
	Job
	// Next returns the earliest instant after `after` at which Run has
	// something to do; ok is false when nothing is pending. Work that is
	// marked done once done (a reminder recorded as sent) may report an
	// instant not after `after` while it is undone: the scheduler then
	// runs the job at once. Run at exactly the instant must do the work.
	Next(ctx context.Context, after time.Time) (at time.Time, ok bool, err error)
}

// timerWake caps a timer's sleep, as a safety net: rows written where no
// Poke follows (the CLI, another process) are picked up within it.
const timerWake = time.Minute

// timerRetry is how long a job waits to run again when its work is still
// due after it ran (its Run failed, or Next and Run disagree).
const timerRetry = time.Minute

// timer is a deadline job and where it stands.
type timer struct {
	job DeadlineJob
	ran time.Time // the instant it last ran at
	// settled: it ran at `ran` and nothing was poked since, so work Next
	// still reports as due by then is stuck, not new.
	settled bool
}

// AddDeadline runs job at the instants its Next reports.
func (s *Scheduler) AddDeadline(job DeadlineJob) {
	s.mu.Lock()
	s.deadlines = append(s.deadlines, job)
	s.mu.Unlock()
}

// Poke tells the timers that what they compute from may have changed (an
// update committed a new complaint, a reception call): they recompute
// their next instant at once. It never blocks; pokes in a burst merge.
func (s *Scheduler) Poke() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// newTimers are the deadline jobs, as having last run at ran.
func (s *Scheduler) newTimers(ran time.Time) []*timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	timers := make([]*timer, len(s.deadlines))
	for i, job := range s.deadlines {
		timers[i] = &timer{job: job, ran: ran}
	}
	return timers
}

// runTimers is the real-time loop: it runs every deadline job at start
// (whatever fell due while the bot was down), then each at its instants,
// until ctx ends.
func (s *Scheduler) runTimers(ctx context.Context, timers []*timer) {
	// Runs are not cut short by Stop: Stop waits for them.
	runCtx := context.WithoutCancel(ctx)
	s.fire(runCtx, timers, s.now())
	for ctx.Err() == nil {
		now := s.now()
		at, due := s.dueTimers(runCtx, timers, now)
		if len(due) > 0 && !at.After(now) {
			s.fire(runCtx, due, at)
			continue
		}
		wait := timerWake
		if len(due) > 0 {
			wait = min(wait, at.Sub(now))
		}
		select {
		case <-ctx.Done():
		case <-s.poke:
			for _, tm := range timers {
				tm.settled = false
			}
		case <-s.after(wait):
		}
	}
}

// dueTimers returns the nearest instant any timer is due and the timers
// due then (none: nothing pending). now is the clock's instant, for work
// already due.
func (s *Scheduler) dueTimers(ctx context.Context, timers []*timer, now time.Time) (time.Time, []*timer) {
	var first time.Time
	var due []*timer
	for _, tm := range timers {
		at, ok := s.nextOf(ctx, tm, now)
		switch {
		case !ok:
		case len(due) == 0 || at.Before(first):
			first, due = at, []*timer{tm}
		case at.Equal(first):
			due = append(due, tm)
		}
	}
	return first, due
}

// nextOf is when tm should run next, never before it last ran, nor in
// the past for work already due: at now for new work, at most once per
// timerRetry for work still due after it ran.
func (s *Scheduler) nextOf(ctx context.Context, tm *timer, now time.Time) (time.Time, bool) {
	at, ok, err := tm.job.Next(ctx, tm.ran)
	if err != nil {
		// Unknown: as if due, since Run is safe to repeat.
		s.log.Error("job next", slog.String("job", tm.job.Name()), slog.Any("error", err))
		at, ok = tm.ran, true
	}
	switch {
	case !ok:
		return time.Time{}, false
	case at.After(tm.ran):
		return at, true
	case tm.settled:
		if err == nil {
			s.log.Warn("job still due after it ran", slog.String("job", tm.job.Name()), slog.Time("due", at), slog.Time("ran", tm.ran))
		}
		return later(tm.ran.Add(timerRetry), now), true
	}
	return later(now, tm.ran), true // new work, due already
}

// fire runs the timers' jobs at `at`, on the store's clock: an instant
// read from the database is UTC, and a job or the demo reading its hour
// must see the store's.
func (s *Scheduler) fire(ctx context.Context, timers []*timer, at time.Time) []Fired {
	at = at.In(s.loc)
	fired := make([]Fired, 0, len(timers))
	for _, tm := range timers {
		if !s.Leading() {
			// Lost the lease: the next leader runs it (leader.go).
			break
		}
		tm.ran, tm.settled = at, true
		fired = append(fired, Fired{Job: tm.job.Name(), At: at, Err: s.run(ctx, tm.job, at)})
	}
	return fired
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// nearest keeps the earliest of the instants it is given.
type nearest struct {
	at time.Time
	ok bool
}

func (n *nearest) add(at time.Time, ok bool) {
	if ok && (!n.ok || at.Before(n.at)) {
		n.at, n.ok = at, true
	}
}

// farFuture bounds "due at any time" queries.
var farFuture = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)

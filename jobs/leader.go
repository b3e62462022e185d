package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/dealerbot/dealerbot/domain"
)

// Several replicas on one database run the scheduled jobs once: one of
// them, the leader, holds a lease in the database and renews it; only the
// leader runs cron entries and deadline timers, and it checks the lease
// before each firing. A replica that dies stops renewing, and another
// takes the lease once it expires: within TTL+Renew. Each firing of a cron
// entry is recorded under its key (the job's name and scheduled instant)
// before it runs, so when a new leader fires again the instants of the
// last moments, lest one fall between two leaders, an instant already run
// does nothing. Deadline jobs need no key: their work is marked done in
// the database and their messages go through the outbox with a key per
// period, so running one twice does nothing twice.

// Leases is the database side of leadership.
type Leases interface {
	// TakeLease gives the lease name to holder until `until` if it is
	// free, expired at now, or holder's already, and reports whether
	// holder has it.
	TakeLease(ctx context.Context, name, holder string, now, until time.Time) (bool, error)
	// ReleaseLease gives the lease up if holder has it.
	ReleaseLease(ctx context.Context, name, holder string) error
}

// RunLog records each firing of a cron job under its key.
type RunLog interface {
	// RecordRun records the run of job scheduled at `at`; false means it
	// was recorded already and must not run again.
	RecordRun(ctx context.Context, job string, at time.Time, holder string) (bool, error)
}

// Leader makes a scheduler one of several over one database.
type Leader struct {
	Leases Leases
	Runs   RunLog
	// Holder names this replica; unique across the group.
	Holder string
	// TTL is how long a taken lease lasts (DefaultLeaseTTL); Renew is how
	// often the leader renews it and a follower tries to take it
	// (DefaultLeaseRenew). A dead leader is replaced within TTL+Renew.
	TTL, Renew time.Duration
}

// The lease's defaults: a dead leader is replaced within 12 s.
const (
	DefaultLeaseTTL   = 10 * time.Second
	DefaultLeaseRenew = 2 * time.Second
)

// LeaseName is the scheduler's lease.
const LeaseName = domain.SchedulerLease

// SetLeader makes the scheduler run its jobs only while it holds the
// lease; call it before Start. Without it the scheduler leads from Start.
func (s *Scheduler) SetLeader(l Leader) {
	if l.TTL <= 0 {
		l.TTL = DefaultLeaseTTL
	}
	if l.Renew <= 0 {
		l.Renew = DefaultLeaseRenew
	}
	s.mu.Lock()
	s.leader = &l
	s.mu.Unlock()
}

// OnLead adds fn to what the scheduler does each time it starts leading
// (once at Start without a Leader): a job's catch-up of the runs it
// missed. fn runs beside the jobs, with a ctx that ends when leading does.
func (s *Scheduler) OnLead(fn func(ctx context.Context, now time.Time)) {
	s.mu.Lock()
	s.onLead = append(s.onLead, fn)
	s.mu.Unlock()
}

// Leading reports whether the scheduler may fire now: it has no Leader,
// or it holds the lease and the lease has not run out on its clock.
func (s *Scheduler) Leading() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leader == nil || (s.leading && s.now().Before(s.leaseUntil))
}

// Elect is one round of the election at the scheduler's clock: it takes
// or renews the lease, and starts leading (the catch-up, the instants
// fired in the last handoverWindow, the timers) or stops (waiting for the jobs
// running). The loop Start begins calls it every Renew; tests call it.
func (s *Scheduler) Elect(ctx context.Context) bool {
	s.mu.Lock()
	l := s.leader
	s.mu.Unlock()
	if l == nil {
		return true
	}
	now := s.now()
	held, err := l.Leases.TakeLease(ctx, LeaseName, l.Holder, now, now.Add(l.TTL))
	if err != nil {
		// Unknown: step down rather than risk two leaders. Nobody else
		// can take the lease before it expires anyway.
		s.log.Error("scheduler lease", slog.String("holder", l.Holder), slog.Any("error", err))
		held = false
	}
	s.mu.Lock()
	was := s.leading
	s.leading = held
	if held {
		s.leaseUntil = now.Add(l.TTL)
	}
	s.mu.Unlock()
	switch {
	case held && !was:
		s.log.Info("scheduler leads", slog.String("holder", l.Holder), slog.Time("at", now))
		s.startSession(now, now.Add(-handoverWindow(l)))
	case !held && was:
		s.log.Warn("scheduler no longer leads", slog.String("holder", l.Holder), slog.Time("at", now))
		s.endSession(context.WithoutCancel(ctx))
	}
	return held
}

// handoverWindow is how far back a new leader fires the cron instants
// again: the old leader may have died just after renewing, TTL+Renew
// ago, and the slack of one more Renew covers a late cron call. Instants
// the old leader did fire are skipped by their key.
func handoverWindow(l *Leader) time.Duration { return l.TTL + 2*l.Renew }

// campaign calls Elect every Renew until ctx ends.
func (s *Scheduler) campaign(ctx context.Context, renew time.Duration) {
	for ctx.Err() == nil {
		s.Elect(ctx)
		select {
		case <-ctx.Done():
		case <-s.after(renew):
		}
	}
}

// resign gives the lease up, if the scheduler has a Leader, so another
// replica takes over at once.
func (s *Scheduler) resign(ctx context.Context) error {
	s.mu.Lock()
	l, was := s.leader, s.leading
	s.leading = false
	s.mu.Unlock()
	if l == nil || !was {
		return nil
	}
	if err := l.Leases.ReleaseLease(ctx, LeaseName, l.Holder); err != nil {
		return fmt.Errorf("resign: %w", err)
	}
	return nil
}

// runCron fires job's run scheduled at `at`, if the scheduler leads and,
// with a Leader, nobody fired that instant yet; ran says whether it ran.
func (s *Scheduler) runCron(ctx context.Context, job Job, at time.Time) (ran bool, err error) {
	if !s.Leading() {
		return false, nil
	}
	s.mu.Lock()
	l := s.leader
	s.mu.Unlock()
	if l != nil && l.Runs != nil {
		first, err := l.Runs.RecordRun(ctx, job.Name(), at, l.Holder)
		if err != nil {
			s.log.Error("job not run", slog.String("job", job.Name()), slog.Time("at", at), slog.Any("error", err))
			return false, err
		}
		if !first {
			s.log.Info("job ran already", slog.String("job", job.Name()), slog.Time("at", at))
			return false, nil
		}
	}
	return true, s.run(ctx, job, at)
}

// cronSlack is how late robfig/cron may call an entry and still have the
// instant it was due found.
const cronSlack = time.Minute

// lastInstant is the latest instant of sched not after now and not before
// now-cronSlack: the one cron is calling for. ok is false if none is.
func lastInstant(sched cron.Schedule, now time.Time) (time.Time, bool) {
	var at time.Time
	ok := false
	for t := sched.Next(now.Add(-cronSlack)); !t.IsZero() && !t.After(now); t = sched.Next(t) {
		at, ok = t, true
	}
	return at, ok
}

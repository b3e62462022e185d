package domain

import "time"

// Replica is one running dealerbot process sharing the database with
// others: it drains the outbox with them and, if it holds the scheduler's
// lease, runs the jobs.
type Replica struct {
	Name      string
	Role      string // how it takes updates: "polling" or "webhook"
	StartedAt time.Time
	LastSeen  time.Time // its last heartbeat
}

// Live says whether the replica beat at or after since.
func (r Replica) Live(since time.Time) bool { return !r.LastSeen.Before(since) }

// DrainTime is how long a backlog of n messages takes at perSecond
// messages a second: the time until the last person has theirs (10,000
// staff at 30 msg/s: 333 s). Per-chat limits and retries only add to it.
func DrainTime(n, perSecond int) time.Duration {
	if n <= 0 || perSecond <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second / time.Duration(perSecond)
}

// SchedulerLease is the lease whose holder, the leader, runs the
// scheduled jobs (jobs/leader.go).
const SchedulerLease = "scheduler"

// Lease is a named role one replica holds until it expires unrenewed:
// the scheduler's leadership, the long poller.
type Lease struct {
	Name   string
	Holder string
	Until  time.Time
}

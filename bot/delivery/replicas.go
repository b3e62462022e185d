package delivery

import (
	"context"
	"log/slog"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// Telegram's limits are the bot's, not a replica's: 30 messages a second
// for the whole group of replicas. So each replica beats in the database
// every ReplicaBeat, counts the replicas seen within three beats, and
// sends at 1/N of the rate: N senders at 1/N each stay within it. A
// replica that joins waits one beat and one window before it sends, so
// that the others have lowered their share by then; one that dies stops
// beating and the others take its share three beats later; one that stops
// leaves the table at once. A chat's messages are claimed one at a time
// (the head of its queue, sending or due), and on PostgreSQL its next one
// is due only once its 1/s (20/min a group) allow, whichever replica sent
// the last (storage DueMessagesSpaced), so order and the chat's limits
// hold across replicas.

// ReplicaStore is what several replicas need of the database; a Store
// that is not one makes the runtime send alone at the whole rate.
type ReplicaStore interface {
	Heartbeat(ctx context.Context, name, role string) error
	LiveReplicas(ctx context.Context, since time.Time) (int, error)
	LeaveReplica(ctx context.Context, name string) error
	Replicas(ctx context.Context) ([]domain.Replica, error)
	Leases(ctx context.Context) ([]domain.Lease, error)
	// RecoverOrphans makes pending again what a replica not seen since
	// liveSince was sending.
	RecoverOrphans(ctx context.Context, liveSince time.Time) (int64, error)
	// ClaimSend marks a message sending by replica.
	ClaimSend(ctx context.Context, id int64, replica string) error
	// DueMessagesSpaced is DueMessages without the chats whose last sends,
	// by any replica, leave no room.
	DueMessagesSpaced(ctx context.Context, limit int, skipChats []int64, perChatPerSecond, groupPerMinute int) ([]domain.OutboxMessage, error)
}

// replicaStore is the store's replica side, or nil.
func (r *Runtime) replicaStore() ReplicaStore {
	rs, _ := r.store.(ReplicaStore)
	return rs
}

// role says how this replica takes updates.
func (r *Runtime) role() string {
	if r.opts.Webhook != nil {
		return "webhook"
	}
	return "polling"
}

// liveSince is the oldest beat of a live replica at now.
func (r *Runtime) liveSince(now time.Time) time.Time {
	return now.Add(-3 * r.opts.ReplicaBeat)
}

// join registers this replica and sets its share. It returns how long to
// wait before the first send: one beat and one window when others are
// sending, so that they have lowered their share first.
func (r *Runtime) join(ctx context.Context) time.Duration {
	n := r.beat(ctx)
	if n > 1 {
		return r.opts.ReplicaBeat + time.Second
	}
	return 0
}

// beat records this replica as alive, recounts the live ones and sets the
// sender's share; it returns the count (1 when the database cannot say).
// In webhook mode, where replicas run side by side, it also makes pending
// again what a dead replica was sending.
func (r *Runtime) beat(ctx context.Context) int {
	rs := r.replicaStore()
	if rs == nil {
		return 1
	}
	n := 1
	if err := rs.Heartbeat(ctx, r.opts.Owner, r.role()); err != nil {
		if ctx.Err() == nil {
			r.log.Warn("replica heartbeat", slog.Any("error", err))
		}
		return r.sender.replicas()
	}
	now := r.now()
	if live, err := rs.LiveReplicas(ctx, r.liveSince(now)); err != nil {
		r.log.Warn("count replicas", slog.Any("error", err))
		return r.sender.replicas()
	} else {
		n = max(live, 1)
	}
	if old := r.sender.setReplicas(n); old != n {
		r.log.Info("replicas share the send rate", slog.Int("replicas", n),
			slog.Int("per_second", r.sender.share()))
	}
	if r.opts.Webhook != nil {
		if k, err := rs.RecoverOrphans(ctx, r.liveSince(now)); err != nil {
			r.log.Warn("outbox: recover a dead replica's messages", slog.Any("error", err))
		} else if k > 0 {
			r.log.Warn("outbox: messages a dead replica left in doubt are sent again", slog.Int64("count", k))
		}
	}
	return n
}

// keepBeating beats every ReplicaBeat until ctx ends.
func (r *Runtime) keepBeating(ctx context.Context) {
	if r.replicaStore() == nil {
		return
	}
	tick := time.NewTicker(r.opts.ReplicaBeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			r.beat(ctx)
		}
	}
}

// leave removes this replica once its sends are over, so the others take
// its share at their next beat.
func (r *Runtime) leave() {
	rs := r.replicaStore()
	if rs == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rs.LeaveReplica(ctx, r.opts.Owner); err != nil {
		r.log.Warn("leave replicas", slog.Any("error", err))
	}
}

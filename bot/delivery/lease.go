package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// Long polling allows one reader per bot: a second poller would make
// Telegram end the first's getUpdates with 409 and the two would take
// turns. So a poller holds a lease row in the database, renewed every few
// seconds; a second `dealerbot run` on the same database finds it live and
// stops with the first one's name. A lease its holder stopped renewing (it
// died) is taken over once it expires.

// pollerLease is the lease's name.
const pollerLease = "telegram.poller"

// LeaseStore keeps the poller's lease.
type LeaseStore interface {
	AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) error
	ReleaseLease(ctx context.Context, name, owner string) error
}

// DefaultOwner names this process in the lease: host and pid.
func DefaultOwner() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	return fmt.Sprintf("%s/pid %d", host, os.Getpid())
}

// acquirePollerLease takes the lease or says who holds it.
func (r *Runtime) acquirePollerLease(ctx context.Context) error {
	err := r.leaseStore().AcquireLease(ctx, pollerLease, r.opts.Owner, r.opts.LeaseTTL)
	if domain.ErrorCode(err) == domain.ECONFLICT {
		return fmt.Errorf("delivery: another poller is running on this database (%s); "+
			"long polling allows one instance: stop it, or use telegram.mode: webhook for several replicas",
			domain.ErrorMessage(err))
	}
	if err != nil {
		return fmt.Errorf("delivery: take the poller lease: %w", err)
	}
	return nil
}

// keepPollerLease renews the lease every third of its lifetime until ctx
// ends, then releases it. Losing it (the process stalled past its expiry
// and another took over) calls lost, which stops polling.
func (r *Runtime) keepPollerLease(ctx context.Context, lost func()) {
	tick := time.NewTicker(r.opts.LeaseTTL / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := r.leaseStore().ReleaseLease(rctx, pollerLease, r.opts.Owner); err != nil {
				r.log.Warn("release poller lease", slog.Any("error", err))
			}
			cancel()
			return
		case <-tick.C:
		}
		err := r.leaseStore().AcquireLease(ctx, pollerLease, r.opts.Owner, r.opts.LeaseTTL)
		switch {
		case domain.ErrorCode(err) == domain.ECONFLICT:
			r.log.Error("poller lease lost: stopping polling", slog.Any("error", err))
			lost()
			return
		case err != nil && ctx.Err() == nil:
			r.log.Warn("renew poller lease", slog.Any("error", err))
		}
	}
}

// leaseStore is the store's lease side; New checks it is there.
func (r *Runtime) leaseStore() LeaseStore { return r.store.(LeaseStore) }

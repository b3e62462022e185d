package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
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
	LeaseHolder(ctx context.Context, name string) (holder string, until time.Time, ok bool, err error)
	TakeOverLease(ctx context.Context, name, from, owner string, ttl time.Duration) (bool, error)
}

// DefaultOwner names this process in the lease: host and pid
// ("host/pid 1234"); a replica's name may add "/<more>" after it.
func DefaultOwner() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	return fmt.Sprintf("%s/pid %d", host, os.Getpid())
}

// deadOnThisHost reports whether holder names a process of this host
// ("host/pid N[/…]") that no longer runs: a poller killed with kill -9
// whose lease has not expired yet, which a restart may take over at once.
func deadOnThisHost(holder string) bool {
	parts := strings.Split(holder, "/")
	host, err := os.Hostname()
	if err != nil || len(parts) < 2 || parts[0] != host {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimPrefix(parts[1], "pid "))
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return syscall.Kill(pid, 0) == syscall.ESRCH
}

// acquirePollerLease takes the lease or says who holds it. A lease whose
// holder is a process of this host that is gone (killed, then restarted
// by its supervisor) is taken over at once rather than after it expires.
func (r *Runtime) acquirePollerLease(ctx context.Context) error {
	err := r.leaseStore().AcquireLease(ctx, pollerLease, r.opts.Owner, r.opts.LeaseTTL)
	if domain.ErrorCode(err) == domain.ECONFLICT {
		if holder, _, ok, herr := r.leaseStore().LeaseHolder(ctx, pollerLease); herr == nil && ok && deadOnThisHost(holder) {
			if took, terr := r.leaseStore().TakeOverLease(ctx, pollerLease, holder, r.opts.Owner, r.opts.LeaseTTL); terr == nil && took {
				r.log.Warn("took over the poller lease of a process that is gone", slog.String("holder", holder))
				return nil
			}
		}
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

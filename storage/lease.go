package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// Leases and job runs let several replicas share one scheduler (jobs/
// leader.go): the leader holds a row of leases until its expires_at and
// renews it; and each firing of a cron job is recorded once in job_runs.
// Both work with one statement on either driver: an upsert whose update
// applies only when the lease is free for the taker, and an insert that
// does nothing on conflict.

// TakeLease gives the lease name to holder until `until` if nobody holds
// it, its holder let it expire before now, or holder has it already (a
// renewal), and reports whether holder has it. One statement decides, so
// of two replicas taking it at once one gets it.
func (db *DB) TakeLease(ctx context.Context, name, holder string, now, until time.Time) (bool, error) {
	res := db.conn(ctx).Exec(`INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
			acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END
		WHERE leases.holder = excluded.holder OR leases.expires_at < ?`,
		name, holder, dbTime(now), dbTime(until), dbTime(now))
	if res.Error != nil {
		return false, formatError(fmt.Errorf("take lease %q: %w", name, res.Error))
	}
	return res.RowsAffected == 1, nil
}

// ReleaseLease gives the lease name up if holder has it, so another
// replica can take it at once rather than when it expires.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	err := db.conn(ctx).Exec(`DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder).Error
	if err != nil {
		return formatError(fmt.Errorf("release lease %q: %w", name, err))
	}
	return nil
}

// LeaseHolder returns who holds the lease name and until when; ok is
// false when nobody has taken it (an expired lease is still reported).
func (db *DB) LeaseHolder(ctx context.Context, name string) (holder string, until time.Time, ok bool, err error) {
	var row struct {
		Holder    string
		ExpiresAt time.Time
	}
	res := db.conn(ctx).Raw(`SELECT holder, expires_at FROM leases WHERE name = ?`, name).Scan(&row)
	if res.Error != nil {
		return "", time.Time{}, false, formatError(fmt.Errorf("lease %q: %w", name, res.Error))
	}
	if res.RowsAffected == 0 {
		return "", time.Time{}, false, nil
	}
	return row.Holder, utc(row.ExpiresAt), true, nil
}

// RecordRun records that holder fires job's run scheduled at `at`, and
// reports whether it is the first to: false means that instant was
// fired already (by this replica or another) and must not run again.
func (db *DB) RecordRun(ctx context.Context, job string, at time.Time, holder string) (bool, error) {
	res := db.conn(ctx).Exec(`INSERT INTO job_runs (job, at, holder, ran_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (job, at) DO NOTHING`, job, dbTime(at), holder, db.now())
	if res.Error != nil {
		return false, formatError(fmt.Errorf("record run of %s at %s: %w", job, at.Format(time.RFC3339), res.Error))
	}
	return res.RowsAffected == 1, nil
}

// AcquireLease takes the lease name for owner for ttl from now, or renews
// it when owner holds it already (the long poller's guard, bot/delivery).
// When another owner holds a live lease it returns an ECONFLICT error
// naming that owner and when its lease ends; an expired lease (its holder
// died) is taken over.
func (db *DB) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) error {
	now := db.now()
	ok, err := db.TakeLease(ctx, name, owner, now, now.Add(ttl))
	if err != nil || ok {
		return err
	}
	holder, until, _, err := db.LeaseHolder(ctx, name)
	if err != nil {
		return err
	}
	return domain.Errorkf(domain.ECONFLICT, "err.conflict", nil, "%s is held by %s until %s", name, holder, until.Format(time.RFC3339))
}

// Leases lists every lease, expired ones included, by name.
func (db *DB) Leases(ctx context.Context) ([]domain.Lease, error) {
	var rows []struct {
		Name      string
		Holder    string
		ExpiresAt time.Time
	}
	if err := db.conn(ctx).Raw(`SELECT name, holder, expires_at FROM leases ORDER BY name`).Scan(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("leases: %w", err))
	}
	list := make([]domain.Lease, len(rows))
	for i, r := range rows {
		list[i] = domain.Lease{Name: r.Name, Holder: r.Holder, Until: utc(r.ExpiresAt)}
	}
	return list, nil
}

// TakeOverLease gives the lease name to owner for ttl from now if `from`
// still holds it, live or not: the caller knows from is gone (a process of
// its own host that no longer runs). It reports whether owner has it.
func (db *DB) TakeOverLease(ctx context.Context, name, from, owner string, ttl time.Duration) (bool, error) {
	now := db.now()
	res := db.conn(ctx).Exec(`UPDATE leases SET holder = ?, acquired_at = ?, expires_at = ? WHERE name = ? AND holder = ?`,
		owner, dbTime(now), dbTime(now.Add(ttl)), name, from)
	if res.Error != nil {
		return false, formatError(fmt.Errorf("take over lease %q: %w", name, res.Error))
	}
	return res.RowsAffected == 1, nil
}

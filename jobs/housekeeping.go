package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Housekeeping deletes what no longer matters, each after its own time:
// used or expired invites, applied updates, delivered or given-up outbox
// messages (their keys only deduplicate within a day or so), and the
// server-side data of old buttons (pressing one then says it expired).
type Housekeeping struct {
	Store interface {
		PurgeInvites(ctx context.Context, before time.Time) (int64, error)
		PurgeUpdates(ctx context.Context, before time.Time) (int64, error)
		PurgeOutbox(ctx context.Context, before time.Time) (int64, error)
		PurgeCallbackData(ctx context.Context, before time.Time) (int64, error)
	}
	Log *slog.Logger
}

// HousekeepingSpec runs it at night, store time.
const HousekeepingSpec = "0 3 * * *"

// Retention of each kind of row.
const (
	KeepInvites  = 7 * 24 * time.Hour
	KeepUpdates  = 7 * 24 * time.Hour
	KeepOutbox   = 30 * 24 * time.Hour
	KeepCallback = 30 * 24 * time.Hour
)

// Name implements Job.
func (j *Housekeeping) Name() string { return "housekeeping" }

// Run implements Job. One failing purge does not stop the others.
func (j *Housekeeping) Run(ctx context.Context, now time.Time) error {
	var errs []error
	for _, p := range []struct {
		what  string
		keep  time.Duration
		purge func(context.Context, time.Time) (int64, error)
	}{
		{"invites", KeepInvites, j.Store.PurgeInvites},
		{"updates", KeepUpdates, j.Store.PurgeUpdates},
		{"outbox", KeepOutbox, j.Store.PurgeOutbox},
		{"callback_data", KeepCallback, j.Store.PurgeCallbackData},
	} {
		n, err := p.purge(ctx, now.Add(-p.keep))
		if err != nil {
			errs = append(errs, fmt.Errorf("purge %s: %w", p.what, err))
			continue
		}
		if j.Log != nil && n > 0 {
			j.Log.Info("purged", slog.String("what", p.what), slog.Int64("rows", n))
		}
	}
	return errors.Join(errs...)
}

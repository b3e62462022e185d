package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// InvitePurge deletes invite codes that were used or expired more than
// Keep ago, so the invites table holds only what may still matter.
type InvitePurge struct {
	Store interface {
		PurgeInvites(ctx context.Context, before time.Time) (int64, error)
	}
	Keep time.Duration
	Log  *slog.Logger
}

// InvitePurgeSpec runs the purge at night, store time.
const InvitePurgeSpec = "0 3 * * *"

// Name implements Job.
func (j *InvitePurge) Name() string { return "invite-purge" }

// Run implements Job.
func (j *InvitePurge) Run(ctx context.Context, now time.Time) error {
	n, err := j.Store.PurgeInvites(ctx, now.Add(-j.Keep))
	if err != nil {
		return fmt.Errorf("purge invites: %w", err)
	}
	if j.Log != nil && n > 0 {
		j.Log.Info("invites purged", slog.Int64("count", n))
	}
	return nil
}

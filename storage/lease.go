package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// leaseRow is a row of poller_lease: who holds a named lease, until when.
type leaseRow struct {
	Name      string `gorm:"primaryKey"`
	Owner     string
	ExpiresAt time.Time
}

// TableName implements gorm's schema.Tabler.
func (leaseRow) TableName() string { return "poller_lease" }

// AcquireLease takes the lease name for owner until now+ttl, or renews it
// when owner holds it already. When another owner holds a live lease it
// returns an ECONFLICT error naming that owner and when its lease ends;
// an expired lease (its holder died) is taken over.
func (db *DB) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) error {
	err := db.InTx(ctx, func(ctx context.Context) error {
		tx, now := db.conn(ctx), db.now()
		// Insert when absent; a row that is there is locked by the update below.
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, DoNothing: true}).
			Create(&leaseRow{Name: name, Owner: owner, ExpiresAt: now.Add(ttl)}).Error; err != nil {
			return err
		}
		res := tx.Model(&leaseRow{}).Where("name = ? AND (owner = ? OR expires_at < ?)", name, owner, now).
			Updates(map[string]any{"owner": owner, "expires_at": now.Add(ttl)})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			return nil
		}
		var held leaseRow
		if err := tx.Where("name = ?", name).Take(&held).Error; err != nil {
			return err
		}
		return domain.Errorkf(domain.ECONFLICT, "err.conflict", nil,
			"%s is held by %s until %s", name, held.Owner, utc(held.ExpiresAt).Format(time.RFC3339))
	})
	if err != nil {
		return wrapInternal(formatError(err), "acquire lease %s", name)
	}
	return nil
}

// ReleaseLease gives the lease up if owner holds it, so that the next
// holder need not wait for it to expire.
func (db *DB) ReleaseLease(ctx context.Context, name, owner string) error {
	err := db.conn(ctx).Where("name = ? AND owner = ?", name, owner).Delete(&leaseRow{}).Error
	if err != nil {
		return formatError(fmt.Errorf("release lease %s: %w", name, err))
	}
	return nil
}

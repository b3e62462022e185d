package storage

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// stateRow is a row of bot_state: a small named value the bot keeps across
// restarts, such as the last Telegram update id it handled.
type stateRow struct {
	Key   string `gorm:"column:key;primaryKey"`
	Value string
}

// TableName implements gorm's schema.Tabler.
func (stateRow) TableName() string { return "bot_state" }

// errStateKey refuses an empty key.
func errStateKey() error {
	return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "state key is empty")
}

// GetState returns the value stored under key, and whether there is one.
func (db *DB) GetState(ctx context.Context, key string) (string, bool, error) {
	if key == "" {
		return "", false, errStateKey()
	}
	var row stateRow
	err := db.conn(ctx).Where(`"key" = ?`, key).Take(&row).Error
	switch {
	case isNotFound(err):
		return "", false, nil
	case err != nil:
		return "", false, formatError(fmt.Errorf("get state %q: %w", key, err))
	}
	return row.Value, true, nil
}

// SetState stores value under key, replacing what was there.
func (db *DB) SetState(ctx context.Context, key, value string) error {
	if key == "" {
		return errStateKey()
	}
	err := db.InTx(ctx, func(ctx context.Context) error {
		return db.conn(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "key"}},
			DoUpdates: clause.AssignmentColumns([]string{"value"}),
		}).Create(&stateRow{Key: key, Value: value}).Error
	})
	if err != nil {
		return fmt.Errorf("set state %q: %w", key, err)
	}
	return nil
}

package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// callbackDataRow is a row of callback_data: the data of a button too long
// for Telegram's 64 bytes, which the button then carries by id.
type callbackDataRow struct {
	ID        int64 `gorm:"primaryKey"`
	Data      string
	CreatedAt time.Time
}

// TableName implements gorm's schema.Tabler.
func (callbackDataRow) TableName() string { return "callback_data" }

// SaveCallbackData stores a button's data and returns the id to put on the
// button instead. Empty data is an EINVALID.
func (db *DB) SaveCallbackData(ctx context.Context, data string) (int64, error) {
	if data == "" {
		return 0, domain.Errorkf(domain.EINVALID, "err.invalid", nil, "callback data is empty")
	}
	row := callbackDataRow{Data: data, CreatedAt: db.now()}
	err := db.InTx(ctx, func(ctx context.Context) error {
		return db.conn(ctx).Create(&row).Error
	})
	if err != nil {
		return 0, fmt.Errorf("save callback data: %w", err)
	}
	return row.ID, nil
}

// CallbackData returns the data stored under id. A button whose data is
// gone (purged, or never stored) gets the ENOTFOUND of a stale button.
func (db *DB) CallbackData(ctx context.Context, id int64) (string, error) {
	var row callbackDataRow
	err := db.conn(ctx).Where("id = ?", id).Take(&row).Error
	switch {
	case isNotFound(err):
		return "", domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "callback data %d not found", id)
	case err != nil:
		return "", formatError(fmt.Errorf("callback data %d: %w", id, err))
	}
	return row.Data, nil
}

// PurgeCallbackData deletes the data stored before before and returns how
// many it deleted; the buttons that carried them become stale.
func (db *DB) PurgeCallbackData(ctx context.Context, before time.Time) (int64, error) {
	before = before.UTC()
	var n int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Where("created_at < ?", before).Delete(&callbackDataRow{})
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("purge callback data: %w", err)
	}
	return n, nil
}

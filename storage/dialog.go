package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// dialogRow is a row of dialogs: the guided conversation in progress in a
// chat, kept so that a restart mid-dialogue loses nothing.
type dialogRow struct {
	ChatID    int64 `gorm:"primaryKey;autoIncrement:false"`
	StaffID   int64
	Kind      string
	Step      string
	Data      string
	UpdatedAt time.Time
}

// TableName implements gorm's schema.Tabler.
func (dialogRow) TableName() string { return "dialogs" }

// SaveDialog stores the chat's dialogue, replacing the one it had, updated
// now. A chat id of 0 or an empty kind is an EINVALID.
func (db *DB) SaveDialog(ctx context.Context, d domain.Dialog) error {
	switch {
	case d.ChatID == 0:
		return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "dialog has no chat")
	case d.Kind == "":
		return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "dialog has no kind")
	}
	row := dialogRow{ChatID: d.ChatID, StaffID: d.StaffID, Kind: d.Kind, Step: d.Step, Data: d.Data, UpdatedAt: db.now()}
	err := db.InTx(ctx, func(ctx context.Context) error {
		return db.conn(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "chat_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"staff_id", "kind", "step", "data", "updated_at"}),
		}).Create(&row).Error
	})
	if err != nil {
		return wrapInternal(err, "save dialog of chat %d", d.ChatID)
	}
	return nil
}

// DialogByChat returns the chat's dialogue; ENOTFOUND when it has none.
func (db *DB) DialogByChat(ctx context.Context, chatID int64) (*domain.Dialog, error) {
	var row dialogRow
	err := db.conn(ctx).Where("chat_id = ?", chatID).Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, domain.Errorf(domain.ENOTFOUND, "no dialog in chat %d", chatID)
	case err != nil:
		return nil, formatError(fmt.Errorf("dialog of chat %d: %w", chatID, err))
	}
	return &domain.Dialog{ChatID: row.ChatID, StaffID: row.StaffID, Kind: row.Kind, Step: row.Step, Data: row.Data,
		UpdatedAt: utc(row.UpdatedAt)}, nil
}

// DeleteDialog ends the chat's dialogue; a chat without one is fine.
func (db *DB) DeleteDialog(ctx context.Context, chatID int64) error {
	err := db.InTx(ctx, func(ctx context.Context) error {
		return db.conn(ctx).Where("chat_id = ?", chatID).Delete(&dialogRow{}).Error
	})
	return wrapInternal(err, "delete dialog of chat %d", chatID)
}

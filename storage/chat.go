package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// chatRow is a row of chats: what the bot knows of a chat it writes to.
// A chat it never heard of has no row and counts as not blocked.
type chatRow struct {
	ChatID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Blocked   bool
	BlockedAt *time.Time
	// Notices is kept for the bot's own use; the store never changes it.
	Notices int
}

// TableName implements gorm's schema.Tabler.
func (chatRow) TableName() string { return "chats" }

// SetChatBlocked records whether chat chatID has blocked the bot (or
// removed it from a group), and reports whether that changed what was
// recorded, so that a block is reported once however often Telegram says
// it. Of concurrent calls with the same flag exactly one sees the change.
func (db *DB) SetChatBlocked(ctx context.Context, chatID int64, blocked bool) (changed bool, err error) {
	if chatID == 0 {
		return false, domain.Errorkf(domain.EINVALID, "err.invalid", nil, "chat id is zero")
	}
	err = db.InTx(ctx, func(ctx context.Context) error {
		tx := db.conn(ctx)
		// Insert-or-nothing first, so that the update below always finds
		// the row and a concurrent first write cannot break the key.
		err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "chat_id"}}, DoNothing: true}).
			Create(&chatRow{ChatID: chatID}).Error
		if err != nil {
			return err
		}
		var at *time.Time
		if blocked {
			now := db.now()
			at = &now
		}
		// The condition on blocked decides the race: PostgreSQL re-reads
		// the row after a concurrent change, SQLite runs one writer.
		res := tx.Model(&chatRow{}).Where("chat_id = ? AND blocked <> ?", chatID, blocked).
			Updates(map[string]any{"blocked": blocked, "blocked_at": at})
		changed = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return false, fmt.Errorf("set chat %d blocked=%t: %w", chatID, blocked, err)
	}
	return changed, nil
}

// ChatBlocked reports whether chat chatID is recorded as blocking the bot.
func (db *DB) ChatBlocked(ctx context.Context, chatID int64) (bool, error) {
	var rows []chatRow
	if err := db.conn(ctx).Where("chat_id = ?", chatID).Limit(1).Find(&rows).Error; err != nil {
		return false, formatError(fmt.Errorf("chat %d blocked: %w", chatID, err))
	}
	return len(rows) == 1 && rows[0].Blocked, nil
}

// BlockedChats returns the ids of the chats that block the bot, in order.
func (db *DB) BlockedChats(ctx context.Context) ([]int64, error) {
	ids := []int64{}
	if err := db.conn(ctx).Model(&chatRow{}).Where("blocked").Order("chat_id").Pluck("chat_id", &ids).Error; err != nil {
		return nil, formatError(fmt.Errorf("blocked chats: %w", err))
	}
	return ids, nil
}

package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// State keys of the inbox.
const (
	stateUpdateOffset  = "telegram.offset"
	stateLastUpdateAt  = "telegram.last_update_at"
	lastUpdateAtFormat = time.RFC3339Nano
)

// inboundUpdateRow is a row of inbound_updates. ID is Telegram's
// update_id, so an update fetched twice is stored once.
type inboundUpdateRow struct {
	ID         int64 `gorm:"primaryKey;autoIncrement:false"`
	ChatID     int64
	Raw        []byte
	ReceivedAt time.Time
	AppliedAt  *time.Time
}

// TableName implements gorm's schema.Tabler.
func (inboundUpdateRow) TableName() string { return "inbound_updates" }

// update converts the row to the domain type.
func (r *inboundUpdateRow) update() domain.InboundUpdate {
	return domain.InboundUpdate{
		ID:         r.ID,
		ChatID:     r.ChatID,
		Raw:        r.Raw,
		ReceivedAt: utc(r.ReceivedAt),
		AppliedAt:  utcPtr(r.AppliedAt),
	}
}

// errUpdateNotFound is the ENOTFOUND of an update id the inbox never
// received: claiming one is a bug in the caller.
func errUpdateNotFound(id int64) error {
	return domain.Errorkf(domain.ENOTFOUND, "err.not_found", nil, "inbound update %d not found", id)
}

// SaveUpdates stores a batch of fetched updates together with the offset
// of the next getUpdates, in one transaction, before Telegram is told (by
// that next call) that the batch arrived. An update already stored is kept
// as it is, so a batch fetched twice is applied once. ReceivedAt is the
// store's clock and AppliedAt is ignored. A non-empty batch also records
// the time as the last update's arrival (see LastUpdateAt); an empty one
// only moves the offset.
func (db *DB) SaveUpdates(ctx context.Context, ups []domain.InboundUpdate, nextOffset int64) error {
	err := db.InTx(ctx, func(ctx context.Context) error {
		tx, now := db.conn(ctx), db.now()
		for _, u := range ups {
			raw := u.Raw
			if raw == nil {
				raw = []byte{} // the column is NOT NULL
			}
			row := inboundUpdateRow{ID: u.ID, ChatID: u.ChatID, Raw: raw, ReceivedAt: now}
			err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoNothing: true}).Create(&row).Error
			if err != nil {
				return fmt.Errorf("update %d: %w", u.ID, err)
			}
		}
		if err := db.SetState(ctx, stateUpdateOffset, strconv.FormatInt(nextOffset, 10)); err != nil {
			return err
		}
		if len(ups) == 0 {
			return nil
		}
		return db.SetState(ctx, stateLastUpdateAt, now.Format(lastUpdateAtFormat))
	})
	if err != nil {
		return wrapInternal(err, "save %d updates", len(ups))
	}
	return nil
}

// UpdateOffset returns the offset for the next getUpdates: 0, which asks
// Telegram for everything it holds, when none was saved.
func (db *DB) UpdateOffset(ctx context.Context) (int64, error) {
	v, ok, err := db.GetState(ctx, stateUpdateOffset)
	if err != nil || !ok {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("update offset: stored value %q: %w", v, err)
	}
	return n, nil
}

// LastUpdateAt returns when SaveUpdates last stored a non-empty batch, and
// false when it never did.
func (db *DB) LastUpdateAt(ctx context.Context) (time.Time, bool, error) {
	v, ok, err := db.GetState(ctx, stateLastUpdateAt)
	if err != nil || !ok {
		return time.Time{}, false, err
	}
	t, err := time.Parse(lastUpdateAtFormat, v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("last update time: stored value %q: %w", v, err)
	}
	return t.UTC(), true, nil
}

// PendingUpdates returns the stored updates not yet applied, oldest first.
func (db *DB) PendingUpdates(ctx context.Context) ([]domain.InboundUpdate, error) {
	var rows []inboundUpdateRow
	if err := db.conn(ctx).Where("applied_at IS NULL").Order("id").Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("pending updates: %w", err))
	}
	ups := make([]domain.InboundUpdate, len(rows))
	for i := range rows {
		ups[i] = rows[i].update()
	}
	return ups, nil
}

// ClaimUpdate marks update id applied and reports whether this call did
// so: false means it was applied already. Call it in the transaction that
// applies the update (see InTx): a rollback then undoes the claim with the
// update's effects, so an update takes effect exactly once. Of concurrent
// claims exactly one gets true; PostgreSQL makes the others wait for its
// transaction to end. An id the inbox never received is an ENOTFOUND.
func (db *DB) ClaimUpdate(ctx context.Context, id int64) (bool, error) {
	var claimed bool
	err := db.InTx(ctx, func(ctx context.Context) (err error) {
		claimed, err = db.setApplied(ctx, id)
		return err
	})
	if err != nil {
		return false, wrapInternal(err, "claim update %d", id)
	}
	return claimed, nil
}

// MarkUpdateApplied marks update id applied unless it is already, without
// saying which: for giving up on an update that cannot be applied. An id
// the inbox never received is an ENOTFOUND.
func (db *DB) MarkUpdateApplied(ctx context.Context, id int64) error {
	err := db.InTx(ctx, func(ctx context.Context) error {
		_, err := db.setApplied(ctx, id)
		return err
	})
	if err != nil {
		return wrapInternal(err, "mark update %d applied", id)
	}
	return nil
}

// setApplied sets applied_at of update id if it is unset, and reports
// whether it did; ENOTFOUND for an unknown id.
func (db *DB) setApplied(ctx context.Context, id int64) (bool, error) {
	tx := db.conn(ctx)
	res := tx.Model(&inboundUpdateRow{}).Where("id = ? AND applied_at IS NULL", id).Update("applied_at", db.now())
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	var n int64
	if err := tx.Model(&inboundUpdateRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return false, err
	}
	if n == 0 {
		return false, errUpdateNotFound(id)
	}
	return false, nil
}

// SaveUpdate stores one update a webhook request brought, and reports
// whether it is new: an update Telegram delivers twice is stored once.
// Several replicas may call it at once; it does not touch the poller's
// offset. ReceivedAt is the store's clock; the last update's arrival moves
// on as with SaveUpdates.
func (db *DB) SaveUpdate(ctx context.Context, u domain.InboundUpdate) (bool, error) {
	var stored bool
	err := db.InTx(ctx, func(ctx context.Context) error {
		tx, now := db.conn(ctx), db.now()
		raw := u.Raw
		if raw == nil {
			raw = []byte{}
		}
		res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoNothing: true}).
			Create(&inboundUpdateRow{ID: u.ID, ChatID: u.ChatID, Raw: raw, ReceivedAt: now})
		if res.Error != nil {
			return res.Error
		}
		stored = res.RowsAffected == 1
		if !stored {
			return nil
		}
		return db.SetState(ctx, stateLastUpdateAt, now.Format(lastUpdateAtFormat))
	})
	if err != nil {
		return false, wrapInternal(formatError(err), "save update %d", u.ID)
	}
	return stored, nil
}

// PendingChats returns the chats that have updates not yet applied, for a
// replica that sweeps the shared inbox (after a replica died holding them).
func (db *DB) PendingChats(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := db.conn(ctx).Model(&inboundUpdateRow{}).Where("applied_at IS NULL").
		Distinct("chat_id").Order("chat_id").Pluck("chat_id", &ids).Error
	if err != nil {
		return nil, formatError(fmt.Errorf("pending chats: %w", err))
	}
	return ids, nil
}

// ClaimChatHead claims the oldest unapplied update of chatID and marks it
// applied, in the caller's transaction (see InTx), so that the update's
// effects and its claim commit or roll back together. It claims nothing
// (ok false) when the chat has nothing to apply, or when its oldest
// unapplied update is being applied by another transaction: a later update
// of the chat is never taken while an earlier one is open, so the chat's
// updates apply in update_id order whichever replica holds them. busy says
// it was the latter: the transaction holding the chat looks for the next
// update when it commits.
//
// On PostgreSQL the head row is locked FOR UPDATE SKIP LOCKED, so two
// replicas never wait on one chat; SQLite has one writer at a time, which
// serialises the claims by itself.
func (db *DB) ClaimChatHead(ctx context.Context, chatID int64) (u domain.InboundUpdate, ok, busy bool, err error) {
	err = db.InTx(ctx, func(ctx context.Context) error {
		u, ok, busy = domain.InboundUpdate{}, false, false
		tx := db.conn(ctx)
		var head []int64
		if err := tx.Model(&inboundUpdateRow{}).Where("chat_id = ? AND applied_at IS NULL", chatID).
			Order("id").Limit(1).Pluck("id", &head).Error; err != nil {
			return err
		}
		if len(head) == 0 {
			return nil
		}
		q := tx.Where("id = ? AND applied_at IS NULL", head[0])
		if db.driver == DriverPostgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		var rows []inboundUpdateRow
		if err := q.Limit(1).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			busy = true // locked by another transaction, or applied by it just now
			return nil
		}
		if err := tx.Model(&inboundUpdateRow{}).Where("id = ?", rows[0].ID).Update("applied_at", db.now()).Error; err != nil {
			return err
		}
		u, ok = rows[0].update(), true
		return nil
	})
	if err != nil {
		return domain.InboundUpdate{}, false, false, wrapInternal(formatError(err), "claim head of chat %d", chatID)
	}
	return u, ok, busy, nil
}

// PurgeUpdates deletes the updates applied before before and returns how
// many it deleted. Unapplied ones are kept whatever their age.
func (db *DB) PurgeUpdates(ctx context.Context, before time.Time) (int64, error) {
	before = before.UTC()
	var n int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Where("applied_at IS NOT NULL AND applied_at < ?", before).Delete(&inboundUpdateRow{})
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("purge updates: %w", err)
	}
	return n, nil
}

// wrapInternal adds context to err unless it is a domain error, whose
// message is already meant for the caller.
func wrapInternal(err error, format string, args ...any) error {
	if err == nil || domain.ErrorCode(err) != domain.EINTERNAL {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

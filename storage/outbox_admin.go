package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// This file holds what looks at the outbox from outside the send loop:
// /health, the CLI and housekeeping.

// OutboxStats counts the messages not sent, for /health and the CLI, with
// the last refusal.
func (db *DB) OutboxStats(ctx context.Context) (domain.OutboxStats, error) {
	var stats domain.OutboxStats
	var counts []struct {
		Status  string
		N       int
		Retried int
	}
	err := db.conn(ctx).Model(&outboxRow{}).
		Select("status, COUNT(*) AS n, SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS retried").
		Where("status IN ?", []string{domain.OutboxPending, domain.OutboxSending, domain.OutboxFailed, domain.OutboxUndeliverable}).
		Group("status").Scan(&counts).Error
	if err != nil {
		return stats, formatError(fmt.Errorf("outbox stats: %w", err))
	}
	for _, c := range counts {
		switch c.Status {
		case domain.OutboxPending:
			stats.Pending += c.N
			stats.Retrying += c.Retried
		case domain.OutboxSending:
			stats.Pending += c.N
		case domain.OutboxFailed:
			stats.Failed = c.N
		case domain.OutboxUndeliverable:
			stats.Undeliverable = c.N
		}
	}
	if stats.Failed > 0 {
		var last outboxRow
		err := db.conn(ctx).Select("failed_at, last_error").Where("status = ? AND failed_at IS NOT NULL", domain.OutboxFailed).
			Order("failed_at DESC, id DESC").Take(&last).Error
		switch {
		case isNotFound(err): // purged between the two queries
		case err != nil:
			return stats, formatError(fmt.Errorf("outbox stats: %w", err))
		default:
			t := utc(*last.FailedAt)
			stats.LastFailedAt, stats.LastFailure = &t, last.LastError
		}
	}
	if stats.Pending == 0 {
		return stats, nil
	}
	var oldest outboxRow
	err = db.conn(ctx).Select("created_at").Where("status IN " + outboxUnfinished).Order("created_at").Take(&oldest).Error
	switch {
	case isNotFound(err): // sent between the two queries
	case err != nil:
		return stats, formatError(fmt.Errorf("outbox stats: %w", err))
	default:
		t := utc(oldest.CreatedAt)
		stats.OldestPending = &t
	}
	if stats.ByStore, err = db.backlogByStore(ctx); err != nil {
		return stats, formatError(fmt.Errorf("outbox stats: %w", err))
	}
	return stats, nil
}

// backlogByStore counts the unfinished messages by the store of their
// staff member (the row's staff_id, or else the active member whose
// private chat it is); a chat of no member counts for the store whose
// group chat it is, or for none (StoreID 0).
func (db *DB) backlogByStore(ctx context.Context) ([]domain.StoreBacklog, error) {
	var rows []struct {
		StoreID *int64
		ChatID  int64
		N       int
	}
	const other = "CASE WHEN st.store_id IS NULL THEN o.chat_id ELSE 0 END"
	err := db.conn(ctx).Table("outbox AS o").
		Select("st.store_id AS store_id, " + other + " AS chat_id, COUNT(*) AS n").
		Joins("LEFT JOIN staff AS st ON (o.staff_id > 0 AND st.id = o.staff_id) OR (o.staff_id = 0 AND st.telegram_id = o.chat_id AND st.active)").
		Where("o.status IN " + outboxUnfinished).
		Group("st.store_id, " + other).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	byGroupChat := map[int64]int64{}
	for _, st := range db.Stores.All() {
		if st.GroupChatID != 0 {
			byGroupChat[st.GroupChatID] = st.ID
		}
	}
	n := map[int64]int{}
	for _, r := range rows {
		switch {
		case r.StoreID != nil:
			n[*r.StoreID] += r.N
		default:
			n[byGroupChat[r.ChatID]] += r.N
		}
	}
	var out []domain.StoreBacklog
	for _, st := range db.Stores.All() {
		if n[st.ID] > 0 {
			out = append(out, domain.StoreBacklog{StoreID: st.ID, Pending: n[st.ID]})
		}
		delete(n, st.ID)
	}
	rest := 0
	for _, k := range n { // 0, and a store the config no longer lists
		rest += k
	}
	if rest > 0 {
		out = append(out, domain.StoreBacklog{Pending: rest})
	}
	return out, nil
}

// ListOutbox returns up to limit messages (all when limit is not positive)
// in the given states (any state when none is given), newest first. File
// contents are left out; FileName says whether there is one.
func (db *DB) ListOutbox(ctx context.Context, statuses []string, limit int) ([]domain.OutboxMessage, error) {
	q := db.conn(ctx).Omit("file")
	if len(statuses) > 0 {
		q = q.Where("status IN ?", statuses)
	}
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []outboxRow
	if err := q.Order("id DESC").Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("list outbox: %w", err))
	}
	return messages(rows), nil
}

// OutboxByKey returns the message stored under key, file included.
func (db *DB) OutboxByKey(ctx context.Context, key string) (*domain.OutboxMessage, error) {
	var row outboxRow
	err := db.conn(ctx).Where(`"key" = ?`, key).Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, errOutboxNotFound(fmt.Sprintf("%q", key))
	case err != nil:
		return nil, formatError(fmt.Errorf("outbox message %q: %w", key, err))
	}
	m := row.message()
	return &m, nil
}

// PurgeOutbox deletes the finished messages (sent, failed, undeliverable)
// created before before, and returns how many it deleted. A purged key can
// be enqueued again, so keep messages longer than any key may be rewritten.
func (db *DB) PurgeOutbox(ctx context.Context, before time.Time) (int64, error) {
	before = before.UTC()
	var n int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Where("status IN ? AND created_at < ?",
			[]string{domain.OutboxSent, domain.OutboxFailed, domain.OutboxUndeliverable}, before).Delete(&outboxRow{})
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("purge outbox: %w", err)
	}
	return n, nil
}

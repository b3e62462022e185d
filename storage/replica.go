package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// Replicas that share the database beat in the replicas table: the
// sender of each shares Telegram's global rate with the live ones, only
// the messages a dead replica was sending are sent again, and /health and
// `dealerbot outbox` list them.

// replicaRow is a row of the replicas table.
type replicaRow struct {
	Name      string `gorm:"primaryKey"`
	Role      string
	StartedAt time.Time
	LastSeen  time.Time
}

// TableName implements gorm's schema.Tabler.
func (replicaRow) TableName() string { return "replicas" }

// Heartbeat records that replica name (taking updates by role) is alive
// now; the first beat registers it.
func (db *DB) Heartbeat(ctx context.Context, name, role string) error {
	now := dbTime(db.now())
	err := db.conn(ctx).Exec(`INSERT INTO replicas (name, role, started_at, last_seen) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET role = excluded.role, last_seen = excluded.last_seen`,
		name, role, now, now).Error
	if err != nil {
		return formatError(fmt.Errorf("heartbeat of %s: %w", name, err))
	}
	return nil
}

// LeaveReplica removes replica name, which stops sending: the others
// take its share of the rate at their next beat.
func (db *DB) LeaveReplica(ctx context.Context, name string) error {
	if err := db.conn(ctx).Exec(`DELETE FROM replicas WHERE name = ?`, name).Error; err != nil {
		return formatError(fmt.Errorf("remove replica %s: %w", name, err))
	}
	return nil
}

// LiveReplicas counts the replicas that beat at or after since.
func (db *DB) LiveReplicas(ctx context.Context, since time.Time) (int, error) {
	var n int64
	if err := db.conn(ctx).Model(&replicaRow{}).Where("last_seen >= ?", dbTime(since)).Count(&n).Error; err != nil {
		return 0, formatError(fmt.Errorf("live replicas: %w", err))
	}
	return int(n), nil
}

// Replicas lists the replicas, the most recently seen first. Rows of
// replicas long dead are purged by ForgetReplicas.
func (db *DB) Replicas(ctx context.Context) ([]domain.Replica, error) {
	var rows []replicaRow
	if err := db.conn(ctx).Order("last_seen DESC, name").Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("replicas: %w", err))
	}
	list := make([]domain.Replica, len(rows))
	for i, r := range rows {
		list[i] = domain.Replica{Name: r.Name, Role: r.Role, StartedAt: utc(r.StartedAt), LastSeen: utc(r.LastSeen)}
	}
	return list, nil
}

// ForgetReplicas deletes the replicas last seen before before (a process
// killed leaves its row) and returns how many.
func (db *DB) ForgetReplicas(ctx context.Context, before time.Time) (int64, error) {
	res := db.conn(ctx).Exec(`DELETE FROM replicas WHERE last_seen < ?`, dbTime(before))
	if res.Error != nil {
		return 0, formatError(fmt.Errorf("forget replicas: %w", res.Error))
	}
	return res.RowsAffected, nil
}

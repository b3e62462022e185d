package storage

import (
	"context"
	"fmt"
)

// MigrateTo applies the migrations up to version only, so that tests can
// build a database as an older program left it.
func (db *DB) MigrateTo(ctx context.Context, version int) error {
	for _, m := range migrations {
		if m.version > version {
			break
		}
		if err := db.InTx(ctx, func(ctx context.Context) error { return db.migrate(ctx, m) }); err != nil {
			return fmt.Errorf("migrate to version %d: %w", m.version, err)
		}
	}
	return nil
}

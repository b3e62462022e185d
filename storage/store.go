package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// storeRow is a row of the stores table: a store's code and name; its
// calendar and rules are the configuration's.
type storeRow struct {
	ID        int64 `gorm:"primaryKey"`
	Code      string
	Name      string
	CreatedAt time.Time
}

// TableName implements gorm's schema.Tabler.
func (storeRow) TableName() string { return "stores" }

// UseStores registers the configured stores: a code the database does not
// know yet gets a new store, and every store's ID is set from the
// database's, so records keep their store across restarts and renames of
// the name. A store the database holds records of but the configuration
// no longer lists is an error naming its code: its people and leads would
// be left without a calendar. On success db.Stores holds stores.
func (db *DB) UseStores(ctx context.Context, stores *domain.Stores) error {
	err := db.InTx(ctx, func(ctx context.Context) error {
		conn := db.conn(ctx)
		var rows []storeRow
		if err := conn.Order("id").Find(&rows).Error; err != nil {
			return err
		}
		byCode := make(map[string]*storeRow, len(rows))
		for i := range rows {
			byCode[rows[i].Code] = &rows[i]
		}
		for _, st := range stores.All() {
			row := byCode[st.Code]
			if row == nil {
				row = &storeRow{Code: st.Code, Name: st.Name, CreatedAt: db.now()}
				if err := conn.Create(row).Error; err != nil {
					return err
				}
			} else if row.Name != st.Name {
				if err := conn.Model(&storeRow{}).Where("id = ?", row.ID).Update("name", st.Name).Error; err != nil {
					return err
				}
			}
			st.ID = row.ID
			delete(byCode, st.Code)
		}
		var orphans []string
		for code, row := range byCode {
			var n int64
			if err := conn.Model(&staffRow{}).Where("store_id = ?", row.ID).Count(&n).Error; err != nil {
				return err
			}
			var leads int64
			if err := conn.Model(&leadRow{}).Where("store_id = ?", row.ID).Count(&leads).Error; err != nil {
				return err
			}
			if n+leads > 0 {
				orphans = append(orphans, fmt.Sprintf("%q (%d staff, %d leads)", code, n, leads))
			}
		}
		if len(orphans) > 0 {
			return fmt.Errorf("stores: the database holds store %s, which the config does not list: add it under stores: (a single store's code is store.code, default %q)",
				strings.Join(orphans, ", "), domain.DefaultStoreCode)
		}
		return nil
	})
	if err != nil {
		return err
	}
	stores.Reindex()
	if db.Stores == nil {
		db.Stores = stores
	} else {
		// In place: the bot and the jobs hold db.Stores; a test adds a
		// store after they started.
		*db.Stores = *stores
	}
	return nil
}

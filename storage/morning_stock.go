package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The stock aging part of the morning push (R3.2): the store's supervisors
// and managers hear of its cars past the alert and overdue ages.

// MorningStockTop is how many cars of each aging class a morning message
// names; the rest are counted.
const MorningStockTop = 10

// mayHearOfAging reports whether s's morning message carries the store's
// aging stock: supervisors and managers.
func mayHearOfAging(s *domain.Staff) bool {
	return s.Roles.HasAny(domain.RoleSupervisor, domain.RoleManager)
}

// morningStock reads store's aging stock at now when one of its people
// hears of it: one query over vehicles (store_id, state, arrived_at), the
// index of the ledger's stock list.
func (db *DB) morningStock(ctx context.Context, store int64, staff []*domain.Staff, now time.Time) (overdue, alert domain.StockAgingList, err error) {
	anyone := false
	for _, s := range staff {
		anyone = anyone || mayHearOfAging(s)
	}
	if !anyone {
		return overdue, alert, nil
	}
	aging, err := db.StockAging(ctx, store, now)
	if err != nil {
		return overdue, alert, fmt.Errorf("morning stock: %w", err)
	}
	overdue, alert = domain.SplitAging(aging, MorningStockTop)
	return overdue, alert, nil
}

package storage

import (
	"context"
	"fmt"

	"github.com/dealerbot/dealerbot/domain"
)

// cleanupWhere selects the showroom leads the month-end clean-up (R1.13)
// takes from their owners: every grade but H, A, O and D.
const cleanupWhere = "pool = '" + string(domain.PoolShowroom) + "' AND grade IN ('N', 'B', 'C', 'L', 'F')"

// CleanupCandidates returns the owner's showroom leads the month-end
// clean-up takes (grades N, B, C, L and F), by id.
func (db *DB) CleanupCandidates(ctx context.Context, ownerID int64) ([]*domain.Lead, error) {
	var rows []leadRow
	if err := db.conn(ctx).Where("owner_id = ? AND "+cleanupWhere, ownerID).Order("id").Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("clean-up candidates of %d: %w", ownerID, err))
	}
	return leads(rows), nil
}

// OwnersWithCleanup returns, per owner who has any, how many of their
// showroom leads the month-end clean-up takes.
func (db *DB) OwnersWithCleanup(ctx context.Context) (map[int64]int, error) {
	var rows []struct {
		OwnerID int64
		N       int
	}
	err := db.conn(ctx).Model(&leadRow{}).Select("owner_id, COUNT(*) AS n").Where(cleanupWhere).
		Group("owner_id").Scan(&rows).Error
	if err != nil {
		return nil, formatError(fmt.Errorf("owners with clean-up: %w", err))
	}
	counts := make(map[int64]int, len(rows))
	for _, r := range rows {
		counts[r.OwnerID] = r.N
	}
	return counts, nil
}

package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// cleanupWhere selects the showroom leads the month-end clean-up (R1.13)
// takes from their owners, as domain.CleanupTakes: grades B, C, L and F,
// and N leads whose first week started at or before the query's one
// argument (it is over; domain.CleanupUngradedBefore).
var cleanupWhere = func() string {
	in := ""
	for i, g := range domain.CleanupGrades {
		if i > 0 {
			in += ", "
		}
		in += "'" + string(g) + "'"
	}
	return "pool = '" + string(domain.PoolShowroom) + "' AND (grade IN (" + in + ") OR (grade = '" +
		string(domain.GradeN) + "' AND " + firstWeekStartSQL + " <= ?))"
}()

// CleanupCandidates returns the owner's showroom leads the month-end
// clean-up takes, by id: B, C, L and F, and N leads whose first week
// started at or before ungradedBefore.
func (db *DB) CleanupCandidates(ctx context.Context, ownerID int64, ungradedBefore time.Time) ([]*domain.Lead, error) {
	var rows []leadRow
	if err := db.conn(ctx).Where("owner_id = ? AND "+cleanupWhere, ownerID, dbTime(ungradedBefore)).Order("id").Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("clean-up candidates of %d: %w", ownerID, err))
	}
	return leads(rows), nil
}

// OwnersWithCleanup returns, per owner who has any, how many of their
// showroom leads the month-end clean-up takes (as CleanupCandidates).
func (db *DB) OwnersWithCleanup(ctx context.Context, ungradedBefore time.Time) (map[int64]int, error) {
	var rows []struct {
		OwnerID int64
		N       int
	}
	err := db.conn(ctx).Model(&leadRow{}).Select("owner_id, COUNT(*) AS n").Where(cleanupWhere, dbTime(ungradedBefore)).
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

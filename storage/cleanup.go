package storage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm/clause"

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

// OwnersWithCleanup returns, per owner of store's leads who has any, how
// many of their showroom leads the month-end clean-up takes (as
// CleanupCandidates).
func (db *DB) OwnersWithCleanup(ctx context.Context, store int64, ungradedBefore time.Time) (map[int64]int, error) {
	var rows []struct {
		OwnerID int64
		N       int
	}
	err := db.conn(ctx).Model(&leadRow{}).Select("owner_id, COUNT(*) AS n").Where("store_id = ? AND "+cleanupWhere, store, dbTime(ungradedBefore)).
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

// storage implements the month-end clean-up service (R1.13).
var _ domain.CleanupService = (*DB)(nil)

// cleanupRulingRow is a row of cleanup_rulings: a consultant's month
// approved, by whom and when (null for a ruling carried over from
// bot_state, which kept only who). A row is written once: the key refuses
// a second ruling.
type cleanupRulingRow struct {
	Month     string `gorm:"primaryKey"`
	OwnerID   int64  `gorm:"primaryKey;autoIncrement:false"`
	StoreID   int64  // the owner's
	DeciderID int64
	DecidedAt *time.Time
}

// TableName implements gorm's schema.Tabler.
func (cleanupRulingRow) TableName() string { return "cleanup_rulings" }

// cleanupExclusionRow is a row of cleanup_exclusions: a lead a review
// keeps with its consultant.
type cleanupExclusionRow struct {
	Month   string `gorm:"primaryKey"`
	OwnerID int64  `gorm:"primaryKey;autoIncrement:false"`
	LeadID  int64  `gorm:"primaryKey;autoIncrement:false"`
}

// TableName implements gorm's schema.Tabler.
func (cleanupExclusionRow) TableName() string { return "cleanup_exclusions" }

// cleanupUngradedBefore is when an N lead of store must have been created
// for the clean-up to take it now (domain.CleanupUngradedBefore on the
// store's rules).
func (db *DB) cleanupUngradedBefore(store int64) time.Time {
	return domain.CleanupUngradedBefore(db.Stores.Of(store).Rules.Leads, db.now())
}

// CleanupCases implements domain.CleanupService.
func (db *DB) CleanupCases(ctx context.Context, store int64, month string) (*domain.CleanupProposal, error) {
	if err := domain.ValidCleanupMonth(month); err != nil {
		return nil, err
	}
	out := &domain.CleanupProposal{Month: month}
	err := db.InTx(ctx, func(ctx context.Context) error {
		counts, err := db.OwnersWithCleanup(ctx, store, db.cleanupUngradedBefore(store))
		if err != nil {
			return err
		}
		owners := make([]int64, 0, len(counts))
		for id := range counts {
			owners = append(owners, id)
		}
		slices.Sort(owners)
		for _, id := range owners {
			c, err := db.cleanupCase(ctx, month, id)
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			if c.Owner.StoreID != store || !c.Owner.Active || !c.Owner.Roles.Has(domain.RoleConsultant) || c.Decision != nil || len(c.Leads) == 0 {
				continue
			}
			out.Cases = append(out.Cases, c)
		}
		out.Recipients, err = db.cleanupRecipients(ctx, store)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "clean-up cases of store %d in %s", store, month)
	}
	return out, nil
}

// cleanupRecipients are who get store's cards: its active, enrolled
// supervisors, or its managers when it has no supervisor.
func (db *DB) cleanupRecipients(ctx context.Context, store int64) ([]*domain.Staff, error) {
	for _, role := range []domain.Role{domain.RoleSupervisor, domain.RoleManager} {
		all, err := db.StaffWithRole(ctx, store, role)
		if err != nil {
			return nil, err
		}
		if out := domain.Reachable(all); len(out) > 0 || role == domain.RoleManager {
			return out, nil
		}
	}
	return nil, nil
}

// cleanupCase loads owner's case of month: the owner, the ruling if any,
// the candidates and a review's exclusions.
func (db *DB) cleanupCase(ctx context.Context, month string, ownerID int64) (*domain.CleanupCase, error) {
	owner, err := db.StaffByID(ctx, ownerID)
	if err != nil {
		return nil, err
	}
	c := &domain.CleanupCase{Month: month, Owner: owner, Excluded: map[int64]bool{}}
	var rulings []cleanupRulingRow
	if err := db.conn(ctx).Where("month = ? AND owner_id = ?", month, ownerID).Limit(1).Find(&rulings).Error; err != nil {
		return nil, formatError(fmt.Errorf("clean-up ruling of %d in %s: %w", ownerID, month, err))
	}
	if len(rulings) > 0 {
		d := &domain.Decision{DeciderID: rulings[0].DeciderID, Verdict: domain.Approved}
		if rulings[0].DecidedAt != nil {
			d.At = utc(*rulings[0].DecidedAt)
		}
		c.Decision = d
	}
	if c.Leads, err = db.CleanupCandidates(ctx, ownerID, db.cleanupUngradedBefore(owner.StoreID)); err != nil {
		return nil, err
	}
	var excluded []cleanupExclusionRow
	if err := db.conn(ctx).Where("month = ? AND owner_id = ?", month, ownerID).Find(&excluded).Error; err != nil {
		return nil, formatError(fmt.Errorf("clean-up exclusions of %d in %s: %w", ownerID, month, err))
	}
	for _, e := range excluded {
		c.Excluded[e.LeadID] = true
	}
	return c, nil
}

// cleanupToDecide loads owner's case and returns it with byID if they may
// rule on it now (checkDecider: decided already, or not theirs to rule).
// An owner of another store than byID's is not found.
func (db *DB) cleanupToDecide(ctx context.Context, month string, ownerID, byID int64) (*domain.CleanupCase, *domain.Staff, error) {
	c, err := db.cleanupCase(ctx, month, ownerID)
	if err != nil {
		return nil, nil, err
	}
	if actor, err := db.StaffByID(ctx, byID); err == nil && actor.StoreID != c.Owner.StoreID {
		return nil, nil, errStaffNotFound(fmt.Sprintf("#%d", ownerID))
	}
	by, err := db.checkDecider(ctx, c.Approval(), byID)
	if err != nil {
		return nil, nil, err
	}
	return c, by, nil
}

// ReviewCleanup implements domain.CleanupService.
func (db *DB) ReviewCleanup(ctx context.Context, month string, ownerID, byID int64) (*domain.CleanupCase, error) {
	if err := domain.ValidCleanupMonth(month); err != nil {
		return nil, err
	}
	var out *domain.CleanupCase
	err := db.InTx(ctx, func(ctx context.Context) (err error) {
		out, _, err = db.cleanupToDecide(ctx, month, ownerID, byID)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "review clean-up of %d in %s", ownerID, month)
	}
	return out, nil
}

// ToggleCleanup implements domain.CleanupService.
func (db *DB) ToggleCleanup(ctx context.Context, month string, ownerID, leadID, byID int64) (*domain.CleanupCase, error) {
	if err := domain.ValidCleanupMonth(month); err != nil {
		return nil, err
	}
	var out *domain.CleanupCase
	err := db.InTx(ctx, func(ctx context.Context) error {
		c, _, err := db.cleanupToDecide(ctx, month, ownerID, byID)
		if err != nil {
			return err
		}
		if err := c.Toggle(leadID); err != nil {
			return err
		}
		row := cleanupExclusionRow{Month: month, OwnerID: ownerID, LeadID: leadID}
		if c.Excluded[leadID] {
			err = db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
		} else {
			err = db.conn(ctx).Where("month = ? AND owner_id = ? AND lead_id = ?", month, ownerID, leadID).Delete(&cleanupExclusionRow{}).Error
		}
		if err != nil {
			return formatError(fmt.Errorf("toggle lead %d: %w", leadID, err))
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "toggle clean-up of %d in %s", ownerID, month)
	}
	return out, nil
}

// ApproveCleanup implements domain.CleanupService.
func (db *DB) ApproveCleanup(ctx context.Context, month string, ownerID, byID int64, reviewed bool) (*domain.CleanupApproved, error) {
	if err := domain.ValidCleanupMonth(month); err != nil {
		return nil, err
	}
	var out *domain.CleanupApproved
	err := db.InTx(ctx, func(ctx context.Context) error {
		c, by, err := db.cleanupToDecide(ctx, month, ownerID, byID)
		if err != nil {
			return err
		}
		moving := c.Moving(reviewed)
		tele, err := db.StaffWithRole(ctx, c.Owner.StoreID, domain.RoleTelesales)
		if err != nil {
			return err
		}
		load := map[int64]int{}
		for _, t := range tele {
			if !t.Active || t.ID == ownerID {
				continue
			}
			if _, load[t.ID], err = db.LeadsByOwner(ctx, t.ID, 0, 1); err != nil {
				return err
			}
		}
		shares, err := domain.ShareCleanup(moving, tele, load, ownerID)
		if err != nil {
			return err
		}
		a := c.Approval()
		if err := a.Decide(domain.Decision{DeciderID: by.ID, At: db.now(), Verdict: domain.Approved}); err != nil {
			return err
		}
		for _, s := range shares {
			for _, l := range s.Leads {
				if err := db.cleanupMove(ctx, l, by.ID, s.To.ID, a.Decision.At); err != nil {
					return err
				}
			}
		}
		if err := db.recordCleanupRuling(ctx, month, c.Owner, *a.Decision); err != nil {
			return err
		}
		recipients, err := db.cleanupRecipients(ctx, c.Owner.StoreID)
		if err != nil {
			return err
		}
		c.Decision, c.Leads = a.Decision, moving
		out = &domain.CleanupApproved{Case: c, Shares: shares, Decider: by, Recipients: recipients}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "approve clean-up of %d in %s", ownerID, month)
	}
	return out, nil
}

// cleanupMove gives l to telesales staff to, in the telesales pool, and
// keeps both changes as lead events (why "cleanup") by staff by at `at`.
func (db *DB) cleanupMove(ctx context.Context, l *domain.Lead, by, to int64, at time.Time) error {
	for _, e := range []domain.LeadEvent{
		{Kind: domain.EventOwner, From: strconv.FormatInt(l.OwnerID, 10), To: strconv.FormatInt(to, 10)},
		{Kind: domain.EventPool, From: string(l.Pool), To: string(domain.PoolTelesales)},
	} {
		if e.From == e.To {
			continue
		}
		e.LeadID, e.StaffID, e.At, e.Why = l.ID, by, at, domain.WhyCleanup
		if err := db.AddLeadEvent(ctx, &e); err != nil {
			return err
		}
	}
	l.OwnerID, l.Pool = to, domain.PoolTelesales
	return db.UpdateLead(ctx, l)
}

// recordCleanupRuling writes the ruling on owner's month; one written
// meanwhile — by another supervisor a moment before — is an ECONFLICT
// (cleanup.already) and the first stands.
func (db *DB) recordCleanupRuling(ctx context.Context, month string, owner *domain.Staff, d domain.Decision) error {
	at, ownerID := dbTime(d.At), owner.ID
	res := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&cleanupRulingRow{Month: month, OwnerID: ownerID, StoreID: owner.StoreID, DeciderID: d.DeciderID, DecidedAt: &at})
	switch {
	case res.Error != nil:
		return formatError(fmt.Errorf("clean-up ruling of %d in %s: %w", ownerID, month, res.Error))
	case res.RowsAffected == 0:
		return domain.AlreadyDecided(domain.ApprovalCleanup, ownerID)
	}
	return nil
}

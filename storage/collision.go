package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// collisionRow is a row of collisions: a dispute over one customer between
// a lead's owner and a second claimant (R1.14).
type collisionRow struct {
	ID         int64 `gorm:"primaryKey"`
	LeadID     int64
	OwnerID    int64
	ClaimantID int64
	Phone      string
	Source     string
	ClaimedAt  time.Time
	NoteA      string
	NoteB      string
	Status     string
	WinnerID   int64
	DeciderID  int64
	DecidedAt  *time.Time
	Reminded   bool
	Escalated  bool
}

// TableName implements gorm's schema.Tabler.
func (collisionRow) TableName() string { return "collisions" }

// collision converts the row to the domain type.
func (r *collisionRow) collision() domain.Collision {
	return domain.Collision{
		ID:         r.ID,
		LeadID:     r.LeadID,
		OwnerID:    r.OwnerID,
		ClaimantID: r.ClaimantID,
		Phone:      r.Phone,
		Source:     domain.Source(r.Source),
		ClaimedAt:  utc(r.ClaimedAt),
		NoteA:      r.NoteA,
		NoteB:      r.NoteB,
		Status:     r.Status,
		WinnerID:   r.WinnerID,
		DeciderID:  r.DeciderID,
		DecidedAt:  utcPtr(r.DecidedAt),
		Reminded:   r.Reminded,
		Escalated:  r.Escalated,
	}
}

// onCollisionOpenConflict makes the INSERT of a collision skip, rather
// than fail on, a second open collision of the lead and claimant
// (collisions_open_key).
var onCollisionOpenConflict = clause.OnConflict{
	Columns:     []clause.Column{{Name: "lead_id"}, {Name: "claimant_id"}},
	TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "status = '" + domain.CollisionOpen + "'"}}},
	DoNothing:   true,
}

// errCollisionNotFound is the ENOTFOUND of a collision, looked up from a
// button: it reads as a stale button.
func errCollisionNotFound(id int64) error {
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "collision %d not found", id)
}

// CreateCollision stores an open collision and reports whether it did;
// c.ClaimedAt defaults to now. When the claimant has an open collision over
// the lead already, none is stored (false) and c.ID is set to that one's;
// also when two are created at once. Either way c.Status is open.
// ENOTFOUND when the lead does not exist.
func (db *DB) CreateCollision(ctx context.Context, c *domain.Collision) (bool, error) {
	if err := validNote(c.NoteA); err != nil {
		return false, err
	}
	if err := validNote(c.NoteB); err != nil {
		return false, err
	}
	if c.ClaimedAt.IsZero() {
		c.ClaimedAt = db.now()
	}
	row := collisionRow{LeadID: c.LeadID, OwnerID: c.OwnerID, ClaimantID: c.ClaimantID, Phone: c.Phone,
		Source: string(c.Source), ClaimedAt: dbTime(c.ClaimedAt), NoteA: c.NoteA, NoteB: c.NoteB,
		Status: domain.CollisionOpen}
	var created bool
	err := db.InTx(ctx, func(ctx context.Context) error {
		// The open one in the way may be ruled before it is looked up
		// (PostgreSQL): then the insert is tried again.
		for range 3 {
			row.ID = 0
			res := db.conn(ctx).Clauses(onCollisionOpenConflict).Create(&row)
			switch {
			case res.Error != nil:
				return res.Error
			case res.RowsAffected == 1 && row.ID != 0:
				created = true
				return nil
			}
			var ids []int64
			err := db.conn(ctx).Model(&collisionRow{}).Where("lead_id = ? AND claimant_id = ? AND status = ?",
				c.LeadID, c.ClaimantID, domain.CollisionOpen).Order("id").Limit(1).Pluck("id", &ids).Error
			switch {
			case err != nil:
				return err
			case len(ids) == 1:
				row.ID = ids[0]
				return nil
			}
		}
		return domain.Errorf(domain.EUNAVAILABLE, "collision of lead %d kept changing", c.LeadID)
	})
	switch {
	case foreignKeyViolated(err):
		return false, errLeadNotFound(c.LeadID)
	case err != nil:
		return false, wrapInternal(err, "create collision of lead %d", c.LeadID)
	}
	c.ID, c.Status = row.ID, domain.CollisionOpen
	if created {
		c.ClaimedAt, c.WinnerID, c.DeciderID, c.DecidedAt, c.Reminded, c.Escalated = row.ClaimedAt, 0, 0, nil, false, false
	}
	return created, nil
}

// CollisionByID returns collision id; ENOTFOUND (callback.stale) when
// there is none.
func (db *DB) CollisionByID(ctx context.Context, id int64) (*domain.Collision, error) {
	var row collisionRow
	err := db.conn(ctx).Where("id = ?", id).Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, errCollisionNotFound(id)
	case err != nil:
		return nil, formatError(fmt.Errorf("collision %d: %w", id, err))
	}
	c := row.collision()
	return &c, nil
}

// SetCollisionNote saves the note of side "a" (the owner) or "b" (the
// claimant) of open collision id (EINVALID for another side). ECONFLICT
// (collision.ruled) once it is ruled; ENOTFOUND (callback.stale) when
// there is no such collision.
func (db *DB) SetCollisionNote(ctx context.Context, id int64, side string, note string) error {
	var column string
	switch side {
	case "a":
		column = "note_a"
	case "b":
		column = "note_b"
	default:
		return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "%q is not a side of a collision", side)
	}
	if err := validNote(note); err != nil {
		return err
	}
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Model(&collisionRow{}).Where("id = ? AND status = ?", id, domain.CollisionOpen).
			Update(column, note)
		if res.Error != nil || res.RowsAffected == 1 {
			return res.Error
		}
		if err := db.rowExists(ctx, &collisionRow{}, id, errCollisionNotFound); err != nil {
			return err
		}
		return domain.Errorkf(domain.ECONFLICT, "collision.ruled", nil, "collision %d is ruled already", id)
	})
	return wrapInternal(err, "set note of collision %d", id)
}

// RuleCollision rules open collision id for winnerID, decided by deciderID
// now, and reports whether it did: a collision ruled already is left as it
// is (false). ENOTFOUND (callback.stale) when there is no such collision.
// Moving the lead is the caller's, in the same transaction.
func (db *DB) RuleCollision(ctx context.Context, id, winnerID, deciderID int64) (bool, error) {
	var ruled bool
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Model(&collisionRow{}).Where("id = ? AND status = ?", id, domain.CollisionOpen).
			Updates(map[string]any{"status": domain.CollisionRuled, "winner_id": winnerID, "decider_id": deciderID,
				"decided_at": db.now()})
		if res.Error != nil || res.RowsAffected == 1 {
			ruled = res.RowsAffected == 1
			return res.Error
		}
		return db.rowExists(ctx, &collisionRow{}, id, errCollisionNotFound)
	})
	if err != nil {
		return false, wrapInternal(err, "rule collision %d", id)
	}
	return ruled, nil
}

// OpenCollisions returns up to limit (all when limit is not positive) open
// collisions claimed at claimedBefore or earlier, the oldest first.
func (db *DB) OpenCollisions(ctx context.Context, claimedBefore time.Time, limit int) ([]domain.Collision, error) {
	q := db.conn(ctx).Where("status = ? AND claimed_at <= ?", domain.CollisionOpen, dbTime(claimedBefore)).
		Order("claimed_at, id")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []collisionRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("open collisions: %w", err))
	}
	list := make([]domain.Collision, len(rows))
	for i := range rows {
		list[i] = rows[i].collision()
	}
	return list, nil
}

// MarkCollisionReminded records that the supervisor was reminded of
// collision id. ENOTFOUND (callback.stale) when there is no such collision.
func (db *DB) MarkCollisionReminded(ctx context.Context, id int64) error {
	return wrapInternal(db.setColumn(ctx, &collisionRow{}, id, "reminded", true, errCollisionNotFound),
		"mark collision %d reminded", id)
}

// MarkCollisionEscalated records that the manager was told of collision
// id. ENOTFOUND (callback.stale) when there is no such collision.
func (db *DB) MarkCollisionEscalated(ctx context.Context, id int64) error {
	return wrapInternal(db.setColumn(ctx, &collisionRow{}, id, "escalated", true, errCollisionNotFound),
		"mark collision %d escalated", id)
}

// UnchasedCollisions returns when the oldest open collision whose
// supervisor was not yet reminded was claimed, and the oldest not yet
// escalated to the manager; a zero time when there is none.
func (db *DB) UnchasedCollisions(ctx context.Context) (unreminded, unescalated time.Time, err error) {
	oldest := func(cond string) (time.Time, error) {
		var rows []collisionRow
		err := db.conn(ctx).Where("status = ? AND "+cond, domain.CollisionOpen).Order("claimed_at, id").Limit(1).Find(&rows).Error
		if err != nil || len(rows) == 0 {
			return time.Time{}, err
		}
		return utc(rows[0].ClaimedAt), nil
	}
	if unreminded, err = oldest("reminded = FALSE"); err == nil {
		unescalated, err = oldest("escalated = FALSE")
	}
	if err != nil {
		return time.Time{}, time.Time{}, formatError(fmt.Errorf("unchased collisions: %w", err))
	}
	return unreminded, unescalated, nil
}

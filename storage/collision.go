package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// collisionRow is a row of collisions: a dispute over one customer between
// a lead's owner and a second claimant (R1.14).
type collisionRow struct {
	ID         int64 `gorm:"primaryKey"`
	StoreID    int64
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
		StoreID:    r.StoreID,
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
// c.ClaimedAt defaults to now, c.StoreID to the lead's store. When the claimant has an open collision over
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
	row := collisionRow{StoreID: c.StoreID, LeadID: c.LeadID, OwnerID: c.OwnerID, ClaimantID: c.ClaimantID, Phone: c.Phone,
		Source: string(c.Source), ClaimedAt: dbTime(c.ClaimedAt), NoteA: c.NoteA, NoteB: c.NoteB,
		Status: domain.CollisionOpen}
	var created bool
	err := db.InTx(ctx, func(ctx context.Context) error {
		if row.StoreID == 0 {
			store, err := db.leadStore(ctx, c.LeadID, 0)
			if err != nil {
				return err
			}
			row.StoreID = store
		}
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
	c.ID, c.Status, c.StoreID = row.ID, domain.CollisionOpen, row.StoreID
	if created {
		c.ClaimedAt, c.WinnerID, c.DeciderID, c.DecidedAt, c.Reminded, c.Escalated = row.ClaimedAt, 0, 0, nil, false, false
	}
	return created, nil
}

// CollisionByID returns collision id; ENOTFOUND (callback.stale) when
// there is none.
func (db *DB) CollisionByID(ctx context.Context, id int64) (*domain.Collision, error) {
	return db.collisionInStore(ctx, 0, id)
}

// collisionInStore returns collision id of store (any for 0); ENOTFOUND
// (callback.stale) when the store has none.
func (db *DB) collisionInStore(ctx context.Context, store, id int64) (*domain.Collision, error) {
	var row collisionRow
	q := db.conn(ctx).Where("id = ?", id)
	if store != 0 {
		q = q.Where("store_id = ?", store)
	}
	err := q.Take(&row).Error
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

// UnchasedCollisions returns, per store with open collisions, when the
// oldest whose supervisor was not yet reminded was claimed, and the oldest
// not yet escalated to the manager (zero when there is none): the
// reminders job times each on its store's rules.
func (db *DB) UnchasedCollisions(ctx context.Context) ([]domain.Unchased, error) {
	// Open collisions are few, ruled within days.
	return db.unchasedPerStore(ctx, "collisions", "claimed_at", domain.CollisionOpen, "reminded = FALSE", "unchased collisions")
}

// storage implements the collision service (R1.14).
var _ domain.CollisionService = (*DB)(nil)

// OpenCollision implements domain.CollisionService.
func (db *DB) OpenCollision(ctx context.Context, leadID, claimantID int64, src domain.Source) (*domain.CollisionOpened, error) {
	var out *domain.CollisionOpened
	err := db.InTx(ctx, func(ctx context.Context) error {
		claimant, err := db.StaffByID(ctx, claimantID)
		if err != nil {
			return err
		}
		// A collision is decided inside a store (R1.14): the claimant's.
		l, err := db.LeadInStore(ctx, claimant.StoreID, leadID)
		if err != nil {
			return err
		}
		if err := domain.CanOpenCollision(claimant, l); err != nil {
			return err
		}
		owner, err := db.StaffByID(ctx, l.OwnerID)
		if err != nil {
			return err
		}
		out, err = db.openCollision(ctx, l, owner, claimant, src)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "open collision of lead %d", leadID)
	}
	return out, nil
}

// DisputeVisit implements domain.CollisionService.
func (db *DB) DisputeVisit(ctx context.Context, visitID, disputerID int64) (*domain.CollisionOpened, error) {
	var out *domain.CollisionOpened
	err := db.InTx(ctx, func(ctx context.Context) error {
		disputer, err := db.StaffByID(ctx, disputerID)
		if err != nil {
			return err
		}
		v, err := db.visitInStore(ctx, disputer.StoreID, visitID)
		if err != nil {
			return err
		}
		l, err := db.LeadInStore(ctx, v.StoreID, v.LeadID)
		if err != nil {
			return err
		}
		if err := domain.CanDispute(disputer, l, v, db.now(), db.Stores.Of(l.StoreID).Rules.Leads.CollisionNotes); err != nil {
			return err
		}
		claimant, err := db.StaffByID(ctx, v.ConsultantID)
		if err != nil {
			return err
		}
		out, err = db.openCollision(ctx, l, disputer, claimant, domain.SourceWalkIn)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "dispute visit %d", visitID)
	}
	return out, nil
}

// openCollision stores the case of owner (A) and claimant (B) over lead l,
// or finds the claimant's open one, and says who gets its card.
func (db *DB) openCollision(ctx context.Context, l *domain.Lead, owner, claimant *domain.Staff, src domain.Source) (*domain.CollisionOpened, error) {
	c := &domain.Collision{StoreID: l.StoreID, LeadID: l.ID, OwnerID: owner.ID, ClaimantID: claimant.ID, Phone: l.Phone, Source: src, ClaimedAt: db.now()}
	created, err := db.CreateCollision(ctx, c)
	if err != nil {
		return nil, err
	}
	out := &domain.CollisionOpened{Collision: c, Created: created, Lead: l, Owner: owner, Claimant: claimant}
	if !created {
		return out, nil
	}
	if out.Last, err = db.lastFollowUp(ctx, l.ID); err != nil {
		return nil, err
	}
	if out.Supervisors, err = db.reachable(ctx, l.StoreID, domain.RoleSupervisor); err != nil {
		return nil, err
	}
	return out, nil
}

// lastFollowUp is the lead's last follow-up, nil when none, for a card.
func (db *DB) lastFollowUp(ctx context.Context, leadID int64) (*domain.FollowUp, error) {
	fus, err := db.FollowUps(ctx, leadID, 1)
	if err != nil || len(fus) == 0 {
		return nil, err
	}
	return &fus[0], nil
}

// reachable lists the active, enrolled holders of role in store: a
// record is escalated to its store's own people.
func (db *DB) reachable(ctx context.Context, store int64, role domain.Role) ([]*domain.Staff, error) {
	staff, err := db.StaffWithRole(ctx, store, role)
	if err != nil {
		return nil, err
	}
	return domain.Reachable(staff), nil
}

// CollisionNoteToAdd implements domain.CollisionService.
func (db *DB) CollisionNoteToAdd(ctx context.Context, id, staffID int64, side string) (*domain.Collision, error) {
	var out *domain.Collision
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, staffID)
		if err != nil {
			return err
		}
		c, err := db.collisionInStore(ctx, s.StoreID, id)
		if err != nil {
			return err
		}
		if err := domain.CanAddCollisionNote(s, c, side, db.now(), db.Stores.Of(c.StoreID).Rules.Leads.CollisionNotes); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "collision %d note to add", id)
	}
	return out, nil
}

// AddCollisionNote implements domain.CollisionService.
func (db *DB) AddCollisionNote(ctx context.Context, id, staffID int64, side, note string) (*domain.CollisionNoted, error) {
	if note = strings.TrimSpace(note); note == "" {
		return nil, domain.Errorkf(domain.EINVALID, "err.note_empty", nil, "empty note")
	}
	var out *domain.CollisionNoted
	err := db.InTx(ctx, func(ctx context.Context) error {
		author, err := db.StaffByID(ctx, staffID)
		if err != nil {
			return err
		}
		c, err := db.collisionInStore(ctx, author.StoreID, id)
		if err != nil {
			return err
		}
		if sideID, err := c.Side(side); err != nil {
			return err
		} else if sideID != author.ID {
			return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "not a side of collision %d", id)
		}
		// A ruled case within the window answers collision.ruled (below).
		if !c.NotesOpen(db.now(), db.Stores.Of(c.StoreID).Rules.Leads.CollisionNotes) {
			return domain.Errorkf(domain.ECONFLICT, "collision.notes_closed", nil, "notes closed")
		}
		if err := db.SetCollisionNote(ctx, c.ID, side, note); err != nil {
			return err
		}
		if side == domain.SideOwner {
			c.NoteA = note
		} else {
			c.NoteB = note
		}
		sups, err := db.reachable(ctx, c.StoreID, domain.RoleSupervisor)
		if err != nil {
			return err
		}
		out = &domain.CollisionNoted{Collision: c, Author: author, Note: note, Supervisors: sups}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "add note to collision %d", id)
	}
	return out, nil
}

// DecideCollision implements domain.CollisionService.
func (db *DB) DecideCollision(ctx context.Context, id int64, side string, deciderID int64) (*domain.CollisionDecided, error) {
	var out *domain.CollisionDecided
	err := db.InTx(ctx, func(ctx context.Context) error {
		// A case of another store than the decider's is not found for them.
		if decider, err := db.StaffByID(ctx, deciderID); err == nil {
			if _, err := db.collisionInStore(ctx, decider.StoreID, id); err != nil {
				return err
			}
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		c, err := db.CollisionByID(ctx, id)
		if err != nil {
			return err
		}
		owner, err := db.StaffByID(ctx, c.OwnerID)
		if err != nil {
			return err
		}
		claimant, err := db.StaffByID(ctx, c.ClaimantID)
		if err != nil {
			return err
		}
		// Who may rule first (a side never does, not even on a ruled
		// case: err.forbidden, not collision.final), then decide-once.
		// checkDecider would answer a ruled case first, so it is asked
		// about the case as if still open.
		a := c.Approval(owner)
		open := *a
		open.Decision = nil
		decider, err := db.checkDecider(ctx, &open, deciderID)
		if err != nil {
			return err
		}
		won := owner
		if winnerID, err := c.Side(side); err != nil {
			return err
		} else if winnerID == claimant.ID {
			won = claimant
		}
		if err := a.Decide(domain.Decision{DeciderID: decider.ID, At: db.now(), Verdict: c.VerdictFor(won.ID)}); err != nil {
			return err
		}
		if ok, err := db.RuleCollision(ctx, c.ID, won.ID, decider.ID); err != nil {
			return err
		} else if !ok {
			return domain.AlreadyDecided(domain.ApprovalCollision, c.ID)
		}
		at := a.Decision.At
		c.Status, c.WinnerID, c.DeciderID, c.DecidedAt = domain.CollisionRuled, won.ID, decider.ID, &at
		l, err := db.LeadInStore(ctx, c.StoreID, c.LeadID)
		if err != nil {
			return err
		}
		if l.OwnerID != won.ID {
			// The winner gets it, whoever holds it now (it may have moved since).
			if err := db.moveLead(ctx, l, decider.ID, won.ID, domain.PoolOf(won.Roles), domain.WhyRuling); err != nil {
				return err
			}
		}
		out = &domain.CollisionDecided{Collision: c, Lead: l, Owner: owner, Claimant: claimant, Winner: won, Decider: decider}
		if out.Last, err = db.lastFollowUp(ctx, l.ID); err != nil {
			return err
		}
		if out.Supervisors, err = db.reachable(ctx, c.StoreID, domain.RoleSupervisor); err != nil {
			return err
		}
		out.Managers, err = db.reachable(ctx, c.StoreID, domain.RoleManager)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "decide collision %d", id)
	}
	return out, nil
}

// moveLead gives lead l a new owner and pool, recording both changes as
// lead events by staff by, for why.
func (db *DB) moveLead(ctx context.Context, l *domain.Lead, by, to int64, pool domain.Pool, why string) error {
	at := db.now()
	changes := []domain.LeadEvent{
		{Kind: domain.EventOwner, From: strconv.FormatInt(l.OwnerID, 10), To: strconv.FormatInt(to, 10)},
		{Kind: domain.EventPool, From: string(l.Pool), To: string(pool)},
	}
	for _, e := range changes {
		if e.From == e.To {
			continue
		}
		e.StoreID, e.LeadID, e.StaffID, e.At, e.Why = l.StoreID, l.ID, by, at, why
		if err := db.AddLeadEvent(ctx, &e); err != nil {
			return err
		}
	}
	l.OwnerID, l.Pool = to, pool
	return db.UpdateLead(ctx, l)
}

// Transfers implements domain.CollisionService.
func (db *DB) Transfers(ctx context.Context, by int64, from, to time.Time) ([]domain.LeadEvent, error) {
	var out []domain.LeadEvent
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		events, err := db.EventsBetween(ctx, s.StoreID, from, to, domain.TransferWhys, 200)
		if err != nil {
			return err
		}
		for _, e := range events {
			if e.Kind == domain.EventOwner {
				out = append(out, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "transfers")
	}
	return out, nil
}

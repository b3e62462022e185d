package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// inviteRow is a row of the invites table.
type inviteRow struct {
	Code      string `gorm:"primaryKey"`
	StaffID   int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// TableName implements gorm's schema.Tabler.
func (inviteRow) TableName() string { return "invites" }

// invite converts the row to the domain type.
func (r *inviteRow) invite() *domain.Invite {
	return &domain.Invite{
		Code:      r.Code,
		StaffID:   r.StaffID,
		CreatedAt: utc(r.CreatedAt),
		ExpiresAt: utc(r.ExpiresAt),
		UsedAt:    utcPtr(r.UsedAt),
	}
}

// forUpdate locks the rows a query reads until the transaction ends
// (PostgreSQL; SQLite's transactions hold the whole database already).
var forUpdate = clause.Locking{Strength: "UPDATE"}

// errInviteUnknown is what anyone gets for a code that cannot be used,
// without saying whether it ever existed. code is EFORBIDDEN for a real
// code of a deactivated member, ENOTFOUND otherwise.
func errInviteUnknown(code string) error {
	return domain.Errorkf(code, "err.invite_unknown", nil, "unknown invite code")
}

// errInviteUsed is the ECONFLICT of a code (or a member) already enrolled.
func errInviteUsed() error {
	return domain.Errorkf(domain.ECONFLICT, "err.invite_used", nil, "invite code already used")
}

// InviteStaff prepares a member for enrolment and returns them with a new
// invite valid for ttl, in one transaction. A new name creates an active,
// unenrolled member. An existing member who is not enrolled, or is
// inactive, gets roles, becomes active, loses any Telegram binding and
// the unused invites given before (they stop working). An active, enrolled
// member is an ECONFLICT. It asks nobody's permission: it seeds the
// default store (tests, the demo of one store); InviteStaffIn seeds
// another; chat and the CLI call Invite, which asks.
func (db *DB) InviteStaff(ctx context.Context, name string, roles domain.Roles, ttl time.Duration) (*domain.Staff, *domain.Invite, error) {
	return db.InviteStaffIn(ctx, db.Stores.Default().ID, name, roles, ttl)
}

// InviteStaffIn is InviteStaff into store.
func (db *DB) InviteStaffIn(ctx context.Context, store int64, name string, roles domain.Roles, ttl time.Duration) (*domain.Staff, *domain.Invite, error) {
	if err := db.knownStore(store); err != nil {
		return nil, nil, err
	}
	var staff *domain.Staff
	var inv *domain.Invite
	err := db.InTx(ctx, func(ctx context.Context) (err error) {
		staff, inv, err = db.inviteStaff(ctx, store, name, roles, ttl)
		return err
	})
	if err != nil {
		return nil, nil, inviteError(err, name)
	}
	return staff, inv, nil
}

// Invite implements domain.StaffService: InviteStaffIn by's store for by,
// an admin, with the store's lifetime (rules.staff.invite_ttl).
func (db *DB) Invite(ctx context.Context, by int64, name string, roles domain.Roles) (*domain.StaffInvited, error) {
	var out *domain.StaffInvited
	err := db.InTx(ctx, func(ctx context.Context) error {
		inviter, err := db.actor(ctx, by)
		if err != nil {
			return err
		}
		if err := domain.CanAdministerStaff(inviter); err != nil {
			return err
		}
		store := db.Stores.Of(inviter.StoreID)
		staff, inv, err := db.inviteStaff(ctx, store.ID, name, roles, store.Rules.Staff.InviteTTL)
		if err != nil {
			return err
		}
		out = &domain.StaffInvited{Staff: staff, Invite: inv, By: inviter}
		return nil
	})
	if err != nil {
		return nil, inviteError(err, name)
	}
	return out, nil
}

// inviteError names the ECONFLICT of a name created by another admin at
// the same instant, and wraps an internal error.
func inviteError(err error, name string) error {
	switch {
	case staffNameKey.violatedBy(err):
		n, nerr := domain.NormalizeName(name)
		if nerr != nil {
			n = name
		}
		return errStaffExists(n)
	case domain.ErrorCode(err) == domain.EINTERNAL:
		return fmt.Errorf("invite staff %q: %w", name, err)
	}
	return err
}

// inviteStaff is InviteStaffIn inside the caller's transaction.
func (db *DB) inviteStaff(ctx context.Context, store int64, name string, roles domain.Roles, ttl time.Duration) (*domain.Staff, *domain.Invite, error) {
	if ttl <= 0 {
		return nil, nil, domain.Errorkf(domain.EINVALID, "err.invalid", nil, "invite lifetime must be positive, got %s", ttl)
	}
	want := &domain.Staff{Name: name, Roles: roles}
	if err := want.Validate(); err != nil {
		return nil, nil, err
	}
	tx, now := db.conn(ctx), db.now()
	var row staffRow
	err := tx.Clauses(forUpdate).Where("store_id = ? AND name = ?", store, want.Name).Take(&row).Error
	switch {
	case isNotFound(err):
		row = staffRow{StoreID: store, Name: want.Name, Roles: storeRoles(want.Roles), Active: true, CreatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return nil, nil, err
		}
	case err != nil:
		return nil, nil, err
	case row.Active && row.TelegramID != nil:
		return nil, nil, domain.Errorkf(domain.ECONFLICT, "err.staff_enrolled", []any{row.Name}, "staff %q is already enrolled", row.Name)
	default:
		row.Roles, row.Active, row.TelegramID = storeRoles(want.Roles), true, nil
		err := tx.Model(&staffRow{}).Where("id = ?", row.ID).
			Updates(map[string]any{"roles": row.Roles, "active": true, "telegram_id": nil}).Error
		if err != nil {
			return nil, nil, err
		}
		if err := tx.Where("staff_id = ? AND used_at IS NULL", row.ID).Delete(&inviteRow{}).Error; err != nil {
			return nil, nil, fmt.Errorf("revoke earlier invites: %w", err)
		}
	}
	ir := inviteRow{Code: domain.NewInviteCode(), StaffID: row.ID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := tx.Create(&ir).Error; err != nil {
		return nil, nil, fmt.Errorf("create invite: %w", err)
	}
	staff, err := row.staff()
	if err != nil {
		return nil, nil, err
	}
	return staff, ir.invite(), nil
}

// RedeemInvite binds telegramID to the member the invite code was made
// for, in one transaction, and returns the member. lang, the language of
// the person's Telegram client, is recorded unless a language was stored
// before; "" records none. Of two redemptions of one code at the same time
// exactly one wins: the other gets the ECONFLICT of a used code.
func (db *DB) RedeemInvite(ctx context.Context, code string, telegramID int64, lang domain.Lang) (*domain.Staff, error) {
	if !domain.ValidInviteCode(code) {
		return nil, errInviteUnknown(domain.ENOTFOUND)
	}
	if telegramID == 0 {
		return nil, domain.Errorkf(domain.EINVALID, "err.invalid", nil, "telegram id is zero")
	}
	if lang != "" {
		if err := validLang(lang); err != nil {
			return nil, err
		}
	}
	var staff *domain.Staff
	err := db.InTx(ctx, func(ctx context.Context) error {
		tx, now := db.conn(ctx), db.now()
		var ir inviteRow
		err := tx.Clauses(forUpdate).Where("code = ?", code).Take(&ir).Error
		switch {
		case isNotFound(err):
			return errInviteUnknown(domain.ENOTFOUND)
		case err != nil:
			return err
		}
		if err := ir.invite().Usable(now); err != nil {
			return err
		}

		var row staffRow
		err = tx.Clauses(forUpdate).Where("id = ?", ir.StaffID).Take(&row).Error
		switch {
		case isNotFound(err):
			return errInviteUnknown(domain.ENOTFOUND) // cannot happen: invites cascade with staff
		case err != nil:
			return err
		case !row.Active:
			return errInviteUnknown(domain.EFORBIDDEN)
		}
		var others int64
		err = tx.Model(&staffRow{}).Where("telegram_id = ? AND active AND id <> ?", telegramID, row.ID).Count(&others).Error
		switch {
		case err != nil:
			return err
		case others > 0:
			return errTelegramBound()
		case row.TelegramID != nil:
			return errInviteUsed()
		}

		// The condition on used_at settles a race the reads above cannot
		// see: only one transaction finds the code unused.
		res := tx.Model(&inviteRow{}).Where("code = ? AND used_at IS NULL", code).Update("used_at", now)
		switch {
		case res.Error != nil:
			return res.Error
		case res.RowsAffected == 0:
			return errInviteUsed()
		}

		set := map[string]any{"telegram_id": telegramID}
		if row.Lang == "" && lang != "" {
			set["lang"] = string(lang)
			row.Lang = string(lang)
		}
		if err := tx.Model(&staffRow{}).Where("id = ?", row.ID).Updates(set).Error; err != nil {
			return err
		}
		row.TelegramID = &telegramID
		staff, err = row.staff()
		return err
	})
	switch {
	case staffTelegramIDKey.violatedBy(err):
		return nil, errTelegramBound()
	case err != nil && domain.ErrorCode(err) == domain.EINTERNAL:
		return nil, fmt.Errorf("redeem invite: %w", err)
	case err != nil:
		return nil, err
	}
	return staff, nil
}

// PurgeInvites deletes the invites used, or expired, before before, and
// returns how many it deleted.
func (db *DB) PurgeInvites(ctx context.Context, before time.Time) (int64, error) {
	before = before.UTC()
	var n int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Where("used_at < ? OR expires_at < ?", before, before).Delete(&inviteRow{})
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("purge invites: %w", err)
	}
	return n, nil
}

package storage

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/dealerbot/dealerbot/domain"
)

// followUpRow is a row of follow_ups: one logged contact with a lead.
type followUpRow struct {
	ID          int64 `gorm:"primaryKey"`
	LeadID      int64
	StaffID     int64
	Channel     string
	Note        string
	At          time.Time
	GradeBefore string
	GradeAfter  string
	// StoreID, OwnerID and DueAt are the lead's when the follow-up was
	// logged: the due it answered (nil when none) and who owed it, for the
	// reports' "due vs done on time" (R1.5).
	StoreID int64
	OwnerID int64
	DueAt   *time.Time
}

// TableName implements gorm's schema.Tabler.
func (followUpRow) TableName() string { return "follow_ups" }

// followUp converts the row to the domain type.
func (r *followUpRow) followUp() domain.FollowUp {
	return domain.FollowUp{
		ID:          r.ID,
		LeadID:      r.LeadID,
		StaffID:     r.StaffID,
		Channel:     domain.Channel(r.Channel),
		Note:        r.Note,
		At:          utc(r.At),
		GradeBefore: domain.Grade(r.GradeBefore),
		GradeAfter:  domain.Grade(r.GradeAfter),
	}
}

// validNote checks a note staff typed.
func validNote(note string) error {
	switch {
	case utf8.RuneCountInString(note) > domain.MaxNoteLen:
		return domain.Errorkf(domain.EINVALID, "err.note_long", []any{domain.MaxNoteLen}, "note longer than %d characters", domain.MaxNoteLen)
	case !utf8.ValidString(note):
		return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "note is not valid text")
	}
	return nil
}

// AddFollowUp stores a follow-up of a lead and sets f.ID; f.At defaults to
// now and f.Channel to phone. It leaves the lead as it is: the caller
// updates its counts and due time (domain.Lead.LogFollowUp, UpdateLead) in
// the same transaction; the row keeps the lead's due time and owner as
// they stand before that update, the due the follow-up answers. ENOTFOUND
// when the lead does not exist.
func (db *DB) AddFollowUp(ctx context.Context, f *domain.FollowUp) error {
	if err := validNote(f.Note); err != nil {
		return err
	}
	if f.Channel == "" {
		f.Channel = domain.ChannelPhone
	}
	if f.At.IsZero() {
		f.At = db.now()
	}
	row := followUpRow{LeadID: f.LeadID, StaffID: f.StaffID, Channel: string(f.Channel), Note: f.Note,
		At: dbTime(f.At), GradeBefore: string(f.GradeBefore), GradeAfter: string(f.GradeAfter)}
	err := db.InTx(ctx, func(ctx context.Context) error {
		var lead struct {
			StoreID   int64
			OwnerID   int64
			NextDueAt *time.Time
		}
		q := db.conn(ctx).Table("leads").Select("store_id, owner_id, next_due_at").Where("id = ?", f.LeadID).Limit(1).Scan(&lead)
		if q.Error != nil {
			return q.Error
		}
		if q.RowsAffected == 0 {
			return errLeadNotFound(f.LeadID)
		}
		row.StoreID, row.OwnerID, row.DueAt = lead.StoreID, lead.OwnerID, dbTimePtr(lead.NextDueAt)
		return db.conn(ctx).Create(&row).Error
	})
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		return err
	case foreignKeyViolated(err):
		return errLeadNotFound(f.LeadID)
	case err != nil:
		return wrapInternal(err, "add follow-up of lead %d", f.LeadID)
	}
	f.ID, f.At = row.ID, row.At
	return nil
}

// FollowUps returns up to limit follow-ups of a lead (all when limit is not
// positive), the newest first.
func (db *DB) FollowUps(ctx context.Context, leadID int64, limit int) ([]domain.FollowUp, error) {
	q := db.conn(ctx).Where("lead_id = ?", leadID).Order("at DESC, id DESC")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []followUpRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("follow-ups of lead %d: %w", leadID, err))
	}
	list := make([]domain.FollowUp, len(rows))
	for i := range rows {
		list[i] = rows[i].followUp()
	}
	return list, nil
}

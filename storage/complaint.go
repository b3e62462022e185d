package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// complaintRow is a row of complaints (R2.1–R2.8).
type complaintRow struct {
	ID             int64 `gorm:"primaryKey"`
	StoreID        int64
	Customer       string
	Phone          string
	LeadID         int64
	Channel        string
	Subject        string
	Model          string
	ProblemType    string
	ProblemAt      string
	VIN            string `gorm:"column:vin"`
	Appraisal      bool
	Department     string
	Description    string
	OwnerID        int64
	RegisteredBy   int64
	Status         string
	Valid          *bool
	Satisfaction   string
	CreatedAt      time.Time
	OpenedAt       time.Time
	FirstReplyAt   *time.Time
	ContactedAt    *time.Time
	SolutionAt     *time.Time
	OpinionAt      *time.Time
	ResultAt       *time.Time
	LastProgressAt *time.Time
	ClosedAt       *time.Time
}

// TableName implements gorm's schema.Tabler.
func (complaintRow) TableName() string { return "complaints" }

// boolPtr copies a nullable bool, so that a row and the caller's
// complaint never share one.
func boolPtr(b *bool) *bool {
	if b == nil {
		return nil
	}
	v := *b
	return &v
}

// newComplaintRow converts a complaint to its row, its times as the store
// writes them.
func newComplaintRow(c *domain.Complaint) complaintRow {
	return complaintRow{
		ID:             c.ID,
		StoreID:        c.StoreID,
		Customer:       c.Customer,
		Phone:          c.Phone,
		LeadID:         c.LeadID,
		Channel:        string(c.Channel),
		Subject:        string(c.Subject),
		Model:          c.Model,
		ProblemType:    c.ProblemType,
		ProblemAt:      c.ProblemAt,
		VIN:            c.VIN,
		Appraisal:      c.Appraisal,
		Department:     c.Department,
		Description:    c.Description,
		OwnerID:        c.OwnerID,
		RegisteredBy:   c.RegisteredBy,
		Status:         c.Status,
		Valid:          boolPtr(c.Valid),
		Satisfaction:   c.Satisfaction,
		CreatedAt:      dbTime(c.CreatedAt),
		OpenedAt:       dbTime(c.OpenedAt),
		FirstReplyAt:   dbTimePtr(c.FirstReplyAt),
		ContactedAt:    dbTimePtr(c.ContactedAt),
		SolutionAt:     dbTimePtr(c.SolutionAt),
		OpinionAt:      dbTimePtr(c.OpinionAt),
		ResultAt:       dbTimePtr(c.ResultAt),
		LastProgressAt: dbTimePtr(c.LastProgressAt),
		ClosedAt:       dbTimePtr(c.ClosedAt),
	}
}

// complaint converts the row to the domain type.
func (r *complaintRow) complaint() *domain.Complaint {
	return &domain.Complaint{
		ID:             r.ID,
		StoreID:        r.StoreID,
		Customer:       r.Customer,
		Phone:          r.Phone,
		LeadID:         r.LeadID,
		Channel:        domain.ComplaintChannel(r.Channel),
		Subject:        domain.Subject(r.Subject),
		Model:          r.Model,
		ProblemType:    r.ProblemType,
		ProblemAt:      r.ProblemAt,
		VIN:            r.VIN,
		Appraisal:      r.Appraisal,
		Department:     r.Department,
		Description:    r.Description,
		OwnerID:        r.OwnerID,
		RegisteredBy:   r.RegisteredBy,
		Status:         r.Status,
		Valid:          boolPtr(r.Valid),
		Satisfaction:   r.Satisfaction,
		CreatedAt:      utc(r.CreatedAt),
		OpenedAt:       utc(r.OpenedAt),
		FirstReplyAt:   utcPtr(r.FirstReplyAt),
		ContactedAt:    utcPtr(r.ContactedAt),
		SolutionAt:     utcPtr(r.SolutionAt),
		OpinionAt:      utcPtr(r.OpinionAt),
		ResultAt:       utcPtr(r.ResultAt),
		LastProgressAt: utcPtr(r.LastProgressAt),
		ClosedAt:       utcPtr(r.ClosedAt),
	}
}

// setTimes copies the row's times, as stored, back to c.
func (r *complaintRow) setTimes(c *domain.Complaint) {
	c.OpenedAt = r.OpenedAt
	c.FirstReplyAt, c.ContactedAt, c.SolutionAt = r.FirstReplyAt, r.ContactedAt, r.SolutionAt
	c.OpinionAt, c.ResultAt, c.LastProgressAt, c.ClosedAt = r.OpinionAt, r.ResultAt, r.LastProgressAt, r.ClosedAt
}

// errComplaintNotFound is the ENOTFOUND of a complaint id.
func errComplaintNotFound(id int64) error {
	return domain.Errorkf(domain.ENOTFOUND, "err.complaint_not_found", []any{id}, "complaint %d not found", id)
}

// CreateComplaint stores a new complaint and sets c.ID; c.CreatedAt and
// c.OpenedAt default to now and c.Status to open. c.StoreID is required:
// a complaint is always of a store. The store does not run c.Validate,
// which needs the store's departments: the caller does.
func (db *DB) CreateComplaint(ctx context.Context, c *domain.Complaint) error {
	if c.StoreID == 0 {
		return fmt.Errorf("create complaint: no store")
	}
	now := db.now()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.OpenedAt.IsZero() {
		c.OpenedAt = now
	}
	if c.Status == "" {
		c.Status = domain.ComplaintOpen
	}
	row := newComplaintRow(c)
	row.ID = 0
	err := db.InTx(ctx, func(ctx context.Context) error {
		return db.conn(ctx).Create(&row).Error
	})
	if err != nil {
		return wrapInternal(err, "create complaint")
	}
	c.ID, c.CreatedAt = row.ID, row.CreatedAt
	row.setTimes(c)
	return nil
}

// ComplaintByID returns complaint id; ENOTFOUND (err.complaint_not_found)
// when there is none.
func (db *DB) ComplaintByID(ctx context.Context, id int64) (*domain.Complaint, error) {
	var row complaintRow
	err := db.conn(ctx).Where("id = ?", id).Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, errComplaintNotFound(id)
	case err != nil:
		return nil, formatError(fmt.Errorf("complaint %d: %w", id, err))
	}
	return row.complaint(), nil
}

// complaintIn returns complaint id if it is of store; a complaint of
// another store is ENOTFOUND (err.complaint_not_found) like a missing one.
func (db *DB) complaintIn(ctx context.Context, store, id int64) (*domain.Complaint, error) {
	c, err := db.ComplaintByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.StoreID != store {
		return nil, errComplaintNotFound(id)
	}
	return c, nil
}

// UpdateComplaint saves every field of c but its id, store and creation
// time: a complaint never changes store.
// ENOTFOUND (err.complaint_not_found) when the complaint is gone.
func (db *DB) UpdateComplaint(ctx context.Context, c *domain.Complaint) error {
	row := newComplaintRow(c)
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Model(&complaintRow{}).Where("id = ?", c.ID).Select("*").Omit("id", "store_id", "created_at").
			Updates(&row)
		switch {
		case res.Error != nil:
			return res.Error
		case res.RowsAffected == 0:
			return errComplaintNotFound(c.ID)
		}
		return nil
	})
	if err != nil {
		return wrapInternal(err, "update complaint %d", c.ID)
	}
	row.setTimes(c)
	return nil
}

// ComplaintFilter selects complaints; its zero value selects them all.
type ComplaintFilter = domain.ComplaintFilter

// Complaints returns the complaints f selects, by id.
func (db *DB) Complaints(ctx context.Context, f ComplaintFilter) ([]*domain.Complaint, error) {
	q := db.conn(ctx)
	if f.StoreID != 0 {
		q = q.Where("store_id = ?", f.StoreID)
	}
	if f.OwnerID != 0 {
		q = q.Where("owner_id = ?", f.OwnerID)
	}
	if f.Department != "" {
		q = q.Where("department = ?", f.Department)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	if !f.CreatedFrom.IsZero() {
		q = q.Where("created_at >= ?", dbTime(f.CreatedFrom))
	}
	if !f.CreatedTo.IsZero() {
		q = q.Where("created_at < ?", dbTime(f.CreatedTo))
	}
	q = q.Order("id")
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []complaintRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("complaints: %w", err))
	}
	list := make([]*domain.Complaint, len(rows))
	for i := range rows {
		list[i] = rows[i].complaint()
	}
	return list, nil
}

// ComplaintAction is domain.ComplaintAction, kept under this name for
// the storage API's callers.
type ComplaintAction = domain.ComplaintAction

// complaintActionRow is a row of complaint_actions.
type complaintActionRow struct {
	ID          int64 `gorm:"primaryKey"`
	ComplaintID int64
	StaffID     int64
	Kind        string
	Note        string
	At          time.Time
}

// TableName implements gorm's schema.Tabler.
func (complaintActionRow) TableName() string { return "complaint_actions" }

// AddComplaintAction stores an action and sets a.ID; a.At defaults to now.
// ENOTFOUND (err.complaint_not_found) when the complaint does not exist.
func (db *DB) AddComplaintAction(ctx context.Context, a *ComplaintAction) error {
	if a.At.IsZero() {
		a.At = db.now()
	}
	row := complaintActionRow{ComplaintID: a.ComplaintID, StaffID: a.StaffID, Kind: a.Kind, Note: a.Note, At: dbTime(a.At)}
	err := db.InTx(ctx, func(ctx context.Context) error {
		return db.conn(ctx).Create(&row).Error
	})
	switch {
	case foreignKeyViolated(err):
		return errComplaintNotFound(a.ComplaintID)
	case err != nil:
		return wrapInternal(err, "add action of complaint %d", a.ComplaintID)
	}
	a.ID, a.At = row.ID, row.At
	return nil
}

// ComplaintActions returns the actions of a complaint, the oldest first.
func (db *DB) ComplaintActions(ctx context.Context, complaintID int64) ([]ComplaintAction, error) {
	var rows []complaintActionRow
	err := db.conn(ctx).Where("complaint_id = ?", complaintID).Order("at, id").Find(&rows).Error
	if err != nil {
		return nil, formatError(fmt.Errorf("actions of complaint %d: %w", complaintID, err))
	}
	out := make([]ComplaintAction, len(rows))
	for i, r := range rows {
		out[i] = ComplaintAction{ID: r.ID, ComplaintID: r.ComplaintID, StaffID: r.StaffID, Kind: r.Kind, Note: r.Note, At: utc(r.At)}
	}
	return out, nil
}

// complaintCardRow is a row of complaint_cards.
type complaintCardRow struct {
	ID          int64 `gorm:"primaryKey"`
	ComplaintID int64
	StaffID     int64
	Kind        string
	MsgKey      string
	Headline    string
	CreatedAt   time.Time
}

// TableName implements gorm's schema.Tabler.
func (complaintCardRow) TableName() string { return "complaint_cards" }

// AddComplaintCard remembers a message that shows a complaint; a key
// remembered before is left as it is (a push written twice is one
// message). ENOTFOUND (err.complaint_not_found) when the complaint does
// not exist.
func (db *DB) AddComplaintCard(ctx context.Context, c *domain.ComplaintCard) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = db.now()
	}
	row := complaintCardRow{ComplaintID: c.ComplaintID, StaffID: c.StaffID, Kind: c.Kind, MsgKey: c.Key, Headline: c.Headline,
		CreatedAt: dbTime(c.CreatedAt)}
	err := db.InTx(ctx, func(ctx context.Context) error {
		return db.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "msg_key"}}, DoNothing: true}).Create(&row).Error
	})
	switch {
	case foreignKeyViolated(err):
		return errComplaintNotFound(c.ComplaintID)
	case err != nil:
		return wrapInternal(err, "add card of complaint %d", c.ComplaintID)
	}
	c.ID = row.ID
	return nil
}

// ComplaintCards returns the messages that show a complaint, the oldest
// first.
func (db *DB) ComplaintCards(ctx context.Context, complaintID int64) ([]domain.ComplaintCard, error) {
	var rows []complaintCardRow
	if err := db.conn(ctx).Where("complaint_id = ?", complaintID).Order("id").Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("cards of complaint %d: %w", complaintID, err))
	}
	out := make([]domain.ComplaintCard, len(rows))
	for i, r := range rows {
		out[i] = domain.ComplaintCard{ID: r.ID, ComplaintID: r.ComplaintID, StaffID: r.StaffID, Kind: r.Kind, Key: r.MsgKey,
			Headline: r.Headline, CreatedAt: utc(r.CreatedAt)}
	}
	return out, nil
}

// DeleteComplaintCard forgets a card that is settled (an answered survey):
// it is not edited again.
func (db *DB) DeleteComplaintCard(ctx context.Context, id int64) error {
	err := db.InTx(ctx, func(ctx context.Context) error {
		return db.conn(ctx).Where("id = ?", id).Delete(&complaintCardRow{}).Error
	})
	if err != nil {
		return wrapInternal(err, "delete complaint card %d", id)
	}
	return nil
}

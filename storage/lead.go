package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dealerbot/dealerbot/domain"
)

// leadRow is a row of leads.
type leadRow struct {
	ID                 int64 `gorm:"primaryKey"`
	StoreID            int64
	Name               string
	Phone              string
	Gender             string
	Returning          bool
	Source             string
	HeardVia           string
	Model              string
	Grade              string
	TradeIn            bool
	TradeInKnown       bool
	Notes              string
	OwnerID            int64
	Pool               string
	CreatedAt          time.Time
	LastContactAt      *time.Time
	FollowUps          int
	FirstWeekFollowUps int
	// NextDueAt is NULL for a lead that gets no follow-up, so the due
	// indexes hold only the leads being worked.
	NextDueAt *time.Time
	GradedAt  *time.Time
	LostNote  string
	InvitedBy int64
	// ReopenedAt is NULL for a lead never reopened.
	ReopenedAt *time.Time
}

// TableName implements gorm's schema.Tabler.
func (leadRow) TableName() string { return "leads" }

// newLeadRow converts a lead to its row, its times as the store writes them.
func newLeadRow(l *domain.Lead) leadRow {
	return leadRow{
		ID:                 l.ID,
		StoreID:            l.StoreID,
		Name:               l.Name,
		Phone:              l.Phone,
		Gender:             l.Gender,
		Returning:          l.Returning,
		Source:             string(l.Source),
		HeardVia:           l.HeardVia,
		Model:              l.Model,
		Grade:              string(l.Grade),
		TradeIn:            l.TradeIn,
		TradeInKnown:       l.TradeInKnown,
		Notes:              l.Notes,
		OwnerID:            l.OwnerID,
		Pool:               string(l.Pool),
		CreatedAt:          dbTime(l.CreatedAt),
		LastContactAt:      dbTimePtr(l.LastContactAt),
		FollowUps:          l.FollowUps,
		FirstWeekFollowUps: l.FirstWeekFollowUps,
		NextDueAt:          dbTimePtr(l.NextDueAt),
		GradedAt:           dbTimePtr(l.GradedAt),
		LostNote:           l.LostNote,
		InvitedBy:          l.InvitedBy,
		ReopenedAt:         dbTimePtr(l.ReopenedAt),
	}
}

// lead converts the row to the domain type.
func (r *leadRow) lead() *domain.Lead {
	return &domain.Lead{
		ID:                 r.ID,
		StoreID:            r.StoreID,
		Name:               r.Name,
		Phone:              r.Phone,
		Gender:             r.Gender,
		Returning:          r.Returning,
		Source:             domain.Source(r.Source),
		HeardVia:           r.HeardVia,
		Model:              r.Model,
		Grade:              domain.Grade(r.Grade),
		TradeIn:            r.TradeIn,
		TradeInKnown:       r.TradeInKnown,
		Notes:              r.Notes,
		OwnerID:            r.OwnerID,
		Pool:               domain.Pool(r.Pool),
		CreatedAt:          utc(r.CreatedAt),
		LastContactAt:      utcPtr(r.LastContactAt),
		FollowUps:          r.FollowUps,
		FirstWeekFollowUps: r.FirstWeekFollowUps,
		NextDueAt:          utcPtr(r.NextDueAt),
		GradedAt:           utcPtr(r.GradedAt),
		LostNote:           r.LostNote,
		InvitedBy:          r.InvitedBy,
		ReopenedAt:         utcPtr(r.ReopenedAt),
	}
}

// leads converts rows to domain types.
func leads(rows []leadRow) []*domain.Lead {
	list := make([]*domain.Lead, len(rows))
	for i := range rows {
		list[i] = rows[i].lead()
	}
	return list
}

// leadOpenGrades is the SQL list of the open grades (domain.Grade.Open). It
// is written into queries as a literal, not bound, so that both planners
// match it to leads_open_phone_key, whose WHERE must say exactly the same.
const leadOpenGrades = `('N', 'H', 'A', 'B', 'C', 'O')`

// allGrades are the grades a stored lead may have.
var allGrades = []domain.Grade{domain.GradeN, domain.GradeH, domain.GradeA, domain.GradeB, domain.GradeC,
	domain.GradeO, domain.GradeD, domain.GradeF, domain.GradeL}

// onOpenPhoneConflict makes an INSERT of a lead skip, rather than fail on,
// a second open lead with the phone: the transaction stays usable (a
// PostgreSQL error would abort it) to look the first one up.
var onOpenPhoneConflict = clause.OnConflict{
	Columns:     []clause.Column{{Name: "store_id"}, {Name: "phone"}},
	TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "grade IN " + leadOpenGrades}}},
	DoNothing:   true,
}

// errLeadNotFound is the ENOTFOUND of a lead id.
func errLeadNotFound(id int64) error {
	return domain.Errorkf(domain.ENOTFOUND, "err.lead_not_found", []any{id}, "lead %d not found", id)
}

// errLeadExists is the ECONFLICT of a second open lead for a customer
// (R1.14): it names the open lead and its owner, so the bot can tell who
// to talk to. The phone stays out of the message, which may be logged.
func errLeadExists(id int64, owner string) error {
	return domain.Errorkf(domain.ECONFLICT, "err.lead_exists", []any{id, owner},
		"the customer has an open lead already: #%d of %s", id, owner)
}

// CreateLead stores a new lead of store l.StoreID, which the caller must
// set, after l.Validate and sets l.ID (and l.CreatedAt to now when it is
// zero). A customer has one open lead in a store: when another open lead
// of the store has the phone, it is an ECONFLICT naming that lead and its
// owner (err.lead_exists), also when two are created at once —
// leads_open_phone_key decides, not a check before the insert. An owner
// who does not exist is an ENOTFOUND.
func (db *DB) CreateLead(ctx context.Context, l *domain.Lead) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if l.StoreID == 0 {
		return domain.Errorf(domain.EINTERNAL, "create lead %q: no store", l.Name)
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = db.now()
	}
	row := newLeadRow(l)
	row.ID = 0
	err := db.InTx(ctx, func(ctx context.Context) error {
		// The open lead found in the way may be closed before it is looked
		// up (PostgreSQL): then the insert is tried again.
		for range 3 {
			res := db.conn(ctx).Clauses(onOpenPhoneConflict).Create(&row)
			switch {
			case foreignKeyViolated(res.Error):
				return errStaffNotFound(fmt.Sprintf("#%d", l.OwnerID))
			case res.Error != nil:
				return res.Error
			case res.RowsAffected == 1 && row.ID != 0:
				return nil
			}
			id, owner, err := db.openLead(ctx, row.StoreID, row.Phone, 0)
			switch {
			case err != nil:
				return err
			case id != 0:
				return errLeadExists(id, owner)
			}
		}
		return errLeadExists(0, "")
	})
	if err != nil {
		return wrapInternal(err, "create lead")
	}
	l.ID = row.ID
	l.CreatedAt, l.LastContactAt, l.NextDueAt, l.GradedAt = row.CreatedAt, row.LastContactAt, row.NextDueAt, row.GradedAt
	return nil
}

// openLead returns the id and owner's name of the open lead with phone in
// store other than lead except, or id 0 when there is none.
func (db *DB) openLead(ctx context.Context, store int64, phone string, except int64) (int64, string, error) {
	var hits []struct {
		ID   int64
		Name string
	}
	err := db.conn(ctx).Raw(`SELECT leads.id, staff.name FROM leads JOIN staff ON staff.id = leads.owner_id
		WHERE leads.store_id = ? AND leads.phone = ? AND leads.grade IN `+leadOpenGrades+` AND leads.id <> ? ORDER BY leads.id LIMIT 1`,
		store, phone, except).Scan(&hits).Error
	if err != nil || len(hits) == 0 {
		return 0, "", err
	}
	return hits[0].ID, hits[0].Name, nil
}

// LeadByID returns lead id, of whichever store; ENOTFOUND
// (err.lead_not_found) when there is none. A look-up for a person uses
// LeadInStore.
func (db *DB) LeadByID(ctx context.Context, id int64) (*domain.Lead, error) {
	return db.LeadInStore(ctx, 0, id)
}

// LeadInStore returns lead id of store (any store for 0); ENOTFOUND
// (err.lead_not_found) when the store has none: another store's lead is
// not found, exactly as a missing one.
func (db *DB) LeadInStore(ctx context.Context, store, id int64) (*domain.Lead, error) {
	var row leadRow
	q := db.conn(ctx).Where("id = ?", id)
	if store != 0 {
		q = q.Where("store_id = ?", store)
	}
	err := q.Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, errLeadNotFound(id)
	case err != nil:
		return nil, formatError(fmt.Errorf("lead %d: %w", id, err))
	}
	return row.lead(), nil
}

// LeadByPhone returns the customer's lead by a normalised phone in any
// store: the open one, else the newest closed one. ENOTFOUND
// (err.lead_phone_not_found) when the customer has none. A look-up for a
// person uses LeadInStoreByPhone: a customer may be a lead of two stores.
func (db *DB) LeadByPhone(ctx context.Context, phone string) (*domain.Lead, error) {
	return db.LeadInStoreByPhone(ctx, 0, phone)
}

// LeadInStoreByPhone is LeadByPhone in one store (any for 0).
func (db *DB) LeadInStoreByPhone(ctx context.Context, store int64, phone string) (*domain.Lead, error) {
	var row leadRow
	q := db.conn(ctx).Where("phone = ?", phone)
	if store != 0 {
		q = q.Where("store_id = ?", store)
	}
	err := q.Order("CASE WHEN grade IN " + leadOpenGrades + " THEN 0 ELSE 1 END, created_at DESC, id DESC").
		Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, domain.Errorkf(domain.ENOTFOUND, "err.lead_phone_not_found", []any{phone}, "no lead with that phone")
	case err != nil:
		return nil, formatError(fmt.Errorf("lead by phone: %w", err))
	}
	return row.lead(), nil
}

// UpdateLead saves every field of l but its id and creation time, after
// the checks of Validate (any grade is accepted: O, D and F are set by
// orders and approvals, not by hand; none means N). ENOTFOUND when the lead
// is gone; ECONFLICT (err.lead_exists) when reopening it would give the
// customer a second open lead. The store keeps NextDueAt as given: nil for
// a grade that gets no follow-ups (domain.Lead.Reschedule), or the lead
// stays on the due lists.
func (db *DB) UpdateLead(ctx context.Context, l *domain.Lead) error {
	grade := l.Grade
	if grade == "" {
		grade = domain.GradeN
	}
	if !slices.Contains(allGrades, grade) {
		return domain.Errorkf(domain.EINVALID, "err.grade_bad", []any{string(grade), gradeList(allGrades)}, "%q is not a grade", grade)
	}
	tidy := *l
	tidy.Grade = domain.GradeN // Validate knows only the grades set by hand
	if err := tidy.Validate(); err != nil {
		return err
	}
	tidy.Grade = grade
	row := newLeadRow(&tidy)
	err := db.InTx(ctx, func(ctx context.Context) error {
		for range 3 {
			var res *gorm.DB
			err := db.guard(ctx, func(tx *gorm.DB) error {
				res = tx.Model(&leadRow{}).Where("id = ?", l.ID).Select("*").Omit("id", "store_id", "created_at").Updates(&row)
				return res.Error
			})
			switch {
			case leadOpenPhoneKey.violatedBy(err):
				id, owner, err := db.openLead(ctx, l.StoreID, row.Phone, l.ID)
				switch {
				case err != nil:
					return err
				case id != 0:
					return errLeadExists(id, owner)
				}
				continue // closed meanwhile: try again
			case foreignKeyViolated(err):
				return errStaffNotFound(fmt.Sprintf("#%d", l.OwnerID))
			case err != nil:
				return err
			case res.RowsAffected == 0:
				return errLeadNotFound(l.ID)
			}
			return nil
		}
		return errLeadExists(0, "")
	})
	if err != nil {
		return wrapInternal(err, "update lead %d", l.ID)
	}
	*l = tidy // CreatedAt as the caller had it: it was not saved
	l.LastContactAt, l.NextDueAt, l.GradedAt = row.LastContactAt, row.NextDueAt, row.GradedAt
	return nil
}

// gradeList writes grades the way domain.ParseGrade's error lists them.
func gradeList(gs []domain.Grade) string {
	ss := make([]string, len(gs))
	for i, g := range gs {
		ss[i] = string(g)
	}
	return strings.Join(ss, " ")
}

// guard runs fn, one statement on the transaction of ctx that may break a
// unique index, so that the transaction stays usable after a violation and
// the caller can look up what it collided with: PostgreSQL aborts a
// transaction at its first error unless a savepoint takes it back. SQLite
// needs none. ctx must carry a transaction.
func (db *DB) guard(ctx context.Context, fn func(tx *gorm.DB) error) error {
	tx := db.conn(ctx)
	if db.driver != DriverPostgres {
		return fn(tx)
	}
	if err := tx.Exec("SAVEPOINT storage_guard").Error; err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Exec("ROLLBACK TO SAVEPOINT storage_guard").Error; rerr != nil {
			return fmt.Errorf("%w (and rolling back to the savepoint: %w)", err, rerr)
		}
		return err
	}
	return tx.Exec("RELEASE SAVEPOINT storage_guard").Error
}

// FindLeads returns up to limit leads of store (all when limit is not
// positive) whose name contains text, ignoring the case of ASCII letters,
// or whose phone contains the digits of text when it has 3 or more.
// onlyOwner, when not 0, keeps that owner's leads only; preferOwner's
// leads come first, then the newest. Wildcards in text match themselves.
func (db *DB) FindLeads(ctx context.Context, store int64, text string, onlyOwner, preferOwner int64, limit int) ([]*domain.Lead, error) {
	q := db.leadsMatching(ctx, text).Where("store_id = ?", store)
	if onlyOwner != 0 {
		q = q.Where("owner_id = ?", onlyOwner)
	}
	q = q.Order(clause.OrderBy{Expression: clause.Expr{
		SQL:                "CASE WHEN owner_id = ? THEN 0 ELSE 1 END, created_at DESC, id DESC",
		Vars:               []any{preferOwner},
		WithoutParentheses: true,
	}})
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []leadRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("find leads: %w", err))
	}
	return leads(rows), nil
}

// leadsMatching is the query of the leads whose name or phone matches
// text, as FindLeads says.
func (db *DB) leadsMatching(ctx context.Context, text string) *gorm.DB {
	text = strings.TrimSpace(text)
	// LOWER on both sides: SQLite folds ASCII only, PostgreSQL more, but
	// each the same on both sides.
	cond, args := `(LOWER(name) LIKE LOWER(?) ESCAPE '\'`, []any{"%" + escapeLike(text) + "%"}
	if d := digits(text); len(d) >= 3 {
		cond += " OR phone LIKE ?"
		args = append(args, "%"+d+"%")
	}
	return db.conn(ctx).Where(cond+")", args...)
}

// leadsElsewhere lists up to limit leads of the stores other than store
// that q selects (leadsMatching, or a phone), the open first, then the
// newest, each with its owner's name and its store's code: a group role's
// view across the group, never merged with the store's own.
func (db *DB) leadsElsewhere(ctx context.Context, store int64, q *gorm.DB, limit int) ([]domain.LeadElsewhere, error) {
	var rows []leadRow
	err := q.Where("store_id <> ?", store).
		Order("CASE WHEN grade IN " + leadOpenGrades + " THEN 0 ELSE 1 END, created_at DESC, id DESC").
		Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, formatError(fmt.Errorf("leads elsewhere: %w", err))
	}
	out := make([]domain.LeadElsewhere, 0, len(rows))
	for _, r := range rows {
		e := domain.LeadElsewhere{StoreCode: fmt.Sprintf("#%d", r.StoreID), LeadID: r.ID, Name: r.Name, Grade: domain.Grade(r.Grade)}
		if st := db.Stores.ByID(r.StoreID); st != nil {
			e.StoreCode = st.Code
		}
		e.Owner = fmt.Sprintf("#%d", r.OwnerID)
		if owner, err := db.StaffByID(ctx, r.OwnerID); err == nil {
			e.Owner = owner.Name
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// escapeLike escapes LIKE's wildcards and the escape character itself in
// s, for a pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// digits returns the digits of s, full-width ones from a Chinese keyboard
// read as ASCII.
func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		}
	}
	return b.String()
}

// LeadsByOwner returns a page of the owner's open leads, most overdue
// first (by next due time, leads due never last, then by id), and how many
// open leads the owner has. A limit that is not positive returns them all.
func (db *DB) LeadsByOwner(ctx context.Context, ownerID int64, offset, limit int) ([]*domain.Lead, int, error) {
	where := "owner_id = ? AND grade IN " + leadOpenGrades
	var total int64
	if err := db.conn(ctx).Model(&leadRow{}).Where(where, ownerID).Count(&total).Error; err != nil {
		return nil, 0, formatError(fmt.Errorf("count leads of %d: %w", ownerID, err))
	}
	q := db.conn(ctx).Where(where, ownerID).Order("next_due_at NULLS LAST, id")
	if offset > 0 {
		q = q.Offset(offset)
	}
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []leadRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, 0, formatError(fmt.Errorf("leads of %d: %w", ownerID, err))
	}
	return leads(rows), int(total), nil
}

// DueLeads returns up to limit of the owner's leads (all when limit is not
// positive) whose follow-up is due before before, the longest due first.
func (db *DB) DueLeads(ctx context.Context, ownerID int64, before time.Time, limit int) ([]*domain.Lead, error) {
	q := db.conn(ctx).Where("owner_id = ? AND next_due_at < ?", ownerID, dbTime(before)).Order("next_due_at, id")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []leadRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("due leads of %d: %w", ownerID, err))
	}
	return leads(rows), nil
}

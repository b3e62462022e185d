package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/dealerbot/dealerbot/domain"
)

// storage implements the staff service: chat and the CLI call it.
var _ domain.StaffService = (*DB)(nil)

// staffRow is a row of the staff table.
type staffRow struct {
	ID      int64 `gorm:"primaryKey"`
	StoreID int64
	Name    string
	// Roles is the role list wrapped in commas, ",manager,admin,", so that
	// LIKE '%,admin,%' finds exactly one role.
	Roles string
	// TelegramID is NULL until an invite is redeemed: the unique index
	// over the active members' ids then ignores the unenrolled.
	TelegramID *int64
	// Lang is empty until the person or an admin chooses a language; the
	// first redeemed invite then records their Telegram client's.
	Lang       string
	Department string
	Active     bool
	CreatedAt  time.Time
}

// TableName implements gorm's schema.Tabler.
func (staffRow) TableName() string { return "staff" }

// storeRoles writes roles in the column's comma-wrapped form.
func storeRoles(rs domain.Roles) string { return "," + domain.JoinRoles(rs) + "," }

// staff converts the row to the domain type. An empty lang reads as the
// default language.
func (r *staffRow) staff() (*domain.Staff, error) {
	roles, err := domain.ParseRoles(strings.Trim(r.Roles, ","))
	if err != nil {
		return nil, fmt.Errorf("staff %d: stored roles %q: %w", r.ID, r.Roles, err)
	}
	s := &domain.Staff{
		ID:         r.ID,
		StoreID:    r.StoreID,
		Name:       r.Name,
		Roles:      roles,
		Lang:       domain.Lang(r.Lang),
		Department: r.Department,
		Active:     r.Active,
		CreatedAt:  utc(r.CreatedAt),
	}
	if r.TelegramID != nil {
		s.TelegramID = *r.TelegramID
	}
	if s.Lang == "" {
		s.Lang = domain.LangZH
	}
	return s, nil
}

// errStaffNotFound is the ENOTFOUND of a staff look-up; what names the
// member in the message ("Wang Li", "#12").
func errStaffNotFound(what string) error {
	return domain.Errorkf(domain.ENOTFOUND, "err.staff_not_found", []any{what}, "staff %s not found", what)
}

// errStaffExists is the ECONFLICT of a second member with the same name.
func errStaffExists(name string) error {
	return domain.Errorkf(domain.ECONFLICT, "err.staff_exists", []any{name}, "staff %q already exists", name)
}

// errTelegramBound is the ECONFLICT of a Telegram account that another
// active member already uses.
func errTelegramBound() error {
	return domain.Errorkf(domain.ECONFLICT, "err.telegram_bound", nil, "telegram account is bound to another staff member")
}

// validLang checks a language given to the store.
func validLang(l domain.Lang) error {
	if l != domain.LangZH && l != domain.LangEN {
		return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "unknown language %q", l)
	}
	return nil
}

// CreateStaff stores a new, active member of store s.StoreID after
// s.Validate, and sets s.ID, s.CreatedAt and s.Active. StoreID 0 means the
// default store: a single-store setup's seeds and tests. A store the
// group does not have is EINVALID (err.store_unknown). A name already
// taken in the store by any member, active or not, is an ECONFLICT. s.Lang is stored only when given (see staffRow.Lang);
// a TelegramID, when given, enrols the member at once.
func (db *DB) CreateStaff(ctx context.Context, s *domain.Staff) error {
	langChosen := s.Lang != ""
	if langChosen {
		if err := validLang(s.Lang); err != nil {
			return err
		}
	}
	if err := s.Validate(); err != nil {
		return err
	}
	if s.StoreID == 0 { // a single store's seed: the store there is
		s.StoreID = db.Stores.Default().ID
	}
	if err := db.knownStore(s.StoreID); err != nil {
		return err
	}
	row := staffRow{StoreID: s.StoreID, Name: s.Name, Roles: storeRoles(s.Roles), Active: true, CreatedAt: db.now()}
	if langChosen {
		row.Lang = string(s.Lang)
	}
	if s.TelegramID != 0 {
		row.TelegramID = &s.TelegramID
	}
	err := db.InTx(ctx, func(ctx context.Context) error {
		return db.conn(ctx).Create(&row).Error
	})
	switch {
	case staffNameKey.violatedBy(err):
		return errStaffExists(s.Name)
	case staffTelegramIDKey.violatedBy(err):
		return errTelegramBound()
	case err != nil:
		return fmt.Errorf("create staff %q: %w", s.Name, err)
	}
	s.ID, s.CreatedAt, s.Active = row.ID, utc(row.CreatedAt), true
	return nil
}

// StaffByID returns the member with id, active or not.
func (db *DB) StaffByID(ctx context.Context, id int64) (*domain.Staff, error) {
	return db.findStaff(ctx, fmt.Sprintf("#%d", id), "id = ?", id)
}

// staffByIDs returns the members with ids, active or not, by id, in one
// query (a list naming many people); ids not found are left out.
func (db *DB) staffByIDs(ctx context.Context, ids []int64) (map[int64]*domain.Staff, error) {
	out := make(map[int64]*domain.Staff, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []staffRow
	if err := db.conn(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("staff by ids: %w", err))
	}
	for i := range rows {
		s, err := rows[i].staff()
		if err != nil {
			return nil, err
		}
		out[s.ID] = s
	}
	return out, nil
}

// StaffByName returns the member of store whose name is exactly name, once
// white space is folded as domain.NormalizeName does. A namesake in
// another store is not found.
func (db *DB) StaffByName(ctx context.Context, store int64, name string) (*domain.Staff, error) {
	n, err := domain.NormalizeName(name)
	if err != nil {
		return nil, err
	}
	return db.findStaff(ctx, n, "store_id = ? AND name = ?", store, n)
}

// knownStore returns nil when the group has the store with id, and
// otherwise the EINVALID of an unknown store naming the known codes.
func (db *DB) knownStore(id int64) error {
	if db.Stores.ByID(id) == nil {
		return domain.Errorkf(domain.EINVALID, "err.store_unknown", []any{fmt.Sprintf("#%d", id), db.Stores.Codes()},
			"unknown store %d (known: %s)", id, db.Stores.Codes())
	}
	return nil
}

// StaffByTelegramID returns the member bound to a Telegram account: the
// active one, or else the latest deactivated one (so the bot can tell a
// former member from a stranger). ENOTFOUND when there is none.
func (db *DB) StaffByTelegramID(ctx context.Context, tgID int64) (*domain.Staff, error) {
	notFound := domain.Errorf(domain.ENOTFOUND, "no staff with telegram id %d", tgID)
	if tgID == 0 {
		return nil, notFound
	}
	var row staffRow
	err := db.conn(ctx).Where("telegram_id = ?", tgID).Order("active DESC, id DESC").Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, notFound
	case err != nil:
		return nil, formatError(fmt.Errorf("staff by telegram id: %w", err))
	}
	return row.staff()
}

// findStaff returns the one member that where selects; what names it in a
// not-found error.
func (db *DB) findStaff(ctx context.Context, what string, where string, args ...any) (*domain.Staff, error) {
	var row staffRow
	err := db.conn(ctx).Where(where, args...).Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, errStaffNotFound(what)
	case err != nil:
		return nil, formatError(fmt.Errorf("find staff %s: %w", what, err))
	}
	return row.staff()
}

// ListStaffIn returns the active members of store, or every member of it
// with includeInactive, ordered by name.
func (db *DB) ListStaffIn(ctx context.Context, store int64, includeInactive bool) ([]*domain.Staff, error) {
	q := db.conn(ctx).Where("store_id = ?", store)
	if !includeInactive {
		q = q.Where("active")
	}
	return db.listStaff(q)
}

// ListStaff returns the active members of every store, or every member
// with includeInactive, ordered by name: the group's, for what serves them
// all (the command menus at start).
func (db *DB) ListStaff(ctx context.Context, includeInactive bool) ([]*domain.Staff, error) {
	q := db.conn(ctx)
	if !includeInactive {
		q = q.Where("active")
	}
	return db.listStaff(q)
}

// StaffWithRole returns the active members of store holding role r,
// enrolled or not, ordered by name. A group role holds only itself here:
// the gm of a store are its own (domain.Roles.Has is for permissions).
func (db *DB) StaffWithRole(ctx context.Context, store int64, r domain.Role) ([]*domain.Staff, error) {
	if !r.Valid() {
		return nil, domain.Errorkf(domain.EINVALID, "err.role_unknown", []any{string(r), domain.JoinRoles(domain.AllRoles)},
			"unknown role %q", r)
	}
	// A valid role holds no LIKE wildcard, and the commas make it exact.
	return db.listStaff(db.conn(ctx).Where("store_id = ? AND active AND roles LIKE ?", store, "%,"+string(r)+",%"))
}

// listStaff runs q over the staff table, ordered by name.
func (db *DB) listStaff(q *gorm.DB) ([]*domain.Staff, error) {
	var rows []staffRow
	if err := q.Order(db.orderByName()).Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("list staff: %w", err))
	}
	list := make([]*domain.Staff, 0, len(rows))
	for i := range rows {
		s, err := rows[i].staff()
		if err != nil {
			return nil, err
		}
		list = append(list, s)
	}
	return list, nil
}

// DeactivateStaff marks a member inactive: the bot then treats them as a
// stranger. Deactivating an inactive member does nothing.
func (db *DB) DeactivateStaff(ctx context.Context, id int64) error {
	return db.updateStaff(ctx, id, "active", false)
}

// SetStaffLang records the language a member chose.
func (db *DB) SetStaffLang(ctx context.Context, id int64, l domain.Lang) error {
	if err := validLang(l); err != nil {
		return err
	}
	return db.updateStaff(ctx, id, "lang", string(l))
}

// SetStaffDepartment records the department a member works in (R2.3):
// complaints of that department default to its supervisor.
func (db *DB) SetStaffDepartment(ctx context.Context, id int64, dept string) error {
	return db.updateStaff(ctx, id, "department", dept)
}

// Deactivate implements domain.StaffService.
func (db *DB) Deactivate(ctx context.Context, by int64, name string) (*domain.StaffDeactivated, error) {
	var out *domain.StaffDeactivated
	err := db.InTx(ctx, func(ctx context.Context) error {
		admin, err := db.actor(ctx, by)
		if err != nil {
			return err
		}
		if err := domain.CanAdministerStaff(admin); err != nil { // before the look-up: a non-admin learns no name
			return err
		}
		s, err := db.StaffByName(ctx, admin.StoreID, name)
		if err != nil {
			return err
		}
		if err := domain.CanDeactivate(admin, s); err != nil {
			return err
		}
		out = &domain.StaffDeactivated{Staff: s, By: admin, Already: !s.Active}
		if out.Already {
			return nil
		}
		s.Active = false
		return db.setStaff(ctx, s.ID, "active", false)
	})
	if err != nil {
		return nil, wrapInternal(err, "deactivate staff %q", name)
	}
	return out, nil
}

// SetDepartment implements domain.StaffService.
func (db *DB) SetDepartment(ctx context.Context, by int64, name, dept string) (*domain.Staff, error) {
	var out *domain.Staff
	err := db.InTx(ctx, func(ctx context.Context) error {
		setter, err := db.actor(ctx, by)
		if err != nil {
			return err
		}
		if err := domain.CanSetDepartment(setter); err != nil {
			return err
		}
		if err := domain.ValidDepartment(dept, db.Stores.Of(setter.StoreID).Rules.Complaints.Departments); err != nil {
			return err
		}
		s, err := db.StaffByName(ctx, setter.StoreID, name)
		if err != nil {
			return err
		}
		s.Department = dept
		out = s
		return db.setStaff(ctx, s.ID, "department", dept)
	})
	if err != nil {
		return nil, wrapInternal(err, "set department of staff %q", name)
	}
	return out, nil
}

// MemberBlocked implements domain.StaffService.
func (db *DB) MemberBlocked(ctx context.Context, id int64) (*domain.StaffBlocked, error) {
	var out *domain.StaffBlocked
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, id)
		if err != nil {
			return err
		}
		bosses, err := db.StaffWithRole(ctx, s.StoreID, domain.ApproverRole(s.Roles))
		if err != nil {
			return err
		}
		out = &domain.StaffBlocked{Staff: s}
		for _, boss := range bosses {
			if domain.Tellable(boss, s.ID) != nil {
				out.Tell = append(out.Tell, boss)
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "staff %d blocked the bot", id)
	}
	return out, nil
}

// VisibleStaff implements domain.StaffService.
func (db *DB) VisibleStaff(ctx context.Context, by int64) ([]*domain.Staff, error) {
	var out []*domain.Staff
	err := db.InTx(ctx, func(ctx context.Context) error {
		viewer, err := db.actor(ctx, by)
		if err != nil {
			return err
		}
		if err := domain.CanListStaff(viewer); err != nil {
			return err
		}
		out, err = db.ListStaffIn(ctx, viewer.StoreID, domain.SeesInactiveStaff(viewer))
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "list staff for %d", by)
	}
	return out, nil
}

// ChooseStore implements domain.StaffService.
func (db *DB) ChooseStore(ctx context.Context, by int64, code string) (*domain.StoreChosen, error) {
	var out *domain.StoreChosen
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.actor(ctx, by)
		if err != nil {
			return err
		}
		if err := domain.CanChooseStore(s); err != nil { // the console has no group role
			return err
		}
		st, err := db.Stores.ByCode(code)
		if err != nil {
			return err
		}
		out = &domain.StoreChosen{Staff: s, Store: st, Already: s.StoreID == st.ID}
		if out.Already {
			return nil
		}
		s.StoreID = st.ID
		return db.setStaff(ctx, s.ID, "store_id", st.ID)
	})
	if err != nil {
		return nil, wrapInternal(err, "staff %d chooses store %q", by, code)
	}
	return out, nil
}

// actor loads the member who asks for a staff change, or the console's
// operator for domain.Console (in the default store: a single store's
// console) or domain.ConsoleIn(store). An unknown id is EFORBIDDEN
// (err.forbidden): nobody may act in the name of a member who does not
// exist; a console in a store the group lacks is EINVALID.
func (db *DB) actor(ctx context.Context, by int64) (*domain.Staff, error) {
	if store, ok := domain.ConsoleStore(by); ok {
		op := domain.ConsoleOperator()
		op.StoreID = store
		if store == 0 {
			op.StoreID = db.Stores.Default().ID
		}
		if err := db.knownStore(op.StoreID); err != nil {
			return nil, err
		}
		return op, nil
	}
	s, err := db.StaffByID(ctx, by)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "unknown staff %d", by)
	}
	return s, err
}

// updateStaff sets one column of member id; ENOTFOUND if there is none.
// Both drivers count matched rows, so an unchanged value still counts.
func (db *DB) updateStaff(ctx context.Context, id int64, column string, value any) error {
	err := db.InTx(ctx, func(ctx context.Context) error {
		return db.setStaff(ctx, id, column, value)
	})
	if err != nil && domain.ErrorCode(err) == domain.EINTERNAL {
		return fmt.Errorf("update staff %d %s: %w", id, column, err)
	}
	return err
}

// setStaff is updateStaff inside the caller's transaction.
func (db *DB) setStaff(ctx context.Context, id int64, column string, value any) error {
	res := db.conn(ctx).Model(&staffRow{}).Where("id = ?", id).Update(column, value)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return errStaffNotFound(fmt.Sprintf("#%d", id))
	}
	return nil
}

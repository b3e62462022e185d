package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// appointmentRow is a row of appointments: a showroom visit telesales
// booked for a lead (R1.8).
type appointmentRow struct {
	ID          int64 `gorm:"primaryKey"`
	StoreID     int64
	LeadID      int64
	TelesalesID int64
	At          time.Time
	Status      string
	Reminded    bool
	CreatedAt   time.Time
}

// TableName implements gorm's schema.Tabler.
func (appointmentRow) TableName() string { return "appointments" }

// appointment converts the row to the domain type.
func (r *appointmentRow) appointment() domain.Appointment {
	return domain.Appointment{
		ID:          r.ID,
		StoreID:     r.StoreID,
		LeadID:      r.LeadID,
		TelesalesID: r.TelesalesID,
		At:          utc(r.At),
		Status:      r.Status,
		Reminded:    r.Reminded,
		CreatedAt:   utc(r.CreatedAt),
	}
}

// appointments converts rows to domain types.
func appointments(rows []appointmentRow) []domain.Appointment {
	list := make([]domain.Appointment, len(rows))
	for i := range rows {
		list[i] = rows[i].appointment()
	}
	return list
}

// errAppointmentNotFound is the ENOTFOUND of an appointment id, looked up
// from a button.
func errAppointmentNotFound(id int64) error {
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "appointment %d not found", id)
}

// validApptStatus reports an EINVALID unless s is an appointment state.
func validApptStatus(s string) error {
	switch s {
	case domain.ApptBooked, domain.ApptArrived, domain.ApptMissed, domain.ApptReplaced:
		return nil
	}
	return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "%q is not an appointment state", s)
}

// CreateAppointment books an appointment in its lead's store, created
// now, and sets a.StoreID, a.ID, a.Status (booked), a.Reminded (false) and
// a.CreatedAt. ENOTFOUND when the lead does not exist.
func (db *DB) CreateAppointment(ctx context.Context, a *domain.Appointment) error {
	row := appointmentRow{LeadID: a.LeadID, TelesalesID: a.TelesalesID, At: dbTime(a.At), Status: domain.ApptBooked,
		CreatedAt: db.now()}
	err := db.InTx(ctx, func(ctx context.Context) (err error) {
		if row.StoreID, err = db.leadStore(ctx, a.LeadID, a.StoreID); err != nil {
			return err
		}
		return db.conn(ctx).Create(&row).Error
	})
	switch {
	case foreignKeyViolated(err):
		return errLeadNotFound(a.LeadID)
	case err != nil:
		return wrapInternal(err, "create appointment of lead %d", a.LeadID)
	}
	a.StoreID, a.ID, a.At, a.Status, a.Reminded, a.CreatedAt = row.StoreID, row.ID, row.At, row.Status, false, row.CreatedAt
	return nil
}

// leadStore returns the store of lead id, which a record of the lead
// (an event, visit, collision, lost request, booking, handover) belongs
// to: ENOTFOUND (err.lead_not_found) when there is no such lead,
// EINVALID when want, if not 0, names another store.
func (db *DB) leadStore(ctx context.Context, id, want int64) (int64, error) {
	var stores []int64
	if err := db.conn(ctx).Model(&leadRow{}).Where("id = ?", id).Limit(1).Pluck("store_id", &stores).Error; err != nil {
		return 0, formatError(fmt.Errorf("store of lead %d: %w", id, err))
	}
	switch {
	case len(stores) == 0:
		return 0, errLeadNotFound(id)
	case want != 0 && want != stores[0]:
		return 0, domain.Errorkf(domain.EINVALID, "err.invalid", nil, "lead %d is of store %d, not %d", id, stores[0], want)
	}
	return stores[0], nil
}

// AppointmentsBetween returns store's appointments at from or later and
// before to, in status (any when status is ""), the earliest first.
func (db *DB) AppointmentsBetween(ctx context.Context, store int64, from, to time.Time, status string) ([]domain.Appointment, error) {
	q := db.conn(ctx).Where("store_id = ? AND at >= ? AND at < ?", store, dbTime(from), dbTime(to))
	if status != "" {
		q = q.Where("status = ?", status)
	}
	var rows []appointmentRow
	if err := q.Order("at, id").Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("appointments between: %w", err))
	}
	return appointments(rows), nil
}

// BookedAppointment returns the lead's booked appointment at from or later
// and before to, the earliest when there are several; ENOTFOUND (no
// catalogue key) when there is none.
func (db *DB) BookedAppointment(ctx context.Context, leadID int64, from, to time.Time) (*domain.Appointment, error) {
	var row appointmentRow
	err := db.conn(ctx).Where("lead_id = ? AND status = ? AND at >= ? AND at < ?",
		leadID, domain.ApptBooked, dbTime(from), dbTime(to)).Order("at, id").Take(&row).Error
	switch {
	case isNotFound(err):
		return nil, domain.Errorf(domain.ENOTFOUND, "lead %d has no booked appointment then", leadID)
	case err != nil:
		return nil, formatError(fmt.Errorf("booked appointment of lead %d: %w", leadID, err))
	}
	a := row.appointment()
	return &a, nil
}

// SetAppointmentStatus moves appointment id from status from to status to
// and reports whether it did: an appointment no longer in from is left as
// it is (false). EINVALID for a status that is not an appointment state;
// ENOTFOUND (callback.stale) when there is no such appointment.
func (db *DB) SetAppointmentStatus(ctx context.Context, id int64, from, to string) (bool, error) {
	if err := validApptStatus(to); err != nil {
		return false, err
	}
	var set bool
	err := db.InTx(ctx, func(ctx context.Context) error {
		tx := db.conn(ctx)
		res := tx.Model(&appointmentRow{}).Where("id = ? AND status = ?", id, from).Update("status", to)
		if res.Error != nil || res.RowsAffected == 1 {
			set = res.RowsAffected == 1
			return res.Error
		}
		return db.rowExists(ctx, &appointmentRow{}, id, errAppointmentNotFound)
	})
	if err != nil {
		return false, wrapInternal(err, "set appointment %d %s", id, to)
	}
	return set, nil
}

// AppointmentsToRemind returns up to limit (all when limit is not positive)
// booked appointments reception was not yet reminded of, at before or
// earlier and less than an hour ago, the earliest first, of every store:
// each carries its StoreID, whose rules say when it is due.
func (db *DB) AppointmentsToRemind(ctx context.Context, before time.Time, limit int) ([]domain.Appointment, error) {
	// A literal FALSE, not NOT reminded, as in VisitsToPrompt.
	q := db.conn(ctx).Where("status = ? AND at <= ? AND at > ? AND reminded = FALSE",
		domain.ApptBooked, dbTime(before), db.now().Add(-time.Hour)).Order("at, id")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []appointmentRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("appointments to remind: %w", err))
	}
	return appointments(rows), nil
}

// MarkAppointmentReminded records that reception was reminded of
// appointment id. ENOTFOUND (callback.stale) when there is no such
// appointment.
func (db *DB) MarkAppointmentReminded(ctx context.Context, id int64) error {
	return wrapInternal(db.setColumn(ctx, &appointmentRow{}, id, "reminded", true, errAppointmentNotFound),
		"mark appointment %d reminded", id)
}

// setColumn sets one column of row id of model's table; notFound(id) when
// there is no such row.
func (db *DB) setColumn(ctx context.Context, model any, id int64, column string, value any, notFound func(int64) error) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Model(model).Where("id = ?", id).Update(column, value)
		switch {
		case res.Error != nil:
			return res.Error
		case res.RowsAffected == 0:
			return notFound(id)
		}
		return nil
	})
}

// rowExists returns notFound(id) unless row id of model's table exists.
func (db *DB) rowExists(ctx context.Context, model any, id int64, notFound func(int64) error) error {
	var n int64
	if err := db.conn(ctx).Model(model).Where("id = ?", id).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return notFound(id)
	}
	return nil
}

// storage implements the appointment service (R1.8, R1.9).
var _ domain.AppointmentService = (*DB)(nil)

// BookAppointment implements domain.AppointmentService.
func (db *DB) BookAppointment(ctx context.Context, a domain.Appointment) (*domain.AppointmentBooked, error) {
	now := db.now()
	var out *domain.AppointmentBooked
	err := db.InTx(ctx, func(ctx context.Context) error {
		l, err := db.LeadByID(ctx, a.LeadID)
		if err != nil {
			return err
		}
		booker, err := db.StaffByID(ctx, a.TelesalesID)
		if err != nil {
			return err
		}
		if l.StoreID != booker.StoreID { // another store's lead does not exist for the booker
			return errLeadNotFound(l.ID)
		}
		if !domain.CanWorkLead(booker, l) {
			return domain.Errorkf(domain.EFORBIDDEN, "err.lead_not_yours", []any{l.ID}, "lead %d is not staff %d's", l.ID, booker.ID)
		}
		st := db.Stores.Of(l.StoreID)
		if err := domain.CheckWhen(a.At, now, st.Calendar); err != nil {
			return err
		}
		earlier, err := db.AppointmentsBetween(ctx, l.StoreID, now.AddDate(0, 0, -1), now.AddDate(1, 0, 0), domain.ApptBooked)
		if err != nil {
			return err
		}
		a.StoreID = l.StoreID
		out = &domain.AppointmentBooked{Appointment: &a, Lead: l,
			Promise:      domain.AppointmentPromise(a.At, now, st.Rules.Leads, st.Calendar),
			RemindBefore: st.Rules.Leads.AppointmentRemind}
		for _, e := range earlier {
			if e.LeadID != l.ID {
				continue
			}
			if ok, err := db.SetAppointmentStatus(ctx, e.ID, domain.ApptBooked, domain.ApptReplaced); err != nil {
				return err
			} else if ok {
				e.Status = domain.ApptReplaced
				out.Replaced = append(out.Replaced, e)
			}
		}
		return db.CreateAppointment(ctx, &a)
	})
	if err != nil {
		return nil, wrapInternal(err, "book appointment of lead %d", a.LeadID)
	}
	return out, nil
}

// NoticeArrival implements domain.AppointmentService.
func (db *DB) NoticeArrival(ctx context.Context, leadID, registrarID, visitID int64) (*domain.Arrival, error) {
	var out *domain.Arrival
	err := db.InTx(ctx, func(ctx context.Context) error {
		l, err := db.LeadByID(ctx, leadID)
		if err != nil {
			return err
		}
		v, err := db.VisitByID(ctx, visitID)
		if err != nil {
			return err
		}
		registrar, err := db.StaffByID(ctx, registrarID)
		if err != nil {
			return err
		}
		if l.StoreID != registrar.StoreID { // another store's lead does not exist for the registrar
			return errLeadNotFound(l.ID)
		}
		out = &domain.Arrival{Lead: l, Visit: v, Registrar: registrar}
		if l.Pool != domain.PoolTelesales {
			return nil
		}
		out.Telesales = true
		day := db.Stores.Of(l.StoreID).Calendar.StartOfDay(db.now())
		if a, err := db.BookedAppointment(ctx, l.ID, day, day.AddDate(0, 0, 1)); err == nil {
			out.Invited = true
			if _, err := db.SetAppointmentStatus(ctx, a.ID, domain.ApptBooked, domain.ApptArrived); err != nil {
				return err
			}
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		owner, err := db.StaffByID(ctx, l.OwnerID)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		out.Notify, out.Claimed = domain.ArrivalNotice(owner, registrar, v)
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "arrival of lead %d", leadID)
	}
	return out, nil
}

package storage

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/dealerbot/dealerbot/domain"
)

// The regulation's forms (domain.FormService): a store's month of visits
// (attachment 1) and of handovers (attachment 2), read in batches of
// formBatch rows by keyset on (time, id), each batch with one query for
// its leads' grade changes and one for their notes or orders, so memory
// stays bounded by a batch whatever the month holds.

var _ domain.FormService = (*DB)(nil)

// formBatch is how many rows a form reads at a time.
const formBatch = 500

// formScope is who asks, the store whose form they read and whether only
// their own rows (domain.FormScope), and the month's bounds in its zone.
func (db *DB) formScope(ctx context.Context, by int64, form string, month time.Time) (*domain.FormExport, time.Time, time.Time, error) {
	s, err := db.StaffByID(ctx, by)
	if err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	own, err := domain.FormScope(s, form)
	if err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	st := db.Stores.ByID(s.StoreID)
	if st == nil {
		return nil, time.Time{}, time.Time{}, domain.Errorkf(domain.ENOTFOUND, "err.not_found", nil, "no store %d", s.StoreID)
	}
	loc := st.Calendar.Location
	y, m, _ := month.In(loc).Date()
	from := time.Date(y, m, 1, 0, 0, 0, 0, loc)
	return &domain.FormExport{Store: st, Month: from, By: s, Own: own}, from, from.AddDate(0, 1, 0), nil
}

// formBatches reads a form's rows: those of the query q makes, formBatch
// at a time by keyset on (at, id) — key gives a row's at, id and lead —
// each batch handed to batch with its rows' leads, until none is left or
// batch says the form is done.
func formBatches[R any](q func() *gorm.DB, at, id string, key func(*R) (time.Time, int64, int64), batch func(rows []R, leads []int64) (done bool, err error)) error {
	var lastAt time.Time
	var lastID int64
	for {
		page := q()
		if lastID != 0 {
			page = page.Where("("+at+" > ? OR ("+at+" = ? AND "+id+" > ?))", dbTime(lastAt), dbTime(lastAt), lastID)
		}
		var rows []R
		if err := page.Order(at + ", " + id).Limit(formBatch).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		leads := make([]int64, len(rows))
		for i := range rows {
			_, _, leads[i] = key(&rows[i])
		}
		if done, err := batch(rows, leads); done || err != nil {
			return err
		}
		lastAt, lastID, _ = key(&rows[len(rows)-1])
	}
}

// visitFormRow is a visit joined to its lead.
type visitFormRow struct {
	ID           int64
	LeadID       int64
	ConsultantID int64
	First        bool
	ArrivedAt    time.Time
	LeftAt       *time.Time
	Name         string
	Phone        string
	Gender       string
	Returning    bool
	Source       string
	HeardVia     string
	Model        string
	Grade        string
	TradeIn      bool
	TradeInKnown bool
	Notes        string
}

// VisitForm implements domain.FormService.
func (db *DB) VisitForm(ctx context.Context, by int64, month time.Time, each func(*domain.VisitFormRow) error) (*domain.FormExport, error) {
	var out *domain.FormExport
	err := db.InTx(ctx, func(ctx context.Context) error {
		var from, to time.Time
		var err error
		if out, from, to, err = db.formScope(ctx, by, domain.FormVisits, month); err != nil {
			return err
		}
		loc, now := out.Store.Calendar.Location, db.now()
		names := map[int64]string{}
		visits := func() *gorm.DB {
			q := db.conn(ctx).Table("visits AS v").
				Select(`v.id, v.lead_id, v.consultant_id, v."first", v.arrived_at, v.left_at, l.name, l.phone, l.gender,
					l."returning", l.source, l.heard_via, l.model, l.grade, l.trade_in, l.trade_in_known, l.notes`).
				Joins("JOIN leads AS l ON l.id = v.lead_id").
				Where("v.store_id = ? AND v.arrived_at >= ? AND v.arrived_at < ?", out.Store.ID, dbTime(from), dbTime(to))
			if out.Own {
				q = q.Where("(v.consultant_id = ? OR v.registered_by = ?)", out.By.ID, out.By.ID)
			}
			return q
		}
		key := func(r *visitFormRow) (time.Time, int64, int64) { return r.ArrivedAt, r.ID, r.LeadID }
		return formBatches(visits, "v.arrived_at", "v.id", key, func(rows []visitFormRow, leads []int64) (bool, error) {
			first, last := utc(rows[0].ArrivedAt), domain.GradeTrackedBy(utc(rows[len(rows)-1].ArrivedAt), loc)
			events, err := db.gradeEvents(ctx, leads)
			if err != nil {
				return false, err
			}
			notes, err := db.followUpNotes(ctx, leads, first, last)
			if err != nil {
				return false, err
			}
			for _, r := range rows {
				if out.Rows == domain.MaxFormRows {
					out.Truncated = true
					return true, nil
				}
				arrived := utc(r.ArrivedAt).In(loc)
				tracked := domain.GradeTrackedBy(arrived, loc)
				row := &domain.VisitFormRow{
					VisitID: r.ID, Name: r.Name, Phone: r.Phone, Returning: !r.First || r.Returning, Gender: r.Gender,
					Source: domain.Source(r.Source), Model: r.Model, TradeIn: r.TradeIn, TradeInKnown: r.TradeInKnown || r.TradeIn,
					HeardVia: r.HeardVia, ArrivedAt: arrived, LeftAt: inZone(r.LeftAt, loc), Notes: r.Notes,
					Grade: domain.GradeAt(events[r.LeadID], domain.Grade(r.Grade), arrived),
				}
				if !now.Before(tracked) {
					row.Grade24h = domain.GradeAt(events[r.LeadID], domain.Grade(r.Grade), tracked)
				}
				for _, n := range notes[r.LeadID] {
					if !n.At.Before(arrived) && n.At.Before(tracked) {
						row.Notes = n.Note // the last of the day's tracking
					}
				}
				if r.ConsultantID != 0 {
					if _, ok := names[r.ConsultantID]; !ok {
						names[r.ConsultantID] = db.staffName(ctx, r.ConsultantID)
					}
					row.Consultant = names[r.ConsultantID]
				}
				if err := each(row); err != nil {
					return false, err
				}
				out.Rows++
			}
			return false, nil
		})
	})
	if err != nil {
		return nil, wrapInternal(err, "visit form of staff %d, %s", by, month.Format(domain.MonthLayout))
	}
	return out, nil
}

// gradeEvents are the grade changes of leads, each lead's oldest first.
func (db *DB) gradeEvents(ctx context.Context, leads []int64) (map[int64][]domain.LeadEvent, error) {
	var rows []leadEventRow
	if err := db.conn(ctx).Where("lead_id IN ? AND kind = ?", leads, domain.EventGrade).Order("lead_id, at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64][]domain.LeadEvent{}
	for _, e := range leadEvents(rows) {
		out[e.LeadID] = append(out[e.LeadID], e)
	}
	return out, nil
}

// followUpNotes are the notes logged on leads in [from, to), each lead's
// oldest first; a visit's own "到店" says nothing the form does not.
func (db *DB) followUpNotes(ctx context.Context, leads []int64, from, to time.Time) (map[int64][]domain.FollowUp, error) {
	var rows []struct {
		LeadID int64
		At     time.Time
		Note   string
	}
	if err := db.conn(ctx).Table("follow_ups").Select("lead_id, at, note").
		Where("lead_id IN ? AND at >= ? AND at < ? AND note <> '' AND NOT (channel = ? AND note = ?)",
			leads, dbTime(from), dbTime(to), string(domain.ChannelVisit), visitNote).
		Order("lead_id, at, id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64][]domain.FollowUp{}
	for _, r := range rows {
		out[r.LeadID] = append(out[r.LeadID], domain.FollowUp{LeadID: r.LeadID, At: utc(r.At), Note: r.Note})
	}
	return out, nil
}

// handoverFormRow is a handover joined to its lead.
type handoverFormRow struct {
	ID            int64
	LeadID        int64
	FromID        int64
	ToID          int64
	Channel       string
	ExpectedBuyBy time.Time
	Grade         string
	Status        string
	Reason        string
	CreatedAt     time.Time
	Name          string
	Phone         string
	Model         string
}

// HandoverForm implements domain.FormService.
func (db *DB) HandoverForm(ctx context.Context, by int64, month time.Time, each func(*domain.HandoverFormRow) error) (*domain.FormExport, error) {
	var out *domain.FormExport
	err := db.InTx(ctx, func(ctx context.Context) error {
		var from, to time.Time
		var err error
		if out, from, to, err = db.formScope(ctx, by, domain.FormHandovers, month); err != nil {
			return err
		}
		loc := out.Store.Calendar.Location
		names := map[int64]string{}
		name := func(id int64) string {
			if _, ok := names[id]; !ok {
				names[id] = db.staffName(ctx, id)
			}
			return names[id]
		}
		handovers := func() *gorm.DB {
			q := db.conn(ctx).Table("handovers AS h").
				Select(`h.id, h.lead_id, h.from_id, h.to_id, h.channel, h.expected_buy_by, h.grade, h.status, h.reason, h.created_at,
					l.name, l.phone, l.model`).
				Joins("JOIN leads AS l ON l.id = h.lead_id").
				Where("h.store_id = ? AND h.created_at >= ? AND h.created_at < ?", out.Store.ID, dbTime(from), dbTime(to))
			if out.Own {
				q = q.Where("(h.from_id = ? OR h.to_id = ?)", out.By.ID, out.By.ID)
			}
			return q
		}
		key := func(r *handoverFormRow) (time.Time, int64, int64) { return r.CreatedAt, r.ID, r.LeadID }
		return formBatches(handovers, "h.created_at", "h.id", key, func(rows []handoverFormRow, leads []int64) (bool, error) {
			ordered, err := db.firstOrders(ctx, leads)
			if err != nil {
				return false, err
			}
			delivered, err := db.firstDeliveries(ctx, leads)
			if err != nil {
				return false, err
			}
			for _, r := range rows {
				if out.Rows == domain.MaxFormRows {
					out.Truncated = true
					return true, nil
				}
				row := &domain.HandoverFormRow{
					No: out.Rows + 1, Date: r.CreatedAt.In(loc), Name: r.Name, Phone: r.Phone, Model: r.Model,
					Channel: domain.Source(r.Channel), BuyBy: r.ExpectedBuyBy.In(loc), Grade: domain.Grade(r.Grade),
					Status: r.Status, Reason: r.Reason, Consultant: name(r.ToID), Telesales: name(r.FromID),
					OrderedAt: inZone(ordered[r.LeadID], loc), DeliveredAt: inZone(delivered[r.LeadID], loc),
				}
				if err := each(row); err != nil {
					return false, err
				}
				out.Rows++
			}
			return false, nil
		})
	})
	if err != nil {
		return nil, wrapInternal(err, "handover form of staff %d, %s", by, month.Format(domain.MonthLayout))
	}
	return out, nil
}

// firstOrders is when each of leads was first ordered (an order pending
// or confirmed: not rejected, not cancelled).
func (db *DB) firstOrders(ctx context.Context, leads []int64) (map[int64]*time.Time, error) {
	var rows []struct {
		LeadID    int64
		CreatedAt time.Time
	}
	if err := db.conn(ctx).Table("orders").Select("lead_id, created_at").
		Where("lead_id IN ? AND state NOT IN ?", leads, []string{string(domain.OrderRejected), string(domain.OrderCancelled)}).
		Order("created_at, id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64]*time.Time{}
	for _, r := range rows {
		if out[r.LeadID] == nil {
			at := utc(r.CreatedAt)
			out[r.LeadID] = &at
		}
	}
	return out, nil
}

// firstDeliveries is when each of leads first became D (delivered, R4.5).
func (db *DB) firstDeliveries(ctx context.Context, leads []int64) (map[int64]*time.Time, error) {
	var rows []leadEventRow
	if err := db.conn(ctx).Where("lead_id IN ? AND kind = ? AND to_value = ?", leads, domain.EventGrade, string(domain.GradeD)).
		Order("at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64]*time.Time{}
	for _, r := range rows {
		if out[r.LeadID] == nil {
			at := utc(r.At)
			out[r.LeadID] = &at
		}
	}
	return out, nil
}

// inZone is t in loc, nil for nil.
func inZone(t *time.Time, loc *time.Location) *time.Time {
	if t == nil {
		return nil
	}
	u := t.In(loc)
	return &u
}

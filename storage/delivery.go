package storage

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dealerbot/dealerbot/domain"
)

// Delivery (R4.5), domain.DeliveryService: the checklist's ticks with who
// and when in delivery_ticks, full payment read from the allocation's
// recorded payment (orders.paid_at, R4.3: /paid), and at delivery, in one
// transaction, the order delivered, its car delivered in the ledger, its
// lead D and its follow-ups stored with their due instants.

var _ domain.DeliveryService = (*DB)(nil)

// deliveryTickRow is a row of delivery_ticks.
type deliveryTickRow struct {
	OrderID int64  `gorm:"primaryKey"`
	Item    string `gorm:"primaryKey"`
	StoreID int64
	ByStaff int64
	At      time.Time
}

// TableName implements gorm's schema.Tabler.
func (deliveryTickRow) TableName() string { return "delivery_ticks" }

// deliveryFollowUpRow is a row of delivery_follow_ups.
type deliveryFollowUpRow struct {
	ID           int64 `gorm:"primaryKey"`
	StoreID      int64
	OrderID      int64
	LeadID       int64
	ConsultantID int64
	Seq          int
	DueAt        time.Time
	DoneAt       *time.Time
	DoneBy       int64
	Satisfaction string
	Note         string
	CreatedAt    time.Time
}

// TableName implements gorm's schema.Tabler.
func (deliveryFollowUpRow) TableName() string { return "delivery_follow_ups" }

// followUp is the row as the domain sees it; delivered is its order's
// delivery and name its customer's.
func (db *DB) followUp(r *deliveryFollowUpRow, delivered time.Time, name string) domain.DeliveryFollowUp {
	f := domain.DeliveryFollowUp{ID: r.ID, StoreID: r.StoreID, OrderID: r.OrderID, LeadID: r.LeadID, LeadName: name,
		ConsultantID: r.ConsultantID, Seq: r.Seq, DueAt: utc(r.DueAt), DeliveredAt: utc(delivered), DoneAt: utcPtr(r.DoneAt),
		DoneBy: r.DoneBy, Satisfaction: r.Satisfaction, Note: r.Note}
	loc := db.Stores.Of(r.StoreID).Calendar.Location
	f.Days = calendarDays(delivered.In(loc), f.DueAt.In(loc))
	return f
}

// calendarDays is the number of calendar days from a's date to b's, both
// in one zone.
func calendarDays(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da) / (24 * time.Hour))
}

// deliveryOrder is order id for s to deliver: of s's store (else
// ENOTFOUND), s its consultant or a supervisor and above (EFORBIDDEN
// order.not_yours), not rejected nor cancelled (EINVALID order.closed).
func (db *DB) deliveryOrder(ctx context.Context, s *domain.Staff, id int64) (*domain.Order, error) {
	o, err := db.orderIn(ctx, s.StoreID, id)
	if err != nil {
		return nil, err
	}
	if !domain.MayDeliver(s, o) {
		return nil, domain.Errorkf(domain.EFORBIDDEN, "order.not_yours", []any{id}, "order %d is not staff %d's", id, s.ID)
	}
	// A pending order (its discount awaiting a ruling) holds no car: it
	// gets delivery.no_car from the card.
	if o.State == domain.OrderRejected || o.State == domain.OrderCancelled {
		return nil, domain.Errorkf(domain.EINVALID, "order.closed", []any{o.ID}, "order %d is %s", o.ID, o.State)
	}
	return o, nil
}

// deliveryActor is staff `by` and order id for them to deliver
// (deliveryOrder).
func (db *DB) deliveryActor(ctx context.Context, by, id int64) (*domain.Staff, *domain.Order, error) {
	s, err := db.StaffByID(ctx, by)
	if err != nil {
		return nil, nil, err
	}
	o, err := db.deliveryOrder(ctx, s, id)
	if err != nil {
		return nil, nil, err
	}
	return s, o, nil
}

// deliveryCard reads order o's card. EINVALID delivery.no_car when no car
// is allocated to it.
func (db *DB) deliveryCard(ctx context.Context, o *domain.Order) (*domain.DeliveryCard, error) {
	car := o // allocation (R4.3) keeps the car and the full payment on the order
	c := &domain.DeliveryCard{Order: o, VehicleID: car.VehicleID, Ticks: map[domain.DeliveryItem]domain.DeliveryTick{}}
	if car.VehicleID == 0 && o.DeliveredAt == nil {
		return nil, domain.Errorkf(domain.EINVALID, "delivery.no_car", []any{o.ID}, "order %d has no car allocated", o.ID)
	}
	if car.VehicleID != 0 {
		v, err := db.vehicleByID(ctx, o.StoreID, car.VehicleID)
		if err != nil {
			return nil, err
		}
		c.VIN = v.VIN
	}
	l, err := db.LeadByID(ctx, o.LeadID)
	if err != nil {
		return nil, err
	}
	c.LeadName = l.Name
	if err := db.nameSubDealer(ctx, o); err != nil {
		return nil, err
	}
	var ticks []deliveryTickRow
	if err := db.conn(ctx).Where("order_id = ?", o.ID).Find(&ticks).Error; err != nil {
		return nil, formatError(fmt.Errorf("ticks of order %d: %w", o.ID, err))
	}
	ids := []int64{car.PaidBy}
	for _, t := range ticks {
		ids = append(ids, t.ByStaff)
	}
	names, err := db.staffNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, t := range ticks {
		it := domain.DeliveryItem(t.Item)
		if it == domain.DeliveryFullPayment {
			continue // full payment is the allocation's (below)
		}
		c.Ticks[it] = domain.DeliveryTick{By: t.ByStaff, Name: names[t.ByStaff], At: utc(t.At)}
	}
	if car.PaidAt != nil {
		c.Ticks[domain.DeliveryFullPayment] = domain.DeliveryTick{By: car.PaidBy, Name: names[car.PaidBy], At: *car.PaidAt, Auto: true}
	}
	if o.DeliveredAt != nil {
		var rows []deliveryFollowUpRow
		if err := db.conn(ctx).Where("order_id = ?", o.ID).Order("seq").Find(&rows).Error; err != nil {
			return nil, formatError(fmt.Errorf("follow-ups of order %d: %w", o.ID, err))
		}
		for i := range rows {
			c.FollowUps = append(c.FollowUps, db.followUp(&rows[i], *o.DeliveredAt, l.Name))
		}
	}
	return c, nil
}

// DeliveryCard implements domain.DeliveryService.
func (db *DB) DeliveryCard(ctx context.Context, by, id int64) (*domain.DeliveryCard, error) {
	var out *domain.DeliveryCard
	err := db.InTx(ctx, func(ctx context.Context) error {
		_, o, err := db.deliveryActor(ctx, by, id)
		if err != nil {
			return err
		}
		out, err = db.deliveryCard(ctx, o)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "delivery card of order %d", id)
	}
	return out, nil
}

func errDelivered(id int64) error {
	return domain.Errorkf(domain.ECONFLICT, "delivery.done", []any{id}, "order %d is delivered", id)
}

// TickDelivery implements domain.DeliveryService.
func (db *DB) TickDelivery(ctx context.Context, by, id int64, items []domain.DeliveryItem, tick bool) (*domain.DeliveryCard, error) {
	for _, it := range items {
		if _, err := domain.ParseDeliveryItem(string(it)); err != nil {
			return nil, err
		}
		if it == domain.DeliveryFullPayment {
			return nil, domain.Errorkf(domain.EINVALID, "delivery.pay_via_paid", []any{id}, "full payment is recorded with /paid")
		}
	}
	var out *domain.DeliveryCard
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, o, err := db.deliveryActor(ctx, by, id)
		if err != nil {
			return err
		}
		if o.State == domain.OrderDelivered {
			return errDelivered(id)
		}
		if _, err := db.deliveryCard(ctx, o); err != nil { // a car must be allocated
			return err
		}
		for _, it := range items {
			q := db.conn(ctx).Where("order_id = ? AND item = ?", o.ID, string(it))
			if tick {
				row := deliveryTickRow{OrderID: o.ID, Item: string(it), StoreID: o.StoreID, ByStaff: s.ID, At: db.now()}
				err = q.FirstOrCreate(&row).Error
			} else {
				err = q.Delete(&deliveryTickRow{}).Error
			}
			if err != nil {
				return formatError(fmt.Errorf("tick %s of order %d: %w", it, o.ID, err))
			}
		}
		out, err = db.deliveryCard(ctx, o)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "tick order %d", id)
	}
	return out, nil
}

// Deliver implements domain.DeliveryService.
func (db *DB) Deliver(ctx context.Context, by, id int64) (*domain.Delivered, error) {
	var out *domain.Delivered
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, o, err := db.deliveryActor(ctx, by, id)
		if err != nil {
			return err
		}
		if o.State == domain.OrderDelivered {
			return errDelivered(id)
		}
		card, err := db.deliveryCard(ctx, o)
		if err != nil {
			return err
		}
		if err := domain.CheckDelivery(card.Checklist()); err != nil {
			return err
		}
		now := db.now()
		res := db.conn(ctx).Model(&orderRow{}).Where("id = ? AND state = ?", o.ID, string(domain.OrderConfirmed)).
			Updates(map[string]any{"state": string(domain.OrderDelivered), "delivered_at": now, "delivered_by": s.ID, "updated_at": now})
		if res.Error != nil {
			return formatError(fmt.Errorf("deliver order %d: %w", o.ID, res.Error))
		}
		if res.RowsAffected == 0 {
			return errDelivered(id)
		}
		o.State, o.DeliveredAt = domain.OrderDelivered, &now
		v, err := db.deliverCar(ctx, s, o, card.VehicleID)
		if err != nil {
			return err
		}
		l, err := db.LeadByID(ctx, o.LeadID)
		if err != nil {
			return err
		}
		st := db.Stores.Of(o.StoreID)
		if before := l.Grade; before != domain.GradeD {
			l.SetGrade(domain.GradeD, now, st.Rules.Leads, st.Calendar)
			if err := db.recordChange(ctx, l, s.ID, domain.EventGrade, string(before), string(domain.GradeD), domain.WhyDelivery); err != nil {
				return err
			}
			if err := db.UpdateLead(ctx, l); err != nil {
				return err
			}
		}
		for i, due := range domain.DeliveryFollowUps(now, st.Rules.Orders.DeliveryFollowUpDays, st.Calendar) {
			row := deliveryFollowUpRow{StoreID: o.StoreID, OrderID: o.ID, LeadID: o.LeadID, ConsultantID: o.ConsultantID,
				Seq: i + 1, DueAt: dbTime(due), CreatedAt: now}
			if err := db.conn(ctx).Create(&row).Error; err != nil {
				return formatError(fmt.Errorf("follow-up %d of order %d: %w", i+1, o.ID, err))
			}
		}
		if card, err = db.deliveryCard(ctx, o); err != nil {
			return err
		}
		out = &domain.Delivered{Card: card, Lead: l, Vehicle: v}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "deliver order %d", id)
	}
	return out, nil
}

// deliverCar moves order o's car to delivered in the ledger (through sold,
// each move checked and recorded with who and when) and ends its
// allocation as delivered.
func (db *DB) deliverCar(ctx context.Context, s *domain.Staff, o *domain.Order, vehicleID int64) (domain.Vehicle, error) {
	row, err := db.vehicleByID(ctx, o.StoreID, vehicleID)
	if err != nil {
		return domain.Vehicle{}, err
	}
	now := db.now()
	note := fmt.Sprintf("order #%d", o.ID)
	for _, to := range []domain.VehicleState{domain.VehicleSold, domain.VehicleDelivered} {
		if domain.VehicleState(row.State) == domain.VehicleSold && to == domain.VehicleSold {
			continue
		}
		if err := domain.Transition(domain.VehicleState(row.State), to, domain.TransitionFacts{Now: now, Released: true,
			ReservedUntil: now.Add(time.Second)}); err != nil {
			return domain.Vehicle{}, err
		}
		set := map[string]any{"state": string(to), "updated_at": now}
		if _, err := db.moveVehicle(ctx, s, row, to, set, note); err != nil {
			return domain.Vehicle{}, err
		}
		row.State = string(to)
	}
	if err := db.conn(ctx).Table("allocations").Where("order_id = ? AND state = ?", o.ID, "active").
		Updates(map[string]any{"state": "delivered", "ended_at": now}).Error; err != nil {
		return domain.Vehicle{}, formatError(fmt.Errorf("end allocation of order %d: %w", o.ID, err))
	}
	return row.vehicle(), nil
}

// checkSatisfaction reads a satisfaction code and a note.
func checkSatisfaction(sat, note string) (string, error) {
	sat, err := domain.ParseDeliverySatisfaction(sat)
	if err != nil {
		return "", err
	}
	if utf8.RuneCountInString(note) > domain.MaxNoteLen || !utf8.ValidString(note) {
		return "", domain.Errorkf(domain.EINVALID, "err.note_long", []any{domain.MaxNoteLen}, "note too long")
	}
	return sat, nil
}

// LogDeliverySatisfaction implements domain.DeliveryService.
func (db *DB) LogDeliverySatisfaction(ctx context.Context, by, id int64, sat, note string) (*domain.SatisfactionLogged, error) {
	sat, err := checkSatisfaction(sat, note)
	if err != nil {
		return nil, err
	}
	var out *domain.SatisfactionLogged
	err = db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		var row deliveryFollowUpRow
		q := db.conn(ctx).Where("id = ? AND store_id = ?", id, s.StoreID).Limit(1).Find(&row)
		if q.Error != nil {
			return formatError(fmt.Errorf("follow-up %d: %w", id, q.Error))
		}
		if q.RowsAffected == 0 {
			return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "no delivery follow-up %d", id)
		}
		o, err := db.deliveryOrder(ctx, s, row.OrderID)
		if err != nil {
			return err
		}
		out, err = db.logSatisfaction(ctx, s, o, &row, sat, note)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "satisfaction of delivery follow-up %d", id)
	}
	return out, nil
}

// LogOrderSatisfaction implements domain.DeliveryService.
func (db *DB) LogOrderSatisfaction(ctx context.Context, by, id int64, sat, note string) (*domain.SatisfactionLogged, error) {
	sat, err := checkSatisfaction(sat, note)
	if err != nil {
		return nil, err
	}
	var out *domain.SatisfactionLogged
	err = db.InTx(ctx, func(ctx context.Context) error {
		s, o, err := db.deliveryActor(ctx, by, id)
		if err != nil {
			return err
		}
		var rows []deliveryFollowUpRow
		if err := db.conn(ctx).Where("order_id = ? AND done_at IS NULL", o.ID).Order("seq").Limit(1).Find(&rows).Error; err != nil {
			return formatError(fmt.Errorf("follow-ups of order %d: %w", o.ID, err))
		}
		if len(rows) == 0 {
			return domain.Errorkf(domain.EINVALID, "delivery.fu_none", []any{o.ID}, "order %d has no follow-up to log", o.ID)
		}
		cal := db.Stores.Of(o.StoreID).Calendar
		if end := cal.StartOfDay(db.now()).AddDate(0, 0, 1); !rows[0].DueAt.Before(end) {
			day := rows[0].DueAt.In(cal.Location).Format(domain.DateLayout)
			return domain.Errorkf(domain.EINVALID, "delivery.fu_not_yet", []any{o.ID, day}, "order %d's next follow-up is due %s", o.ID, day)
		}
		out, err = db.logSatisfaction(ctx, s, o, &rows[0], sat, note)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "satisfaction of order %d", id)
	}
	return out, nil
}

// logSatisfaction marks follow-up row of order o done by s now, once.
func (db *DB) logSatisfaction(ctx context.Context, s *domain.Staff, o *domain.Order, row *deliveryFollowUpRow, sat, note string) (*domain.SatisfactionLogged, error) {
	if row.DoneAt != nil {
		return nil, domain.Errorkf(domain.ECONFLICT, "delivery.fu_done", []any{o.ID, row.Seq}, "follow-up %d is logged", row.ID)
	}
	now := db.now()
	note = strings.TrimSpace(note)
	res := db.conn(ctx).Model(&deliveryFollowUpRow{}).Where("id = ? AND done_at IS NULL", row.ID).
		Updates(map[string]any{"done_at": now, "done_by": s.ID, "satisfaction": sat, "note": note})
	if res.Error != nil {
		return nil, formatError(fmt.Errorf("log follow-up %d: %w", row.ID, res.Error))
	}
	if res.RowsAffected == 0 {
		return nil, domain.Errorkf(domain.ECONFLICT, "delivery.fu_done", []any{o.ID, row.Seq}, "follow-up %d is logged", row.ID)
	}
	row.DoneAt, row.DoneBy, row.Satisfaction, row.Note = &now, s.ID, sat, note
	l, err := db.LeadByID(ctx, o.LeadID)
	if err != nil {
		return nil, err
	}
	delivered := now
	if o.DeliveredAt != nil {
		delivered = *o.DeliveredAt
	}
	out := &domain.SatisfactionLogged{FollowUp: db.followUp(row, delivered, l.Name), By: s}
	if sat == domain.Dissatisfied {
		sups, err := db.storeStaffWithRole(ctx, o.StoreID, domain.RoleSupervisor)
		if err != nil {
			return nil, err
		}
		for _, p := range domain.Reachable(sups) {
			if p.ID != s.ID {
				out.Supervisors = append(out.Supervisors, p)
			}
		}
	}
	var next []deliveryFollowUpRow
	if err := db.conn(ctx).Where("order_id = ? AND done_at IS NULL", o.ID).Order("seq").Limit(1).Find(&next).Error; err != nil {
		return nil, formatError(fmt.Errorf("next follow-up of order %d: %w", o.ID, err))
	}
	if len(next) > 0 {
		f := db.followUp(&next[0], delivered, l.Name)
		out.Next = &f
	}
	return out, nil
}

// MorningDeliveryTop is how many post-delivery follow-ups a morning
// message names; the rest are counted.
const MorningDeliveryTop = 5

// morningDeliveries puts store's post-delivery follow-ups due before end
// (the next day's start) in their consultants' digests, earliest first:
// one query on delivery_follow_ups_due.
func (db *DB) morningDeliveries(ctx context.Context, store int64, byID map[int64]*domain.MorningDigest, end time.Time) error {
	var rows []struct {
		Row         deliveryFollowUpRow `gorm:"embedded"`
		LeadName    string
		DeliveredAt time.Time
	}
	err := db.conn(ctx).Table("delivery_follow_ups AS f").
		Select("f.*, l.name AS lead_name, o.delivered_at AS delivered_at").
		Joins("JOIN leads l ON l.id = f.lead_id").Joins("JOIN orders o ON o.id = f.order_id").
		Where("f.store_id = ? AND f.done_at IS NULL AND f.due_at < ?", store, dbTime(end)).
		Order("f.due_at, f.id").Find(&rows).Error
	if err != nil {
		return formatError(fmt.Errorf("morning deliveries of store %d: %w", store, err))
	}
	for i := range rows {
		d := byID[rows[i].Row.ConsultantID]
		if d == nil {
			continue
		}
		if len(d.Deliveries) >= MorningDeliveryTop {
			d.DeliveriesMore++
			continue
		}
		d.Deliveries = append(d.Deliveries, db.followUp(&rows[i].Row, rows[i].DeliveredAt, rows[i].LeadName))
	}
	return nil
}

package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// Orders through a sub-dealer (R4.6): an order may name a contract of its
// store, active when the order is placed; once delivered it counts towards
// the contract's month of delivery (the store's calendar month), added to
// the sales entered by hand for cars sold outside the bot.

// orderSubDealer is the contract of store that ref names: its number (12
// or #12) or its dealer's name. Another store's, or none, is ENOTFOUND
// err.dealer_order_unknown; a lapsed or expired one ECONFLICT
// err.dealer_order_lapsed or err.dealer_order_expired; a name two active contracts share EINVALID
// err.dealer_ambiguous (the number tells them apart).
func (db *DB) orderSubDealer(ctx context.Context, store int64, ref string) (*domain.SubDealerContract, error) {
	ref = strings.TrimSpace(ref)
	var rows []subDealerRow
	q := db.conn(ctx).Where("store_id = ?", store)
	if id, err := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64); err == nil && id > 0 {
		q = q.Where("id = ? OR dealer = ?", id, ref)
	} else {
		q = q.Where("dealer = ?", ref)
	}
	if err := q.Order("id DESC").Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("sub-dealer %q: %w", ref, err))
	}
	if len(rows) == 0 {
		return nil, domain.Errorkf(domain.ENOTFOUND, "err.dealer_order_unknown", []any{ref}, "no sub-dealer %q", ref)
	}
	var active []subDealerRow
	for _, r := range rows {
		if r.State == string(domain.SubDealerActive) {
			active = append(active, r)
		}
	}
	switch len(active) {
	case 0: // the latest contract of that name
		key := "err.dealer_order_expired"
		if rows[0].State == string(domain.SubDealerLapsed) {
			key = "err.dealer_order_lapsed"
		}
		return nil, domain.Errorkf(domain.ECONFLICT, key, []any{rows[0].ID, rows[0].Dealer},
			"sub-dealer contract %d is %s", rows[0].ID, rows[0].State)
	case 1:
		c := active[0].contract()
		return &c, nil
	}
	return nil, domain.Errorkf(domain.EINVALID, "err.dealer_ambiguous", []any{ref, active[1].ID, active[0].ID},
		"%q names contracts %d and %d", ref, active[1].ID, active[0].ID)
}

// nameSubDealer fills in o's sub-dealer's name.
func (db *DB) nameSubDealer(ctx context.Context, o *domain.Order) error {
	if o.SubDealerID == 0 {
		return nil
	}
	var row subDealerRow
	if err := db.conn(ctx).Select("id", "dealer").Where("id = ?", o.SubDealerID).Take(&row).Error; err != nil {
		return formatError(fmt.Errorf("sub-dealer of order %d: %w", o.ID, err))
	}
	o.SubDealer = row.Dealer
	return nil
}

// dealerOrders counts the contracts' orders delivered in the months from..to
// (YYYY-MM), by the month of delivery in the order's store's calendar,
// into figs (as dealerFigures makes them): Sold and Orders grow by one
// each. One query on orders_sub_dealer_delivered.
func (db *DB) dealerOrders(ctx context.Context, ids []int64, from, to string, figs map[int64][]domain.MonthFigures, at map[string]int) error {
	lo, err1 := time.Parse("2006-01", from)
	hi, err2 := time.Parse("2006-01", to)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("months %s..%s", from, to)
	}
	// A day either side covers every time zone; the month is then read
	// in the store's.
	lo, hi = lo.AddDate(0, 0, -1), hi.AddDate(0, 1, 1)
	var rows []struct {
		StoreID     int64
		SubDealerID int64
		DeliveredAt time.Time
	}
	err := db.conn(ctx).Table("orders").Select("store_id", "sub_dealer_id", "delivered_at").
		Where("sub_dealer_id IN ? AND delivered_at >= ? AND delivered_at < ? AND state = ?",
			ids, dbTime(lo), dbTime(hi), string(domain.OrderDelivered)).
		Find(&rows).Error
	if err != nil {
		return formatError(fmt.Errorf("sub-dealers' orders: %w", err))
	}
	for _, r := range rows {
		m := r.DeliveredAt.In(db.Stores.Of(r.StoreID).Calendar.Location).Format("2006-01")
		i, ok := at[m]
		if !ok {
			continue
		}
		f := &figs[r.SubDealerID][i]
		f.Sold++
		f.Orders++
	}
	return nil
}

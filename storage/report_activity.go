package storage

import (
	"context"
	"fmt"
	"slices"

	"github.com/dealerbot/dealerbot/domain"
)

// The report's activity (domain.Activity): each event of the period
// counted by its own date, per staff member, one grouped COUNT over a
// range of an index of migrations 0025, 0027 and 0028 each. New leads are
// the funnel's count (the same range of leads by creation).

// activitySQL are the grouped counts of the activity, each selecting
// (staff id, count) of a store's events in [from, to) (bound: store,
// from, to; one %s: the personal report's condition on the staff column,
// bound after them).
var activitySQL = []struct {
	what, col, sql string
	add            func(*domain.Activity, int)
}{
	// A lead's first follow-up, kept on the lead (migration 0028), by its
	// owner.
	{"first contacts", "owner_id", `SELECT owner_id, COUNT(*) FROM leads
	WHERE store_id = ? AND first_contact_at >= ? AND first_contact_at < ?%s
	GROUP BY owner_id`, func(a *domain.Activity, n int) { a.FirstContacts += n }},
	{"visits", "consultant_id", `SELECT consultant_id, COUNT(*) FROM visits
	WHERE store_id = ? AND arrived_at >= ? AND arrived_at < ?%s
	GROUP BY consultant_id`, func(a *domain.Activity, n int) { a.Visits += n }},
	{"test drives", "consultant_id", `SELECT consultant_id, COUNT(*) FROM test_drives
	WHERE store_id = ? AND slot_start >= ? AND slot_start < ? AND state IN ('out', 'returned')%s
	GROUP BY consultant_id`, func(a *domain.Activity, n int) { a.TestDrives += n }},
	{"orders placed", "consultant_id", `SELECT consultant_id, COUNT(*) FROM orders
	WHERE store_id = ? AND created_at >= ? AND created_at < ? AND state <> '` + string(domain.OrderRejected) + `'%s
	GROUP BY consultant_id`, func(a *domain.Activity, n int) { a.Orders += n }},
	// Confirmed by a ruling in the period, or placed in it within the
	// consultant's discount (confirmed at once: no ruling). The second
	// half's %s is the same condition again (its argument bound twice).
	{"orders confirmed", "consultant_id", `SELECT consultant_id, COUNT(*) FROM (
		SELECT consultant_id FROM orders WHERE store_id = ? AND decided_at >= ? AND decided_at < ?
			AND state <> '` + string(domain.OrderRejected) + `'%[1]s
		UNION ALL
		SELECT consultant_id FROM orders WHERE store_id = ? AND created_at >= ? AND created_at < ? AND decided_at IS NULL
			AND state NOT IN ('` + string(domain.OrderRejected) + `', '` + string(domain.OrderPending) + `')%[1]s) x
	GROUP BY consultant_id`, func(a *domain.Activity, n int) { a.Confirmed += n }},
	{"deliveries", "consultant_id", `SELECT consultant_id, COUNT(*) FROM orders
	WHERE store_id = ? AND delivered_at >= ? AND delivered_at < ?%s
	GROUP BY consultant_id`, func(a *domain.Activity, n int) { a.Deliveries += n }},
	{"post-delivery follow-ups", "done_by", `SELECT done_by, COUNT(*) FROM delivery_follow_ups
	WHERE store_id = ? AND done_at >= ? AND done_at < ?%s
	GROUP BY done_by`, func(a *domain.Activity, n int) { a.AfterSales += n }},
}

// activity fills the activity per staff member and in total (new leads
// come with the funnel).
func (r *reportRun) activity(ctx context.Context, tot *domain.Figures) error {
	span := []any{r.st.ID, r.from(), r.to()}
	for _, q := range activitySQL {
		cond, condArgs := r.whose(q.col)
		args := append(slices.Clone(span), condArgs...)
		if q.what == "orders confirmed" {
			args = append(args, span...)
			args = append(args, condArgs...)
		}
		var id int64
		var n int
		if err := r.scan(ctx, q.what, fmt.Sprintf(q.sql, cond), args, []any{&id, &n}, func() {
			if id != 0 { // a visit with no consultant counts for the store only
				if x := r.row(id); x != nil {
					q.add(&x.Activity, n)
				}
			}
			q.add(&tot.Activity, n)
		}); err != nil {
			return err
		}
	}
	return nil
}

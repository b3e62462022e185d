package storage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The store-wide sections of a report: complaints (R2.1–R2.7) and stock
// (R3.2, R3.4, R4.3's allocation waits), and the time arithmetic both drivers need for them.

// complaintKindsSQL counts the complaints opened in the period by subject
// and department, with their validity (R2.1).
const complaintKindsSQL = `SELECT subject, department, COUNT(*),
	SUM(CASE WHEN valid THEN 1 ELSE 0 END), SUM(CASE WHEN NOT valid THEN 1 ELSE 0 END)
	FROM complaints WHERE store_id = ? AND opened_at >= ? AND opened_at < ?%s
	GROUP BY subject, department`

// complaintEscalationsSQL counts the escalation cards of the complaints
// opened in the period, and the complaints they were about (R2.3).
const complaintEscalationsSQL = `SELECT COUNT(DISTINCT c.id), COUNT(*)
	FROM complaints c JOIN complaint_cards k ON k.complaint_id = c.id AND k.kind = '` + domain.CardEscalation + `'
	WHERE c.store_id = ? AND c.opened_at >= ? AND c.opened_at < ?%s`

// complaintsClosedSQL counts the complaints closed in the period by the
// satisfaction their survey found (R2.7).
const complaintsClosedSQL = `SELECT COUNT(*),
	COALESCE(SUM(CASE WHEN satisfaction = '` + domain.Satisfied + `' THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN satisfaction = '` + domain.Neutral + `' THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN satisfaction = '` + domain.Dissatisfied + `' THEN 1 ELSE 0 END), 0)
	FROM complaints WHERE store_id = ? AND closed_at >= ? AND closed_at < ?%s`

// complaints fills the complaint section, of department dept when set.
func (r *reportRun) complaints(ctx context.Context, dept string) (domain.ComplaintFigures, error) {
	var c domain.ComplaintFigures
	cond, condArgs := "", []any(nil)
	if dept != "" {
		cond, condArgs = " AND department = ?", []any{dept}
	}
	span := append([]any{r.st.ID, r.from(), r.to()}, condArgs...)
	var k domain.ComplaintCount
	var subject string
	var valid, invalid int
	if err := r.scan(ctx, "complaints by kind", fmt.Sprintf(complaintKindsSQL, cond), span,
		[]any{&subject, &k.Department, &k.Count, &valid, &invalid}, func() {
			k.Subject = domain.Subject(subject)
			c.ByKind = append(c.ByKind, k)
			c.Opened += k.Count
			c.Valid += valid
			c.Invalid += invalid
		}); err != nil {
		return c, err
	}
	// In code-point order on both drivers, whatever the server's collation.
	slices.SortFunc(c.ByKind, func(a, b domain.ComplaintCount) int {
		if x := strings.Compare(string(a.Subject), string(b.Subject)); x != 0 {
			return x
		}
		return strings.Compare(a.Department, b.Department)
	})
	if err := r.scan(ctx, "complaint deadlines", fmt.Sprintf(r.deadlinesSQL(), cond), span,
		[]any{&c.DeadlinesDue, &c.DeadlinesMet}, func() {}); err != nil {
		return c, err
	}
	if dept != "" {
		cond = " AND c.department = ?"
	}
	if err := r.scan(ctx, "complaint escalations", fmt.Sprintf(complaintEscalationsSQL, cond), span,
		[]any{&c.Escalated, &c.Escalations}, func() {}); err != nil {
		return c, err
	}
	if dept != "" {
		cond = " AND department = ?"
	}
	err := r.scan(ctx, "complaints closed", fmt.Sprintf(complaintsClosedSQL, cond), span,
		[]any{&c.Closed, &c.Satisfied, &c.Neutral, &c.Dissatisfied}, func() {})
	return c, err
}

// deadlinesSQL counts the R2.4 deadlines of the complaints opened in the
// period that fell due by the report's time or were met, and those met,
// as domain.Complaint.AllDeadlines computes them (the rolling progress
// reports aside). Times are compared in seconds since 1970; a deadline
// counted in working days moves by the shift of the day it starts on,
// which the days table (one row per local day of the period and the day
// after) carries for each rule: the store's calendar, computed in Go,
// joined in SQL. Its numbers are written into the statement (they come
// from the rules and the calendar, never from a user); the store, the
// period and the department are bound (one %s: the department's
// condition).
func (r *reportRun) deadlinesSQL() string {
	rules, cal := r.st.Rules.Complaints, r.st.Calendar
	secs := func(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }
	var days strings.Builder
	for d := r.p.From; !d.After(r.p.To); d = d.AddDate(0, 0, 1) {
		if days.Len() > 0 {
			days.WriteString(", ")
		}
		shift := func(n int) int64 { return int64(cal.AddWorkingDays(d, n).Sub(d) / time.Second) }
		fmt.Fprintf(&days, "(%d, %d, %d, %d, %d)", d.Unix(), d.AddDate(0, 0, 1).Unix(),
			shift(rules.TicketContactDays), shift(rules.FollowUpContactDays), shift(rules.ManagerOpinionDays))
	}
	onSite := secs(rules.OnSiteSolution)
	ep := r.db.epoch
	// A deadline counts once due by now, or once met (early); met when
	// done by its due instant (a millisecond's slack for SQLite's
	// floating-point julian days).
	count := func(x string) string {
		return fmt.Sprintf(`COALESCE(SUM(CASE WHEN %[1]s_due IS NOT NULL AND (%[1]s_due <= %[2]d OR %[1]s_done <= %[1]s_due + 0.001) THEN 1 ELSE 0 END), 0)`, x, r.asOf.Unix())
	}
	met := func(x string) string {
		return fmt.Sprintf(`COALESCE(SUM(CASE WHEN %[1]s_done <= %[1]s_due + 0.001 THEN 1 ELSE 0 END), 0)`, x)
	}
	kinds := []string{"sol", "rep", "con", "app", "op"}
	var due, done []string
	for _, k := range kinds {
		due, done = append(due, count(k)), append(done, met(k))
	}
	// c is materialized so that each complaint's opening is read once, not
	// once per use of c.o.
	return `WITH days (d0, d1, st, sf, so) AS (VALUES ` + days.String() + `),
	c AS MATERIALIZED (SELECT channel, subject, appraisal, solution_at, first_reply_at, contacted_at, result_at, opinion_at,
			` + ep("opened_at") + ` AS o
		FROM complaints WHERE store_id = ? AND opened_at >= ? AND opened_at < ?%s)
	SELECT ` + strings.Join(due, " + ") + `, ` + strings.Join(done, " + ") + `
	FROM (SELECT
		CASE WHEN c.channel = 'onsite' THEN c.o + ` + onSite + ` END AS sol_due, ` + ep("c.solution_at") + ` AS sol_done,
		CASE WHEN c.channel = 'ticket' THEN c.o + ` + secs(rules.TicketInitialReply) + `
			WHEN c.channel NOT IN ('onsite', 'followup') THEN c.o + ` + secs(rules.FirstReply) + ` END AS rep_due,
		` + ep("c.first_reply_at") + ` AS rep_done,
		CASE WHEN c.channel = 'ticket' THEN c.o + d1.st WHEN c.channel = 'followup' THEN c.o + d1.sf END AS con_due,
		` + ep("c.contacted_at") + ` AS con_done,
		CASE WHEN c.appraisal THEN c.o + ` + secs(rules.AppraisalResult) + ` END AS app_due, ` + ep("c.result_at") + ` AS app_done,
		CASE WHEN c.subject <> 'service' THEN NULL
			WHEN c.channel <> 'onsite' THEN c.o + d1.so
			WHEN c.solution_at IS NULL OR ` + ep("c.solution_at") + ` > c.o + ` + onSite + ` THEN c.o + ` + onSite + ` + d2.so END AS op_due,
		` + ep("c.opinion_at") + ` AS op_done
		FROM c
		LEFT JOIN days d1 ON c.o >= d1.d0 AND c.o < d1.d1
		LEFT JOIN days d2 ON c.o + ` + onSite + ` >= d2.d0 AND c.o + ` + onSite + ` < d2.d1) x`
}

// stockSQL counts a store's cars by aging bucket (R3.2: days since arrival
// in the store's zone, so a bucket starts at a local midnight) and its
// demo fleet, from vehicles_store_stock.
const stockSQL = `SELECT
	COALESCE(SUM(CASE WHEN state <> 'demo' AND (arrived_at IS NULL OR arrived_at >= ?) THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN state <> 'demo' AND arrived_at < ? AND arrived_at >= ? THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN state <> 'demo' AND arrived_at < ? THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN state = 'demo' THEN 1 ELSE 0 END), 0)
	FROM vehicles WHERE store_id = ? AND state IN ('in_stock', 'reserved', 'demo')`

// The demo fleet's use in the period (R3.4, R3.5).
const (
	demoDrivesSQL = `SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'returned' THEN km_in - km_out ELSE 0 END), 0)
	FROM test_drives WHERE store_id = ? AND slot_start >= ? AND slot_start < ? AND state IN ('out', 'returned')`
	demoOtherUsesSQL = `SELECT COUNT(*) FROM demo_uses
	WHERE store_id = ? AND status = 'approved' AND decided_at >= ? AND decided_at < ?`
)

// stock fills the stock section.
func (r *reportRun) stock(ctx context.Context) (domain.StockFigures, error) {
	var s domain.StockFigures
	rules := r.st.Rules.Vehicles
	today := r.st.Calendar.StartOfDay(r.asOf)
	alert, overdue := dbTime(today.AddDate(0, 0, -rules.StockAlertDays)), dbTime(today.AddDate(0, 0, -rules.StockOverdueDays))
	if err := r.scan(ctx, "stock aging", stockSQL, []any{alert, alert, overdue, overdue, r.st.ID},
		[]any{&s.Fresh, &s.Aging, &s.Overdue, &s.DemoCars}, func() {}); err != nil {
		return s, err
	}
	span := []any{r.st.ID, r.from(), r.to()}
	if err := r.scan(ctx, "demo drives", demoDrivesSQL, span, []any{&s.TestDrives, &s.DemoKm}, func() {}); err != nil {
		return s, err
	}
	if err := r.scan(ctx, "demo uses", demoOtherUsesSQL, span, []any{&s.DemoOtherUses}, func() {}); err != nil {
		return s, err
	}
	return s, r.allocationWaits(ctx, &s)
}

// allocationWaitsSQL counts the orders first allocated a car in the
// period (R4.3; a reallocation after a lapse is not a new wait) and sums
// their waits in seconds, from the order's confirmation (its discount's
// ruling, else its placing) to that first allocation. One %s: the epoch
// of allocated_at, another of the confirmation.
const allocationWaitsSQL = `SELECT COUNT(*), COALESCE(SUM(%s - %s), 0)
	FROM allocations a JOIN orders o ON o.id = a.order_id
	WHERE a.store_id = ? AND a.allocated_at >= ? AND a.allocated_at < ?
		AND NOT EXISTS (SELECT 1 FROM allocations b WHERE b.order_id = a.order_id AND b.allocated_at < a.allocated_at)`

// allocationWaits fills how many orders waited for a car allocated in the
// period and their mean wait in days.
func (r *reportRun) allocationWaits(ctx context.Context, s *domain.StockFigures) error {
	var secs float64
	q := fmt.Sprintf(allocationWaitsSQL, r.db.epoch("a.allocated_at"), r.db.epoch("COALESCE(o.decided_at, o.created_at)"))
	if err := r.scan(ctx, "allocation waits", q, []any{r.st.ID, r.from(), r.to()}, []any{&s.AllocationWaits, &secs}, func() {}); err != nil {
		return err
	}
	if s.AllocationWaits > 0 {
		s.AllocationWaitDays = secs / float64(s.AllocationWaits) / 86400
	}
	return nil
}

// epoch is x (a timestamp column) as seconds since 1970 on the store's
// driver: SQLite's julian day of its text, PostgreSQL's EXTRACT.
func (db *DB) epoch(x string) string {
	if db.driver == DriverPostgres {
		return "EXTRACT(EPOCH FROM " + x + ")"
	}
	return "((julianday(" + x + ") - 2440587.5) * 86400.0)"
}

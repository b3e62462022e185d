package storage_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// reportStore is the seeded group of the report tests: store A ("main",
// Asia/Shanghai, 2026-11-11 a public holiday) and store B ("east",
// Asia/Tokyo), their people, and November 2026 reported on 2026-12-01 at
// 10:00 in Shanghai. Every row is written with the time it would have had,
// so each figure below is known by hand; the comments say which rows make
// it.
type reportStore struct {
	db                         *storage.DB
	a, b                       *domain.Store
	chen, li, tang, supA, mgrA *domain.Staff // A: consultants, telesales, supervisor (销售部), manager
	gm                         *domain.Staff // group_gm, in A
	wu, supB                   *domain.Staff // B
	month                      domain.ReportPeriod
	asOf                       time.Time
	l1, l2, l3, l4, l5, l6, l8 int64
	l10, l11, l9, l12          int64
	seq                        int
}

// at reads "2026-11-03 10:00[:05]" in store A's zone.
func (f *reportStore) at(s string) time.Time { return atIn(f.a, s) }

func atIn(st *domain.Store, s string) time.Time {
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout += ":05"
	}
	t, err := time.ParseInLocation(layout, s, st.Calendar.Location)
	if err != nil {
		panic(err)
	}
	return t
}

func (f *reportStore) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if err := f.db.ExecRaw(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (f *reportStore) lastID(t *testing.T, table string) int64 {
	t.Helper()
	id, err := f.db.QueryCount(ctx, "SELECT MAX(id) FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// lead stores a lead of st owned by owner, created at created, due next
// at due (nil: none).
func (f *reportStore) lead(t *testing.T, st *domain.Store, owner *domain.Staff, source, grade string, created time.Time, due *time.Time) int64 {
	t.Helper()
	f.seq++
	f.exec(t, `INSERT INTO leads (store_id, name, phone, source, model, grade, owner_id, pool, created_at, next_due_at)
		VALUES (?, ?, ?, ?, '轩逸', ?, ?, 'showroom', ?, ?)`,
		st.ID, fmt.Sprintf("客户%d", f.seq), fmt.Sprintf("1380000%04d", f.seq), source, grade, owner.ID, created, due)
	return f.lastID(t, "leads")
}

// followUp logs a follow-up of lead at at through the store (which keeps
// the due the lead had then), then sets the lead's next due (nil: none).
func (f *reportStore) followUp(t *testing.T, lead int64, by *domain.Staff, at time.Time, next *time.Time) {
	t.Helper()
	if err := f.db.AddFollowUp(ctx, &domain.FollowUp{LeadID: lead, StaffID: by.ID, At: at}); err != nil {
		t.Fatal(err)
	}
	f.exec(t, "UPDATE leads SET next_due_at = ?, last_contact_at = ? WHERE id = ?", next, at, lead)
}

func ptr(t time.Time) *time.Time { return &t }

func newReportStore(t *testing.T, db *storage.DB) *reportStore {
	t.Helper()
	f := &reportStore{db: db, a: db.Stores.Default()}
	f.a.Rules = domain.DefaultRules()
	f.a.Calendar.Holidays = []string{"2026-11-11"}
	f.b = storagetest.AddStore(t, db, "east", "Asia/Tokyo")
	f.asOf = f.at("2026-12-01 10:00")
	db.Now = func() time.Time { return f.asOf }
	f.month = domain.PeriodOf(domain.PeriodMonth, f.at("2026-11-15 12:00"), f.a.Calendar)

	f.chen = MustEnrolStaffIn(t, db, f.a, "Chen", 1, domain.RoleConsultant)
	f.li = MustEnrolStaffIn(t, db, f.a, "Li", 2, domain.RoleConsultant)
	f.tang = MustEnrolStaffIn(t, db, f.a, "Tang", 3, domain.RoleTelesales)
	f.supA = MustEnrolStaffIn(t, db, f.a, "SupA", 4, domain.RoleSupervisor)
	f.mgrA = MustEnrolStaffIn(t, db, f.a, "MgrA", 5, domain.RoleManager)
	f.gm = MustEnrolStaffIn(t, db, f.a, "GroupGM", 6, domain.RoleGroupGM)
	f.wu = MustEnrolStaffIn(t, db, f.b, "Wu", 7, domain.RoleConsultant)
	f.supB = MustEnrolStaffIn(t, db, f.b, "SupB", 8, domain.RoleSupervisor)
	if err := db.SetStaffDepartment(ctx, f.supA.ID, "销售部"); err != nil {
		t.Fatal(err)
	}
	f.supA.Department = "销售部"

	f.seedLeads(t)
	f.seedTelesales(t)
	f.seedComplaints(t)
	f.seedStock(t)
	f.seedRota(t)
	return f
}

// seedLeads: the funnel and the discipline.
func (f *reportStore) seedLeads(t *testing.T) {
	a, at := f.a, f.at
	// Chen's November leads.
	f.l1 = f.lead(t, a, f.chen, "call", "D", at("2026-11-03 10:00"), ptr(at("2026-11-04 10:00")))
	f.followUp(t, f.l1, f.chen, at("2026-11-04 09:00"), nil) // within 24 h, on time
	f.l2 = f.lead(t, a, f.chen, "call", "H", at("2026-11-05 10:00"), ptr(at("2026-11-06 10:00")))
	f.followUp(t, f.l2, f.chen, at("2026-11-06 10:00"), ptr(at("2026-11-09 10:00"))) // exactly 24 h: within; then pending, overdue
	f.l3 = f.lead(t, a, f.chen, "web", "N", at("2026-11-10 10:00"), ptr(at("2026-11-11 10:00")))
	f.followUp(t, f.l3, f.chen, at("2026-11-11 10:00:01"), ptr(at("2026-12-03 10:00")))             // a second late; ungraded
	f.l4 = f.lead(t, a, f.chen, "walkin", "A", at("2026-11-20 10:00"), ptr(at("2026-11-21 10:00"))) // never called: pending, overdue
	// Li's and Tang's.
	f.l5 = f.lead(t, a, f.li, "web", "O", at("2026-11-12 10:00"), ptr(at("2026-11-13 10:00")))
	f.followUp(t, f.l5, f.li, at("2026-11-12 15:00"), nil)
	f.l6 = f.lead(t, a, f.tang, "maker", "N", at("2026-11-15 10:00"), ptr(at("2026-11-16 10:00")))
	f.followUp(t, f.l6, f.tang, at("2026-11-15 11:00"), ptr(at("2026-12-05 10:00"))) // ungraded
	// The month's edges in A's zone: the last second of October is out,
	// the first of November in (ungraded, pending, overdue).
	f.lead(t, a, f.tang, "call", "C", at("2026-10-31 23:59:59"), ptr(at("2026-12-10 10:00")))
	f.l8 = f.lead(t, a, f.tang, "call", "N", at("2026-11-01 00:00"), ptr(at("2026-11-02 00:00")))
	// Older leads of Chen's: a due in October answered in November (not
	// November's), a due in November answered late.
	f.l10 = f.lead(t, a, f.chen, "referral", "B", at("2026-09-01 10:00"), ptr(at("2026-10-31 23:00")))
	f.followUp(t, f.l10, f.chen, at("2026-11-01 09:00"), ptr(at("2026-11-16 09:00"))) // then pending, overdue
	f.l11 = f.lead(t, a, f.chen, "referral", "A", at("2026-09-15 10:00"), ptr(at("2026-11-25 10:00")))
	f.followUp(t, f.l11, f.chen, at("2026-11-28 10:00"), ptr(at("2026-12-05 10:00")))
	// Store B, on Tokyo's clock: 00:30 on 1 November there is still
	// October in Shanghai, and counts; 23:30 on 31 October does not.
	f.l9 = f.lead(t, f.b, f.wu, "call", "H", atIn(f.b, "2026-11-01 00:30"), ptr(atIn(f.b, "2026-11-02 00:30")))
	f.followUp(t, f.l9, f.wu, atIn(f.b, "2026-11-01 08:00"), ptr(atIn(f.b, "2026-12-05 10:00")))
	f.lead(t, f.b, f.wu, "web", "H", atIn(f.b, "2026-10-31 23:30"), ptr(atIn(f.b, "2026-12-05 10:00")))

	visit := func(st *domain.Store, lead int64, by *domain.Staff, when time.Time) {
		f.exec(t, `INSERT INTO visits (store_id, lead_id, registered_by, consultant_id, "first", arrived_at) VALUES (?, ?, ?, ?, TRUE, ?)`,
			st.ID, lead, by.ID, by.ID, when)
	}
	visit(a, f.l1, f.chen, at("2026-11-05 14:00"))
	visit(a, f.l1, f.chen, at("2026-11-06 14:00")) // a second visit: still one lead visited
	visit(a, f.l2, f.chen, at("2026-11-07 14:00"))
	visit(a, f.l4, f.chen, at("2026-11-20 10:00"))
	visit(f.b, f.l9, f.wu, atIn(f.b, "2026-11-03 10:00"))

	order := func(lead int64, by *domain.Staff, state string, created time.Time, decided *time.Time) {
		f.exec(t, `INSERT INTO orders (store_id, lead_id, consultant_id, model, trim, colour, list_price_fen, agreed_price_fen,
			deposit_fen, payment, state, created_at, updated_at, decided_at) VALUES (?, ?, ?, '轩逸', '', '', 100, 100, 0, 'cash', ?, ?, ?, ?)`,
			a.ID, lead, by.ID, state, created, created, decided)
	}
	order(f.l1, f.chen, "confirmed", at("2026-11-10 10:00"), nil)
	order(f.l4, f.chen, "rejected", at("2026-11-21 10:00"), ptr(at("2026-11-21 12:00"))) // a refused discount is no order
	order(f.l5, f.li, "pending_approval", at("2026-11-13 10:00"), nil)
	order(f.l3, f.chen, "pending_approval", at("2026-11-12 10:00"), nil)
	// Older leads' orders, for the allocation waits.
	order(f.l10, f.chen, "confirmed", at("2026-10-01 10:00"), ptr(at("2026-11-05 10:00")))
	order(f.l11, f.chen, "confirmed", at("2026-10-01 10:00"), nil)
	f.exec(t, "UPDATE orders SET state = 'rejected' WHERE lead_id = ?", f.l3) // refused later: no order either

	// The activity (by each event's own date): l10's order, placed in
	// October and confirmed in November, delivered in November and
	// followed up after delivery then (one done in November, one in
	// December, l11's in October); l1's delivered today; Li's l12 (a
	// November lead) ordered today, within his discount (confirmed at
	// once) — so the November cohort counts it as ordered, and today's
	// activity counts the order though no lead was created today.
	f.exec(t, "UPDATE orders SET state = 'delivered', delivered_at = ? WHERE lead_id = ?", at("2026-11-25 10:00"), f.l10)
	f.exec(t, "UPDATE orders SET state = 'delivered', delivered_at = ? WHERE lead_id = ?", at("2026-12-01 09:30"), f.l1)
	afterSale := func(lead int64, seq int, done time.Time) {
		f.exec(t, `INSERT INTO delivery_follow_ups (store_id, order_id, lead_id, consultant_id, seq, due_at, done_at, done_by, created_at)
			VALUES (?, (SELECT id FROM orders WHERE lead_id = ?), ?, ?, ?, ?, ?, ?, ?)`, a.ID, lead, lead, f.chen.ID, seq, done, done, f.chen.ID, done)
	}
	afterSale(f.l10, 1, at("2026-11-28 10:00"))
	afterSale(f.l10, 2, at("2026-12-01 09:00"))
	afterSale(f.l11, 1, at("2026-10-20 10:00"))
	f.l12 = f.lead(t, a, f.li, "walkin", "O", at("2026-11-25 10:00"), nil)
	order(f.l12, f.li, "confirmed", at("2026-12-01 09:00"), nil)
}

// seedTelesales: invitations, shows, handovers, collisions.
func (f *reportStore) seedTelesales(t *testing.T) {
	at := f.at
	appt := func(created, when time.Time, status string) {
		f.exec(t, `INSERT INTO appointments (store_id, lead_id, telesales_id, at, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			f.a.ID, f.l6, f.tang.ID, when, status, created)
	}
	appt(at("2026-11-14 10:00"), at("2026-11-16 10:00"), "arrived") // invitation, show
	appt(at("2026-11-20 10:00"), at("2026-11-22 10:00"), "missed")  // invitation, no-show
	appt(at("2026-11-25 10:00"), at("2026-11-27 10:00"), "replaced")
	appt(at("2026-10-28 10:00"), at("2026-11-02 10:00"), "arrived") // a show, October's invitation
	appt(at("2026-11-29 10:00"), at("2026-12-03 10:00"), "booked")  // invitation
	handover := func(to *domain.Staff, status string, decided time.Time) {
		f.exec(t, `INSERT INTO handovers (store_id, lead_id, from_id, to_id, expected_buy_by, status, created_at, decided_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, f.a.ID, f.l6, f.tang.ID, to.ID, decided, status, decided, decided)
	}
	handover(f.chen, "accepted", at("2026-11-16 12:00"))
	handover(f.li, "declined", at("2026-11-17 12:00"))
	handover(f.chen, "accepted", at("2026-10-30 12:00"))
	collision := func(owner, claimant, winner *domain.Staff, status string, decided time.Time) {
		f.exec(t, `INSERT INTO collisions (store_id, lead_id, owner_id, claimant_id, phone, claimed_at, status, winner_id, decided_at)
			VALUES (?, ?, ?, ?, '13800000001', ?, ?, ?, ?)`, f.a.ID, f.l6, owner.ID, claimant.ID, decided, status, winner.ID, decided)
	}
	collision(f.tang, f.chen, f.tang, "ruled", at("2026-11-18 12:00"))
	collision(f.chen, f.li, f.li, "ruled", at("2026-11-20 12:00"))
	collision(f.tang, f.li, f.tang, "open", at("2026-11-21 12:00"))
}

// seedComplaints: K1–K6 of store A (see TestReport_Golden's Complaints).
func (f *reportStore) seedComplaints(t *testing.T) {
	at := f.at
	type k struct {
		channel, subject, dept            string
		appraisal                         bool
		valid                             *bool
		opened                            time.Time
		reply, contact, solution, opinion *time.Time
		closed                            *time.Time
		satisfaction                      string
		esc                               int
	}
	yes, no := true, false
	for i, c := range []k{
		// K1: reply met; opinion due 11-03 10:00, given 11:00: missed. Valid, closed satisfied, escalated twice.
		{channel: "phone", subject: "service", dept: "销售部", valid: &yes, opened: at("2026-11-02 10:00"),
			reply: ptr(at("2026-11-02 20:00")), opinion: ptr(at("2026-11-03 11:00")), closed: ptr(at("2026-11-05 10:00")), satisfaction: "satisfied", esc: 2},
		// K2: ticket: reply in 2 h met; contact in 1 working day — 11-11 is a holiday, so 11-12 09:00 — met at 08:00. Invalid.
		{channel: "ticket", subject: "product", dept: "销售部", valid: &no, opened: at("2026-11-10 09:00"),
			reply: ptr(at("2026-11-10 10:30")), contact: ptr(at("2026-11-12 08:00"))},
		// K3: on site: solution due 10:10, at 10:15: missed; so the opinion is due a working day after 10:10: missed. Escalated once.
		{channel: "onsite", subject: "service", dept: "售后部", opened: at("2026-11-20 10:00"), solution: ptr(at("2026-11-20 10:15")), esc: 1},
		// K4: follow-up complaint: contact due 11-30 10:00, not made: missed; appraisal due 12-06: not yet due.
		{channel: "followup", subject: "product", dept: "售后部", appraisal: true, opened: at("2026-11-29 10:00")},
		// K5: October's, closed in November dissatisfied.
		{channel: "phone", subject: "product", dept: "销售部", opened: at("2026-10-30 10:00"), reply: ptr(at("2026-10-30 11:00")),
			closed: ptr(at("2026-11-03 10:00")), satisfaction: "dissatisfied"},
		// K6: reply due 12-01 20:00, after the report's time, but met early: counted, met.
		{channel: "email", subject: "product", dept: "销售部", opened: at("2026-11-30 20:00"), reply: ptr(at("2026-11-30 21:00"))},
	} {
		status := "open"
		if c.closed != nil {
			status = "closed"
		}
		f.exec(t, `INSERT INTO complaints (store_id, customer, phone, channel, subject, department, description, status, valid,
			appraisal, satisfaction, created_at, opened_at, first_reply_at, contacted_at, solution_at, opinion_at, closed_at)
			VALUES (?, ?, '13900000001', ?, ?, ?, '...', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.a.ID, fmt.Sprintf("K%d", i+1), c.channel, c.subject, c.dept, status, c.valid, c.appraisal, c.satisfaction,
			c.opened, c.opened, c.reply, c.contact, c.solution, c.opinion, c.closed)
		id := f.lastID(t, "complaints")
		for e := 0; e < c.esc; e++ {
			f.exec(t, `INSERT INTO complaint_cards (complaint_id, staff_id, kind, msg_key, created_at) VALUES (?, ?, 'esc', ?, ?)`,
				id, f.supA.ID, fmt.Sprintf("cmp-esc:%d:%d", id, e), c.opened)
		}
		f.exec(t, `INSERT INTO complaint_cards (complaint_id, staff_id, kind, msg_key, created_at) VALUES (?, ?, 'cmp', ?, ?)`,
			id, f.supA.ID, fmt.Sprintf("cmp:%d", id), c.opened)
	}
}

// seedStock: aging at the edges of 45 and 90 days, the demo fleet.
func (f *reportStore) seedStock(t *testing.T) {
	at := f.at
	car := func(st *domain.Store, state string, arrived *time.Time) int64 {
		f.seq++
		f.exec(t, `INSERT INTO vehicles (store_id, vin, model, state, arrived_at, created_by, created_at, updated_at)
			VALUES (?, ?, '轩逸', ?, ?, 0, ?, ?)`, st.ID, fmt.Sprintf("LVIN%013d", f.seq), state, arrived, f.asOf, f.asOf)
		return f.lastID(t, "vehicles")
	}
	car(f.a, "in_stock", ptr(at("2026-11-20 10:00"))) // 11 days: ≤45
	car(f.a, "reserved", ptr(at("2026-10-17 00:00"))) // 45 days: ≤45
	car(f.a, "in_stock", ptr(at("2026-10-16 23:00"))) // 46 days
	car(f.a, "in_stock", ptr(at("2026-09-02 00:00"))) // 90 days
	car(f.a, "in_stock", ptr(at("2026-09-01 12:00"))) // 91 days: >90
	car(f.a, "sold", ptr(at("2026-01-01 10:00")))     // not stock
	car(f.a, "in_transit", nil)                       // not stock
	demo := car(f.a, "demo", ptr(at("2026-01-01 10:00")))
	car(f.a, "demo", ptr(at("2026-02-01 10:00")))
	car(f.b, "in_stock", ptr(atIn(f.b, "2026-06-01 10:00"))) // B: >90
	drive := func(lead int64, state string, slot time.Time) {
		f.exec(t, `INSERT INTO test_drives (store_id, vehicle_id, lead_id, consultant_id, slot_start, slot_end, state, created_by, created_at, updated_at,
			km_out, km_in) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1000, 1012)`, f.a.ID, demo, lead, f.chen.ID, slot, slot.Add(30*time.Minute), state, f.chen.ID, slot, slot)
	}
	drive(f.l1, "returned", at("2026-11-06 15:00"))
	drive(f.l4, "booked", at("2026-11-21 15:00"))
	drive(f.l5, "cancelled", at("2026-11-13 15:00"))
	drive(f.l10, "returned", at("2026-10-30 15:00"))
	drive(f.l6, "booked", at("2026-11-16 15:00"))
	f.exec(t, "UPDATE test_drives SET state = 'out' WHERE lead_id = ?", f.l6) // taken out later: a test drive
	use := func(status string, decided time.Time) {
		f.exec(t, `INSERT INTO demo_uses (store_id, vehicle_id, requester_id, reason, status, decided_at, created_at)
			VALUES (?, ?, ?, 'photo shoot', ?, ?, ?)`, f.a.ID, demo, f.chen.ID, status, decided, decided)
	}
	// Allocations (R4.3): l1's order waited from its placing on 11-10
	// 10:00 to 11-13 10:00 (3 days), then lapsed and was allocated again
	// (no new wait); l10's from its ruling on 11-05 10:00 to 11-06 22:00
	// (1.5 days); l11's was allocated in October.
	alloc := func(lead int64, state string, when time.Time) {
		f.exec(t, `INSERT INTO allocations (store_id, order_id, vehicle_id, state, allocated_at)
			VALUES (?, (SELECT id FROM orders WHERE lead_id = ?), ?, ?, ?)`, f.a.ID, lead, car(f.a, "allocated", ptr(at("2026-08-01 10:00"))), state, when)
	}
	alloc(f.l1, "lapsed", at("2026-11-13 10:00"))
	alloc(f.l1, "active", at("2026-11-20 10:00"))
	alloc(f.l10, "active", at("2026-11-06 22:00"))
	alloc(f.l11, "active", at("2026-10-20 10:00"))
	use("approved", at("2026-11-08 10:00"))
	use("rejected", at("2026-11-09 10:00"))
	use("approved", at("2026-10-20 10:00"))
}

// seedRota: rest days and reception misses.
func (f *reportStore) seedRota(t *testing.T) {
	rest := func(s *domain.Staff, day, status string) {
		f.exec(t, `INSERT INTO rest_days (store_id, staff_id, day, status, created_at) VALUES (?, ?, ?, ?, ?)`, f.a.ID, s.ID, day, status, f.asOf)
	}
	rest(f.chen, "2026-11-10", "approved")
	rest(f.chen, "2026-11-30", "approved")
	rest(f.chen, "2026-11-12", "pending")
	rest(f.li, "2026-12-01", "approved")
	rest(f.li, "2026-10-31", "approved")
	for _, q := range []struct {
		day    string
		misses map[*domain.Staff]int
	}{
		{"2026-11-05", map[*domain.Staff]int{f.chen: 2, f.li: 0}},
		{"2026-11-06", map[*domain.Staff]int{f.chen: 1}},
		{"2026-10-31", map[*domain.Staff]int{f.chen: 5}},
	} {
		f.exec(t, `INSERT INTO reception_queues (store_id, day) VALUES (?, ?)`, f.a.ID, q.day)
		pos := 0
		for s, n := range q.misses {
			f.exec(t, `INSERT INTO reception_entries (store_id, day, staff_id, position, misses) VALUES (?, ?, ?, ?, ?)`, f.a.ID, q.day, s.ID, pos, n)
			pos++
		}
	}
}

// row returns the staff row of id in sr.
func staffRow(t *testing.T, sr domain.StoreReport, s *domain.Staff) domain.StaffReport {
	t.Helper()
	for _, r := range sr.Staff {
		if r.StaffID == s.ID {
			if r.Name != s.Name {
				t.Errorf("row of %d named %q, want %q", s.ID, r.Name, s.Name)
			}
			return r
		}
	}
	t.Fatalf("no row of %s in %+v", s.Name, sr.Staff)
	return domain.StaffReport{}
}

func check[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// TestReport_Golden checks every figure of the seeded November against the
// numbers worked out by hand from the rows (see newReportStore), on both
// drivers: the funnel (R1.3), discipline (R1.4, R1.5), telesales,
// complaints (R2.4, R2.7), stock (R3.2) and rotas; who sees what; the
// group total as the sum of its stores; and the scheduled summaries.
func TestReport_Golden(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newReportStore(t, db)
		q := domain.ReportQuery{Period: f.month}
		group, err := db.Report(ctx, f.gm.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "group scope", group.Scope, domain.ScopeGroup)
		if len(group.Stores) != 2 || group.Group == nil {
			t.Fatalf("group report: %d stores, total %v", len(group.Stores), group.Group)
		}
		a, b := group.Stores[0], group.Stores[1]
		check(t, "store A", a.Code, "main")
		check(t, "store B's period in its zone", b.Period.From, atIn(f.b, "2026-11-01 00:00"))

		t.Run("TestR1_3_Funnel", func(t *testing.T) {
			check(t, "A", a.Total.Funnel, domain.Funnel{Leads: 8, FirstContact24h: 4, Visits: 3, TestDrives: 2, Orders: 3, Deliveries: 1})
			check(t, "Chen", staffRow(t, a, f.chen).Funnel, domain.Funnel{Leads: 4, FirstContact24h: 2, Visits: 3, TestDrives: 1, Orders: 1, Deliveries: 1})
			check(t, "Li (l12 ordered today: the cohort follows it to now)", staffRow(t, a, f.li).Funnel, domain.Funnel{Leads: 2, FirstContact24h: 1, Orders: 2})
			check(t, "Tang", staffRow(t, a, f.tang).Funnel, domain.Funnel{Leads: 2, FirstContact24h: 1, TestDrives: 1})
			check(t, "sources", fmt.Sprint(a.Total.Sources), fmt.Sprint([]domain.SourceFunnel{
				{Source: "call", Funnel: domain.Funnel{Leads: 3, FirstContact24h: 2, Visits: 2, TestDrives: 1, Orders: 1, Deliveries: 1}},
				{Source: "web", Funnel: domain.Funnel{Leads: 2, FirstContact24h: 1, Orders: 1}},
				{Source: "maker", Funnel: domain.Funnel{Leads: 1, FirstContact24h: 1, TestDrives: 1}},
				{Source: "walkin", Funnel: domain.Funnel{Leads: 2, Visits: 1, Orders: 1}},
			}))
			check(t, "B (Tokyo's November)", b.Total.Funnel, domain.Funnel{Leads: 1, FirstContact24h: 1, Visits: 1})
		})
		t.Run("Activity", func(t *testing.T) {
			// By each event's date in November: new leads are the cohort's;
			// first contacts l1, l2, l3, l10 (a September lead), l11 by
			// Chen, l5 by Li, l6 by Tang; four arrivals (l1 twice); l1's
			// and l6's drives, both with Chen; l1's and l5's orders placed
			// (l4's and l3's refused); l1's (no ruling) and l10's (placed in
			// October, its discount ruled on 11-05) confirmed; l10's
			// delivered and followed up on 11-28.
			check(t, "A", a.Total.Activity, domain.Activity{NewLeads: 8, FirstContacts: 7, Visits: 4, TestDrives: 2, Orders: 2, Confirmed: 2, Deliveries: 1, AfterSales: 1})
			check(t, "Chen", staffRow(t, a, f.chen).Activity, domain.Activity{NewLeads: 4, FirstContacts: 5, Visits: 4, TestDrives: 2, Orders: 1, Confirmed: 2, Deliveries: 1, AfterSales: 1})
			check(t, "Li", staffRow(t, a, f.li).Activity, domain.Activity{NewLeads: 2, FirstContacts: 1, Orders: 1})
			check(t, "Tang", staffRow(t, a, f.tang).Activity, domain.Activity{NewLeads: 2, FirstContacts: 1})
			check(t, "B (Tokyo's November)", b.Total.Activity, domain.Activity{NewLeads: 1, FirstContacts: 1, Visits: 1})

			// Today (1 December to 10:00): no lead created, so the cohort is
			// empty, yet l12's order (a November lead) was placed and
			// confirmed and l1's car delivered today; l10's second
			// follow-up after delivery done.
			today := domain.PeriodOf(domain.PeriodDay, f.asOf, f.a.Calendar)
			day, err := db.Report(ctx, f.supA.ID, domain.ReportQuery{Period: today})
			if err != nil {
				t.Fatal(err)
			}
			d := day.Stores[0]
			check(t, "today's cohort", d.Total.Funnel, domain.Funnel{})
			check(t, "today's activity", d.Total.Activity, domain.Activity{Orders: 1, Confirmed: 1, Deliveries: 1, AfterSales: 1})
			check(t, "Li today", staffRow(t, d, f.li).Activity, domain.Activity{Orders: 1, Confirmed: 1})
			check(t, "Chen today", staffRow(t, d, f.chen).Activity, domain.Activity{Deliveries: 1, AfterSales: 1})
			li, err := db.Report(ctx, f.li.ID, domain.ReportQuery{Period: today})
			if err != nil {
				t.Fatal(err)
			}
			check(t, "Li's own today", li.Stores[0].Total.Activity, domain.Activity{Orders: 1, Confirmed: 1})
		})
		t.Run("TestR1_5_Discipline", func(t *testing.T) {
			check(t, "A", a.Total.Discipline, domain.Discipline{FollowUpsDue: 10, FollowUpsOnTime: 4, Overdue: 4, Ungraded: 3})
			check(t, "Chen", staffRow(t, a, f.chen).Discipline, domain.Discipline{FollowUpsDue: 7, FollowUpsOnTime: 2, Overdue: 3, Ungraded: 1})
			check(t, "Li", staffRow(t, a, f.li).Discipline, domain.Discipline{FollowUpsDue: 1, FollowUpsOnTime: 1})
			check(t, "Tang", staffRow(t, a, f.tang).Discipline, domain.Discipline{FollowUpsDue: 2, FollowUpsOnTime: 1, Overdue: 1, Ungraded: 2})
			check(t, "Wu", staffRow(t, b, f.wu).Discipline, domain.Discipline{FollowUpsDue: 1, FollowUpsOnTime: 1})
		})
		t.Run("TestR1_8_Telesales", func(t *testing.T) {
			check(t, "Tang", staffRow(t, a, f.tang).Telesales, domain.TelesalesFigures{Invitations: 3, Shows: 2, NoShows: 1, HandoversAccepted: 1, CollisionsWon: 1})
			check(t, "Chen", staffRow(t, a, f.chen).Telesales, domain.TelesalesFigures{HandoversAccepted: 1, CollisionsLost: 2})
			check(t, "Li", staffRow(t, a, f.li).Telesales, domain.TelesalesFigures{CollisionsWon: 1})
			check(t, "A", a.Total.Telesales, domain.TelesalesFigures{Invitations: 3, Shows: 2, NoShows: 1, HandoversAccepted: 1, CollisionsWon: 2, CollisionsLost: 2})
		})
		t.Run("TestR2_4_Complaints", func(t *testing.T) {
			c := a.Total.Complaints
			check(t, "by kind", fmt.Sprint(c.ByKind), fmt.Sprint([]domain.ComplaintCount{
				{Subject: "product", Department: "售后部", Count: 1}, {Subject: "product", Department: "销售部", Count: 2},
				{Subject: "service", Department: "售后部", Count: 1}, {Subject: "service", Department: "销售部", Count: 1}}))
			c.ByKind = nil
			check(t, "A", fmt.Sprintf("%+v", c), fmt.Sprintf("%+v", domain.ComplaintFigures{Opened: 5, Valid: 1, Invalid: 1,
				DeadlinesDue: 8, DeadlinesMet: 4, Escalated: 2, Escalations: 3, Closed: 2, Satisfied: 1, Dissatisfied: 1}))
			check(t, "B", b.Total.Complaints.Opened, 0)
		})
		t.Run("TestR3_2_StockAndR4_3_AllocationWaits", func(t *testing.T) {
			stock := a.Total.Stock
			if math.Abs(stock.AllocationWaitDays-2.25) > 1e-6 {
				t.Errorf("mean allocation wait %v days, want 2.25", stock.AllocationWaitDays)
			}
			stock.AllocationWaitDays = 0
			check(t, "A", stock, domain.StockFigures{Fresh: 2, Aging: 2, Overdue: 1, DemoCars: 2, TestDrives: 2, DemoKm: 12, DemoOtherUses: 1, AllocationWaits: 2})
			check(t, "B", b.Total.Stock, domain.StockFigures{Overdue: 1})
		})
		t.Run("TestR5_Rota", func(t *testing.T) {
			check(t, "Chen", staffRow(t, a, f.chen).Rota, domain.RotaFigures{RestDays: 2, ReceptionMisses: 3})
			check(t, "Li", staffRow(t, a, f.li).Rota, domain.RotaFigures{})
			check(t, "A", a.Total.Rota, domain.RotaFigures{RestDays: 2, ReceptionMisses: 3})
		})
		t.Run("GroupTotalIsTheSumOfStores", func(t *testing.T) {
			var sum domain.Figures
			for _, st := range group.Stores {
				sum.Add(st.Total)
			}
			check(t, "group", fmt.Sprintf("%+v", *group.Group), fmt.Sprintf("%+v", sum))
			check(t, "group funnel", group.Group.Funnel, domain.Funnel{Leads: 9, FirstContact24h: 5, Visits: 4, TestDrives: 2, Orders: 3, Deliveries: 1})
			check(t, "group activity", group.Group.Activity, domain.Activity{NewLeads: 9, FirstContacts: 8, Visits: 5, TestDrives: 2, Orders: 2, Confirmed: 2, Deliveries: 1, AfterSales: 1})
			check(t, "group stock", group.Group.Stock.Overdue, 2)
		})
		t.Run("WhoSeesWhat", func(t *testing.T) {
			own, err := db.Report(ctx, f.chen.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			if own.Scope != domain.ScopeSelf || len(own.Stores) != 1 || len(own.Stores[0].Staff) != 1 || own.Group != nil {
				t.Fatalf("a consultant's report: %+v", own)
			}
			mine := own.Stores[0]
			check(t, "Chen's own row", fmt.Sprintf("%+v", mine.Staff[0]), fmt.Sprintf("%+v", staffRow(t, a, f.chen)))
			check(t, "Chen's totals are his", mine.Total.Telesales, staffRow(t, a, f.chen).Telesales)
			check(t, "Chen's activity is his", mine.Total.Activity, staffRow(t, a, f.chen).Activity)
			check(t, "no store figures", mine.Total.Complaints.Opened+mine.Total.Stock.Fresh+mine.Total.Stock.Overdue, 0)
			check(t, "his sources (call, web, walkin)", len(mine.Total.Sources), 3)
			for _, bad := range []domain.ReportQuery{
				{Period: f.month, Scope: domain.ScopeConsultant, Name: "Li"},
				{Period: f.month, Scope: domain.ScopeStore},
				{Period: f.month, Scope: domain.ScopeGroup},
			} {
				_, err := db.Report(ctx, f.chen.ID, bad)
				AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			}
			byName, err := db.Report(ctx, f.chen.ID, domain.ReportQuery{Period: f.month, Scope: domain.ScopeConsultant, Name: "Chen"})
			if err != nil || byName.Scope != domain.ScopeSelf {
				t.Fatalf("Chen by his own name: %+v, %v", byName, err)
			}
			li, err := db.Report(ctx, f.supA.ID, domain.ReportQuery{Period: f.month, Scope: domain.ScopeConsultant, Name: "Li"})
			if err != nil || len(li.Stores[0].Staff) != 1 || li.Stores[0].Staff[0].StaffID != f.li.ID {
				t.Fatalf("the supervisor's view of Li: %+v, %v", li, err)
			}
			check(t, "Li's", li.Stores[0].Total.Funnel, staffRow(t, a, f.li).Funnel)
			_, err = db.Report(ctx, f.supA.ID, domain.ReportQuery{Period: f.month, Scope: domain.ScopeConsultant, Name: "Wu"})
			AssertError(t, err, domain.ENOTFOUND, "")
			_, err = db.Report(ctx, f.supA.ID, domain.ReportQuery{Period: f.month, Scope: domain.ScopeGroup})
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.Report(ctx, f.supA.ID, domain.ReportQuery{})
			AssertError(t, err, domain.EINVALID, "err.report_period")

			sup, err := db.Report(ctx, f.supA.ID, q)
			if err != nil || sup.Scope != domain.ScopeStore || len(sup.Stores) != 1 {
				t.Fatalf("the supervisor's report: %+v, %v", sup, err)
			}
			s := sup.Stores[0]
			check(t, "department", s.Department, "销售部")
			check(t, "the store's funnel", s.Total.Funnel, a.Total.Funnel)
			check(t, "staff rows", len(s.Staff), 3) // Chen, Li, Tang
			c := s.Total.Complaints
			c.ByKind = nil
			check(t, "销售部's complaints", fmt.Sprintf("%+v", c), fmt.Sprintf("%+v", domain.ComplaintFigures{Opened: 3, Valid: 1, Invalid: 1,
				DeadlinesDue: 5, DeadlinesMet: 4, Escalated: 1, Escalations: 2, Closed: 2, Satisfied: 1, Dissatisfied: 1}))
			mgr, err := db.Report(ctx, f.mgrA.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			check(t, "the manager's complaints", mgr.Stores[0].Total.Complaints.Opened, 5)
		})
		t.Run("Summaries", func(t *testing.T) {
			got, err := db.ReportSummaries(ctx, f.a.ID, domain.PeriodMonth, f.asOf)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].To.ID != f.supA.ID || got[1].To.ID != f.mgrA.ID {
				t.Fatalf("month's summaries: %+v", got)
			}
			check(t, "key", got[0].Key, fmt.Sprintf("report:month:2026-11-01:%d", f.supA.ID))
			check(t, "last month", got[0].Report.Period.Label(), "2026-11")
			check(t, "the supervisor's department", got[0].Report.Stores[0].Total.Complaints.Opened, 3)
			check(t, "the manager's", got[1].Report.Stores[0].Total.Complaints.Opened, 5)
			check(t, "same figures as /report", got[1].Report.Stores[0].Total.Funnel, a.Total.Funnel)
			west := storagetest.AddStore(t, db, "west", "Asia/Shanghai")
			MustEnrolStaffIn(t, db, west, "SupW", 9, domain.RoleSupervisor)
			none, err := db.ReportSummaries(ctx, west.ID, domain.PeriodDay, f.asOf)
			if err != nil || len(none) != 0 {
				t.Fatalf("an empty store's summaries: %+v, %v", none, err)
			}
		})
	})
}

// TestMigrateV26ToV27_ReportColumns upgrades a database with follow-ups,
// visits and orders written before the reports (to the latest version, so
// 0028's first contact on the lead too): each follow-up takes its
// lead's store (no due, so not counted as due), each lead the first time
// it reached each step, a refused order not one; and from then on the
// triggers keep the steps.
func TestMigrateV26ToV27_ReportColumns(t *testing.T) {
	for _, driver := range []string{storage.DriverSQLite, storage.DriverPostgres} {
		t.Run(driver, func(t *testing.T) {
			db := fixClock(storagetest.OpenUnmigrated(t, driver))
			must(t, db.MigrateTo(ctx, 26))
			must(t, db.ExecRaw(ctx, `INSERT INTO stores (id, code) VALUES (2, 'east')`))
			owner := oldStaff(t, db, "Veteran")
			t0, t1 := now.Add(-48*time.Hour), now.Add(-24*time.Hour)
			lead := func(store int64, phone string) int64 {
				must(t, db.ExecRaw(ctx, `INSERT INTO leads (store_id, name, phone, source, model, grade, owner_id, pool, created_at)
					VALUES (?, 'Old', ?, 'call', 'Camry', 'H', ?, 'showroom', ?)`, store, phone, owner.ID, t0.Add(-time.Hour)))
				id, err := db.QueryCount(ctx, "SELECT MAX(id) FROM leads")
				must(t, err)
				return id
			}
			a, b := lead(1, "13100000001"), lead(2, "13100000002")
			for _, fu := range []struct {
				lead int64
				at   time.Time
			}{{a, t1}, {a, t0}, {b, t1}} {
				must(t, db.ExecRaw(ctx, `INSERT INTO follow_ups (lead_id, staff_id, channel, at) VALUES (?, ?, 'phone', ?)`, fu.lead, owner.ID, fu.at))
			}
			must(t, db.ExecRaw(ctx, `INSERT INTO visits (store_id, lead_id, registered_by, arrived_at) VALUES (1, ?, ?, ?)`, a, owner.ID, t1))
			order := func(lead int64, state string, at time.Time) {
				must(t, db.ExecRaw(ctx, `INSERT INTO orders (store_id, lead_id, consultant_id, model, trim, colour, list_price_fen,
					agreed_price_fen, deposit_fen, payment, state, created_at, updated_at)
					VALUES (1, ?, ?, 'Camry', '', '', 100, 100, 0, 'cash', ?, ?, ?)`, lead, owner.ID, state, at, at))
			}
			order(a, "rejected", t0)
			order(a, "confirmed", t1)

			must(t, db.Migrate(ctx))
			count := func(q string, args ...any) int64 {
				t.Helper()
				n, err := db.QueryCount(ctx, q, args...)
				must(t, err)
				return n
			}
			check(t, "follow-ups of store 2", count("SELECT COUNT(*) FROM follow_ups WHERE store_id = 2"), 1)
			check(t, "follow-ups with a due", count("SELECT COUNT(*) FROM follow_ups WHERE due_at IS NOT NULL"), 0)
			check(t, "a's steps (first contact an hour after)", count(`SELECT COUNT(*) FROM leads WHERE id = ? AND first_contact_ms = 3600000
				AND visited_at = ? AND ordered_at = ? AND test_driven_at IS NULL`, a, t1, t1), 1)
			check(t, "b's steps (a day and an hour)", count(`SELECT COUNT(*) FROM leads WHERE id = ? AND first_contact_ms = 90000000
				AND visited_at IS NULL AND ordered_at IS NULL`, b), 1)

			// After the upgrade: an order refused later gives its step back.
			must(t, db.ExecRaw(ctx, "UPDATE orders SET state = 'rejected' WHERE lead_id = ?", a))
			check(t, "a's order refused", count("SELECT COUNT(*) FROM leads WHERE id = ? AND ordered_at IS NULL", a), 1)

			// Version 28 (the activity): each lead's first contact kept
			// on it, backfilled, then brought earlier (never later) by a
			// follow-up logged after the upgrade.
			check(t, "a's and b's first contacts", count(`SELECT COUNT(*) FROM leads WHERE (id = ? AND first_contact_at = ?) OR (id = ? AND first_contact_at = ?)`, a, t0, b, t1), 2)
			must(t, db.ExecRaw(ctx, `INSERT INTO follow_ups (lead_id, staff_id, channel, at, store_id) VALUES (?, ?, 'phone', ?, 2)`, b, owner.ID, t0))
			must(t, db.ExecRaw(ctx, `INSERT INTO follow_ups (lead_id, staff_id, channel, at, store_id) VALUES (?, ?, 'phone', ?, 1)`, a, owner.ID, now))
			check(t, "brought earlier, never later", count(`SELECT COUNT(*) FROM leads WHERE first_contact_at = ? AND id IN (?, ?)`, t0, a, b), 2)
		})
	}
}

// TestReport_ReadsBesideWriters: a report's transaction is one read-only
// snapshot that holds up no writer — a staff member added while it is open
// is stored at once, and the report does not see them.
func TestReport_ReadsBesideWriters(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		MustCreateStaff(t, db, "Before")
		opened, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		var first, second int64
		go func() {
			done <- db.InReadTx(ctx, func(ctx context.Context) error {
				var err error
				if first, err = db.QueryCount(ctx, "SELECT COUNT(*) FROM staff"); err != nil {
					return err
				}
				close(opened)
				<-release
				second, err = db.QueryCount(ctx, "SELECT COUNT(*) FROM staff")
				return err
			})
		}()
		<-opened
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		start := time.Now()
		err := db.CreateStaff(wctx, &domain.Staff{Name: "During", Roles: domain.Roles{domain.RoleConsultant}})
		took := time.Since(start)
		close(release)
		if err != nil || took > time.Second {
			t.Fatalf("a write beside an open report: %v after %s", err, took)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		check(t, "the report's snapshot before and after the write", [2]int64{first, second}, [2]int64{1, 1})
		n, err := db.QueryCount(ctx, "SELECT COUNT(*) FROM staff")
		check(t, "stored", n, int64(2))
		must(t, err)
	})
}

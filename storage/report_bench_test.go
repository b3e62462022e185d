package storage_test

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// reportSeedNow is 2026-12-01 10:00 in Shanghai: the month reported is
// November, over.
var reportSeedNow = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)

// BenchmarkReport_Group1M measures the group's month report (issue 15:
// under 5 s and 300 MB) over a million leads of 2,000 staff in 50 stores,
// against its floor in the same run: the bare grouped count of the same
// leads per store (owner, source), which a report that also follows each
// lead through the funnel cannot beat. Two seedings per driver:
//
//   - spread: the leads over 120 days (storagetest.SeedGroup), so November
//     holds a quarter of them; the snapshot figures (overdue, ungraded)
//     still run over all of them;
//   - inmonth: the same million all created in November, the worst case.
//
// Beside every lead's own rows the seed writes, set-based (INSERT …
// SELECT from the leads, never a row at a time): about 1.5 million
// follow-ups, 333,000 visits, 111,000 test drives, 50,000 orders, 250,000
// invitations, 100,000 handovers, 20,000 collisions, 10,000 complaints,
// 2,000 stock cars, 50 demo cars and 25,000 allocations. PostgreSQL runs when
// DEALERBOT_TEST_POSTGRES_DSN is set (its server's memory is not the
// process's, so peak-RSS is the bot's side only).
func BenchmarkReport_Group1M(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds a million leads")
	}
	for _, driver := range []string{storage.DriverSQLite, storage.DriverPostgres} {
		b.Run(driver, func(b *testing.B) {
			for _, inMonth := range []bool{false, true} {
				name := "spread"
				if inMonth {
					name = "inmonth"
				}
				b.Run(name, func(b *testing.B) { benchmarkGroupReport(b, driver, inMonth) })
			}
		})
	}
}

func benchmarkGroupReport(b *testing.B, driver string, inMonth bool) {
	const stores, staff, leads = 50, 2_000, 1_000_000
	db := storagetest.OpenDriver(b, driver)
	start := time.Now()
	info := storagetest.SeedGroup(b, db, stores, staff, leads, reportSeedNow)
	seedReportRows(b, db, driver, inMonth)
	gm := &domain.Staff{StoreID: info.Stores[0].ID, Name: "集团总经理", Roles: domain.Roles{domain.RoleGroupGM}}
	if err := db.CreateStaff(ctx, gm); err != nil {
		b.Fatal(err)
	}
	db.Now = func() time.Time { return reportSeedNow }
	month := domain.PeriodOf(domain.PeriodMonth, reportSeedNow.AddDate(0, -1, 0), info.Calendar)
	cohort, err := db.QueryCount(ctx, "SELECT COUNT(*) FROM leads WHERE created_at >= ? AND created_at < ?", month.From, month.To)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: seeded %d stores, %d staff, %d leads (%d created in %s) and their rows in %s",
		driver, stores, staff, leads, cohort, month.Label(), time.Since(start).Round(time.Second))

	b.Run("report", func(b *testing.B) {
		b.ReportAllocs()
		m := startMemPeak()
		for b.Loop() {
			rep, err := db.Report(ctx, gm.ID, domain.ReportQuery{Period: month})
			if err != nil {
				b.Fatal(err)
			}
			if len(rep.Stores) != stores || rep.Group.Funnel.Leads != int(cohort) || rep.Group.Funnel.Visits == 0 ||
				rep.Group.Discipline.FollowUpsDue == 0 || rep.Group.Complaints.Opened == 0 || rep.Group.Stock.Fresh+rep.Group.Stock.Aging+rep.Group.Stock.Overdue == 0 ||
				rep.Group.Stock.AllocationWaits == 0 ||
				rep.Group.Activity.NewLeads != int(cohort) || rep.Group.Activity.FirstContacts == 0 || rep.Group.Activity.Visits == 0 {
				b.Fatalf("report: %d stores, group %+v; want %d leads", len(rep.Stores), *rep.Group, cohort)
			}
		}
		m.report(b)
	})
	b.Run("floor", func(b *testing.B) {
		b.ReportAllocs()
		m := startMemPeak()
		for b.Loop() {
			var n int64
			for _, st := range info.Stores {
				c, err := db.QueryCount(ctx, `SELECT owner_id, source, COUNT(*) FROM leads
					WHERE store_id = ? AND created_at >= ? AND created_at < ? GROUP BY owner_id, source`, st.ID, month.From, month.To)
				if err != nil {
					b.Fatal(err)
				}
				n += c
			}
			if n != cohort {
				b.Fatalf("floor counted %d leads, want %d", n, cohort)
			}
		}
		m.report(b)
	})
}

// seedReportRows writes, set-based, the rows a report counts beside the
// leads SeedGroup stored (see BenchmarkReport_Group1M); with inMonth the
// leads are first moved into November. Each table is loaded with its
// indexes dropped and built again after (storage.BulkLoad).
func seedReportRows(b testing.TB, db *storage.DB, driver string, inMonth bool) {
	b.Helper()
	load := func(table string, stmts ...string) {
		b.Helper()
		err := db.BulkLoad(ctx, table, func(ctx context.Context) error {
			for _, s := range stmts {
				if err := db.ExecRaw(ctx, s); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if inMonth { // every lead created in November (Shanghai), at its own second
		move := `UPDATE leads SET created_at = strftime('%Y-%m-%d %H:%M:%S', '2026-10-31 16:00:00',
			'+' || (id % 30) || ' days', '+' || ((id * 7919) % 86400) || ' seconds') || '+00:00'`
		if driver == storage.DriverPostgres {
			move = `UPDATE leads SET created_at = timestamptz '2026-10-31 16:00:00+00'
				+ (id % 30) * interval '1 day' + ((id * 7919) % 86400) * interval '1 second'`
		}
		load("leads", move)
	}
	load("follow_ups",
		// The last contact, answering the due the lead has now (on time).
		`INSERT INTO follow_ups (lead_id, staff_id, channel, note, at, grade_before, grade_after, store_id, owner_id, due_at)
			SELECT id, owner_id, 'phone', '', last_contact_at, grade, grade, store_id, owner_id, next_due_at
			FROM leads WHERE last_contact_at IS NOT NULL`,
		// Every other lead called as it came in (R1.3).
		`INSERT INTO follow_ups (lead_id, staff_id, channel, note, at, grade_before, grade_after, store_id, owner_id, due_at)
			SELECT id, owner_id, 'phone', '', created_at, 'N', 'N', store_id, owner_id, created_at
			FROM leads WHERE id % 2 = 0`)
	load("visits", `INSERT INTO visits (lead_id, registered_by, consultant_id, "first", arrived_at, store_id)
		SELECT id, owner_id, owner_id, TRUE, created_at, store_id FROM leads WHERE id % 3 = 0`)
	load("vehicles",
		`INSERT INTO vehicles (store_id, vin, model, state, arrived_at, created_by, created_at, updated_at)
			SELECT id, 'DEMO' || id, 'Camry', 'demo', created_at, 0, created_at, created_at FROM stores`,
		`INSERT INTO vehicles (store_id, vin, model, state, arrived_at, created_by, created_at, updated_at)
			SELECT store_id, 'STK' || id, model, CASE WHEN id % 1000 = 0 THEN 'reserved' ELSE 'in_stock' END,
				created_at, 0, created_at, created_at FROM leads WHERE id % 500 = 0`)
	load("test_drives", `INSERT INTO test_drives (store_id, vehicle_id, lead_id, consultant_id, slot_start, slot_end, state,
			created_by, created_at, updated_at)
		SELECT l.store_id, v.id, l.id, l.owner_id, l.created_at, l.created_at, CASE WHEN l.id % 18 = 0 THEN 'cancelled' ELSE 'returned' END,
			l.owner_id, l.created_at, l.created_at
		FROM leads l JOIN vehicles v ON v.store_id = l.store_id AND v.state = 'demo' WHERE l.id % 9 = 0`)
	load("orders", `INSERT INTO orders (store_id, lead_id, consultant_id, model, trim, colour, list_price_fen, agreed_price_fen,
			deposit_fen, payment, state, created_at, updated_at)
		SELECT store_id, id, owner_id, model, '', '', 20000000, 19000000, 500000, 'cash',
			CASE WHEN id % 40 = 0 THEN 'rejected' ELSE 'confirmed' END, created_at, created_at
		FROM leads WHERE id % 20 = 0`)
	load("allocations", `INSERT INTO allocations (store_id, order_id, vehicle_id, state, allocated_at)
		SELECT o.store_id, o.id, v.id, 'released', o.updated_at
		FROM orders o JOIN vehicles v ON v.store_id = o.store_id AND v.state = 'demo' WHERE o.state = 'confirmed'`)
	load("appointments", `INSERT INTO appointments (store_id, lead_id, telesales_id, at, status, created_at)
		SELECT store_id, id, owner_id, created_at, CASE WHEN id % 8 = 0 THEN 'missed' ELSE 'arrived' END, created_at
		FROM leads WHERE id % 4 = 0`)
	load("handovers", `INSERT INTO handovers (store_id, lead_id, from_id, to_id, expected_buy_by, status, created_at, decided_at)
		SELECT store_id, id, owner_id, owner_id, created_at, 'accepted', created_at, created_at FROM leads WHERE id % 10 = 1`)
	load("collisions", `INSERT INTO collisions (store_id, lead_id, owner_id, claimant_id, phone, claimed_at, status, winner_id, decided_at)
		SELECT store_id, id, owner_id, owner_id + 1, phone, created_at, 'ruled', owner_id, created_at FROM leads WHERE id % 50 = 1`)
	load("complaints", `INSERT INTO complaints (store_id, customer, phone, channel, subject, department, description, status,
			appraisal, satisfaction, created_at, opened_at, first_reply_at, contacted_at, closed_at)
		SELECT store_id, name, phone,
			CASE id % 4 WHEN 0 THEN 'onsite' WHEN 1 THEN 'ticket' WHEN 2 THEN 'followup' ELSE 'phone' END,
			CASE WHEN id % 3 = 0 THEN 'service' ELSE 'product' END, '销售部', '-',
			CASE WHEN id % 200 = 0 THEN 'closed' ELSE 'open' END, id % 7 = 0,
			CASE WHEN id % 200 = 0 THEN 'satisfied' ELSE '' END,
			created_at, created_at, last_contact_at, last_contact_at, CASE WHEN id % 200 = 0 THEN last_contact_at END
		FROM leads WHERE id % 100 = 0`)
	load("complaint_cards", `INSERT INTO complaint_cards (complaint_id, staff_id, kind, msg_key, created_at)
		SELECT id, owner_id, 'esc', 'cmp-esc:' || id, created_at FROM complaints WHERE id % 5 = 0`)
	if driver == storage.DriverPostgres {
		// What autovacuum does to a table soon after a bulk load: the
		// planner's statistics, and the visibility map without which an
		// index-only scan still visits every row's page (the report took
		// 7.3 s instead of 0.7 s before it).
		if err := db.ExecRaw(ctx, "VACUUM ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
}

// memPeak samples the Go heap while a benchmark runs, and resets the
// process's peak resident set (Linux: /proc/self/clear_refs) so that
// VmHWM afterwards is the peak during the run — the database's caches
// included when it runs in the process (SQLite).
type memPeak struct {
	stop     chan struct{}
	wg       sync.WaitGroup
	maxHeap  uint64
	baseHeap uint64
	rss      bool
}

func startMemPeak() *memPeak {
	runtime.GC()
	m := &memPeak{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	m.baseHeap = sample[0].Value.Uint64()
	m.rss = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			m.maxHeap = max(m.maxHeap, sample[0].Value.Uint64())
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// report stops the sampling and reports peak-heap-MB (the most live heap
// above what was live at the start) and peak-RSS-MB (the process's).
func (m *memPeak) report(b *testing.B) {
	close(m.stop)
	m.wg.Wait()
	b.ReportMetric(float64(m.maxHeap-min(m.baseHeap, m.maxHeap))/(1<<20), "peak-heap-MB")
	if m.rss {
		if kb := procStatusKB("VmHWM"); kb > 0 {
			b.ReportMetric(float64(kb)/1024, "peak-RSS-MB")
		}
	}
	msPerOp(b)
}

// procStatusKB reads a "kB" line of /proc/self/status; 0 when absent.
func procStatusKB(key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), key+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

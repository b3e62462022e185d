package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// today is the store date of now (Monday 2026-03-02 17:30 in Shanghai).
const today = "2026-03-02"

// mustEnrolled stores an active member linked to Telegram id tg.
func mustEnrolled(tb testing.TB, db *storage.DB, name string, tg int64, roles ...domain.Role) *domain.Staff {
	tb.Helper()
	s := &domain.Staff{Name: name, Roles: roles, TelegramID: tg, Lang: domain.LangZH}
	if err := db.CreateStaff(ctx, s); err != nil {
		tb.Fatalf("create staff %q: %v", name, err)
	}
	return s
}

// TestR5_3_ReceptionService: the line built from the consultants on duty
// and not resting; a call, busy, accept, a timeout at the limit exactly,
// away and back; who must be told each time.
func TestR5_3_ReceptionService(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		rec := mustEnrolled(t, db, "Rec", 100, domain.RoleReception)
		a := mustEnrolled(t, db, "A", 101, domain.RoleConsultant)
		b := mustEnrolled(t, db, "B", 102, domain.RoleConsultant)
		c := mustEnrolled(t, db, "C", 103, domain.RoleConsultant)
		d := mustEnrolled(t, db, "D", 104, domain.RoleConsultant)
		limit := db.Stores.Default().Rules.Rota.ReceptionAnswerLimit

		if out, err := db.CallNext(ctx, rec.ID, 0); err != nil || !out.Empty {
			t.Fatalf("nobody on duty: %+v %v", out, err)
		}
		_, err := db.Away(ctx, a.ID)
		AssertError(t, err, domain.EINVALID, "rq.not_in_line")
		for _, s := range []*domain.Staff{a, b, c, d} {
			must(t, db.AssignDuty(ctx, db.Stores.Default().ID, today, "showroom", s.ID))
		}
		must(t, db.ExecRaw(ctx, `INSERT INTO rest_days (staff_id, day, status, created_at) VALUES (?, ?, ?, ?)`,
			d.ID, today, domain.RestApproved, now))
		line := func() string {
			t.Helper()
			q, err := db.Queue(ctx, db.Stores.Default().ID)
			must(t, err)
			return fmt.Sprint(q.Order, q.Calling, q.Misses)
		}
		if got, want := line(), fmt.Sprint([]int64{a.ID, b.ID, c.ID}, 0, map[int64]int{}); got != want {
			t.Fatalf("line %s, want %s", got, want)
		}
		if first, err := db.FirstInLine(ctx, db.Stores.Default().ID); err != nil || first != a.ID {
			t.Fatalf("first in line %d %v", first, err)
		}

		t.Run("CallAndWait", func(t *testing.T) {
			out, err := db.CallNext(ctx, rec.ID, 0)
			if err != nil || out.Call == nil || out.Call.Staff.ID != a.ID || out.Call.Number != 1 || out.Call.Day != today {
				t.Fatalf("call: %+v %v", out, err)
			}
			out, err = db.CallNext(ctx, rec.ID, 0)
			if err != nil || out.Call != nil || out.Waiting == nil || out.Waiting.ID != a.ID || !out.WaitingSince.Equal(now) {
				t.Fatalf("second call: %+v %v", out, err)
			}
			if at, ok, err := db.NextDeadline(ctx, now.AddDate(0, 0, -3)); err != nil || !ok || !at.Equal(now.Add(limit)) {
				t.Fatalf("deadline %s %v %v", at, ok, err)
			}
		})
		t.Run("ErrAnswer", func(t *testing.T) {
			_, err := db.Accept(ctx, today, a.ID, b.ID)
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.Busy(ctx, "2026-03-01", a.ID, a.ID)
			AssertError(t, err, domain.ENOTFOUND, "rq.stale")
			_, err = db.Accept(ctx, today, b.ID, b.ID)
			AssertError(t, err, domain.ENOTFOUND, "rq.stale")
		})
		t.Run("BusyCallsTheNext", func(t *testing.T) {
			p, err := db.Busy(ctx, today, a.ID, a.ID)
			if err != nil || p.Why != "busy" || p.Passed.ID != a.ID || p.Number != 1 || p.Next == nil ||
				p.Next.Staff.ID != b.ID || p.Next.Number != 2 || p.Reception == nil || p.Reception.ID != rec.ID {
				t.Fatalf("busy: %+v %v", p, err)
			}
		})
		t.Run("AcceptSendsToTheBack", func(t *testing.T) {
			out, err := db.Accept(ctx, today, b.ID, b.ID)
			if err != nil || out.Staff.ID != b.ID || out.Number != 2 || out.Reception.ID != rec.ID || out.Lead != nil {
				t.Fatalf("accept: %+v %v", out, err)
			}
			if got, want := line(), fmt.Sprint([]int64{a.ID, c.ID, b.ID}, 0, map[int64]int{}); got != want {
				t.Fatalf("line %s, want %s", got, want)
			}
		})
		t.Run("TimeoutAtTheLimit", func(t *testing.T) {
			if _, err := db.CallNext(ctx, rec.ID, 0); err != nil {
				t.Fatal(err)
			}
			if ps, err := db.Timeouts(ctx, now.Add(limit-time.Second)); err != nil || len(ps) != 0 {
				t.Fatalf("before the limit: %+v %v", ps, err)
			}
			ps, err := db.Timeouts(ctx, now.Add(limit))
			if err != nil || len(ps) != 1 {
				t.Fatalf("at the limit: %+v %v", ps, err)
			}
			if p := ps[0]; p.Why != "timeout" || p.Passed.ID != a.ID || p.Next.Staff.ID != c.ID {
				t.Fatalf("at the limit: %+v %v", p, err)
			}
			if at, ok, err := db.NextDeadline(ctx, now); err != nil || !ok || !at.Equal(now.Add(2*limit)) {
				t.Fatalf("the next call has its full time: %s %v %v", at, ok, err)
			}
			if got, want := line(), fmt.Sprint([]int64{a.ID, c.ID, b.ID}, c.ID, map[int64]int{a.ID: 1}); got != want {
				t.Fatalf("line %s, want %s", got, want)
			}
		})
		t.Run("AwayAndBack", func(t *testing.T) {
			p, err := db.Away(ctx, c.ID) // being called: the next is called
			if err != nil || p == nil || p.Passed.ID != c.ID || p.Next == nil || p.Next.Staff.ID != b.ID {
				t.Fatalf("away: %+v %v", p, err)
			}
			if back, err := db.Back(ctx, b.ID); err != nil || !back.Already {
				t.Fatalf("back while there: %+v %v", back, err)
			}
			if back, err := db.Back(ctx, c.ID); err != nil || back.Already || back.Position != 3 {
				t.Fatalf("back: %+v %v", back, err)
			}
		})
		t.Run("WalkIn", func(t *testing.T) {
			must(t, db.TookWalkIn(ctx, a.ID))
			if q, err := db.Queue(ctx, db.Stores.Default().ID); err != nil || q.Order[len(q.Order)-1] != a.ID {
				t.Fatalf("walk-in: %+v %v", q, err)
			}
		})
	})
}

// TestR5_3_AcceptNamesTheCustomer: reception named the waiting customer;
// Accept says whose visit to register, once.
func TestR5_3_AcceptNamesTheCustomer(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		rec := mustEnrolled(t, db, "Rec", 100, domain.RoleReception)
		a := mustEnrolled(t, db, "A", 101, domain.RoleConsultant)
		l := MustCreateLead(t, db, newLead(a, "Wang", "13100000001"))
		must(t, db.AssignDuty(ctx, db.Stores.Default().ID, today, "showroom", a.ID))
		if _, err := db.CallNext(ctx, rec.ID, l.ID); err != nil {
			t.Fatal(err)
		}
		out, err := db.Accept(ctx, today, a.ID, a.ID)
		if err != nil || out.Lead == nil || out.Lead.ID != l.ID || out.Registrar != rec.ID {
			t.Fatalf("accept: %+v %v", out, err)
		}
		if _, err := db.CallNext(ctx, rec.ID, 0); err != nil {
			t.Fatal(err)
		}
		if out, err := db.Accept(ctx, today, a.ID, a.ID); err != nil || out.Lead != nil {
			t.Fatalf("the next customer is nobody named: %+v %v", out, err)
		}
	})
}

// TestMigrateV11ToV12 carries the reception lines stored as JSON in
// bot_state (as the version-11 bot wrote them) over into reception_queues
// and reception_entries, and leaves the rest of bot_state alone.
func TestMigrateV11ToV12(t *testing.T) {
	for _, driver := range []string{storage.DriverSQLite, storage.DriverPostgres} {
		t.Run(driver, func(t *testing.T) {
			db := fixClock(storagetest.OpenUnmigrated(t, driver))
			must(t, db.MigrateTo(ctx, 11))
			must(t, db.SetState(ctx, "telegram.offset", "42"))
			// Called at 17:29:30.123456 in Shanghai: 09:29:30.123456 UTC.
			must(t, db.SetState(ctx, "queue:"+today, `{"day":"2026-03-02","order":[7,5,9,3],"away":{"9":true},`+
				`"calling":5,"called_at":"2026-03-02T17:29:30.123456789+08:00","misses":{"7":2},"skipped":[7],`+
				`"reception":11,"calls":4,"lead_id":17}`))
			must(t, db.SetState(ctx, "queue:2026-03-01", `{"day":"2026-03-01","order":[3],"called_at":"0001-01-01T00:00:00Z"}`))

			must(t, db.Migrate(ctx))
			q, err := db.Queue(ctx, db.Stores.Default().ID)
			must(t, err)
			called := time.Date(2026, 3, 2, 9, 29, 30, 123000000, time.UTC) // SQLite keeps milliseconds
			if driver == storage.DriverPostgres {
				called = called.Add(457 * time.Microsecond) // PostgreSQL rounds to microseconds
			}
			want := domain.ReceptionQueue{StoreID: db.Stores.Default().ID, Day: today, Order: []int64{7, 5, 9, 3}, Away: map[int64]bool{9: true},
				Calling: 5, CalledAt: called, Misses: map[int64]int{7: 2}, Skipped: []int64{7}, Reception: 11, Calls: 4, LeadID: 17}
			if fmt.Sprintf("%+v", *q) != fmt.Sprintf("%+v", want) {
				t.Fatalf("carried over\n%+v, want\n%+v", *q, want)
			}
			if at, ok, err := db.NextDeadline(ctx, now); err != nil || !ok || !at.Equal(called.Add(db.Stores.Default().Rules.Rota.ReceptionAnswerLimit)) {
				t.Fatalf("deadline %s %v %v", at, ok, err)
			}
			if n, err := db.QueryCount(ctx, `SELECT COUNT(*) FROM reception_entries WHERE day = '2026-03-01' AND staff_id = 3`); err != nil || n != 1 {
				t.Fatalf("yesterday's line: %d %v", n, err)
			}
			if n, err := db.QueryCount(ctx, `SELECT COUNT(*) FROM bot_state WHERE "key" LIKE 'queue:%'`); err != nil || n != 0 {
				t.Fatalf("%d queue rows left in bot_state, %v", n, err)
			}
			if v, ok, err := db.GetState(ctx, "telegram.offset"); err != nil || !ok || v != "42" {
				t.Fatalf("state %q %v %v", v, ok, err)
			}
		})
	}
}

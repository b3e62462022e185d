package storage_test

import (
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// The rest and duty rotas and the reception line of a group of stores
// (chapter 5, issue 12): each store's own, decided on its own calendar and
// rules, among its own people.

// staffIn stores an active, enrolled member of store st.
func staffIn(tb testing.TB, db *storage.DB, st *domain.Store, name string, tg int64, roles ...domain.Role) *domain.Staff {
	tb.Helper()
	s := &domain.Staff{StoreID: st.ID, Name: name, Roles: roles, TelegramID: tg, Lang: domain.LangZH}
	if err := db.CreateStaff(ctx, s); err != nil {
		tb.Fatalf("create staff %q in %s: %v", name, st.Code, err)
	}
	return s
}

// staffIDs lists the members' ids.
func staffIDs(list []*domain.Staff) []int64 {
	out := make([]int64, len(list))
	for i, s := range list {
		out[i] = s.ID
	}
	return out
}

// TestStores_R5_1_RestLimitsPerStore: two people off in store A do not
// count against store B's max_off_per_day; B's holidays are B's; the card
// goes to B's supervisor only, A's supervisor cannot find B's request, and
// names in a swap or a plan are B's people. The clock is Monday
// 2026-03-02.
func TestStores_R5_1_RestLimitsPerStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		a := db.Stores.Default()
		b := storagetest.AddStore(t, db, "b2", "Asia/Shanghai")
		b.Calendar.Holidays = []string{"2026-03-12"} // B's own holiday
		bossA := staffIn(t, db, a, "主管", 10, domain.RoleSupervisor)
		a1 := staffIn(t, db, a, "甲一", 11, domain.RoleConsultant)
		a2 := staffIn(t, db, a, "甲二", 12, domain.RoleConsultant)
		a3 := staffIn(t, db, a, "王伟", 13, domain.RoleConsultant)
		bossB := staffIn(t, db, b, "主管", 20, domain.RoleSupervisor) // the same name, another store
		b1 := staffIn(t, db, b, "乙一", 21, domain.RoleConsultant)
		wangB := staffIn(t, db, b, "王伟", 22, domain.RoleConsultant)
		const day = "2026-03-10" // a Tuesday
		grantRest(t, db, a1, day)
		grantRest(t, db, a2, day)
		tue := on(db, day)

		_, err := db.RequestRest(ctx, a3.ID, tue)
		AssertError(t, err, domain.EINVALID, "rest.day_full") // A is full that day
		out, err := db.RequestRest(ctx, b1.ID, tue)
		if err != nil {
			t.Fatalf("B's first person off that day: %v", err)
		}
		if out.Rest.StoreID != b.ID || len(out.Approvers) != 1 || out.Approvers[0].ID != bossB.ID {
			t.Fatalf("B's request %+v, approvers %v; want store %d and %d only", out.Rest, staffIDs(out.Approvers), b.ID, bossB.ID)
		}
		if n, err := db.OffOnDay(ctx, b.ID, day, 0); err != nil || n != 1 {
			t.Fatalf("off in B: %d %v", n, err)
		}
		if n, err := db.OffOnDay(ctx, a.ID, day, 0); err != nil || n != 2 {
			t.Fatalf("off in A: %d %v", n, err)
		}

		t.Run("HolidaysOnTheStoresCalendar", func(t *testing.T) {
			_, err := db.RequestRest(ctx, wangB.ID, on(db, "2026-03-12"))
			AssertError(t, err, domain.EINVALID, "rest.holiday")
			if _, err := db.RequestRest(ctx, a3.ID, on(db, "2026-03-12")); err != nil {
				t.Fatalf("A works on B's holiday: %v", err)
			}
		})
		t.Run("AnotherStoresRequestIsNotFound", func(t *testing.T) {
			_, err := db.DecideRest(ctx, out.Rest.ID, domain.Decision{DeciderID: bossA.ID, Verdict: domain.Approved})
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
			got, err := db.DecideRest(ctx, out.Rest.ID, domain.Decision{DeciderID: bossB.ID, Verdict: domain.Approved})
			if err != nil || got.Rest.Status != domain.RestApproved || len(got.Approvers) != 1 || got.Approvers[0].ID != bossB.ID {
				t.Fatalf("B's supervisor decides: %+v %v", got, err)
			}
		})
		t.Run("NamesAreTheStoresPeople", func(t *testing.T) {
			sw, err := db.RequestSwap(ctx, domain.SwapRequest{RequesterID: b1.ID, Day: tue, Colleague: "王伟"})
			if err != nil || sw.Colleague.ID != wangB.ID {
				t.Fatalf("swap with 王伟 of B: %+v %v", sw, err)
			}
			_, err = db.RequestSwap(ctx, domain.SwapRequest{RequesterID: b1.ID, Day: tue, Colleague: "甲一"})
			AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
			plan, err := planMonth(db, bossB.ID, tue, []string{"王伟: 17", "甲一: 18"})
			if err != nil || len(plan.Problems) != 1 || plan.Problems[0].Key != "rota.line_unknown" {
				t.Fatalf("plan of B naming A's 甲一: %+v %v", plan, err)
			}
			plan, err = planMonth(db, bossB.ID, tue, []string{"王伟: 17"})
			if err != nil || len(plan.Problems) != 0 || rotaText(plan.Rota) != "2026-03 乙一:[10] 王伟:[17] " {
				t.Fatalf("plan of B: %+v %q %v", plan, rotaText(plan.Rota), err)
			}
			if r, err := db.Rota(ctx, bossA.ID, tue); err != nil || rotaText(r) != "2026-03 甲一:[10] 甲二:[10] " {
				t.Fatalf("A's rota: %q %v", rotaText(r), err)
			}
		})
	})
}

// TestStores_R5_2_DutyPerStore: each store plans its own duty with its
// own duty roles (B overrides rules.rota.duty_roles) and names of its own
// people; the reminder and the rest conflicts are each store's, told to
// its own supervisors.
func TestStores_R5_2_DutyPerStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db) // Monday 2026-03-02 17:30 in Shanghai
		a := db.Stores.Default()
		b := storagetest.AddStore(t, db, "b2", "Asia/Shanghai")
		b.Rules.Rota.DutyRoles = []domain.DutyRole{{Name: "valet", Tasks: []string{"泊车"}}}
		supA := staffIn(t, db, a, "主管", 10, domain.RoleSupervisor)
		chenA := staffIn(t, db, a, "陈顾问", 11, domain.RoleConsultant)
		supB := staffIn(t, db, b, "主管", 20, domain.RoleSupervisor)
		chenB := staffIn(t, db, b, "陈顾问", 21, domain.RoleConsultant)
		staffIn(t, db, b, "马顾问", 22, domain.RoleConsultant)
		const tue = "2026-03-03"

		if out, err := db.SetDuty(ctx, supA.ID, on(db, tue), "opening", "陈顾问"); err != nil || out.Staff.ID != chenA.ID {
			t.Fatalf("A's 陈顾问: %+v %v", out, err)
		}
		if out, err := db.SetDuty(ctx, supB.ID, on(db, tue), "valet", "陈顾问"); err != nil || out.Staff.ID != chenB.ID {
			t.Fatalf("B's 陈顾问: %+v %v", out, err)
		}
		_, err := db.SetDuty(ctx, supA.ID, on(db, tue), "valet", "陈顾问")
		AssertError(t, err, domain.EINVALID, "") // not a duty role of A
		_, err = db.SetDuty(ctx, supB.ID, on(db, tue), "opening", "陈顾问")
		AssertError(t, err, domain.EINVALID, "") // B has only valet
		_, err = db.SetDuty(ctx, supA.ID, on(db, tue), "opening", "马顾问")
		AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		_, err = db.SetWeekly(ctx, supA.ID, time.Tuesday, "closing", "马顾问")
		AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		_, err = db.UnsetDuty(ctx, supA.ID, on(db, tue), "opening", "马顾问")
		AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")

		r, err := db.Duties(ctx, chenB.ID, on(db, tue))
		if err != nil || len(r.Assignments) != 1 || r.Assignments[0].StaffID != chenB.ID || r.Assignments[0].Role != "valet" {
			t.Fatalf("B's roster: %+v %v", r, err)
		}
		for _, st := range []*domain.Store{a, b} {
			rem, err := db.DutyReminder(ctx, st.ID, on(db, tue))
			want := map[int64]int64{a.ID: chenA.ID, b.ID: chenB.ID}[st.ID]
			if err != nil || rem.StoreID != st.ID || len(rem.Roster) != 1 || rem.Roster[0].Staff.ID != want {
				t.Fatalf("reminder of %s: %+v %v", st.Code, rem, err)
			}
		}
		// B's 陈顾问 rests on Tuesday: only B's supervisor hears of it.
		must(t, db.ExecRaw(ctx, `INSERT INTO rest_days (store_id, staff_id, day, status, created_at) VALUES (?, ?, ?, ?, ?)`,
			b.ID, chenB.ID, tue, domain.RestApproved, now))
		if cs, err := db.RestConflicts(ctx, a.ID, on(db, tue)); err != nil || len(cs) != 0 {
			t.Fatalf("A has no conflict: %+v %v", cs, err)
		}
		cs, err := db.RestConflicts(ctx, b.ID, on(db, tue))
		if err != nil || len(cs) != 1 || cs[0].Staff.ID != chenB.ID || len(cs[0].Supervisors) != 1 || cs[0].Supervisors[0].ID != supB.ID {
			t.Fatalf("B's conflict: %+v %v", cs, err)
		}
	})
}

// TestStores_R5_3_ReceptionLinesPerStore: two stores each have their own
// line the same day, each timed by its own rules; a call in A never
// reaches B's consultants; a customer of another store cannot be named.
func TestStores_R5_3_ReceptionLinesPerStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		a := db.Stores.Default()
		b := storagetest.AddStore(t, db, "b2", "Asia/Shanghai")
		b.Rules.Rota.ReceptionAnswerLimit = 2 * a.Rules.Rota.ReceptionAnswerLimit
		recA := staffIn(t, db, a, "前台", 10, domain.RoleReception)
		a1 := staffIn(t, db, a, "甲一", 11, domain.RoleConsultant)
		a2 := staffIn(t, db, a, "甲二", 12, domain.RoleConsultant)
		recB := staffIn(t, db, b, "前台", 20, domain.RoleReception)
		b1 := staffIn(t, db, b, "乙一", 21, domain.RoleConsultant)
		b2 := staffIn(t, db, b, "乙二", 22, domain.RoleConsultant)
		for _, s := range []*domain.Staff{a1, a2} {
			must(t, db.AssignDuty(ctx, a.ID, today, "showroom", s.ID))
		}
		for _, s := range []*domain.Staff{b1, b2} {
			must(t, db.AssignDuty(ctx, b.ID, today, "showroom", s.ID))
		}

		callA, err := db.CallNext(ctx, recA.ID, 0)
		if err != nil || callA.Call == nil || callA.Call.Staff.ID != a1.ID || callA.Call.StoreID != a.ID || callA.Call.Number != 1 {
			t.Fatalf("A's call: %+v %v", callA, err)
		}
		callB, err := db.CallNext(ctx, recB.ID, 0)
		if err != nil || callB.Call == nil || callB.Call.Staff.ID != b1.ID || callB.Call.StoreID != b.ID || callB.Call.Number != 1 {
			t.Fatalf("B's own line, its own first call: %+v %v", callB, err)
		}
		qa, err := db.Queue(ctx, a.ID)
		must(t, err)
		qb, err := db.Queue(ctx, b.ID)
		must(t, err)
		if qa.StoreID != a.ID || len(qa.Order) != 2 || qa.Order[0] != a1.ID || qa.Order[1] != a2.ID || qa.Calling != a1.ID ||
			qb.StoreID != b.ID || len(qb.Order) != 2 || qb.Order[0] != b1.ID || qb.Order[1] != b2.ID || qb.Calling != b1.ID {
			t.Fatalf("lines A %+v B %+v", qa, qb)
		}
		// B's consultant cannot answer A's call, nor stand in A's line.
		_, err = db.Accept(ctx, today, a1.ID, b1.ID)
		AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")

		// At A's limit only A's call is passed over, to A's next; B's
		// runs to its own, longer limit.
		limitA, limitB := a.Rules.Rota.ReceptionAnswerLimit, b.Rules.Rota.ReceptionAnswerLimit
		if at, ok, err := db.NextDeadline(ctx, now); err != nil || !ok || !at.Equal(now.Add(limitA)) {
			t.Fatalf("first deadline %s %v %v", at, ok, err)
		}
		ps, err := db.Timeouts(ctx, now.Add(limitA))
		if err != nil || len(ps) != 1 || ps[0].StoreID != a.ID || ps[0].Passed.ID != a1.ID || ps[0].Next.Staff.ID != a2.ID ||
			ps[0].Reception.ID != recA.ID {
			t.Fatalf("A's timeout: %+v %v", ps, err)
		}
		ps, err = db.Timeouts(ctx, now.Add(limitB))
		if err != nil || len(ps) != 2 {
			t.Fatalf("both at B's limit: %+v %v", ps, err)
		}
		for _, p := range ps {
			switch {
			case p.StoreID == a.ID && p.Passed.ID == a2.ID && p.Next == nil: // everyone in A passed this round
			case p.StoreID == b.ID && p.Passed.ID == b1.ID && p.Next != nil && p.Next.Staff.ID == b2.ID && p.Next.StoreID == b.ID &&
				p.Reception.ID == recB.ID:
			default:
				t.Fatalf("store %d: passed %d, next %+v", p.StoreID, p.Passed.ID, p.Next)
			}
		}
		if first, err := db.FirstInLine(ctx, b.ID); err != nil || (first != b1.ID && first != b2.ID) {
			t.Fatalf("B's first in line %d %v", first, err)
		}

		t.Run("AnotherStoresCustomer", func(t *testing.T) {
			l := MustCreateLead(t, db, newLead(a1, "Wang", "13100000001"))
			_, err := db.CallNext(ctx, recB.ID, l.ID)
			AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		})
	})
}

package storage_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// cleanupFixture is a store with a consultant whose showroom leads the
// clean-up takes (B, C, L) and keeps (H), a supervisor, a manager and two
// telesales.
type cleanupFixture struct {
	db                     *storage.DB
	cons, sup, mgr, t1, t2 *domain.Staff
	leads                  map[domain.Grade]*domain.Lead
}

const cleanupMonth = "2026-03"

func newCleanupFixture(t *testing.T, db *storage.DB) *cleanupFixture {
	t.Helper()
	fixClock(db)
	db.Stores.Default().Rules = domain.DefaultRules()
	f := &cleanupFixture{db: db, leads: map[domain.Grade]*domain.Lead{}}
	f.cons = MustEnrolStaff(t, db, "Cons", 201, domain.RoleConsultant)
	f.sup = MustEnrolStaff(t, db, "Sup", 202, domain.RoleSupervisor)
	f.mgr = MustEnrolStaff(t, db, "Mgr", 203, domain.RoleManager)
	f.t1 = MustEnrolStaff(t, db, "Tele1", 204, domain.RoleTelesales)
	f.t2 = MustEnrolStaff(t, db, "Tele2", 205, domain.RoleTelesales)
	for i, g := range []domain.Grade{domain.GradeB, domain.GradeC, domain.GradeL, domain.GradeH} {
		l := newLead(f.cons, "C"+string(g), fmt.Sprintf("1370000000%d", i))
		l.Pool = domain.PoolShowroom
		MustCreateLead(t, db, l)
		l.Grade = g
		MustUpdateLead(t, db, l)
		f.leads[g] = l
	}
	return f
}

// TestR1_13_CleanupCases: the month's pending cases are the active
// consultants' with leads to move and no ruling yet; the cards go to the
// supervisors, or to the managers when there is none.
func TestR1_13_CleanupCases(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newCleanupFixture(t, db)
		// A telesales' own showroom lead is no consultant's case.
		l := newLead(f.t1, "T", "13700000009")
		l.Pool, l.Grade = domain.PoolShowroom, domain.GradeN
		MustCreateLead(t, db, l)
		l.Grade = domain.GradeC
		MustUpdateLead(t, db, l)

		t.Run("OK", func(t *testing.T) {
			p, err := db.CleanupCases(ctx, 1, cleanupMonth)
			must(t, err)
			if p.Month != cleanupMonth || len(p.Cases) != 1 || p.Cases[0].Owner.ID != f.cons.ID {
				t.Fatalf("proposal %+v", p)
			}
			want := []int64{f.leads[domain.GradeB].ID, f.leads[domain.GradeC].ID, f.leads[domain.GradeL].ID}
			if got := ids(p.Cases[0].Leads); !slices.Equal(got, want) {
				t.Fatalf("leads %v, want %v", got, want)
			}
			if got := names(p.Recipients); !slices.Equal(got, []string{"Sup"}) {
				t.Fatalf("recipients %v", got)
			}
		})
		t.Run("ManagersWithoutSupervisor", func(t *testing.T) {
			must(t, db.DeactivateStaff(ctx, f.sup.ID))
			p, err := db.CleanupCases(ctx, 1, cleanupMonth)
			must(t, err)
			if got := names(p.Recipients); !slices.Equal(got, []string{"Mgr"}) {
				t.Fatalf("recipients %v", got)
			}
		})
		t.Run("ErrMonth", func(t *testing.T) {
			_, err := db.CleanupCases(ctx, 1, "2026-3")
			AssertError(t, err, domain.EINVALID, "err.invalid")
		})
		t.Run("DoneIsNoCase", func(t *testing.T) {
			_, err := db.ApproveCleanup(ctx, cleanupMonth, f.cons.ID, f.mgr.ID, false)
			must(t, err)
			p, err := db.CleanupCases(ctx, 1, cleanupMonth)
			must(t, err)
			if len(p.Cases) != 0 {
				t.Fatalf("cases after approval: %+v", p.Cases)
			}
		})
	})
}

// TestR1_13_CleanupReview: a review's toggles are kept for every reviewer,
// and only a supervisor, manager or general manager other than the owner
// may review.
func TestR1_13_CleanupReview(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newCleanupFixture(t, db)
		c := f.leads[domain.GradeC].ID
		t.Run("OK", func(t *testing.T) {
			got, err := db.ToggleCleanup(ctx, cleanupMonth, f.cons.ID, c, f.sup.ID)
			must(t, err)
			if !got.Excluded[c] || len(got.Excluded) != 1 {
				t.Fatalf("excluded %v", got.Excluded)
			}
			seen, err := db.ReviewCleanup(ctx, cleanupMonth, f.cons.ID, f.mgr.ID)
			must(t, err)
			if !seen.Excluded[c] || len(seen.Leads) != 3 || seen.Decision != nil {
				t.Fatalf("the manager sees %+v", seen)
			}
			back, err := db.ToggleCleanup(ctx, cleanupMonth, f.cons.ID, c, f.mgr.ID)
			must(t, err)
			if len(back.Excluded) != 0 {
				t.Fatalf("toggled back: excluded %v", back.Excluded)
			}
			// Another month's review is its own.
			_, err = db.ToggleCleanup(ctx, "2026-04", f.cons.ID, c, f.sup.ID)
			must(t, err)
			if seen, _ := db.ReviewCleanup(ctx, cleanupMonth, f.cons.ID, f.sup.ID); len(seen.Excluded) != 0 {
				t.Fatalf("excluded %v", seen.Excluded)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			for _, by := range []int64{f.cons.ID, f.t1.ID, 999999} {
				_, err := db.ReviewCleanup(ctx, cleanupMonth, f.cons.ID, by)
				AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
				_, err = db.ToggleCleanup(ctx, cleanupMonth, f.cons.ID, c, by)
				AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			}
		})
		t.Run("ErrNotCandidate", func(t *testing.T) {
			_, err := db.ToggleCleanup(ctx, cleanupMonth, f.cons.ID, f.leads[domain.GradeH].ID, f.sup.ID)
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		})
		t.Run("ErrOwnerNotFound", func(t *testing.T) {
			_, err := db.ReviewCleanup(ctx, cleanupMonth, 999999, f.sup.ID)
			AssertError(t, err, domain.ENOTFOUND, "")
		})
	})
}

// TestR1_13_CleanupApprove: an approval moves the leads (less a review's
// exclusions when reviewed) to the telesales pool, shared out evenly, the
// least loaded first; each move is a lead event; it happens once.
func TestR1_13_CleanupApprove(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newCleanupFixture(t, db)
		// Tele1 has one open lead already: Tele2 gets the first.
		MustCreateLead(t, db, newLead(f.t1, "Own", "13700000008"))
		b, c, l := f.leads[domain.GradeB], f.leads[domain.GradeC], f.leads[domain.GradeL]
		_, err := db.ToggleCleanup(ctx, cleanupMonth, f.cons.ID, c.ID, f.sup.ID)
		must(t, err)

		t.Run("ErrForbidden", func(t *testing.T) {
			_, err := db.ApproveCleanup(ctx, cleanupMonth, f.cons.ID, f.cons.ID, true)
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		})
		t.Run("OK", func(t *testing.T) {
			out, err := db.ApproveCleanup(ctx, cleanupMonth, f.cons.ID, f.sup.ID, true)
			must(t, err)
			if got := ids(out.Case.Leads); !slices.Equal(got, []int64{b.ID, l.ID}) {
				t.Fatalf("moved %v", got)
			}
			d := out.Case.Decision
			if d == nil || d.DeciderID != f.sup.ID || !d.At.Equal(now) || !d.Approved() || out.Decider.ID != f.sup.ID {
				t.Fatalf("decision %+v by %+v", d, out.Decider)
			}
			if len(out.Shares) != 2 || out.Shares[0].To.ID != f.t2.ID || ids(out.Shares[0].Leads)[0] != b.ID ||
				out.Shares[1].To.ID != f.t1.ID || ids(out.Shares[1].Leads)[0] != l.ID {
				t.Fatalf("shares %+v", out.Shares)
			}
			if got := names(out.Recipients); !slices.Equal(got, []string{"Sup"}) {
				t.Fatalf("recipients %v", got)
			}
			for id, want := range map[int64]int64{b.ID: f.t2.ID, l.ID: f.t1.ID, c.ID: f.cons.ID} {
				got, err := db.LeadByID(ctx, id)
				must(t, err)
				pool := domain.PoolTelesales
				if want == f.cons.ID {
					pool = domain.PoolShowroom
				}
				if got.OwnerID != want || got.Pool != pool {
					t.Errorf("lead %d: owner %d pool %s, want %d %s", id, got.OwnerID, got.Pool, want, pool)
				}
			}
			evs, err := db.LeadEvents(ctx, b.ID, 10)
			must(t, err)
			kinds := map[string]string{}
			for _, e := range evs {
				if e.Why == domain.WhyCleanup && e.StaffID == f.sup.ID {
					kinds[e.Kind] = e.From + ">" + e.To
				}
			}
			if kinds[domain.EventOwner] != fmt.Sprintf("%d>%d", f.cons.ID, f.t2.ID) || kinds[domain.EventPool] != "showroom>telesales" {
				t.Fatalf("events %+v", evs)
			}
		})
		t.Run("ErrAlready", func(t *testing.T) {
			_, err := db.ApproveCleanup(ctx, cleanupMonth, f.cons.ID, f.mgr.ID, false)
			AssertError(t, err, domain.ECONFLICT, "cleanup.already")
			_, err = db.ReviewCleanup(ctx, cleanupMonth, f.cons.ID, f.mgr.ID)
			AssertError(t, err, domain.ECONFLICT, "cleanup.already")
			_, err = db.ToggleCleanup(ctx, cleanupMonth, f.cons.ID, c.ID, f.mgr.ID)
			AssertError(t, err, domain.ECONFLICT, "cleanup.already")
		})
	})
}

// TestR1_13_CleanupNoTelesales: without active telesales an approval is
// refused and nothing moves or is recorded.
func TestR1_13_CleanupNoTelesales(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newCleanupFixture(t, db)
		must(t, db.DeactivateStaff(ctx, f.t1.ID))
		must(t, db.DeactivateStaff(ctx, f.t2.ID))
		_, err := db.ApproveCleanup(ctx, cleanupMonth, f.cons.ID, f.sup.ID, false)
		AssertError(t, err, domain.EINVALID, "cleanup.no_telesales")
		got, err := db.LeadByID(ctx, f.leads[domain.GradeB].ID)
		must(t, err)
		if got.OwnerID != f.cons.ID || got.Pool != domain.PoolShowroom {
			t.Fatalf("lead moved: %+v", got)
		}
		c, err := db.ReviewCleanup(ctx, cleanupMonth, f.cons.ID, f.sup.ID)
		must(t, err)
		if c.Decision != nil {
			t.Fatalf("refused approval recorded: %+v", c.Decision)
		}
	})
}

// TestMigrateV10ToV11 upgrades a database that a version-10 program used:
// the clean-up's rulings and review exclusions move from bot_state into
// their tables, and the runtime state stays.
func TestMigrateV10ToV11(t *testing.T) {
	for _, driver := range []string{storage.DriverSQLite, storage.DriverPostgres} {
		t.Run(driver, func(t *testing.T) {
			db := fixClock(storagetest.OpenUnmigrated(t, driver))
			db.Stores.Default().Rules = domain.DefaultRules()
			must(t, db.MigrateTo(ctx, 10))
			// Rows as version 10's program wrote them (its columns, no store).
			staffAt10 := func(name string, tg int64, role domain.Role) *domain.Staff {
				must(t, db.ExecRaw(ctx, fmt.Sprintf(`INSERT INTO staff (name, roles, telegram_id, lang, active, created_at)
					VALUES ('%s', ',%s,', %d, 'zh', TRUE, %s)`, name, role, tg, storage.TimeLiteral(now))))
				n, err := db.QueryCount(ctx, `SELECT MAX(id) FROM staff`)
				must(t, err)
				return &domain.Staff{ID: n, Name: name}
			}
			cons := staffAt10("Cons", 301, domain.RoleConsultant)
			done := staffAt10("Done", 302, domain.RoleConsultant)
			sup := staffAt10("Sup", 303, domain.RoleSupervisor)
			var leads []*domain.Lead
			for i, g := range []domain.Grade{domain.GradeB, domain.GradeC, domain.GradeL} {
				must(t, db.ExecRaw(ctx, fmt.Sprintf(`INSERT INTO leads (name, phone, source, model, grade, owner_id, pool, created_at)
					VALUES ('L%s', '1380000000%d', 'call', 'Camry', '%s', %d, 'showroom', %s)`,
					g, i, g, cons.ID, storage.TimeLiteral(now.AddDate(0, 0, -30)))))
				id, err := db.QueryCount(ctx, `SELECT MAX(id) FROM leads`)
				must(t, err)
				leads = append(leads, &domain.Lead{ID: id, Grade: g})
			}
			// bot_state as version 10's bot wrote it.
			must(t, db.SetState(ctx, "telegram.offset", "42"))
			must(t, db.SetState(ctx, fmt.Sprintf("cleanup-done:%s:%d", cleanupMonth, done.ID), fmt.Sprint(sup.ID)))
			must(t, db.SetState(ctx, fmt.Sprintf("cleanup-review:%s:%d", cleanupMonth, cons.ID), fmt.Sprintf("[%d,%d]", leads[0].ID, leads[2].ID)))
			must(t, db.SetState(ctx, fmt.Sprintf("cleanup-review:2026-02:%d", cons.ID), "[]"))

			must(t, db.Migrate(ctx))
			if v, err := db.SchemaVersion(ctx); err != nil || v < 11 {
				t.Fatalf("version %d, %v", v, err)
			}
			c, err := db.ReviewCleanup(ctx, cleanupMonth, cons.ID, sup.ID)
			must(t, err)
			if len(c.Excluded) != 2 || !c.Excluded[leads[0].ID] || !c.Excluded[leads[2].ID] {
				t.Fatalf("excluded %v", c.Excluded)
			}
			if moving := ids(c.Moving(true)); !slices.Equal(moving, []int64{leads[1].ID}) {
				t.Fatalf("moving %v", moving)
			}
			_, err = db.ReviewCleanup(ctx, cleanupMonth, done.ID, sup.ID)
			AssertError(t, err, domain.ECONFLICT, "cleanup.already")
			n, err := db.QueryCount(ctx, `SELECT COUNT(*) FROM cleanup_rulings WHERE decider_id = ? AND decided_at IS NULL`, sup.ID)
			if err != nil || n != 1 {
				t.Fatalf("carried rulings %d, %v", n, err)
			}
			if v, ok, err := db.GetState(ctx, "telegram.offset"); err != nil || !ok || v != "42" {
				t.Fatalf("offset %q %v %v", v, ok, err)
			}
			n, err = db.QueryCount(ctx, `SELECT COUNT(*) FROM bot_state WHERE "key" LIKE 'cleanup%'`)
			if err != nil || n != 0 {
				t.Fatalf("clean-up rows left in bot_state: %d, %v", n, err)
			}
		})
	}
}

func TestR1_13_Cleanup(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		x := MustCreateStaff(t, db, "X")
		y := MustCreateStaff(t, db, "Y")
		var want []int64
		n := 0
		mk := func(owner *domain.Staff, pool domain.Pool, g domain.Grade) *domain.Lead {
			n++
			l := newLead(owner, fmt.Sprintf("L%d", n), fmt.Sprintf("136%08d", n))
			l.Pool = pool
			MustCreateLead(t, db, l)
			l.Grade = g
			MustUpdateLead(t, db, l)
			return l
		}
		for _, g := range []domain.Grade{domain.GradeN, domain.GradeH, domain.GradeA, domain.GradeB, domain.GradeC,
			domain.GradeO, domain.GradeD, domain.GradeF, domain.GradeL} {
			l := mk(x, domain.PoolShowroom, g)
			switch g {
			case domain.GradeB, domain.GradeC, domain.GradeL, domain.GradeF:
				want = append(want, l.ID)
			}
			mk(x, domain.PoolTelesales, g)
		}
		// N leads: taken once their first week is over (created at or
		// before the cut-off), kept while it lasts.
		cutoff := now.AddDate(0, 0, -7)
		for _, c := range []struct {
			created time.Time
			taken   bool
		}{{cutoff.Add(-time.Hour), true}, {cutoff, true}, {cutoff.Add(time.Second), false}} {
			n++
			l := newLead(x, fmt.Sprintf("L%d", n), fmt.Sprintf("136%08d", n))
			l.Pool, l.CreatedAt = domain.PoolShowroom, c.created
			MustCreateLead(t, db, l)
			if c.taken {
				want = append(want, l.ID)
			}
		}
		slices.Sort(want)
		mk(y, domain.PoolShowroom, domain.GradeC)
		mk(y, domain.PoolShowroom, domain.GradeH)
		got, err := db.CleanupCandidates(ctx, x.ID, cutoff)
		if err != nil || !slices.Equal(ids(got), want) {
			t.Fatalf("candidates %v, want %v, %v", ids(got), want, err)
		}
		if got, err := db.CleanupCandidates(ctx, 999999, cutoff); err != nil || len(got) != 0 {
			t.Fatalf("nobody's %v, %v", got, err)
		}
		if counts, err := db.OwnersWithCleanup(ctx, 1, cutoff); err != nil || fmt.Sprint(counts) != fmt.Sprint(map[int64]int{x.ID: 6, y.ID: 1}) {
			t.Fatalf("owners %v, %v", counts, err)
		}
	})
}

// TestStores_R1_13_CleanupPerStore: each store's clean-up has its own
// consultants' cases and its own supervisors' cards; a supervisor of one
// store cannot see or rule on another's case; approved, the leads go to
// the consultant's store's telesales only.
func TestStores_R1_13_CleanupPerStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newCleanupFixture(t, db)
		xj := storagetest.AddStore(t, db, "xj", "Asia/Urumqi")
		xCons := mustEnrolIn(t, db, xj, "XCons", 301, domain.RoleConsultant)
		xSup := mustEnrolIn(t, db, xj, "XSup", 302, domain.RoleSupervisor)
		xTele := mustEnrolIn(t, db, xj, "XTele", 303, domain.RoleTelesales)
		l := leadIn(xCons, "XC", "13700000001") // the same phone as a main lead: another store's customer
		l.Pool = domain.PoolShowroom
		MustCreateLead(t, db, l)
		l.Grade = domain.GradeC
		MustUpdateLead(t, db, l)

		for _, c := range []struct {
			store      int64
			owner, sup string
		}{{1, "Cons", "Sup"}, {xj.ID, "XCons", "XSup"}} {
			p, err := db.CleanupCases(ctx, c.store, cleanupMonth)
			must(t, err)
			var owners []string
			for _, k := range p.Cases {
				owners = append(owners, k.Owner.Name)
			}
			if fmt.Sprint(owners) != "["+c.owner+"]" || fmt.Sprint(names(p.Recipients)) != "["+c.sup+"]" {
				t.Errorf("store %d: cases of %v to %v, want [%s] to [%s]", c.store, owners, names(p.Recipients), c.owner, c.sup)
			}
		}
		_, err := db.ReviewCleanup(ctx, cleanupMonth, xCons.ID, f.sup.ID)
		AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		_, err = db.ApproveCleanup(ctx, cleanupMonth, f.cons.ID, xSup.ID, false)
		AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")

		out, err := db.ApproveCleanup(ctx, cleanupMonth, xCons.ID, xSup.ID, false)
		must(t, err)
		if len(out.Shares) != 1 || out.Shares[0].To.ID != xTele.ID || fmt.Sprint(names(out.Recipients)) != "[XSup]" {
			t.Fatalf("shares %+v to %v: want all to XTele, XSup told", out.Shares, names(out.Recipients))
		}
		if p, err := db.CleanupCases(ctx, 1, cleanupMonth); err != nil || len(p.Cases) != 1 {
			t.Errorf("main's cases after xj's approval: %+v, %v", p, err)
		}
	})
}

package storage_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestSeedGroup checks the benchmark fixture: the counts it reports are
// the store's, and the leads follow the rules.
func TestSeedGroup(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		const stores, staff, leads = 2, 40, 2000
		info := storagetest.SeedGroup(t, db, stores, staff, leads, now)
		count := func(q string, args ...any) int {
			t.Helper()
			n, err := db.QueryCount(ctx, q, args...)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		t.Run("Staff", func(t *testing.T) {
			want := map[domain.Role]int{domain.RoleConsultant: 28, domain.RoleTelesales: 8, domain.RoleSupervisor: 2, domain.RoleManager: 2}
			for r, n := range want {
				// Over every store of the group.
				stored := count(`SELECT COUNT(*) FROM staff WHERE active AND roles LIKE ?`, "%,"+string(r)+",%")
				if stored != n || info.Roles[r] != n {
					t.Errorf("%s: %d stored, %d reported; want %d", r, stored, info.Roles[r], n)
				}
			}
			for _, tg := range []int64{1, staff} {
				if _, err := db.StaffByTelegramID(ctx, tg); err != nil {
					t.Errorf("telegram id %d: %v", tg, err)
				}
			}
		})
		t.Run("Stores", func(t *testing.T) {
			if len(info.Stores) != stores || db.Stores.Len() != stores || info.Stores[0].Code != domain.DefaultStoreCode {
				t.Fatalf("stores %v, db has %s", info.Stores, db.Stores.Codes())
			}
			due := 0
			for _, st := range info.Stores {
				if n := count("SELECT COUNT(*) FROM staff WHERE store_id = ?", st.ID); n != staff/stores {
					t.Errorf("store %s: %d staff, want %d", st.Code, n, staff/stores)
				}
				n := count("SELECT COUNT(*) FROM leads WHERE store_id = ? AND next_due_at < ?", st.ID, info.TomorrowStart)
				if n == 0 || n != info.DueOf[st.ID] {
					t.Errorf("store %s: %d leads due, %d reported", st.Code, n, info.DueOf[st.ID])
				}
				due += n
			}
			if due != info.Overdue+info.DueToday {
				t.Errorf("%d due over the stores, %d+%d reported", due, info.Overdue, info.DueToday)
			}
			if n := count("SELECT COUNT(*) FROM leads JOIN staff ON staff.id = leads.owner_id WHERE staff.store_id <> leads.store_id"); n != 0 {
				t.Errorf("%d leads in another store than their owner's", n)
			}
		})
		t.Run("Leads", func(t *testing.T) {
			if n := count("SELECT COUNT(*) FROM leads"); n != leads {
				t.Fatalf("%d leads", n)
			}
			if n := count("SELECT COUNT(DISTINCT phone) FROM leads"); n != leads {
				t.Fatalf("%d phones for %d leads", n, leads)
			}
			share := map[domain.Grade]float64{domain.GradeN: .10, domain.GradeH: .10, domain.GradeA: .25, domain.GradeB: .30,
				domain.GradeC: .15, domain.GradeO: .03, domain.GradeF: .05, domain.GradeL: .02}
			for g, s := range share {
				n := count("SELECT COUNT(*) FROM leads WHERE grade = ?", string(g))
				if n != info.Grades[g] || math.Abs(float64(n)/leads-s) > 0.03 {
					t.Errorf("grade %s: %d stored, %d reported, want about %.0f", g, n, info.Grades[g], s*leads)
				}
			}
			due := count("SELECT COUNT(*) FROM leads WHERE next_due_at < ?", info.TomorrowStart)
			if due != info.Overdue+info.DueToday || due < leads/4 || due > leads*42/100 {
				t.Errorf("%d leads due, %d+%d reported; want about a third", due, info.Overdue, info.DueToday)
			}
		})
		t.Run("Rules", func(t *testing.T) {
			for id := int64(1); id <= leads; id += 7 {
				l, err := db.LeadByID(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				want, ok := domain.NextFollowUp(l, info.Rules, info.Calendar)
				switch {
				case !ok && l.NextDueAt != nil, ok && (l.NextDueAt == nil || !l.NextDueAt.Equal(want)):
					t.Fatalf("lead %d of grade %s is due at %v, want %v", id, l.Grade, l.NextDueAt, want)
				case l.CreatedAt.After(now) || l.CreatedAt.Before(now.AddDate(0, 0, -120)):
					t.Fatalf("lead %d created %v", id, l.CreatedAt)
				case l.LastContactAt != nil && (l.LastContactAt.Before(l.CreatedAt) || l.LastContactAt.After(now)):
					t.Fatalf("lead %d created %v, last contacted %v", id, l.CreatedAt, l.LastContactAt)
				case l.Grade == domain.GradeN && now.Sub(l.CreatedAt) > 14*24*time.Hour:
					t.Fatalf("lead %d ungraded after %v", id, now.Sub(l.CreatedAt))
				}
				owner, err := db.StaffByID(ctx, l.OwnerID)
				if err != nil || !owner.Roles.HasAny(domain.RoleConsultant, domain.RoleTelesales) {
					t.Fatalf("lead %d owned by %+v, %v", id, owner, err)
				}
				if p := domain.StartPool(l.Source, owner.Roles); l.Pool != p {
					t.Fatalf("lead %d from %s of %v is in pool %s", id, l.Source, owner.Roles, l.Pool)
				}
			}
		})
		t.Run("Sample", func(t *testing.T) {
			s, err := db.StaffByTelegramID(ctx, info.ConsultantTelegramID)
			if err != nil || s.ID != info.ConsultantID || !s.Roles.Has(domain.RoleConsultant) {
				t.Fatalf("sample consultant %+v, %v; reported %d", s, err, info.ConsultantID)
			}
			due, err := db.DueLeads(ctx, info.ConsultantID, info.TomorrowStart, 0)
			if err != nil || !slices.Contains(ids(due), info.LeadID) {
				t.Fatalf("due leads of the sample %v, %v; want %d among them", ids(due), err, info.LeadID)
			}
		})
	})
}

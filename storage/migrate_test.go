package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// schemaVersion is the latest migration: every upgrade test ends there.
const schemaVersion = 28

func TestMigrate(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		t.Run("TwiceIsNoOp", func(t *testing.T) {
			s := MustCreateStaff(t, db, "Kept")
			for range 2 {
				if err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if v, err := db.SchemaVersion(ctx); err != nil || v != schemaVersion {
				t.Fatalf("version %d, %v", v, err)
			}
			if got, err := db.StaffByID(ctx, s.ID); err != nil || got.Name != "Kept" {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	})
}

// TestMigrateV2ToV3 upgrades a database that a version-2 program used:
// its staff, state and outbox stay, the outbox learns edits, and leads can
// be stored.
func TestMigrateV2ToV3(t *testing.T) {
	for _, driver := range []string{storage.DriverSQLite, storage.DriverPostgres} {
		t.Run(driver, func(t *testing.T) {
			db := fixClock(storagetest.OpenUnmigrated(t, driver))
			must(t, db.MigrateTo(ctx, 2))
			if v, err := db.SchemaVersion(ctx); err != nil || v != 2 {
				t.Fatalf("version %d, %v", v, err)
			}
			owner := oldStaff(t, db, "Veteran")
			must(t, db.SetState(ctx, "telegram.offset", "42"))
			// The outbox as version 2 wrote it: no edit_message_id.
			must(t, db.ExecRaw(ctx, `INSERT INTO outbox ("key", chat_id, text, status, next_attempt_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`, "old:1", 5, "<b>old</b>", domain.OutboxPending, now, now))

			must(t, db.Migrate(ctx))
			if v, err := db.SchemaVersion(ctx); err != nil || v != schemaVersion {
				t.Fatalf("version %d, %v", v, err)
			}
			if got, err := db.StaffByID(ctx, owner.ID); err != nil || got.Name != "Veteran" {
				t.Fatalf("staff %+v, %v", got, err)
			}
			if v, ok, err := db.GetState(ctx, "telegram.offset"); err != nil || !ok || v != "42" {
				t.Fatalf("state %q %v %v", v, ok, err)
			}
			old := MustGet(t, db, "old:1")
			if old.Text != "<b>old</b>" || old.EditMsgID != 0 || !old.CreatedAt.Equal(now) {
				t.Fatalf("old message %+v", old)
			}
			edit := msg("edit:1", 5)
			edit.EditMsgID = 99
			MustEnqueue(t, db, edit)
			if got := MustGet(t, db, "edit:1"); got.EditMsgID != 99 {
				t.Fatalf("edit %+v", got)
			}
			first := newLead(owner, "First lead", "13100000001")
			first.StoreID = db.Stores.Default().ID // the old staff row is store 1's by the migration's default
			l := MustCreateLead(t, db, first)
			assertLead(t, db, l)
		})
	}
}

// TestMigrateV3ToV4 upgrades a database that a version-3 program used:
// its leads stay, invited by nobody, and can then record an inviter,
// appointments, handovers, collisions and events.
func TestMigrateV3ToV4(t *testing.T) {
	for _, driver := range []string{storage.DriverSQLite, storage.DriverPostgres} {
		t.Run(driver, func(t *testing.T) {
			db := fixClock(storagetest.OpenUnmigrated(t, driver))
			must(t, db.MigrateTo(ctx, 3))
			owner := oldStaff(t, db, "Veteran")
			// A lead as version 3 wrote it: no invited_by.
			must(t, db.ExecRaw(ctx, `INSERT INTO leads (name, phone, source, model, grade, owner_id, pool, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, "Old", "13100000009", "call", "Camry", "H", owner.ID, "telesales", now))

			must(t, db.Migrate(ctx))
			if v, err := db.SchemaVersion(ctx); err != nil || v != schemaVersion {
				t.Fatalf("version %d, %v", v, err)
			}
			old, err := db.LeadByPhone(ctx, "13100000009")
			if err != nil || old.Name != "Old" || old.Grade != domain.GradeH || old.InvitedBy != 0 || !old.CreatedAt.Equal(now) {
				t.Fatalf("old lead %+v, %v", old, err)
			}
			old.InvitedBy = owner.ID
			MustUpdateLead(t, db, old)
			assertLead(t, db, old)
			a := &domain.Appointment{LeadID: old.ID, TelesalesID: owner.ID, At: now.Add(time.Hour)}
			must(t, db.CreateAppointment(ctx, a))
			must(t, db.CreateHandover(ctx, &domain.Handover{LeadID: old.ID, FromID: owner.ID, ToID: owner.ID}))
			if ok, err := db.CreateCollision(ctx, &domain.Collision{LeadID: old.ID, OwnerID: owner.ID, ClaimantID: 7,
				Phone: old.Phone}); err != nil || !ok {
				t.Fatalf("collision %v, %v", ok, err)
			}
			must(t, db.AddLeadEvent(ctx, &domain.LeadEvent{LeadID: old.ID, Kind: domain.EventOwner, Why: domain.WhyManual}))
		})
	}
}

// openSQLite opens, without migrating, a store on a new file.
func openSQLite(tb testing.TB) (*storage.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "m.db")
	db, err := storage.Open(storage.Config{Path: path})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, path
}

func TestMigrateSQLite(t *testing.T) {
	t.Run("Unmigrated", func(t *testing.T) {
		db, _ := openSQLite(t)
		if v, err := db.SchemaVersion(ctx); err != nil || v != 0 {
			t.Fatalf("version %d, %v", v, err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		_, path := openSQLite(t)
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			db, err := storage.Open(storage.Config{Path: path})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			wg.Go(func() { errs[i] = db.Migrate(ctx) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("ErrNewerSchema", func(t *testing.T) {
		db, path := openSQLite(t)
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		raw, err := gorm.Open(sqlite.Open(path), &gorm.Config{Logger: logger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		if err := raw.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (999, ?)", now).Error; err != nil {
			t.Fatal(err)
		}
		if sqlDB, err := raw.DB(); err == nil {
			sqlDB.Close()
		}
		if err := db.Migrate(ctx); err == nil {
			t.Fatal("migrated a database of a newer program")
		}
	})
}

// TestMigrateV4ToV5 upgrades a database that a version-4 program used:
// its leads stay, and complaints and their actions can be stored.
func TestMigrateV4ToV5(t *testing.T) {
	for _, driver := range []string{storage.DriverSQLite, storage.DriverPostgres} {
		t.Run(driver, func(t *testing.T) {
			db := fixClock(storagetest.OpenUnmigrated(t, driver))
			must(t, db.MigrateTo(ctx, 4))
			if v, err := db.SchemaVersion(ctx); err != nil || v != 4 {
				t.Fatalf("version %d, %v", v, err)
			}
			owner := oldStaff(t, db, "Veteran")
			// A lead as version 4 wrote it.
			must(t, db.ExecRaw(ctx, `INSERT INTO leads (name, phone, source, model, grade, owner_id, pool, created_at, invited_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, "Old", "13100000009", "call", "Camry", "H", owner.ID, "telesales", now, 0))

			must(t, db.Migrate(ctx))
			if v, err := db.SchemaVersion(ctx); err != nil || v != schemaVersion {
				t.Fatalf("version %d, %v", v, err)
			}
			l, err := db.LeadByPhone(ctx, "13100000009")
			if err != nil || l.Name != "Old" {
				t.Fatalf("old lead %+v, %v", l, err)
			}
			c := newComplaint(owner, "Sales")
			c.LeadID = l.ID
			must(t, db.CreateComplaint(ctx, c))
			assertComplaint(t, db, c)
			must(t, db.AddComplaintAction(ctx, &storage.ComplaintAction{ComplaintID: c.ID, StaffID: owner.ID, Kind: "reply"}))
			if as, err := db.ComplaintActions(ctx, c.ID); err != nil || len(as) != 1 || !as[0].At.Equal(now) {
				t.Fatalf("actions %+v, %v", as, err)
			}
		})
	}
}

// TestMigrateV9ToV10 upgrades a database that a version-9 program used:
// its leads were never reopened, and a lead reopened afterwards counts its
// first week from the reopening (domain.FirstWeekStart).
func TestMigrateV9ToV10(t *testing.T) {
	for _, driver := range []string{storage.DriverSQLite, storage.DriverPostgres} {
		t.Run(driver, func(t *testing.T) {
			db := fixClock(storagetest.OpenUnmigrated(t, driver))
			must(t, db.MigrateTo(ctx, 9))
			owner := oldStaff(t, db, "Veteran")
			created := now.AddDate(0, 0, -30)
			must(t, db.ExecRaw(ctx, `INSERT INTO leads (name, phone, source, model, grade, owner_id, pool, created_at, invited_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, "Old", "13100000009", "walkin", "Camry", "N", owner.ID, "showroom", created, 0))

			must(t, db.Migrate(ctx))
			if v, err := db.SchemaVersion(ctx); err != nil || v != schemaVersion {
				t.Fatalf("version %d, %v", v, err)
			}
			old, err := db.LeadByPhone(ctx, "13100000009")
			if err != nil || old.ReopenedAt != nil || !old.CreatedAt.Equal(created) {
				t.Fatalf("old lead %+v, %v", old, err)
			}
			weekAgo := now.AddDate(0, 0, -7)
			if got, err := db.UngradedCounts(ctx, 1, weekAgo); err != nil || got[owner.ID] != 1 {
				t.Fatalf("ungraded before the reopening %v, %v", got, err)
			}
			reopened := now.Add(-time.Hour)
			old.ReopenedAt = &reopened
			MustUpdateLead(t, db, old)
			assertLead(t, db, old)
			if got, err := db.UngradedCounts(ctx, 1, weekAgo); err != nil || got[owner.ID] != 0 {
				t.Fatalf("ungraded after the reopening %v, %v", got, err)
			}
			if got, err := db.CleanupCandidates(ctx, owner.ID, weekAgo); err != nil || len(got) != 0 {
				t.Fatalf("clean-up takes a lead reopened an hour ago: %v, %v", got, err)
			}
		})
	}
}

// oldStaff inserts a staff member with the columns of schema v1, as the
// release that made an old database would have.
func oldStaff(t *testing.T, db *storage.DB, name string) *domain.Staff {
	t.Helper()
	ctx := context.Background()
	if err := db.ExecRaw(ctx, `INSERT INTO staff (name, roles, lang, active, created_at) VALUES (?, ?, '', ?, `+storage.TimeLiteral(db.Now())+`)`,
		name, ",consultant,", true); err != nil {
		t.Fatal(err)
	}
	n, err := db.QueryCount(ctx, `SELECT MAX(id) FROM staff`)
	if err != nil {
		t.Fatal(err)
	}
	return &domain.Staff{ID: n, Name: name}
}

// TestMigrateSchemaV9 builds schema version 9 from nothing and compares it
// with the one the program built before its DDL moved from Go strings into
// migrations/*/*.sql (testdata/schema_v9_*.txt, written by that program):
// the moved statements make the same tables, columns, constraints and
// indexes, so a database migrated by either is the same.
func TestMigrateSchemaV9(t *testing.T) {
	for _, driver := range []string{storage.DriverSQLite, storage.DriverPostgres} {
		t.Run(driver, func(t *testing.T) {
			db := storagetest.OpenUnmigrated(t, driver)
			must(t, db.MigrateTo(ctx, 9))
			got, err := db.SchemaDump(ctx)
			must(t, err)
			want, err := os.ReadFile(filepath.Join("testdata", "schema_v9_"+driver+".txt"))
			must(t, err)
			if got != string(want) {
				t.Errorf("schema v9 differs from testdata:\n%s", lineDiff(string(want), got))
			}
		})
	}
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

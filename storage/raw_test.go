package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// leadIndexes counts the secondary indexes of leads, as the transaction
// of ctx sees them.
func leadIndexes(tb testing.TB, ctx context.Context, db *storage.DB) int64 {
	tb.Helper()
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads'"
	if db.Driver() == storage.DriverPostgres {
		q = "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'leads' AND schemaname = current_schema() AND indexname <> 'leads_pkey'"
	}
	n, err := db.QueryCount(ctx, q)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// insertLeadSQL writes an INSERT of a lead of owner with the values in.
func insertLeadSQL(owner int64, phone string, created, due time.Time) string {
	return fmt.Sprintf(`INSERT INTO leads (name, phone, source, model, grade, owner_id, pool, created_at, next_due_at)
		VALUES ('Raw', '%s', 'call', 'Camry', 'N', %d, 'telesales', %s, %s)`,
		phone, owner, storage.TimeLiteral(created), storage.TimeLiteral(due))
}

func TestRaw(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		owner := MustCreateStaff(t, db, "Owner")
		cst := time.FixedZone("CST", 8*3600)
		t.Run("TimeLiteral", func(t *testing.T) {
			// Nanoseconds are cut to microseconds, any zone is written in UTC,
			// and the text compares with bound times as the instant does.
			due := time.Date(2026, 3, 2, 17, 30, 0, 123456789, cst)
			created := time.Date(2026, 3, 1, 8, 0, 0, 0, cst)
			must(t, db.ExecRaw(ctx, insertLeadSQL(owner.ID, "13200000001", created, due)))
			stored := due.Truncate(time.Microsecond)
			got, err := db.LeadByPhone(ctx, "13200000001")
			if err != nil || !got.CreatedAt.Equal(created) || got.NextDueAt == nil || !got.NextDueAt.Equal(stored) {
				t.Fatalf("got %+v, %v", got, err)
			}
			for _, c := range []struct {
				before time.Time
				n      int
			}{{stored, 0}, {stored.Add(time.Microsecond), 1}, {stored.Add(time.Microsecond).UTC(), 1}, {stored.Add(-time.Hour), 0}} {
				if list, err := db.DueLeads(ctx, owner.ID, c.before, 0); err != nil || len(list) != c.n {
					t.Fatalf("due before %v: %d, %v; want %d", c.before, len(list), err, c.n)
				}
			}
		})
		t.Run("ExecRawArgs", func(t *testing.T) {
			must(t, db.ExecRaw(ctx, `INSERT INTO dialogs (chat_id, kind, data, updated_at) VALUES (?, ?, ?, ?)`,
				77, "lead", `{"q":"?"} 'quoted'`, now.In(cst)))
			got, err := db.DialogByChat(ctx, 77)
			if err != nil || got.Data != `{"q":"?"} 'quoted'` || !got.UpdatedAt.Equal(now) {
				t.Fatalf("got %+v, %v", got, err)
			}
			// Several statements at once, when nothing is bound.
			must(t, db.ExecRaw(ctx, `DELETE FROM dialogs WHERE chat_id = 77; INSERT INTO dialogs (chat_id, kind, updated_at)
				VALUES (78, 'fu', `+storage.TimeLiteral(now)+`)`))
			if _, err := db.DialogByChat(ctx, 77); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("first statement not run: %v", err)
			}
			if _, err := db.DialogByChat(ctx, 78); err != nil {
				t.Fatalf("second statement not run: %v", err)
			}
			if err := db.ExecRaw(ctx, "INSERT INTO nowhere VALUES (1)"); err == nil {
				t.Fatal("no error from a bad statement")
			}
		})
		t.Run("ExecRawInTx", func(t *testing.T) {
			err := db.InTx(ctx, func(ctx context.Context) error {
				must(t, db.ExecRaw(ctx, insertLeadSQL(owner.ID, "13200000002", now, now)))
				if n, err := db.QueryCount(ctx, "SELECT COUNT(*) FROM leads WHERE phone = ?", "13200000002"); err != nil || n != 1 {
					t.Errorf("in the transaction: %d, %v", n, err)
				}
				return errBoom
			})
			if err != errBoom {
				t.Fatal(err)
			}
			if n, err := db.QueryCount(ctx, "SELECT COUNT(*) FROM leads WHERE phone = ?", "13200000002"); err != nil || n != 0 {
				t.Fatalf("rolled back insert kept: %d, %v", n, err)
			}
		})
		t.Run("QueryCount", func(t *testing.T) {
			other := MustCreateStaff(t, db, "Other")
			for i := range 3 {
				must(t, db.ExecRaw(ctx, insertLeadSQL(other.ID, fmt.Sprintf("1320000010%d", i), now, now.Add(time.Duration(i)*time.Hour))))
			}
			for _, c := range []struct {
				query string
				args  []any
				want  int64
			}{
				{"SELECT COUNT(*) FROM leads WHERE owner_id = ?", []any{other.ID}, 3},
				{"SELECT MAX(id) FROM leads WHERE owner_id = ?", []any{int64(999999)}, 0},
				{"SELECT owner_id, COUNT(*) FROM leads WHERE next_due_at < ? GROUP BY owner_id", []any{now.Add(90 * time.Minute).In(cst)}, 3},
				{"SELECT COUNT(*) FROM leads WHERE owner_id = ? AND next_due_at >= ?", []any{other.ID, now.Add(time.Hour)}, 2},
			} {
				if n, err := db.QueryCount(ctx, c.query, c.args...); err != nil || n != c.want {
					t.Errorf("%s: %d, %v; want %d", c.query, n, err, c.want)
				}
			}
		})
		t.Run("BulkLoad", func(t *testing.T) {
			indexes := leadIndexes(t, ctx, db)
			err := db.BulkLoad(ctx, "leads", func(ctx context.Context) error {
				if n := leadIndexes(t, ctx, db); n != 0 {
					t.Errorf("%d indexes left during the load", n)
				}
				var sql strings.Builder
				for i := range 3 {
					sql.WriteString(insertLeadSQL(owner.ID, fmt.Sprintf("1320000020%d", i), now, now) + ";")
				}
				return db.ExecRaw(ctx, sql.String())
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := leadIndexes(t, ctx, db); n != indexes {
				t.Fatalf("%d indexes after the load, %d before", n, indexes)
			}
			loaded, err := db.LeadByPhone(ctx, "13200000201")
			if err != nil {
				t.Fatal(err)
			}
			assertLeadExists(t, db.CreateLead(ctx, newLead(owner, "Again", "13200000201")), loaded.ID, "Owner")
		})
		t.Run("ErrBulkLoadBreaksUnique", func(t *testing.T) {
			indexes := leadIndexes(t, ctx, db)
			err := db.BulkLoad(ctx, "leads", func(ctx context.Context) error {
				for range 2 {
					if err := db.ExecRaw(ctx, insertLeadSQL(owner.ID, "13200000301", now, now)); err != nil {
						return err
					}
				}
				return nil
			})
			if err == nil || !strings.Contains(err.Error(), "leads_store_id_open_phone_key") {
				t.Fatalf("got %v, want the unique index to refuse", err)
			}
			if n := leadIndexes(t, ctx, db); n != indexes {
				t.Fatalf("%d indexes after the load, %d before", n, indexes)
			}
			if _, err := db.LeadByPhone(ctx, "13200000301"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("a failed load kept rows: %v", err)
			}
		})
	})
}

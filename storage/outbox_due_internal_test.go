package storage

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"
)

// TestDueQueryPlan checks that SQLite answers DueMessages from indexes:
// the chats' heads from the partial outbox_unfinished_chat_id_idx alone,
// in its order, then each head by its id; never by scanning the table.
func TestDueQueryPlan(t *testing.T) {
	db, err := Open(Config{Path: filepath.Join(t.TempDir(), "plan.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for name, skip := range map[string][]int64{"NoSkip": nil, "Skip": {1, 2}} {
		t.Run(name, func(t *testing.T) {
			var rows []outboxRow
			stmt := db.dueQuery(db.gorm.Session(&gorm.Session{DryRun: true}), 50, skip).Find(&rows).Statement
			var plan []struct {
				ID, Parent, Notused int
				Detail              string
			}
			if err := db.gorm.Raw("EXPLAIN QUERY PLAN "+stmt.SQL.String(), stmt.Vars...).Scan(&plan).Error; err != nil {
				t.Fatal(err)
			}
			var details []string
			for _, p := range plan {
				details = append(details, p.Detail)
			}
			text := strings.Join(details, "\n")
			t.Logf("plan:\n%s", text)
			for _, want := range []string{
				"SCAN outbox USING COVERING INDEX outbox_unfinished_chat_id_idx",
				"SEARCH outbox USING INTEGER PRIMARY KEY (rowid=?)",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("plan lacks %q", want)
				}
			}
			for _, d := range details {
				if d == "SCAN outbox" || strings.Contains(d, "TEMP B-TREE FOR GROUP BY") {
					t.Errorf("plan has %q", d)
				}
			}
		})
	}
}

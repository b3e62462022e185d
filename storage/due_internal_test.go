package storage

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLeadOpenGrades checks the SQL list of open grades against the domain.
func TestLeadOpenGrades(t *testing.T) {
	for _, g := range allGrades {
		if in := strings.Contains(leadOpenGrades, "'"+string(g)+"'"); in != g.Open() {
			t.Errorf("grade %s: in leadOpenGrades %v, open %v", g, in, g.Open())
		}
	}
}

// TestLeadQueryPlans checks that SQLite answers the morning push's counts
// and the lead look-ups from indexes: a store's counts from one index
// alone, in its order under the store, never by reading the table or
// sorting.
func TestLeadQueryPlans(t *testing.T) {
	db, err := Open(Config{Path: filepath.Join(t.TempDir(), "plan.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		query string
		args  []any
		want  string
	}{
		{"DueCounts", dueCountsSQL, []any{day, 1, day}, "SEARCH leads USING COVERING INDEX leads_store_due_counts_idx (store_id=?)"},
		{"OverdueCounts", countsByOwnerSQL + "next_due_at < ? GROUP BY owner_id", []any{1, day},
			"SEARCH leads USING COVERING INDEX leads_store_due_counts_idx (store_id=?)"},
		{"UngradedCounts", countsByOwnerSQL + ungradedWhere + " GROUP BY owner_id", []any{1, day},
			"SEARCH leads USING COVERING INDEX leads_store_ungraded_idx (store_id=?)"},
		{"DueLeads", "SELECT * FROM leads WHERE owner_id = ? AND next_due_at < ? ORDER BY next_due_at, id", []any{1, day},
			"SEARCH leads USING INDEX leads_owner_id_next_due_at_idx (owner_id=? AND next_due_at<?)"},
		{"LeadsByOwner", "SELECT * FROM leads WHERE owner_id = ? AND grade IN " + leadOpenGrades + " ORDER BY next_due_at NULLS LAST, id",
			[]any{1}, "SEARCH leads USING INDEX leads_owner_id_next_due_at_idx (owner_id=?)"},
		{"LeadByPhone", "SELECT * FROM leads WHERE phone = ?", []any{"13800138000"}, "(phone=?)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var plan []struct {
				ID, Parent, Notused int
				Detail              string
			}
			if err := db.gorm.Raw("EXPLAIN QUERY PLAN "+c.query, c.args...).Scan(&plan).Error; err != nil {
				t.Fatal(err)
			}
			var details []string
			for _, p := range plan {
				details = append(details, p.Detail)
			}
			text := strings.Join(details, "\n")
			t.Logf("plan:\n%s", text)
			if !strings.Contains(text, c.want) {
				t.Errorf("plan lacks %q", c.want)
			}
			if strings.Contains(text, "SCAN leads\n") || strings.HasSuffix(text, "SCAN leads") {
				t.Errorf("plan reads the whole table")
			}
			if strings.HasSuffix(c.name, "Counts") && strings.Contains(text, "TEMP B-TREE") {
				t.Errorf("plan sorts")
			}
		})
	}
}

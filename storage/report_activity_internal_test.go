package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReportActivityQueryPlans: SQLite answers each count of the report's
// activity from a range of an index under the store and period (migration
// 0028's, 0025's visits and 0027's test drives), never by reading a whole
// table; a personal report's condition changes none of that.
func TestReportActivityQueryPlans(t *testing.T) {
	db, err := Open(Config{Path: filepath.Join(t.TempDir(), "plan.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)
	want := map[string][]string{
		"first contacts":           {"SEARCH leads USING COVERING INDEX leads_store_first_contact_idx (store_id=? AND first_contact_at>? AND first_contact_at<?)"},
		"visits":                   {"SEARCH visits USING INDEX visits_store_id_arrived_at_idx (store_id=? AND arrived_at>? AND arrived_at<?)"},
		"test drives":              {"SEARCH test_drives USING INDEX test_drives_store_slot_idx (store_id=? AND slot_start>? AND slot_start<?)"},
		"orders placed":            {"SEARCH orders USING COVERING INDEX orders_store_created_idx (store_id=? AND created_at>? AND created_at<?)"},
		"orders confirmed":         {"orders_store_decided_idx (store_id=? AND decided_at>? AND decided_at<?)", "orders_store_created_idx (store_id=? AND created_at>? AND created_at<?)"},
		"deliveries":               {"SEARCH orders USING COVERING INDEX orders_store_delivered_idx (store_id=? AND delivered_at>? AND delivered_at<?)"},
		"post-delivery follow-ups": {"SEARCH delivery_follow_ups USING COVERING INDEX delivery_follow_ups_store_done_idx (store_id=? AND done_at>? AND done_at<?)"},
	}
	for _, q := range activitySQL {
		if want[q.what] == nil {
			t.Fatalf("no plan expected for %s", q.what)
		}
		for _, personal := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/personal=%v", q.what, personal), func(t *testing.T) {
				r := &reportRun{db: db}
				if personal {
					r.only = 7
				}
				cond, condArgs := r.whose(q.col)
				args := append([]any{1, from, from.AddDate(0, 0, 1)}, condArgs...)
				args = append(args, args...)
				var plan []struct {
					ID, Parent, Notused int
					Detail              string
				}
				stmt := fmt.Sprintf(q.sql, cond)
				if err := db.gorm.Raw("EXPLAIN QUERY PLAN "+stmt, args[:strings.Count(stmt, "?")]...).Scan(&plan).Error; err != nil {
					t.Fatal(err)
				}
				var details []string
				for _, p := range plan {
					details = append(details, p.Detail)
				}
				text := strings.Join(details, "\n")
				for _, w := range want[q.what] {
					if !strings.Contains(text, w) {
						t.Errorf("plan lacks %q:\n%s", w, text)
					}
				}
				for _, line := range details {
					if strings.HasPrefix(line, "SCAN ") && !strings.HasPrefix(line, "SCAN x") {
						t.Errorf("plan reads a whole table: %q\n%s", line, text)
					}
				}
			})
		}
	}
}

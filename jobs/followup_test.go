package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// TestMorningPush_CatchUpOnlyAfterTheTimeWhileOpen: a bot started after
// 08:30 sends the day's push; one started before, or after closing, leaves
// it to the schedule (or to tomorrow). Run is not reached in those cases:
// the job has no store and would panic.
func TestMorningPush_CatchUpOnlyAfterTheTimeWhileOpen(t *testing.T) {
	loc := mustLoc(t)
	cal := &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	j := &MorningPush{Shop: morningShop(t, 1, "main", cal, domain.DefaultRules())}
	for _, at := range []time.Time{
		time.Date(2026, 12, 1, 8, 0, 0, 0, loc),  // before the push
		time.Date(2026, 12, 1, 19, 0, 0, 0, loc), // after closing
	} {
		if err := j.CatchUp(context.Background(), at); err != nil {
			t.Fatalf("%s: %v", at, err)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a start at 10:00 did not run the push")
		}
	}()
	_ = j.CatchUp(context.Background(), time.Date(2026, 12, 1, 10, 0, 0, 0, loc))
}

// TestMorningPush_Spec: each store's push has its own name and runs at
// its own time in its own zone.
func TestMorningPush_Spec(t *testing.T) {
	urumqi, err := time.LoadLocation("Asia/Urumqi")
	if err != nil {
		t.Fatal(err)
	}
	rules := domain.DefaultRules()
	rules.Leads.MorningPush = 8*60 + 45
	j := &MorningPush{Shop: morningShop(t, 2, "xj", &domain.Calendar{Location: urumqi}, rules)}
	if got := j.Spec(); got != "CRON_TZ=Asia/Urumqi 45 8 * * *" {
		t.Fatalf("spec %q", got)
	}
	if got := j.Name(); got != "morning-push@xj" {
		t.Fatalf("name %q", got)
	}
}

// testShop is a store with an id, as the database would have registered.
func morningShop(t *testing.T, id int64, code string, cal *domain.Calendar, rules domain.Rules) *domain.Store {
	t.Helper()
	st := &domain.Store{ID: id, Code: code, Calendar: cal, Rules: rules}
	if _, err := domain.NewStores(st); err != nil {
		t.Fatal(err)
	}
	return st
}

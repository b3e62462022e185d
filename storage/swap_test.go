package storage_test

import (
	"fmt"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// swapOf is where the swap of rest day id stands, as stored.
func swapOf(t *testing.T, db *storage.DB, id int64) string {
	t.Helper()
	d, err := db.RestDayByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("staff=%d with=%d day=%q stage=%q seq=%d", d.StaffID, d.SwapWith, d.SwapDay, d.SwapStage, d.SwapSeq)
}

// requestSwap asks for a swap as staff type it (/swap 03-10 W [03-17]):
// the chat reads the dates (domain.ParseDay), the service checks them.
func requestSwap(db *storage.DB, requesterID int64, day, colleague, theirDay string) (*domain.SwapRequested, error) {
	r := domain.SwapRequest{RequesterID: requesterID, Colleague: colleague}
	var err error
	if r.Day, err = domain.ParseDay(day, db.Now(), db.Stores.Default().Calendar); err != nil {
		return nil, err
	}
	if theirDay != "" {
		if r.TheirDay, err = domain.ParseDay(theirDay, db.Now(), db.Stores.Default().Calendar); err != nil {
			return nil, err
		}
	}
	return db.RequestSwap(ctx, r)
}

// TestR5_1_SwapService walks swaps through the service, without Telegram:
// the colleague answers first, then the requester's approvers rule once;
// only an approval moves the days. The clock is Monday 2026-03-02.
func TestR5_1_SwapService(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		a := MustEnrolStaff(t, db, "A", 101, domain.RoleConsultant)
		w := MustEnrolStaff(t, db, "W", 102, domain.RoleConsultant)
		MustEnrolStaff(t, db, "Reception", 103, domain.RoleReception)
		boss := MustEnrolStaff(t, db, "Boss", 104, domain.RoleSupervisor)
		mine := grantRest(t, db, a, "2026-03-10")
		theirs := grantRest(t, db, w, "2026-03-17")
		ask := func(t *testing.T, theirDay string) *domain.SwapRequested {
			t.Helper()
			out, err := requestSwap(db, a.ID, "03-10", "W", theirDay)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		t.Run("ErrRequest", func(t *testing.T) {
			for _, tc := range []struct {
				day, with, theirs string
				code, key         string
			}{
				{"03-11", "W", "", domain.EINVALID, "swap.none"},
				{"03-10", "Reception", "", domain.EINVALID, "swap.not_consultant"},
				{"03-10", "Boss", "", domain.EINVALID, "swap.not_consultant"},
				{"03-10", "A", "", domain.EINVALID, "swap.self"},
				{"03-10", "Nobody", "", domain.ENOTFOUND, "err.staff_not_found"},
				{"2026-03-01", "W", "", domain.EINVALID, "rest.past"},
				{"03-10", "W", "03-13", domain.EINVALID, "swap.none_theirs"},
				{"03-10", "W", "13-45", domain.EINVALID, "err.day_bad"},
			} {
				_, err := requestSwap(db, a.ID, tc.day, tc.with, tc.theirs)
				AssertError(t, err, tc.code, tc.key)
			}
			if got := swapOf(t, db, mine.ID); got != fmt.Sprintf(`staff=%d with=0 day="" stage="" seq=0`, a.ID) {
				t.Fatalf("swap recorded: %s", got)
			}
		})
		t.Run("Declined", func(t *testing.T) {
			out := ask(t, "")
			if out.Seq != 1 || out.Requester.ID != a.ID || out.Colleague.ID != w.ID || out.TheirDay != "" || out.Rest.ID != mine.ID {
				t.Fatalf("requested %+v", out)
			}
			_, err := requestSwap(db, a.ID, "03-10", "W", "")
			AssertError(t, err, domain.ECONFLICT, "swap.pending")
			_, err = db.DecideSwap(ctx, mine.ID, domain.Decision{DeciderID: boss.ID, Verdict: domain.Approved})
			AssertError(t, err, domain.ECONFLICT, "swap.stale")
			_, err = db.AgreeSwap(ctx, mine.ID, a.ID)
			AssertError(t, err, domain.ECONFLICT, "swap.stale")
			ans, err := db.DeclineSwap(ctx, mine.ID, w.ID)
			if err != nil || ans.Agreed || ans.Seq != 1 || ans.Requester.ID != a.ID || ans.Approvers != nil || ans.Notify == nil || ans.Notify.ID != a.ID {
				t.Fatalf("declined %+v, %v", ans, err)
			}
			if got := swapOf(t, db, mine.ID); got != fmt.Sprintf(`staff=%d with=0 day="" stage="" seq=1`, a.ID) {
				t.Fatalf("after decline: %s", got)
			}
		})
		t.Run("AgreedThenRejected", func(t *testing.T) {
			if out := ask(t, "03-17"); out.Seq != 2 || out.TheirDay != "2026-03-17" {
				t.Fatalf("requested %+v", out)
			}
			ans, err := db.AgreeSwap(ctx, mine.ID, w.ID)
			if err != nil || !ans.Agreed || ans.Seq != 2 || fmt.Sprint(names(ans.Approvers)) != "[Boss]" || ans.Notify == nil || ans.Notify.ID != a.ID {
				t.Fatalf("agreed %+v, %v", ans, err)
			}
			if got := swapOf(t, db, mine.ID); got != fmt.Sprintf(`staff=%d with=%d day="2026-03-17" stage="agreed" seq=2`, a.ID, w.ID) {
				t.Fatalf("after agreement: %s", got)
			}
			_, err = db.DecideSwap(ctx, mine.ID, domain.Decision{DeciderID: w.ID, Verdict: domain.Approved})
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			out, err := db.DecideSwap(ctx, mine.ID, domain.Decision{DeciderID: boss.ID, Verdict: domain.Rejected})
			if err != nil || out.Decision.Approved() || out.Decider.ID != boss.ID || out.Colleague.ID != w.ID {
				t.Fatalf("decided %+v, %v", out, err)
			}
			if got := swapOf(t, db, mine.ID); got != fmt.Sprintf(`staff=%d with=0 day="" stage="" seq=2`, a.ID) {
				t.Fatalf("after rejection: %s", got)
			}
		})
		t.Run("Approved", func(t *testing.T) {
			ask(t, "03-17")
			if _, err := db.AgreeSwap(ctx, mine.ID, w.ID); err != nil {
				t.Fatal(err)
			}
			out, err := db.DecideSwap(ctx, mine.ID, domain.Decision{DeciderID: boss.ID, Verdict: domain.Approved})
			if err != nil || !out.Decision.Approved() || out.Seq != 3 || out.TheirDay != "2026-03-17" || fmt.Sprint(names(out.Approvers)) != "[Boss]" {
				t.Fatalf("decided %+v, %v", out, err)
			}
			if got := swapOf(t, db, mine.ID); got != fmt.Sprintf(`staff=%d with=0 day="" stage="" seq=3`, w.ID) {
				t.Fatalf("mine after approval: %s", got)
			}
			if got, _ := db.RestDayByID(ctx, theirs.ID); got.StaffID != a.ID || got.Status != domain.RestApproved || got.DecidedBy != boss.ID {
				t.Fatalf("theirs after approval: %+v", got)
			}
			_, err = db.DecideSwap(ctx, mine.ID, domain.Decision{DeciderID: boss.ID, Verdict: domain.Approved})
			AssertError(t, err, domain.ECONFLICT, "swap.stale")
		})
	})
}

// TestSwapAnswerTellsAReachableRequester: the colleague's answer names
// the requester to tell only when they can be told (domain.Tellable); one
// not on Telegram hears nothing, agreed or declined.
func TestSwapAnswerTellsAReachableRequester(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		u := MustCreateStaff(t, db, "U", domain.RoleConsultant) // not on Telegram
		w := MustEnrolStaff(t, db, "W", 102, domain.RoleConsultant)
		MustEnrolStaff(t, db, "Boss", 104, domain.RoleSupervisor)
		rd := grantRest(t, db, u, "2026-03-10")
		for _, agree := range []bool{false, true} {
			if _, err := requestSwap(db, u.ID, "03-10", "W", ""); err != nil {
				t.Fatal(err)
			}
			answer := db.DeclineSwap
			if agree {
				answer = db.AgreeSwap
			}
			ans, err := answer(ctx, rd.ID, w.ID)
			if err != nil || ans.Agreed != agree || ans.Requester.ID != u.ID || ans.Notify != nil {
				t.Fatalf("agree=%v: answered %+v, %v", agree, ans, err)
			}
		}
	})
}

// TestMigrateSwapStateOutOfBotState: version 13 carries each swap's JSON
// under "rest-swap:<id>" in bot_state into its rest day's columns, and
// leaves bot_state with runtime bookkeeping only.
func TestMigrateSwapStateOutOfBotState(t *testing.T) {
	for _, driver := range []string{storage.DriverSQLite, storage.DriverPostgres} {
		t.Run(driver, func(t *testing.T) {
			db := fixClock(storagetest.OpenUnmigrated(t, driver))
			must(t, db.MigrateTo(ctx, 12))
			a, w := oldStaff(t, db, "A"), oldStaff(t, db, "W")
			// Rest days as version 12 wrote them, ids 1…4.
			for _, r := range []struct {
				day, swapDay string
				with         int64
			}{{"2026-03-10", "", w.ID}, {"2026-03-11", "2026-03-17", w.ID}, {"2026-03-17", "", 0}, {"2026-03-18", "", w.ID}} {
				must(t, db.ExecRaw(ctx, `INSERT INTO rest_days (staff_id, day, status, swap_with, swap_day, decided_by, created_at)
					VALUES (?, ?, 'approved', ?, ?, 0, `+storage.TimeLiteral(now)+`)`, a.ID, r.day, r.with, r.swapDay))
			}
			must(t, db.SetState(ctx, "rest-swap:1", fmt.Sprintf(`{"stage":"asked","with":%d,"seq":2}`, w.ID)))
			must(t, db.SetState(ctx, "rest-swap:2", fmt.Sprintf(`{"stage":"agreed","with":%d,"day":"2026-03-17","seq":1}`, w.ID)))
			must(t, db.SetState(ctx, "rest-swap:3", `{"stage":"","with":0,"seq":4}`))
			must(t, db.SetState(ctx, "rest-swap:4", `{"stage":"asked","with":999,"seq":1}`)) // names another colleague: stale
			must(t, db.SetState(ctx, "telegram.offset", "42"))

			must(t, db.Migrate(ctx))
			for id, want := range map[int64]string{
				1: fmt.Sprintf(`staff=%d with=%d day="" stage="asked" seq=2`, a.ID, w.ID),
				2: fmt.Sprintf(`staff=%d with=%d day="2026-03-17" stage="agreed" seq=1`, a.ID, w.ID),
				3: fmt.Sprintf(`staff=%d with=0 day="" stage="" seq=4`, a.ID),
				4: fmt.Sprintf(`staff=%d with=%d day="" stage="" seq=1`, a.ID, w.ID),
			} {
				if got := swapOf(t, db, id); got != want {
					t.Errorf("rest day %d: %s, want %s", id, got, want)
				}
			}
			for id := 1; id <= 4; id++ {
				if v, ok, err := db.GetState(ctx, fmt.Sprintf("rest-swap:%d", id)); err != nil || ok {
					t.Errorf("rest-swap:%d left in bot_state: %q %v", id, v, err)
				}
			}
			if v, ok, err := db.GetState(ctx, "telegram.offset"); err != nil || !ok || v != "42" {
				t.Fatalf("state %q %v %v", v, ok, err)
			}
		})
	}
}

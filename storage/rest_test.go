package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

func restDaysText(ds []domain.RestDay) string {
	out := ""
	for _, d := range ds {
		out += fmt.Sprintf("%d:%s:%s ", d.StaffID, d.Day, d.Status)
	}
	return out
}

// TestR5_1_RestDays walks rest days through their life on both drivers.
func TestR5_1_RestDays(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		a := MustCreateStaff(t, db, "A")
		b := MustCreateStaff(t, db, "B")
		c := MustCreateStaff(t, db, "C")
		boss := MustCreateStaff(t, db, "Boss", domain.RoleSupervisor)

		d := &domain.RestDay{StaffID: a.ID, Day: "2026-03-10"}
		if err := db.CreateRestDay(ctx, d); err != nil {
			t.Fatal(err)
		}
		if d.ID == 0 || d.Status != domain.RestPending || !d.CreatedAt.Equal(now) {
			t.Fatalf("created %+v", d)
		}
		got, err := db.RestDayByID(ctx, d.ID)
		want := domain.RestDay{ID: d.ID, StoreID: a.StoreID, StaffID: a.ID, Day: "2026-03-10", Status: domain.RestPending, CreatedAt: now}
		if err != nil || fmt.Sprint(*got) != fmt.Sprint(want) {
			t.Fatalf("got %+v, %v; want %+v", got, err, want)
		}
		_, err = db.RestDayByID(ctx, 9999)
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		AssertError(t, db.CreateRestDay(ctx, &domain.RestDay{StaffID: a.ID, Day: "03-10"}), domain.EINVALID, "err.day_bad")
		AssertError(t, db.CreateRestDay(ctx, &domain.RestDay{StaffID: 9999, Day: "2026-03-10"}), domain.ENOTFOUND, "err.staff_not_found")

		for _, r := range []domain.RestDay{
			{StaffID: a.ID, Day: "2026-03-17", Status: domain.RestApproved},
			{StaffID: a.ID, Day: "2026-03-24", Status: domain.RestRejected},
			{StaffID: a.ID, Day: "2026-04-01", Status: domain.RestApproved},
			{StaffID: b.ID, Day: "2026-03-10", Status: domain.RestApproved},
			{StaffID: c.ID, Day: "2026-03-10", Status: domain.RestCancelled},
		} {
			if err := db.CreateRestDay(ctx, &r); err != nil {
				t.Fatal(err)
			}
		}
		mine, err := db.RestDaysOf(ctx, a.ID, "2026-03-01", "2026-03-31")
		if err != nil || restDaysText(mine) != fmt.Sprintf("%d:2026-03-10:pending %d:2026-03-17:approved ", a.ID, a.ID) {
			t.Fatalf("mine %s, %v", restDaysText(mine), err)
		}
		for _, tc := range []struct {
			except int64
			want   int
		}{{0, 2}, {a.ID, 1}, {b.ID, 1}, {c.ID, 2}} {
			if n, err := db.OffOnDay(ctx, db.Stores.Default().ID, "2026-03-10", tc.except); err != nil || n != tc.want {
				t.Errorf("off except %d: %d, %v; want %d", tc.except, n, err, tc.want)
			}
		}

		if ok, err := db.DecideRestDay(ctx, d.ID, domain.RestApproved, boss.ID); err != nil || !ok {
			t.Fatalf("decided %v, %v", ok, err)
		}
		if ok, err := db.DecideRestDay(ctx, d.ID, domain.RestRejected, boss.ID); err != nil || ok {
			t.Fatalf("decided twice %v, %v", ok, err)
		}
		_, err = db.DecideRestDay(ctx, 9999, domain.RestApproved, boss.ID)
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		_, err = db.DecideRestDay(ctx, d.ID, domain.RestPending, boss.ID)
		AssertError(t, err, domain.EINVALID, "")
		if got, _ := db.RestDayByID(ctx, d.ID); got.Status != domain.RestApproved || got.DecidedBy != boss.ID {
			t.Fatalf("decided %+v", got)
		}

		approved, err := db.RestDaysBetween(ctx, db.Stores.Default().ID, "2026-03-01", "2026-03-31", []string{domain.RestApproved})
		if err != nil || restDaysText(approved) != fmt.Sprintf("%d:2026-03-10:approved %d:2026-03-10:approved %d:2026-03-17:approved ", a.ID, b.ID, a.ID) {
			t.Fatalf("approved %s, %v", restDaysText(approved), err)
		}
		if all, err := db.RestDaysBetween(ctx, db.Stores.Default().ID, "2026-03-01", "2026-04-30", nil); err != nil || len(all) != 6 {
			t.Fatalf("all %s, %v", restDaysText(all), err)
		}

		// A swap is recorded, then the day moves to the colleague.
		if err := db.SetRestDaySwap(ctx, d.ID, c.ID, "2026-03-12"); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.RestDayByID(ctx, d.ID); got.SwapWith != c.ID || got.SwapDay != "2026-03-12" {
			t.Fatalf("swap %+v", got)
		}
		AssertError(t, db.SetRestDaySwap(ctx, 9999, c.ID, ""), domain.ENOTFOUND, "callback.stale")
		if err := db.MoveRestDay(ctx, d.ID, c.ID, boss.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.RestDayByID(ctx, d.ID); got.StaffID != c.ID || got.SwapWith != 0 || got.SwapDay != "" || got.Status != domain.RestApproved {
			t.Fatalf("moved %+v", got)
		}
		AssertError(t, db.MoveRestDay(ctx, d.ID, 9999, boss.ID), domain.ENOTFOUND, "err.staff_not_found")
		if n, _ := db.OffOnDay(ctx, db.Stores.Default().ID, "2026-03-10", a.ID); n != 2 {
			t.Fatalf("off after move: %d", n)
		}

		// A plan replaces the month's days.
		if n, err := db.CancelRestDays(ctx, []int64{a.ID, c.ID}, "2026-03-01", "2026-03-31"); err != nil || n != 2 {
			t.Fatalf("cancelled %d, %v", n, err)
		}
		if left, _ := db.RestDaysBetween(ctx, db.Stores.Default().ID, "2026-03-01", "2026-04-30", []string{domain.RestPending, domain.RestApproved}); restDaysText(left) !=
			fmt.Sprintf("%d:2026-03-10:approved %d:2026-04-01:approved ", b.ID, a.ID) {
			t.Fatalf("left %s", restDaysText(left))
		}
	})
}

// grantRest stores an approved rest day of s on day, as a plan would.
func grantRest(t *testing.T, db *storage.DB, s *domain.Staff, day string) *domain.RestDay {
	t.Helper()
	d := &domain.RestDay{StaffID: s.ID, Day: day, Status: domain.RestApproved}
	if err := db.CreateRestDay(ctx, d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestR5_1_RestService asks for rest days and rules on them through the
// service, without Telegram: the limits when asked and again at approval,
// the requester's approvers rule once, and a duty that day is flagged.
// The clock is Monday 2026-03-02.
func TestR5_1_RestService(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		a := MustEnrolStaff(t, db, "A", 101, domain.RoleConsultant)
		b := MustEnrolStaff(t, db, "B", 102, domain.RoleConsultant)
		c := MustEnrolStaff(t, db, "C", 103, domain.RoleConsultant)
		d := MustEnrolStaff(t, db, "D", 104, domain.RoleConsultant)
		t.Run("ErrNoApprover", func(t *testing.T) {
			_, err := requestRest(db, a.ID, "2026-03-10")
			AssertError(t, err, domain.ENOTFOUND, "err.no_supervisor")
			if mine, _ := db.RestDaysOf(ctx, a.ID, "2026-03-01", "2026-03-31"); len(mine) != 0 {
				t.Fatalf("filed %v", restDaysText(mine))
			}
		})
		boss := MustEnrolStaff(t, db, "Boss", 105, domain.RoleSupervisor)
		t.Run("ErrLimits", func(t *testing.T) {
			for day, key := range map[string]string{"2026-03-07": "rest.weekend", "2026-03-01": "rest.past",
				"2026-03-02": "rest.past", "13-45": "err.day_bad"} {
				_, err := requestRest(db, a.ID, day)
				AssertError(t, err, domain.EINVALID, key)
			}
		})
		var mine, theirs *domain.RestDay
		t.Run("Request", func(t *testing.T) {
			out, err := requestRest(db, a.ID, "03-10")
			if err != nil {
				t.Fatal(err)
			}
			mine = out.Rest
			if mine.ID == 0 || mine.Day != "2026-03-10" || mine.Status != domain.RestPending || out.Requester.ID != a.ID ||
				fmt.Sprint(names(out.Approvers)) != "[Boss]" {
				t.Fatalf("requested %+v %+v", out, mine)
			}
			_, err = requestRest(db, a.ID, "2026-03-10")
			AssertError(t, err, domain.EINVALID, "rest.duplicate")
			out, err = requestRest(db, b.ID, "2026-03-11")
			if err != nil {
				t.Fatal(err)
			}
			theirs = out.Rest
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			_, err := db.DecideRest(ctx, mine.ID, domain.Decision{DeciderID: c.ID, Verdict: domain.Approved})
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.DecideRest(ctx, 9999, domain.Decision{DeciderID: boss.ID, Verdict: domain.Approved})
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		})
		t.Run("ErrDayFilledSince", func(t *testing.T) {
			grantRest(t, db, c, "2026-03-11")
			grantRest(t, db, d, "2026-03-11")
			_, err := db.DecideRest(ctx, theirs.ID, domain.Decision{DeciderID: boss.ID, Verdict: domain.Approved})
			AssertError(t, err, domain.EINVALID, "rest.day_full")
			if got, _ := db.RestDayByID(ctx, theirs.ID); got.Status != domain.RestPending {
				t.Fatalf("decided %+v", got)
			}
		})
		t.Run("ApprovedOnADutyDay", func(t *testing.T) {
			if err := db.AssignDuty(ctx, db.Stores.Default().ID, "2026-03-10", "opening", a.ID); err != nil {
				t.Fatal(err)
			}
			out, err := db.DecideRest(ctx, mine.ID, domain.Decision{DeciderID: boss.ID, Verdict: domain.Approved})
			if err != nil {
				t.Fatal(err)
			}
			if out.Rest.Status != domain.RestApproved || out.Requester.ID != a.ID || out.Decider.ID != boss.ID ||
				fmt.Sprint(out.Duties) != "[opening]" || fmt.Sprint(names(out.Approvers)) != "[Boss]" || !out.Decision.At.Equal(now) {
				t.Fatalf("decided %+v", out)
			}
			if got, _ := db.RestDayByID(ctx, mine.ID); got.Status != domain.RestApproved || got.DecidedBy != boss.ID {
				t.Fatalf("stored %+v", got)
			}
			_, err = db.DecideRest(ctx, mine.ID, domain.Decision{DeciderID: boss.ID, Verdict: domain.Rejected})
			AssertError(t, err, domain.ECONFLICT, "rest.already")
		})
		t.Run("Rejected", func(t *testing.T) {
			out, err := db.DecideRest(ctx, theirs.ID, domain.Decision{DeciderID: boss.ID, Verdict: domain.Rejected})
			if err != nil || out.Rest.Status != domain.RestRejected || out.Duties != nil {
				t.Fatalf("decided %+v, %v", out, err)
			}
		})
		t.Run("DayIsTheStoreDate", func(t *testing.T) {
			// A typed value from any caller: 16:30 UTC on the 12th is
			// 00:30 on the 13th in the store.
			out, err := db.RequestRest(ctx, b.ID, time.Date(2026, 3, 12, 16, 30, 0, 0, time.UTC))
			if err != nil || out.Rest.Day != "2026-03-13" {
				t.Fatalf("requested %+v, %v", out, err)
			}
			_, err = db.RequestRest(ctx, c.ID, time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)) // 23:00 today
			AssertError(t, err, domain.EINVALID, "rest.past")
		})
	})
}

// requestRest asks for a rest day as staff type it: the chat reads the
// date (domain.ParseDay), the service checks it.
func requestRest(db *storage.DB, staffID int64, typed string) (*domain.RestRequested, error) {
	day, err := domain.ParseDay(typed, db.Now(), db.Stores.Default().Calendar)
	if err != nil {
		return nil, err
	}
	return db.RequestRest(ctx, staffID, day)
}

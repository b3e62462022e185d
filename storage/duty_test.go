package storage_test

import (
	"fmt"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR5_2_DutyRota: explicit assignments, the weekly pattern filling
// roles without one, and approved rest days.
func TestR5_2_DutyRota(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		a := MustCreateStaff(t, db, "A")
		b := MustCreateStaff(t, db, "B")
		c := MustCreateStaff(t, db, "C")
		const fri, sat = "2026-11-27", "2026-11-28" // Friday, Saturday

		for range 2 { // idempotent
			if err := db.AssignDuty(ctx, fri, "opening", a.ID); err != nil {
				t.Fatal(err)
			}
			if err := db.SetPattern(ctx, 5, "opening", b.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SetPattern(ctx, 5, "closing", c.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.SetPattern(ctx, 6, "showroom", a.ID); err != nil {
			t.Fatal(err)
		}
		got, err := db.DutyOn(ctx, fri)
		if err != nil {
			t.Fatal(err)
		}
		// opening is set for the day: the pattern's B does not apply.
		want := fmt.Sprint([]domain.DutyAssignment{duty(fri, "closing", c.ID), duty(fri, "opening", a.ID)})
		if fmt.Sprint(got) != want {
			t.Fatalf("friday: %v, want %v", got, want)
		}
		if got, err := db.DutyOn(ctx, sat); err != nil || fmt.Sprint(got) != fmt.Sprint([]domain.DutyAssignment{duty(sat, "showroom", a.ID)}) {
			t.Fatalf("saturday: %v, %v", got, err)
		}
		if ok, err := db.UnassignDuty(ctx, fri, "opening", a.ID); err != nil || !ok {
			t.Fatalf("unassign: %v %v", ok, err)
		}
		if ok, err := db.UnassignDuty(ctx, fri, "opening", a.ID); err != nil || ok {
			t.Fatalf("unassign twice: %v %v", ok, err)
		}
		got, _ = db.DutyOn(ctx, fri)
		if want := fmt.Sprint([]domain.DutyAssignment{duty(fri, "closing", c.ID), duty(fri, "opening", b.ID)}); fmt.Sprint(got) != want {
			t.Fatalf("friday after unassign: %v, want %v", got, want)
		}
		if ok, err := db.UnsetPattern(ctx, 5, "opening", b.ID); err != nil || !ok {
			t.Fatalf("unset pattern: %v %v", ok, err)
		}
		if _, err := db.DutyOn(ctx, "27/11"); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("bad day: %v", err)
		}
		AssertError(t, db.AssignDuty(ctx, "tomorrow", "opening", a.ID), domain.EINVALID, "")
		AssertError(t, db.SetPattern(ctx, 7, "opening", a.ID), domain.EINVALID, "")

		// Rest days: only approved ones count.
		for _, r := range []struct {
			id     int64
			status string
		}{{a.ID, domain.RestApproved}, {b.ID, domain.RestPending}, {c.ID, domain.RestApproved}} {
			if err := db.ExecRaw(ctx, `INSERT INTO rest_days (staff_id, day, status, created_at) VALUES (?, ?, ?, ?)`,
				r.id, sat, r.status, now); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := db.RestingOn(ctx, sat); err != nil || fmt.Sprint(got) != fmt.Sprint([]int64{a.ID, c.ID}) {
			t.Fatalf("resting: %v, %v", got, err)
		}
		if got, err := db.RestingOn(ctx, fri); err != nil || len(got) != 0 {
			t.Fatalf("resting friday: %v, %v", got, err)
		}
	})
}

func duty(day, role string, id int64) domain.DutyAssignment {
	return domain.DutyAssignment{Day: day, Role: role, StaffID: id}
}

package storage_test

import (
	"fmt"
	"testing"
	"time"

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
			if err := db.AssignDuty(ctx, db.Stores.Default().ID, fri, "opening", a.ID); err != nil {
				t.Fatal(err)
			}
			if err := db.SetPattern(ctx, db.Stores.Default().ID, 5, "opening", b.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SetPattern(ctx, db.Stores.Default().ID, 5, "closing", c.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.SetPattern(ctx, db.Stores.Default().ID, 6, "showroom", a.ID); err != nil {
			t.Fatal(err)
		}
		got, err := db.DutyOn(ctx, db.Stores.Default().ID, fri)
		if err != nil {
			t.Fatal(err)
		}
		// opening is set for the day: the pattern's B does not apply.
		want := fmt.Sprint([]domain.DutyAssignment{duty(fri, "closing", c.ID), duty(fri, "opening", a.ID)})
		if fmt.Sprint(got) != want {
			t.Fatalf("friday: %v, want %v", got, want)
		}
		if got, err := db.DutyOn(ctx, db.Stores.Default().ID, sat); err != nil || fmt.Sprint(got) != fmt.Sprint([]domain.DutyAssignment{duty(sat, "showroom", a.ID)}) {
			t.Fatalf("saturday: %v, %v", got, err)
		}
		if ok, err := db.UnassignDuty(ctx, fri, "opening", a.ID); err != nil || !ok {
			t.Fatalf("unassign: %v %v", ok, err)
		}
		if ok, err := db.UnassignDuty(ctx, fri, "opening", a.ID); err != nil || ok {
			t.Fatalf("unassign twice: %v %v", ok, err)
		}
		got, _ = db.DutyOn(ctx, db.Stores.Default().ID, fri)
		if want := fmt.Sprint([]domain.DutyAssignment{duty(fri, "closing", c.ID), duty(fri, "opening", b.ID)}); fmt.Sprint(got) != want {
			t.Fatalf("friday after unassign: %v, want %v", got, want)
		}
		if ok, err := db.UnsetPattern(ctx, 5, "opening", b.ID); err != nil || !ok {
			t.Fatalf("unset pattern: %v %v", ok, err)
		}
		if _, err := db.DutyOn(ctx, db.Stores.Default().ID, "27/11"); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("bad day: %v", err)
		}
		AssertError(t, db.AssignDuty(ctx, db.Stores.Default().ID, "tomorrow", "opening", a.ID), domain.EINVALID, "")
		AssertError(t, db.SetPattern(ctx, db.Stores.Default().ID, 7, "opening", a.ID), domain.EINVALID, "")

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
		if got, err := db.RestingOn(ctx, db.Stores.Default().ID, sat); err != nil || fmt.Sprint(got) != fmt.Sprint([]int64{a.ID, c.ID}) {
			t.Fatalf("resting: %v, %v", got, err)
		}
		if got, err := db.RestingOn(ctx, db.Stores.Default().ID, fri); err != nil || len(got) != 0 {
			t.Fatalf("resting friday: %v, %v", got, err)
		}
	})
}

func duty(day, role string, id int64) domain.DutyAssignment {
	return domain.DutyAssignment{Day: day, Role: role, StaffID: id}
}

// on is store date day (2006-01-02) as a time, as the chat's parser
// gives it: the start of the day in the store's zone.
func on(db *storage.DB, day string) time.Time {
	t, err := time.ParseInLocation(domain.DateLayout, day, db.Stores.Default().Calendar.Location)
	if err != nil {
		panic(err)
	}
	return t
}

// TestR5_2_DutyService: who may plan, what cannot be planned, whom to tell
// at once, the morning reminder and the rest conflicts.
func TestR5_2_DutyService(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db) // Monday 2026-03-02 17:30 in Shanghai, after the 08:00 reminder
		sup := mustEnrolled(t, db, "Sup", 200, domain.RoleSupervisor)
		a := mustEnrolled(t, db, "A", 201, domain.RoleConsultant)
		b := mustEnrolled(t, db, "B", 202, domain.RoleConsultant)
		c := MustCreateStaff(t, db, "C") // not enrolled
		const tue = "2026-03-03"

		t.Run("Err", func(t *testing.T) {
			_, err := db.SetDuty(ctx, a.ID, on(db, today), "opening", b.Name)
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.UnsetWeekly(ctx, a.ID, time.Monday, "opening", b.Name)
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.SetDuty(ctx, sup.ID, on(db, "2026-03-01"), "opening", b.Name)
			AssertError(t, err, domain.EINVALID, "duty.day_past")
			_, err = db.SetDuty(ctx, sup.ID, on(db, today), "lunch", b.Name)
			AssertError(t, err, domain.EINVALID, "")
			_, err = db.SetWeekly(ctx, sup.ID, 7, "opening", b.Name)
			AssertError(t, err, domain.EINVALID, "duty.weekday_bad")
			must(t, db.ExecRaw(ctx, `INSERT INTO rest_days (staff_id, day, status, created_at) VALUES (?, ?, ?, ?)`,
				b.ID, "2026-03-04", domain.RestApproved, now))
			_, err = db.SetDuty(ctx, sup.ID, on(db, "2026-03-04"), "opening", b.Name)
			AssertError(t, err, domain.ECONFLICT, "duty.resting")
		})
		t.Run("SetTellsWhoIsPutOnDuty", func(t *testing.T) {
			out, err := db.SetDuty(ctx, sup.ID, on(db, today), "opening", a.Name)
			if err != nil || out.Day != today || out.Staff.ID != a.ID || out.Tell == nil || out.Tell.ID != a.ID {
				t.Fatalf("set: %+v %v", out, err)
			}
			if out, err := db.SetDuty(ctx, sup.ID, on(db, tue), "closing", sup.Name); err != nil || out.Tell != nil {
				t.Fatalf("themselves: %+v %v", out, err)
			}
			if out, err := db.SetDuty(ctx, sup.ID, on(db, tue), "opening", c.Name); err != nil || out.Tell != nil {
				t.Fatalf("not enrolled: %+v %v", out, err)
			}
			out, err = db.SetWeekly(ctx, sup.ID, time.Tuesday, "showroom", b.Name)
			if err != nil || !out.Weekly || out.Day != tue || out.Tell == nil || out.Tell.ID != b.ID {
				t.Fatalf("weekly: %+v %v", out, err)
			}
			r, err := db.Duties(ctx, sup.ID, on(db, tue))
			if err != nil || fmt.Sprint(r.Assignments) != fmt.Sprint([]domain.DutyAssignment{
				duty(tue, "closing", sup.ID), duty(tue, "opening", c.ID), duty(tue, "showroom", b.ID)}) {
				t.Fatalf("duties: %+v %v", r, err)
			}
			if late, err := db.Duties(ctx, a.ID, time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC)); err != nil || late.Day != tue || len(late.Assignments) != 3 {
				t.Fatalf("duties of 20:00 UTC, Tuesday in the store: %+v %v", late, err)
			}
			if len(r.Staff) != 3 || r.Staff[sup.ID].Name != sup.Name || r.Staff[c.ID].Name != c.Name || r.Staff[b.ID].Name != b.Name {
				t.Fatalf("duties' staff: %+v", r.Staff)
			}
		})
		t.Run("Unset", func(t *testing.T) {
			if u, err := db.UnsetDuty(ctx, sup.ID, on(db, today), "opening", a.Name); err != nil || !u.Removed || u.Staff.ID != a.ID {
				t.Fatalf("unset: %+v %v", u, err)
			}
			if u, err := db.UnsetDuty(ctx, sup.ID, on(db, today), "opening", a.Name); err != nil || u.Removed {
				t.Fatalf("unset twice: %+v %v", u, err)
			}
			if u, err := db.UnsetWeekly(ctx, sup.ID, time.Tuesday, "showroom", b.Name); err != nil || !u.Removed {
				t.Fatalf("unset weekly: %+v %v", u, err)
			}
			must(t, db.SetPattern(ctx, db.Stores.Default().ID, int(time.Tuesday), "showroom", b.ID))
		})
		t.Run("ReminderAndRestConflicts", func(t *testing.T) {
			day := time.Date(2026, 3, 3, 0, 0, 0, 0, db.Stores.Default().Calendar.Location)
			rem, err := db.DutyReminder(ctx, db.Stores.Default().ID, day)
			if err != nil || rem.Day != tue {
				t.Fatalf("reminder: %+v %v", rem, err)
			}
			staffRoles := func(list []domain.StaffOnDuty) string {
				var out []string
				for _, p := range list {
					out = append(out, fmt.Sprint(p.Staff.Name, p.Roles))
				}
				return fmt.Sprint(out)
			}
			// C is not enrolled: on the roster, not reminded.
			if got := staffRoles(rem.Remind); got != "[Sup[closing] B[showroom]]" {
				t.Errorf("remind %s", got)
			}
			if got := staffRoles(rem.Roster); got != "[Sup[closing] C[opening] B[showroom]]" {
				t.Errorf("roster %s", got)
			}
			must(t, db.ExecRaw(ctx, `INSERT INTO rest_days (staff_id, day, status, created_at) VALUES (?, ?, ?, ?)`,
				b.ID, tue, domain.RestApproved, now))
			rem, err = db.DutyReminder(ctx, db.Stores.Default().ID, day)
			if err != nil || staffRoles(rem.Remind) != "[Sup[closing]]" {
				t.Fatalf("resting B reminded: %+v %v", rem, err)
			}
			cs, err := db.RestConflicts(ctx, db.Stores.Default().ID, day)
			if err != nil || len(cs) != 1 || cs[0].Staff.ID != b.ID || fmt.Sprint(cs[0].Roles) != "[showroom]" ||
				len(cs[0].Supervisors) != 1 || cs[0].Supervisors[0].ID != sup.ID || cs[0].Day != tue {
				t.Fatalf("conflicts: %+v %v", cs, err)
			}
			if cs, err := db.RestConflicts(ctx, db.Stores.Default().ID, day.AddDate(0, 0, 2)); err != nil || len(cs) != 0 {
				t.Fatalf("no conflicts: %+v %v", cs, err)
			}
		})
		t.Run("ClosedDayRemindsNobody", func(t *testing.T) {
			cal := *db.Stores.Default().Calendar
			cal.WorkingDays = []time.Weekday{time.Monday}
			db.Stores.Default().Calendar = &cal
			rem, err := db.DutyReminder(ctx, db.Stores.Default().ID, time.Date(2026, 3, 3, 0, 0, 0, 0, cal.Location))
			if err != nil || len(rem.Remind)+len(rem.Roster) != 0 {
				t.Fatalf("closed: %+v %v", rem, err)
			}
		})
	})
}

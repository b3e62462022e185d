package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR1_8_R1_9_AppointmentService books visits and notices arrivals
// through the service, without Telegram: a new booking replaces the old,
// only whoever works the lead books it, and the day's booking is kept when
// the customer comes, the telesales owner to be told.
func TestR1_8_R1_9_AppointmentService(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		tele := MustEnrolStaff(t, db, "Tele", 401, domain.RoleTelesales)
		cons := MustEnrolStaff(t, db, "Cons", 402, domain.RoleConsultant)
		rec := MustEnrolStaff(t, db, "Rec", 403, domain.RoleReception)
		l := newLead(tele, "Customer", "13800000001")
		l.Grade = domain.GradeH
		MustCreateLead(t, db, l)

		t.Run("Book", func(t *testing.T) {
			_, err := db.BookAppointment(ctx, domain.Appointment{LeadID: l.ID, TelesalesID: cons.ID, At: now.Add(time.Hour)})
			AssertError(t, err, domain.EFORBIDDEN, "err.lead_not_yours")
			_, err = db.BookAppointment(ctx, domain.Appointment{LeadID: 999999, TelesalesID: tele.ID, At: now})
			AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
			first, err := db.BookAppointment(ctx, domain.Appointment{LeadID: l.ID, TelesalesID: tele.ID, At: now.Add(48 * time.Hour)})
			if err != nil || first.Appointment.ID == 0 || first.Appointment.Status != domain.ApptBooked || len(first.Replaced) != 0 {
				t.Fatalf("booked %+v, %v", first, err)
			}
			// now is 17:30 in the store's zone, open until 18:00.
			second, err := db.BookAppointment(ctx, domain.Appointment{LeadID: l.ID, TelesalesID: tele.ID, At: now.Add(20 * time.Minute)})
			if err != nil || len(second.Replaced) != 1 || second.Replaced[0].ID != first.Appointment.ID ||
				second.Replaced[0].Status != domain.ApptReplaced {
				t.Fatalf("rebooked %+v, %v", second, err)
			}
			got, err := db.AppointmentsBetween(ctx, 1, now, now.AddDate(0, 0, 3), domain.ApptBooked)
			if err != nil || len(got) != 1 || got[0].ID != second.Appointment.ID {
				t.Fatalf("booked %+v, %v", got, err)
			}
			// What each booking promises (domain.AppointmentPromise).
			if first.Promise != domain.PromiseLaterDay || second.Promise != domain.PromiseSoon || second.RemindBefore != db.Stores.Default().Rules.Leads.AppointmentRemind {
				t.Errorf("promises %s, %s (%s)", first.Promise, second.Promise, second.RemindBefore)
			}
		})

		t.Run("ErrBookWhen", func(t *testing.T) {
			// The service checks the time itself (domain.CheckWhen): a
			// caller other than the chat cannot book the past, a closed
			// hour or a typing slip years ahead; nothing is booked.
			for at, key := range map[time.Time]string{
				now:                      "err.when_past",
				now.Add(-24 * time.Hour): "err.when_past",
				now.Add(time.Hour):       "err.when_closed", // 18:30, after closing
				now.AddDate(1, 0, 1):     "err.when_far",
				now.AddDate(100, 0, 0):   "err.when_far",
			} {
				_, err := db.BookAppointment(ctx, domain.Appointment{LeadID: l.ID, TelesalesID: tele.ID, At: at})
				AssertError(t, err, domain.EINVALID, key)
			}
			got, err := db.AppointmentsBetween(ctx, 1, now.AddDate(-1, 0, 0), now.AddDate(200, 0, 0), "")
			if err != nil || len(got) != 2 {
				t.Fatalf("appointments %+v, %v: want only the two booked above", got, err)
			}
		})

		t.Run("Arrival", func(t *testing.T) {
			v := &domain.Visit{LeadID: l.ID, RegisteredBy: cons.ID, ConsultantID: cons.ID, First: true}
			must(t, db.CreateVisit(ctx, v))
			out, err := db.NoticeArrival(ctx, l.ID, cons.ID, v.ID)
			if err != nil || !out.Telesales || !out.Invited || out.Notify == nil || out.Notify.ID != tele.ID || !out.Claimed {
				t.Fatalf("arrival %+v, %v", out, err)
			}
			if got, _ := db.AppointmentsBetween(ctx, 1, now, now.AddDate(0, 0, 1), domain.ApptArrived); len(got) != 1 {
				t.Fatalf("kept %+v", got)
			}
			// Again the same day: no booking left, the owner is told again;
			// reception registering it claims nothing.
			v2 := &domain.Visit{LeadID: l.ID, RegisteredBy: rec.ID, ConsultantID: tele.ID}
			must(t, db.CreateVisit(ctx, v2))
			out, err = db.NoticeArrival(ctx, l.ID, rec.ID, v2.ID)
			if err != nil || !out.Telesales || out.Invited || out.Notify == nil || out.Claimed {
				t.Fatalf("again %+v, %v", out, err)
			}
			// The owner registering it themselves hears nothing.
			if out, err = db.NoticeArrival(ctx, l.ID, tele.ID, v2.ID); err != nil || out.Notify != nil {
				t.Fatalf("own %+v, %v", out, err)
			}
			shown := newLead(cons, "Shown", "13800000002")
			shown.Grade, shown.Pool = domain.GradeH, domain.PoolShowroom
			MustCreateLead(t, db, shown)
			v3 := &domain.Visit{LeadID: shown.ID, RegisteredBy: cons.ID, ConsultantID: cons.ID}
			must(t, db.CreateVisit(ctx, v3))
			if out, err = db.NoticeArrival(ctx, shown.ID, cons.ID, v3.ID); err != nil || out.Telesales || out.Notify != nil {
				t.Fatalf("showroom %+v, %v", out, err)
			}
			_, err = db.NoticeArrival(ctx, l.ID, cons.ID, 999999)
			AssertError(t, err, domain.ENOTFOUND, "err.visit_not_found")
		})
	})
}

// TestStores_R1_8_AppointmentInsideAStore: a visit is booked in its lead's
// store, on that store's calendar; a telesales of another store cannot
// book it; the store's bookings are its own; the reminder goes to the
// booking store's reception only.
func TestStores_R1_8_AppointmentInsideAStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		xj := storagetest.AddStore(t, db, "xj", "Asia/Urumqi")
		main := db.Stores.Default()
		tele := mustEnrolIn(t, db, main, "Tele", 401, domain.RoleTelesales)
		mustEnrolIn(t, db, main, "Rec", 402, domain.RoleReception)
		xTele := mustEnrolIn(t, db, xj, "XTele", 501, domain.RoleTelesales)
		mustEnrolIn(t, db, xj, "XRec", 502, domain.RoleReception)
		l := leadIn(tele, "Customer", "13800000001")
		l.Grade = domain.GradeH
		MustCreateLead(t, db, l)

		_, err := db.BookAppointment(ctx, domain.Appointment{LeadID: l.ID, TelesalesID: xTele.ID, At: now.Add(48 * time.Hour)})
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		out, err := db.BookAppointment(ctx, domain.Appointment{LeadID: l.ID, TelesalesID: tele.ID, At: now.Add(48 * time.Hour)})
		if err != nil || out.Appointment.StoreID != main.ID {
			t.Fatalf("booked %+v, %v: want it in store main", out, err)
		}
		if got, err := db.AppointmentsBetween(ctx, xj.ID, now, now.AddDate(0, 0, 3), ""); err != nil || len(got) != 0 {
			t.Errorf("xj's bookings %+v, %v: want none", got, err)
		}
		if got, err := db.AppointmentsBetween(ctx, main.ID, now, now.AddDate(0, 0, 3), ""); err != nil || len(got) != 1 {
			t.Errorf("main's bookings %+v, %v: want one", got, err)
		}
		r, err := db.RemindAppointment(ctx, *out.Appointment)
		must(t, err)
		if got := fmt.Sprint(names(r.Reception)); got != "[Rec]" {
			t.Errorf("reception told %s, want the store's own [Rec]", got)
		}
	})
}

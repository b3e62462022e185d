package storage_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// The morning push's digests through the service, without Telegram. The
// service calendar (serviceDB) is UTC, open all day: today is 2026-03-02.

// morningToday is the start of now's day on serviceDB's calendar.
var morningToday = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// mustDueLead stores a lead of owner with grade g, created a month ago
// (past its first week), due at due (never when zero).
func mustDueLead(tb testing.TB, db *storage.DB, owner *domain.Staff, name, phone string, g domain.Grade, due time.Time) *domain.Lead {
	tb.Helper()
	l := newLead(owner, name, phone)
	l.CreatedAt = now.AddDate(0, -1, 0)
	if !due.IsZero() {
		l.NextDueAt = &due
	}
	MustCreateLead(tb, db, l)
	if g != domain.GradeN {
		l.Grade = g
		MustUpdateLead(tb, db, l)
	}
	return l
}

// digestsByName maps the digests to their people's names.
func digestsByName(list []*domain.MorningDigest) map[string]*domain.MorningDigest {
	out := make(map[string]*domain.MorningDigest, len(list))
	for _, d := range list {
		out[d.Staff.Name] = d
	}
	return out
}

// leadNames returns the leads' names in order.
func leadNames(list []*domain.Lead) []string {
	out := make([]string, len(list))
	for i, l := range list {
		out[i] = l.Name
	}
	return out
}

// countsByGrade writes a digest's counts as "grade:overdue/today", by grade.
func countsByGrade(list []domain.GradeCount) map[domain.Grade]string {
	out := make(map[domain.Grade]string, len(list))
	for _, c := range list {
		out[c.Grade] = fmt.Sprintf("%d/%d", c.Overdue, c.Today)
	}
	return out
}

// apptItems writes appointment items as "lead name by telesales", in order.
func apptItems(list []domain.ApptItem) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = fmt.Sprintf("%d %s by %s", a.ID, a.Name, a.Telesales)
	}
	return out
}

// TestR1_5_MorningDigestCountsByGradeAndNamesTheFirstFive: each enrolled,
// active person with follow-ups due by the end of today gets their counts
// per grade (overdue, today) and the first five due, most overdue first;
// a supervisor also the team's long-overdue counts; nobody gets an empty
// digest, and nobody unenrolled or inactive gets one at all.
func TestR1_5_MorningDigestCountsByGradeAndNamesTheFirstFive(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		serviceDB(db)
		chen := MustEnrolStaff(t, db, "Chen", 501, domain.RoleConsultant)
		liu := MustEnrolStaff(t, db, "Liu", 502, domain.RoleConsultant)
		idle := MustEnrolStaff(t, db, "Idle", 503, domain.RoleConsultant)
		ghost := MustCreateStaff(t, db, "Ghost", domain.RoleConsultant) // not on Telegram
		gone := MustEnrolStaff(t, db, "Gone", 504, domain.RoleConsultant)
		MustEnrolStaff(t, db, "Sup", 505, domain.RoleSupervisor)
		must(t, db.DeactivateStaff(ctx, gone.ID))

		day, h := 24*time.Hour, time.Hour
		var never time.Time
		mustDueLead(t, db, chen, "B1", "13500000001", domain.GradeB, morningToday.Add(-10*day))
		mustDueLead(t, db, chen, "H1", "13500000002", domain.GradeH, morningToday.Add(-5*day))
		mustDueLead(t, db, chen, "A1", "13500000003", domain.GradeA, morningToday.Add(-4*day))
		mustDueLead(t, db, chen, "A2", "13500000004", domain.GradeA, morningToday.Add(-2*h))
		mustDueLead(t, db, chen, "H2", "13500000005", domain.GradeH, morningToday.Add(-h))
		mustDueLead(t, db, chen, "H3", "13500000006", domain.GradeH, morningToday.Add(10*h))  // today
		mustDueLead(t, db, chen, "A3", "13500000007", domain.GradeA, morningToday.Add(23*h))  // today
		mustDueLead(t, db, chen, "B2", "13500000008", domain.GradeB, morningToday.Add(day+h)) // tomorrow
		mustDueLead(t, db, chen, "C1", "13500000009", domain.GradeC, never)
		mustDueLead(t, db, liu, "L1", "13500000010", domain.GradeA, morningToday.Add(-4*day))
		mustDueLead(t, db, idle, "I1", "13500000011", domain.GradeH, morningToday.Add(day))
		mustDueLead(t, db, idle, "I2", "13500000012", domain.GradeB, never)
		mustDueLead(t, db, ghost, "G1", "13500000013", domain.GradeA, morningToday.Add(-10*day))
		mustDueLead(t, db, gone, "X1", "13500000014", domain.GradeA, morningToday.Add(-10*day))

		list, err := db.MorningDigests(ctx, 1, now)
		if err != nil {
			t.Fatal(err)
		}
		got := digestsByName(list)
		if len(list) != 3 || got["Chen"] == nil || got["Liu"] == nil || got["Sup"] == nil {
			t.Fatalf("digests for %v, want Chen, Liu and Sup only", names(digestStaff(list)))
		}
		for _, d := range list {
			if d.Empty() || !d.At.Equal(now) || !d.Day.Equal(morningToday) {
				t.Errorf("%s: empty %v, at %v, day %v", d.Staff.Name, d.Empty(), d.At, d.Day)
			}
		}

		c := got["Chen"]
		if want := map[domain.Grade]string{"A": "2/1", "B": "1/0", "H": "2/1"}; fmt.Sprint(countsByGrade(c.Counts)) != fmt.Sprint(want) {
			t.Errorf("Chen's counts %v, want %v", countsByGrade(c.Counts), want)
		}
		if got, want := fmt.Sprint(leadNames(c.Top)), "[B1 H1 A1 A2 H2]"; got != want {
			t.Errorf("Chen's first five %s, want %s", got, want)
		}
		if c.Ungraded != 0 || len(c.Team) != 0 || len(c.Appointments)+len(c.Missed) != 0 {
			t.Errorf("Chen's digest says more: %+v", c)
		}
		l := got["Liu"]
		if fmt.Sprint(countsByGrade(l.Counts)) != fmt.Sprint(map[domain.Grade]string{"A": "1/0"}) || fmt.Sprint(leadNames(l.Top)) != "[L1]" {
			t.Errorf("Liu's counts %v, first %v", countsByGrade(l.Counts), leadNames(l.Top))
		}

		// The supervisor: nothing of their own, the team's follow-ups
		// overdue by more than three days, most first; not who gets no digest.
		s := got["Sup"]
		if want := "[{Chen 3} {Liu 1}]"; fmt.Sprint(s.Team) != want || len(s.Counts) != 0 || s.Top != nil {
			t.Errorf("Sup's team %v (want %s), counts %v, top %v", s.Team, want, s.Counts, leadNames(s.Top))
		}
		if len(c.Team) != 0 || len(l.Team) != 0 {
			t.Error("a consultant got the team's counts")
		}
	})
}

// digestStaff returns the digests' people in order.
func digestStaff(list []*domain.MorningDigest) []*domain.Staff {
	out := make([]*domain.Staff, len(list))
	for i, d := range list {
		out[i] = d.Staff
	}
	return out
}

// TestR1_4_MorningUngradedCountsFromTheReopening: the morning digest
// counts the leads still N a week after their first week started — the
// reopening when the lead was reopened, else its creation; that alone
// makes a digest.
func TestR1_4_MorningUngradedCountsFromTheReopening(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		serviceDB(db)
		chen := MustEnrolStaff(t, db, "Chen", 511, domain.RoleConsultant)
		MustEnrolStaff(t, db, "Liu", 512, domain.RoleConsultant)
		lead := func(phone string, g domain.Grade, created time.Duration, reopened time.Duration) {
			t.Helper()
			l := newLead(chen, "Lead "+phone, phone)
			l.CreatedAt = now.Add(-created)
			if reopened != 0 {
				l.ReopenedAt = at(-reopened)
			}
			MustCreateLead(t, db, l)
			if g != domain.GradeN {
				l.Grade = g
				MustUpdateLead(t, db, l)
			}
		}
		day := 24 * time.Hour
		lead("13600000001", domain.GradeN, 8*day, 0)      // first week over: counted
		lead("13600000002", domain.GradeN, 6*day, 0)      // in its first week
		lead("13600000003", domain.GradeN, 30*day, 2*day) // reopened two days ago: a fresh first week
		lead("13600000004", domain.GradeN, 30*day, 8*day) // reopened, and that week is over: counted
		lead("13600000005", domain.GradeH, 30*day, 0)     // graded

		list, err := db.MorningDigests(ctx, 1, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Staff.ID != chen.ID {
			t.Fatalf("digests for %v, want Chen's only", names(digestStaff(list)))
		}
		if d := list[0]; d.Ungraded != 2 || len(d.Counts) != 0 || d.Top != nil {
			t.Fatalf("Chen: %d ungraded (want 2), counts %v, top %v", d.Ungraded, d.Counts, leadNames(d.Top))
		}
	})
}

// TestR1_8_MorningListsBookingsAndReportsNoShowsOnce: the day's booked
// visits go to their telesales and to reception (a telesales who is also
// reception sees their own once); earlier days' bookings nobody came to
// go to their telesales, and once reported they are missed, not booked:
// the next morning does not repeat them.
func TestR1_8_MorningListsBookingsAndReportsNoShowsOnce(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		serviceDB(db)
		tele := MustEnrolStaff(t, db, "Tele", 521, domain.RoleTelesales)
		both := MustEnrolStaff(t, db, "Both", 522, domain.RoleTelesales, domain.RoleReception)
		MustEnrolStaff(t, db, "Rec", 523, domain.RoleReception)
		MustEnrolStaff(t, db, "Cons", 524, domain.RoleConsultant)
		var never time.Time
		book := func(owner *domain.Staff, name, phone string, at time.Time) *domain.Appointment {
			t.Helper()
			l := mustDueLead(t, db, owner, name, phone, domain.GradeA, never)
			// Stored as booked, past ones too (the service books only ahead).
			a := &domain.Appointment{LeadID: l.ID, TelesalesID: owner.ID, At: at}
			if err := db.CreateAppointment(ctx, a); err != nil {
				t.Fatal(err)
			}
			return a
		}
		h := time.Hour
		a1 := book(tele, "Today14", "13700000001", morningToday.Add(14*h))
		a2 := book(both, "Today10", "13700000002", morningToday.Add(10*h))
		a3 := book(tele, "Yesterday", "13700000003", morningToday.Add(-9*h))
		a4 := book(tele, "ThreeDaysAgo", "13700000004", morningToday.AddDate(0, 0, -3).Add(11*h))
		book(both, "Tomorrow", "13700000005", morningToday.AddDate(0, 0, 1).Add(10*h))

		item := func(a *domain.Appointment, name, by string) string { return fmt.Sprintf("%d %s by %s", a.ID, name, by) }
		list, err := db.MorningDigests(ctx, 1, now)
		if err != nil {
			t.Fatal(err)
		}
		got := digestsByName(list)
		if len(list) != 3 || got["Tele"] == nil || got["Both"] == nil || got["Rec"] == nil {
			t.Fatalf("digests for %v, want Tele, Both and Rec", names(digestStaff(list)))
		}
		checks := []struct {
			who, what string
			list      []domain.ApptItem
			want      []string
		}{
			{"Tele", "appointments", got["Tele"].Appointments, []string{item(a1, "Today14", "Tele")}},
			{"Tele", "missed", got["Tele"].Missed, []string{item(a4, "ThreeDaysAgo", "Tele"), item(a3, "Yesterday", "Tele")}},
			{"Both", "appointments", got["Both"].Appointments, []string{item(a2, "Today10", "Both"), item(a1, "Today14", "Tele")}},
			{"Both", "missed", got["Both"].Missed, nil},
			{"Rec", "appointments", got["Rec"].Appointments, []string{item(a2, "Today10", "Both"), item(a1, "Today14", "Tele")}},
			{"Rec", "missed", got["Rec"].Missed, nil},
		}
		for _, c := range checks {
			if fmt.Sprint(apptItems(c.list)) != fmt.Sprint(c.want) {
				t.Errorf("%s's %s %q, want %q", c.who, c.what, apptItems(c.list), c.want)
			}
		}

		// Reported: the no-shows are missed, today's bookings untouched.
		must(t, db.MorningReported(ctx, list))
		missed, err := db.AppointmentsBetween(ctx, 1, morningToday.AddDate(0, 0, -14), morningToday, domain.ApptMissed)
		if err != nil || len(missed) != 2 || missed[0].ID != a4.ID || missed[1].ID != a3.ID {
			t.Fatalf("missed %+v, %v", missed, err)
		}
		booked, err := db.AppointmentsBetween(ctx, 1, morningToday, morningToday.AddDate(0, 0, 1), domain.ApptBooked)
		if err != nil || len(booked) != 2 {
			t.Fatalf("today's booked %+v, %v", booked, err)
		}
		// Reported twice (a rerun): nothing changes, no error.
		must(t, db.MorningReported(ctx, list))
		again, err := db.MorningDigests(ctx, 1, now)
		if err != nil {
			t.Fatal(err)
		}
		tele2 := digestsByName(again)["Tele"]
		if tele2 == nil || len(tele2.Missed) != 0 || fmt.Sprint(apptItems(tele2.Appointments)) != fmt.Sprint([]string{item(a1, "Today14", "Tele")}) {
			t.Fatalf("the next digest: %+v", tele2)
		}
	})
}

// TestStores_MorningDigestsOfOneStore: a store's morning digests are its
// own people's, with its own leads and bookings; a supervisor's team list
// names only their store's people.
func TestStores_MorningDigestsOfOneStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		serviceDB(db)
		xj := storagetest.AddStore(t, db, "xj", "UTC")
		main := db.Stores.Default()
		chen := mustEnrolIn(t, db, main, "Chen", 501, domain.RoleConsultant)
		mustEnrolIn(t, db, main, "Sup", 502, domain.RoleSupervisor)
		mustEnrolIn(t, db, main, "Rec", 503, domain.RoleReception)
		ma := mustEnrolIn(t, db, xj, "Ma", 601, domain.RoleConsultant)
		mustEnrolIn(t, db, xj, "XSup", 602, domain.RoleSupervisor)
		xTele := mustEnrolIn(t, db, xj, "XTele", 603, domain.RoleTelesales)
		day := 24 * time.Hour
		mustDueLead(t, db, chen, "C1", "13500000001", domain.GradeA, morningToday.Add(-5*day))
		xl := leadIn(ma, "M1", "13500000001") // the same customer, in xj
		due := morningToday.Add(-5 * day)
		xl.CreatedAt, xl.NextDueAt = now.AddDate(0, -1, 0), &due
		MustCreateLead(t, db, xl)
		xl.Grade = domain.GradeA
		MustUpdateLead(t, db, xl)
		bl := leadIn(xTele, "XB", "13500000003")
		MustCreateLead(t, db, bl)
		must(t, db.CreateAppointment(ctx, &domain.Appointment{LeadID: bl.ID, TelesalesID: xTele.ID, At: now.Add(2 * time.Hour)}))

		list, err := db.MorningDigests(ctx, main.ID, now)
		must(t, err)
		got := digestsByName(list)
		if len(list) != 2 || got["Chen"] == nil || got["Sup"] == nil {
			t.Fatalf("main's digests for %v, want Chen and Sup", digestNames(got))
		}
		if top := leadNames(got["Chen"].Top); fmt.Sprint(top) != "[C1]" {
			t.Errorf("Chen's leads %v", top)
		}
		if team := fmt.Sprint(got["Sup"].Team); team != "[{Chen 1}]" {
			t.Errorf("Sup's team %s, want Chen only", team)
		}
		list, err = db.MorningDigests(ctx, xj.ID, now)
		must(t, err)
		got = digestsByName(list)
		if len(list) != 3 || got["Ma"] == nil || got["XSup"] == nil || got["XTele"] == nil {
			t.Fatalf("xj's digests for %v, want Ma, XSup and XTele", digestNames(got))
		}
		if top := leadNames(got["Ma"].Top); fmt.Sprint(top) != "[M1]" || fmt.Sprint(got["XSup"].Team) != "[{Ma 1}]" {
			t.Errorf("Ma's leads %v, XSup's team %v", top, got["XSup"].Team)
		}
		if appts := apptItems(got["XTele"].Appointments); len(appts) != 1 {
			t.Errorf("XTele's bookings %v", appts)
		}
	})
}

// digestNames returns the names of the people with digests, sorted.
func digestNames(m map[string]*domain.MorningDigest) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

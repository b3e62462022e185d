package domain

import (
	"testing"
	"time"
)

// allWeek is a calendar open every day; testCalendar (calendar_test.go)
// closes weekends and a holiday.
func allWeek(tb testing.TB) *Calendar {
	c := testCalendar(tb)
	c.WorkingDays = []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	c.Holidays, c.MakeupDays = nil, nil
	return c
}

func at(cal *Calendar, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, cal.Location)
	if err != nil {
		panic(err)
	}
	return t
}

func TestR1_3_FirstFollowUpWithin24h(t *testing.T) {
	cal, r := allWeek(t), DefaultRules().Leads
	for _, g := range []Grade{GradeN, GradeH, GradeC} {
		l := &Lead{Grade: g, CreatedAt: at(cal, "2026-12-01 15:20")}
		due, ok := NextFollowUp(l, r, cal)
		if !ok || !due.Equal(at(cal, "2026-12-02 15:20")) {
			t.Errorf("grade %s: first follow-up due %s, %v", g, due, ok)
		}
	}
}

func TestR1_5_IntervalByGradeFromLastContact(t *testing.T) {
	cal, r := allWeek(t), DefaultRules().Leads
	for _, tc := range []struct {
		grade Grade
		want  string
	}{
		{GradeH, "2026-12-08 10:00"}, // 3 days
		{GradeA, "2026-12-12 10:00"}, // 7 days
		{GradeB, "2026-12-20 10:00"}, // 15 days
		{GradeC, "2026-01-04 10:00"}, // 30 days: see below
		{GradeN, "2026-12-07 10:00"}, // 3 calls in the first week: every 2 days
	} {
		contact := at(cal, "2026-12-05 10:00")
		l := &Lead{Grade: tc.grade, CreatedAt: at(cal, "2026-12-01 09:00"), LastContactAt: &contact}
		want := at(cal, tc.want)
		if tc.grade == GradeC {
			want = at(cal, "2027-01-04 10:00")
		}
		if due, ok := NextFollowUp(l, r, cal); !ok || !due.Equal(want) {
			t.Errorf("grade %s: due %s, want %s", tc.grade, due, want)
		}
	}
}

func TestR1_5_LateFollowUpRestartsInterval(t *testing.T) {
	cal, r := allWeek(t), DefaultRules().Leads
	l := &Lead{Grade: GradeH, CreatedAt: at(cal, "2026-12-01 09:00")}
	l.LogFollowUp(at(cal, "2026-12-01 11:00"), "", r, cal) // due 12-04 11:00
	l.LogFollowUp(at(cal, "2026-12-06 16:00"), "", r, cal) // two days late
	if want := at(cal, "2026-12-09 16:00"); !l.NextDueAt.Equal(want) {
		t.Fatalf("due %s, want %s (3 days from the late contact)", l.NextDueAt, want)
	}
}

func TestR1_5_OverdueStaysDueEveryDay(t *testing.T) {
	cal := allWeek(t)
	due := at(cal, "2026-12-04 11:00")
	for _, tc := range []struct {
		now  string
		want Due
	}{
		{"2026-12-03 08:30", DueLater},
		{"2026-12-04 08:30", DueToday},
		{"2026-12-04 23:59", DueToday},
		{"2026-12-05 08:30", DueOverdue},
		{"2026-12-25 08:30", DueOverdue},
	} {
		if got := DueAt(due, at(cal, tc.now), cal); got != tc.want {
			t.Errorf("at %s: %v, want %v", tc.now, got, tc.want)
		}
	}
}

func TestR1_5_NoFollowUpsForODFL(t *testing.T) {
	cal, r := allWeek(t), DefaultRules().Leads
	for _, g := range []Grade{GradeO, GradeD, GradeF, GradeL} {
		l := &Lead{Grade: g, CreatedAt: at(cal, "2026-12-01 09:00")}
		if _, ok := NextFollowUp(l, r, cal); ok {
			t.Errorf("grade %s has a follow-up due", g)
		}
		l.Reschedule(r, cal)
		if l.NextDueAt != nil {
			t.Errorf("grade %s keeps a due time", g)
		}
		if GradeOverdue(l, r, at(cal, "2027-01-01 09:00")) {
			t.Errorf("grade %s gets grade reminders", g)
		}
	}
}

func TestR1_5_ClosedDayMovesToNextWorkingDay(t *testing.T) {
	cal, r := testCalendar(t), DefaultRules().Leads // Mon–Fri, 2026-10-01 a holiday
	contact := at(cal, "2026-09-28 10:00")          // Monday
	l := &Lead{Grade: GradeH, CreatedAt: contact, LastContactAt: &contact}
	// Three days later is Thursday 10-01, a public holiday: Friday.
	if due, _ := NextFollowUp(l, r, cal); !due.Equal(at(cal, "2026-10-02 10:00")) {
		t.Fatalf("due %s", due)
	}
}

func TestR1_4_GradePromptAfterThirdCallInFirstWeek(t *testing.T) {
	cal, r := allWeek(t), DefaultRules().Leads
	l := &Lead{Grade: GradeN, CreatedAt: at(cal, "2026-12-01 09:00")}
	for i, day := range []string{"2026-12-01 10:00", "2026-12-03 10:00", "2026-12-05 10:00"} {
		l.LogFollowUp(at(cal, day), "", r, cal)
		if got, want := GradePromptAfterFollowUp(l, r, at(cal, day)), i == 2; got != want {
			t.Errorf("after call %d: prompt %v, want %v", i+1, got, want)
		}
	}
	graded := *l
	graded.SetGrade(GradeA, at(cal, "2026-12-05 10:05"), r, cal)
	if GradePromptAfterFollowUp(&graded, r, at(cal, "2026-12-05 10:05")) {
		t.Error("a graded lead is prompted")
	}
	// Three calls, but the third after the week: no prompt (the daily
	// reminder covers it).
	late := &Lead{Grade: GradeN, CreatedAt: at(cal, "2026-12-01 09:00")}
	for _, day := range []string{"2026-12-01 10:00", "2026-12-03 10:00", "2026-12-09 10:00"} {
		late.LogFollowUp(at(cal, day), "", r, cal)
	}
	if GradePromptAfterFollowUp(late, r, at(cal, "2026-12-09 10:00")) {
		t.Error("prompted for a call after the first week")
	}
}

func TestR1_4_GradeReminderDailyAfterFirstWeek(t *testing.T) {
	cal, r := allWeek(t), DefaultRules().Leads
	l := &Lead{Grade: GradeN, CreatedAt: at(cal, "2026-12-01 09:00")}
	for now, want := range map[string]bool{
		"2026-12-07 08:30": false,
		"2026-12-08 08:30": false, // the week ends at 09:00
		"2026-12-08 09:00": true,
		"2026-12-09 08:30": true,
		"2026-12-20 08:30": true,
	} {
		if got := GradeOverdue(l, r, at(cal, now)); got != want {
			t.Errorf("at %s: reminder %v, want %v", now, got, want)
		}
	}
	l.SetGrade(GradeB, at(cal, "2026-12-10 09:00"), r, cal)
	if GradeOverdue(l, r, at(cal, "2026-12-20 08:30")) {
		t.Error("graded lead still reminded")
	}
}

func TestR1_6_GradeParsing(t *testing.T) {
	if _, err := ParseGrade("F", SettableGrades); ErrorCode(err) != EINVALID {
		t.Error("F settable by hand: it needs an approved lost request")
	}
	for in, want := range map[string]Grade{"h": GradeH, " A ": GradeA, "Ｂ": GradeB, "l": GradeL} {
		if g, err := ParseGrade(in, SettableGrades); err != nil || g != want {
			t.Errorf("ParseGrade(%q) = %q, %v", in, g, err)
		}
	}
	for _, bad := range []string{"", "X", "HH", "O"} {
		if _, err := ParseGrade(bad, SettableGrades); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestR1_7_R1_12_StartPool(t *testing.T) {
	tele, cons := Roles{RoleTelesales}, Roles{RoleConsultant}
	for _, tc := range []struct {
		src   Source
		owner Roles
		want  Pool
	}{
		{SourceCall, cons, PoolTelesales},
		{SourceWeb, cons, PoolTelesales},
		{SourceMaker, tele, PoolTelesales},
		{SourceWalkIn, tele, PoolShowroom},
		{SourceAutoShow, cons, PoolShowroom},
		{SourceReferral, tele, PoolTelesales},
		{SourceReferral, cons, PoolShowroom},
	} {
		if got := StartPool(tc.src, tc.owner); got != tc.want {
			t.Errorf("%s by %v: %s, want %s", tc.src, tc.owner, got, tc.want)
		}
	}
}

func TestR1_14_PoolOfTheWinner(t *testing.T) {
	if PoolOf(Roles{RoleTelesales}) != PoolTelesales || PoolOf(Roles{RoleConsultant}) != PoolShowroom ||
		PoolOf(Roles{RoleTelesales, RoleConsultant}) != PoolShowroom || PoolOf(Roles{RoleSupervisor}) != PoolShowroom {
		t.Fatal("pool by roles")
	}
}

func TestR1_1_ParseSource(t *testing.T) {
	for in, want := range map[string]Source{"来电": SourceCall, "网络": SourceWeb, "厂家": SourceMaker, "车展": SourceAutoShow,
		"到店": SourceWalkIn, "转介绍": SourceReferral, "其他": SourceOther, "WalkIn": SourceWalkIn} {
		if got, err := ParseSource(in); err != nil || got != want {
			t.Errorf("ParseSource(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseSource("微博"); ErrorCode(err) != EINVALID {
		t.Error("unknown source accepted")
	}
}

// TestR2_9_IntentCustomersSameRulesWhoeverOwns: the lead rules do not look
// at the owner or the pool.
func TestR2_9_IntentCustomersSameRulesWhoeverOwns(t *testing.T) {
	cal, r := allWeek(t), DefaultRules().Leads
	contact := at(cal, "2026-12-05 10:00")
	a := &Lead{Grade: GradeA, Pool: PoolTelesales, OwnerID: 1, CreatedAt: contact, LastContactAt: &contact}
	b := &Lead{Grade: GradeA, Pool: PoolShowroom, OwnerID: 2, CreatedAt: contact, LastContactAt: &contact}
	da, _ := NextFollowUp(a, r, cal)
	db, _ := NextFollowUp(b, r, cal)
	if !da.Equal(db) {
		t.Fatalf("telesales lead due %s, showroom lead due %s", da, db)
	}
}

func TestR1_2_LeadValidate(t *testing.T) {
	ok := Lead{Name: "王石", Phone: "138 0013 8000", Model: "轩逸", Source: SourceCall}
	if err := ok.Validate(); err != nil || ok.Phone != "13800138000" || ok.Grade != GradeN {
		t.Fatalf("%+v, %v", ok, err)
	}
	for name, edit := range map[string]func(*Lead){
		"phone":  func(l *Lead) { l.Phone = "12345" },
		"name":   func(l *Lead) { l.Name = " " },
		"model":  func(l *Lead) { l.Model = "" },
		"source": func(l *Lead) { l.Source = "tv" },
		"grade":  func(l *Lead) { l.Grade = "F" },
		"notes":  func(l *Lead) { l.Notes = string(make([]rune, MaxNoteLen+1)) },
	} {
		l := Lead{Name: "王石", Phone: "13800138000", Model: "轩逸", Source: SourceCall}
		edit(&l)
		if err := l.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("bad %s accepted", name)
		}
	}
}

// TestR1_4_ReopenedLeadHasAFreshFirstWeek: a closed lead reopened as N
// (a lost customer back in the showroom) gets a first week from the
// reopening, with its calls counted afresh: no grade reminder, and no
// month-end clean-up, before it has had a chance to be graded.
func TestR1_4_ReopenedLeadHasAFreshFirstWeek(t *testing.T) {
	cal, r := allWeek(t), DefaultRules().Leads
	l := &Lead{Grade: GradeF, Pool: PoolShowroom, CreatedAt: at(cal, "2026-10-01 09:00"), FirstWeekFollowUps: 3}
	l.Reopen(GradeN, at(cal, "2026-12-01 10:00"), r, cal)
	for now, want := range map[string]bool{
		"2026-12-02 08:30": false,
		"2026-12-07 08:30": false,
		"2026-12-08 10:00": true,
	} {
		if got := GradeOverdue(l, r, at(cal, now)); got != want {
			t.Errorf("at %s: reminder %v, want %v", now, got, want)
		}
		if got := CleanupTakes(l, r, at(cal, now)); got != want {
			t.Errorf("at %s: clean-up takes %v, want %v", now, got, want)
		}
	}
	l.LogFollowUp(at(cal, "2026-12-01 10:00"), "", r, cal)
	if l.FirstWeekFollowUps != 1 || GradePromptAfterFollowUp(l, r, at(cal, "2026-12-01 10:00")) {
		t.Errorf("first-week calls %d after the reopening's first: the old week's count kept", l.FirstWeekFollowUps)
	}
}

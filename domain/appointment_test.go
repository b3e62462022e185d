package domain

import (
	"testing"
	"time"
)

func TestArrivalNotice(t *testing.T) {
	owner := &Staff{ID: 1, TelegramID: 11, Active: true, Roles: Roles{RoleTelesales}}
	unenrolled := &Staff{ID: 1, Active: true, Roles: Roles{RoleTelesales}}
	cons := &Staff{ID: 2, TelegramID: 12, Active: true, Roles: Roles{RoleConsultant}}
	rec := &Staff{ID: 3, TelegramID: 13, Active: true, Roles: Roles{RoleReception}}
	for _, tt := range []struct {
		owner, registrar *Staff
		v                *Visit
		tell, claimed    bool
	}{
		{owner, cons, &Visit{ConsultantID: 2}, true, true},
		{owner, rec, &Visit{ConsultantID: 1}, true, false},
		{owner, owner, &Visit{ConsultantID: 1}, false, false},
		{unenrolled, cons, &Visit{ConsultantID: 2}, false, false},
		{nil, cons, &Visit{ConsultantID: 2}, false, false},
	} {
		tell, claimed := ArrivalNotice(tt.owner, tt.registrar, tt.v)
		if (tell != nil) != tt.tell || claimed != tt.claimed {
			t.Errorf("owner %v registrar %d: tell %v claimed %v", tt.owner, tt.registrar.ID, tell, claimed)
		}
	}
}

// TestR1_8_AppointmentPromise: a later day's booking is promised that
// morning's push and the reminder before; today's only the reminder, or
// at once when the visit is within the reminder's lead time.
func TestR1_8_AppointmentPromise(t *testing.T) {
	cal := allWeek(t)
	r := DefaultRules().Leads
	r.AppointmentRemind = 30 * time.Minute
	now := at(cal, "2026-12-01 11:20")
	for _, tt := range []struct {
		at   string
		want Promise
	}{
		{"2026-12-02 09:00", PromiseLaterDay},
		{"2027-01-05 10:00", PromiseLaterDay},
		{"2026-12-02 00:10", PromiseLaterDay}, // after midnight is a later day, however near
		{"2026-12-01 15:00", PromiseToday},
		{"2026-12-01 11:51", PromiseToday},
		{"2026-12-01 11:50", PromiseSoon}, // exactly the lead time: remind now
		{"2026-12-01 11:30", PromiseSoon},
	} {
		if got := AppointmentPromise(at(cal, tt.at), now, r, cal); got != tt.want {
			t.Errorf("AppointmentPromise(%s) = %s, want %s", tt.at, got, tt.want)
		}
	}
}

// TestR1_8_CheckWhen: the service's check of a booking time, apart from
// reading it: not past, within a year, open.
func TestR1_8_CheckWhen(t *testing.T) {
	cal := allWeek(t)
	now := at(cal, "2026-12-01 11:20")
	for in, key := range map[string]string{
		"2026-12-01 15:00": "",
		"2027-12-01 10:00": "",
		"2026-12-01 11:20": "err.when_past",
		"2026-11-30 10:00": "err.when_past",
		"2026-12-02 20:00": "err.when_closed",
		"2027-12-02 10:00": "err.when_far",
	} {
		err := CheckWhen(at(cal, in), now, cal)
		var de *Error
		if key == "" && err != nil || key != "" && (!asError(err, &de) || de.Code != EINVALID || de.Key != key) {
			t.Errorf("CheckWhen(%s) = %v, want %q", in, err, key)
		}
	}
}

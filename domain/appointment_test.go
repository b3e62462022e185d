package domain

import "testing"

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

package domain

import "testing"

func TestR1_12_VisitOwner(t *testing.T) {
	consultant := &Staff{ID: 7, Roles: Roles{RoleConsultant}}
	reception := &Staff{ID: 8, Roles: Roles{RoleReception}}
	for _, tc := range []struct {
		name      string
		registrar *Staff
		want      int64
	}{
		{"ConsultantTakesThem", consultant, 7},
		{"ReceptionGivesThemOn", reception, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := VisitOwner(tc.registrar, 3); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestR1_11_R1_14_ReopenOwner(t *testing.T) {
	consultant := &Staff{ID: 7, Roles: Roles{RoleConsultant}}
	reception := &Staff{ID: 8, Roles: Roles{RoleReception}}
	showroom := &Lead{OwnerID: 3, Pool: PoolShowroom}
	telesales := &Lead{OwnerID: 4, Pool: PoolTelesales}
	for _, tc := range []struct {
		name      string
		registrar *Staff
		lead      *Lead
		want      int64
	}{
		{"ConsultantTakesAShowroomLead", consultant, showroom, 7},
		{"ReceptionGivesItBack", reception, showroom, 3},
		{"TelesalesKeepsTheirs", consultant, telesales, 4},
		{"TelesalesKeepsTheirsFromReception", reception, telesales, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ReopenOwner(tc.registrar, tc.lead); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestR1_11_ReopensOnVisit(t *testing.T) {
	for g, want := range map[Grade]bool{GradeF: true, GradeL: true, GradeD: false, GradeO: false, GradeA: false, GradeN: false} {
		if got := ReopensOnVisit(g); got != want {
			t.Errorf("%s: got %v", g, got)
		}
	}
}

package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

func TestParseMonth(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC) // 2026-12-01 01:00 in the store's zone
	for _, tc := range []struct {
		in, want string
	}{
		{"", "2026-12"}, {"2026-11", "2026-11"}, {"2026/1", "2026-01"}, {"202602", "2026-02"}, {"2026年3月", "2026-03"}, {" 2025-12 ", "2025-12"},
	} {
		got, err := domain.ParseMonth(tc.in, now, loc)
		if err != nil || got.Format(domain.MonthLayout) != tc.want || got.Day() != 1 || got.Hour() != 0 || got.Location() != loc {
			t.Errorf("ParseMonth(%q) = %v, %v; want %s-01 00:00 in the store's zone", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"2026-13", "2026-0", "11", "nov", "2026-11-05", "1999-12", "2026-11 x"} {
		var de *domain.Error
		if _, err := domain.ParseMonth(bad, now, loc); !errors.As(err, &de) || de.Code != domain.EINVALID || de.Key != "form.month_bad" {
			t.Errorf("ParseMonth(%q): %v, want EINVALID form.month_bad", bad, err)
		}
	}
}

func TestFormScope_StoreRolesSeeTheStoreConsultantsTheirOwn(t *testing.T) {
	staff := func(roles ...domain.Role) *domain.Staff {
		return &domain.Staff{ID: 1, Active: true, Roles: roles}
	}
	for _, tc := range []struct {
		who       *domain.Staff
		form      string
		own       bool
		errorCode string
	}{
		{staff(domain.RoleSupervisor), domain.FormVisits, false, ""},
		{staff(domain.RoleManager), domain.FormHandovers, false, ""},
		{staff(domain.RoleGM), domain.FormVisits, false, ""},
		{staff(domain.RoleGroupGM), domain.FormHandovers, false, ""},
		{staff(domain.RoleConsultant), domain.FormVisits, true, ""},
		{staff(domain.RoleTelesales), domain.FormHandovers, true, ""},
		{staff(domain.RoleConsultant, domain.RoleSupervisor), domain.FormVisits, false, ""},
		{staff(domain.RoleReception), domain.FormVisits, false, ""},
		{staff(domain.RoleReception), domain.FormHandovers, false, domain.EFORBIDDEN},
		{staff(domain.RoleService), domain.FormVisits, false, domain.EFORBIDDEN},
		{staff(domain.RoleAdmin), domain.FormVisits, false, domain.EFORBIDDEN},
		{&domain.Staff{ID: 1, Roles: domain.Roles{domain.RoleManager}}, domain.FormVisits, false, domain.EFORBIDDEN}, // inactive
		{staff(domain.RoleManager), "orders", false, domain.EINVALID},
	} {
		own, err := domain.FormScope(tc.who, tc.form)
		if domain.ErrorCode(err) != tc.errorCode || err == nil && own != tc.own {
			t.Errorf("FormScope(%v active %v, %s) = %v, %v; want own %v, error %q", tc.who.Roles, tc.who.Active, tc.form, own, err, tc.own, tc.errorCode)
		}
	}
}

func TestGradeAt_FromTheGradeChanges(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 2, h, 0, 0, 0, time.UTC) }
	events := []domain.LeadEvent{
		{Kind: domain.EventGrade, At: at(10), From: "N", To: "B"},
		{Kind: domain.EventOwner, At: at(11), From: "3", To: "4"},
		{Kind: domain.EventGrade, At: at(12), From: "B", To: "A"},
	}
	for _, tc := range []struct {
		t    time.Time
		want domain.Grade
	}{
		{at(9), "N"}, {at(10), "B"}, {at(11), "B"}, {at(12), "A"}, {at(20), "A"},
	} {
		if got := domain.GradeAt(events, "H", tc.t); got != tc.want {
			t.Errorf("GradeAt(%s) = %s, want %s", tc.t.Format("15:04"), got, tc.want)
		}
	}
	if got := domain.GradeAt(nil, "C", at(9)); got != "C" {
		t.Errorf("no changes: %s, want the grade now (C)", got)
	}
}

func TestR1_11_GradeTrackedByTheEndOfThePromptDay(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	arrived := time.Date(2026, 11, 2, 23, 30, 0, 0, loc) // prompt 11-03 23:30; settled at 11-04 00:00
	if got, want := domain.GradeTrackedBy(arrived, loc), time.Date(2026, 11, 4, 0, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("GradeTrackedBy = %v, want %v", got, want)
	}
}

func TestR1_2_LeadDetailApply(t *testing.T) {
	yes, no := true, false
	l := &domain.Lead{}
	for _, d := range []domain.LeadDetail{{Gender: domain.GenderFemale}, {HeardVia: "报纸"}, {TradeIn: &no}} {
		if err := d.Apply(l); err != nil {
			t.Fatal(err)
		}
	}
	if l.Gender != "F" || l.HeardVia != "newspaper" || l.TradeIn || !l.TradeInKnown {
		t.Fatalf("lead %+v", l)
	}
	if err := (domain.LeadDetail{TradeIn: &yes}).Apply(l); err != nil || !l.TradeIn {
		t.Fatalf("trade-in yes: %v %+v", err, l)
	}
	for _, bad := range []domain.LeadDetail{{}, {Gender: "X"}, {HeardVia: "电视"}} {
		before := *l
		if err := bad.Apply(l); domain.ErrorCode(err) != domain.EINVALID || *l != before {
			t.Errorf("Apply(%+v) = %v, lead %+v; want EINVALID and nothing changed", bad, err, l)
		}
	}
	if h, ok := domain.ParseHeardVia("passing by"); !ok || h != domain.HeardPassing {
		t.Errorf("the seed's %q reads as %q %v", "passing by", h, ok)
	}
}

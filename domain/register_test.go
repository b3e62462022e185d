package domain_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// TestR2_8_ReopenedRoundKeptForTheRegister: the outcomes of a round that
// ends in a reopening are kept: a late first reply stays "missed" in the
// register although the reopened complaint starts afresh.
func TestR2_8_ReopenedRoundKeptForTheRegister(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	cal := &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	r := domain.DefaultRules().Complaints
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	late := start.Add(30 * time.Hour)
	c := &domain.Complaint{Channel: domain.ChannelCall, Subject: domain.SubjectProduct, Status: domain.ComplaintOpen, OpenedAt: start, FirstReplyAt: &late, Appraisal: true}
	var round []domain.RegisterDeadline
	if err := json.Unmarshal([]byte(domain.RoundOutcomes(c, r, cal, start.Add(48*time.Hour))), &round); err != nil {
		t.Fatal(err)
	}
	if len(round) != 1 || round[0].Kind != domain.DeadlineReply || round[0].State != domain.DeadlineMissed {
		t.Fatalf("round %+v: want the late reply missed and the appraisal (not yet due) left out", round)
	}
}

// TestMayReadRegister: the roles of /register, and the server.
func TestMayReadRegister(t *testing.T) {
	for _, tc := range []struct {
		s    *domain.Staff
		want bool
	}{
		{&domain.Staff{ID: 1, Active: true, Roles: domain.Roles{domain.RoleService}}, true},
		{&domain.Staff{ID: 1, Active: true, Roles: domain.Roles{domain.RoleSupervisor}}, true},
		{&domain.Staff{ID: 1, Active: true, Roles: domain.Roles{domain.RoleManager}}, true},
		{&domain.Staff{ID: 1, Active: true, Roles: domain.Roles{domain.RoleGM}}, true},
		{&domain.Staff{ID: 1, Active: true, Roles: domain.Roles{domain.RoleConsultant, domain.RoleTelesales}}, false},
		{&domain.Staff{ID: 1, Active: true, Roles: domain.Roles{domain.RoleAdmin}}, false},
		{&domain.Staff{ID: 1, Active: false, Roles: domain.Roles{domain.RoleService}}, false},
		{domain.ConsoleOperator(), true},
		{nil, false},
	} {
		if got := domain.MayReadRegister(tc.s); got != tc.want {
			t.Errorf("MayReadRegister(%+v) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

// TestParseWeek: a week typed as an ISO week or a date, or last week by
// default; anything else is register.week_bad.
func TestParseWeek(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 27, 9, 30, 0, 0, loc)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"", day(2026, 11, 16)},
		{"2026-W48", day(2026, 11, 23)},
		{"2026w48", day(2026, 11, 23)},
		{"2026-W01", day(2025, 12, 29)},
		{"2026-W53", day(2026, 12, 28)}, // 2026 has 53 ISO weeks
		{"2026-11-23", day(2026, 11, 23)},
		{"2026-11-29", day(2026, 11, 23)}, // a Sunday
		{"2027-01-01", day(2026, 12, 28)},
	} {
		got, err := domain.ParseWeek(tc.in, now, loc)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseWeek(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"2025-W53", "2026-W00", "2026-W54", "week 48", "2026-13-01", "48"} {
		_, err := domain.ParseWeek(in, now, loc)
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.EINVALID || de.Key != "register.week_bad" {
			t.Errorf("ParseWeek(%q): %v", in, err)
		}
	}
	if got := domain.ISOWeek(day(2026, 12, 31)); got != "2026-W53" {
		t.Errorf("ISOWeek %s", got)
	}
}

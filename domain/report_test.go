package domain

import (
	"fmt"
	"testing"
	"time"
)

// TestReport_ParseReportPeriod reads each period word at one instant:
// 2026-12-02 02:00 in Shanghai, a Wednesday (still 1 December in UTC).
func TestReport_ParseReportPeriod(t *testing.T) {
	cal := testCalendar(t)
	now := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		arg, want string
	}{
		{"", "day 2026-12-02 [2026-12-02 00:00 +0800, 2026-12-03 00:00 +0800)"},
		{"today", "day 2026-12-02 [2026-12-02 00:00 +0800, 2026-12-03 00:00 +0800)"},
		{"今天", "day 2026-12-02 [2026-12-02 00:00 +0800, 2026-12-03 00:00 +0800)"},
		{"WEEK", "week 2026-11-30~2026-12-06 [2026-11-30 00:00 +0800, 2026-12-07 00:00 +0800)"},
		{"本周", "week 2026-11-30~2026-12-06 [2026-11-30 00:00 +0800, 2026-12-07 00:00 +0800)"},
		{"month", "month 2026-12 [2026-12-01 00:00 +0800, 2027-01-01 00:00 +0800)"},
		{"2026-11", "month 2026-11 [2026-11-01 00:00 +0800, 2026-12-01 00:00 +0800)"},
		{"2026-02", "month 2026-02 [2026-02-01 00:00 +0800, 2026-03-01 00:00 +0800)"},
		{"2026-11-30", "day 2026-11-30 [2026-11-30 00:00 +0800, 2026-12-01 00:00 +0800)"},
		{"2026-12-02", "day 2026-12-02 [2026-12-02 00:00 +0800, 2026-12-03 00:00 +0800)"},
		{"2026-12-03", "err.report_future"},
		{"2027-01", "err.report_future"},
		{"2026-13", "err.report_period"},
		{"2026-11-31", "err.report_period"},
		{"yesterday", "err.report_period"},
		{"2026/11", "err.report_period"},
	} {
		t.Run(tc.arg, func(t *testing.T) {
			p, err := ParseReportPeriod(tc.arg, now, cal)
			got := ""
			if err != nil {
				got = err.(*Error).Key
				if ErrorCode(err) != EINVALID {
					t.Errorf("code %s", ErrorCode(err))
				}
			} else {
				got = fmt.Sprintf("%s %s [%s, %s)", p.Kind, p.Label(), p.From.Format("2006-01-02 15:04 -0700"), p.To.Format("2006-01-02 15:04 -0700"))
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestReport_PeriodMoves: a period's neighbours and the same dates in
// another store's zone; a week starts on Monday even on a Sunday.
func TestReport_PeriodMoves(t *testing.T) {
	cal := testCalendar(t)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	sunday := time.Date(2026, 3, 1, 12, 0, 0, 0, cal.Location)
	for _, tc := range []struct {
		name string
		p    ReportPeriod
		want string
	}{
		{"week of a Sunday", PeriodOf(PeriodWeek, sunday, cal), "week:2026-02-23 2026-02-23~2026-03-01"},
		{"last week", PeriodOf(PeriodWeek, sunday, cal).Previous(), "week:2026-02-16 2026-02-16~2026-02-22"},
		{"last month over a year", PeriodOf(PeriodMonth, time.Date(2026, 1, 15, 0, 0, 0, 0, cal.Location), cal).Previous(), "month:2025-12-01 2025-12"},
		{"yesterday", PeriodOf(PeriodDay, sunday, cal).Previous(), "day:2026-02-28 2026-02-28"},
		{"an unknown kind is a day", PeriodOf("year", sunday, cal), "day:2026-03-01 2026-03-01"},
	} {
		if got := tc.p.Key() + " " + tc.p.Label(); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
	p := PeriodOf(PeriodMonth, sunday, cal).In(&Calendar{Location: tokyo})
	if want := time.Date(2026, 3, 1, 0, 0, 0, 0, tokyo); !p.From.Equal(want) || p.From.Location() != tokyo || p.First != "2026-03-01" {
		t.Errorf("March in Tokyo starts %s, want %s", p.From, want)
	}
	if d := p.To.Sub(p.From); d != 31*24*time.Hour {
		t.Errorf("March in Tokyo lasts %s", d)
	}
}

// TestReport_ParseReportQuery reads the scope words beside the period.
func TestReport_ParseReportQuery(t *testing.T) {
	cal := testCalendar(t)
	now := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		args, want string
	}{
		{"", "day  "},
		{"month", "month  "},
		{"store week", "week store "},
		{"2026-11 集团", "month group "},
		{"我", "day self "},
		{"month consultant 王 小明", "month consultant 王 小明"},
		{"顾问 陈", "day consultant 陈"},
		{"consultant", "err.report_name"},
		{"week month", "err.report_period"},
		{"store nonsense", "err.report_period"},
		{"2030-01 store", "err.report_future"},
	} {
		q, err := ParseReportQuery(tc.args, now, cal)
		got := fmt.Sprintf("%s %s %s", q.Period.Kind, q.Scope, q.Name)
		if err != nil {
			got = err.(*Error).Key
		}
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.args, got, tc.want)
		}
	}
}

// TestReport_WhoSeesWhat: a consultant their own figures, a supervisor and
// manager their store (their department's complaints), the group roles
// every store.
func TestReport_WhoSeesWhat(t *testing.T) {
	consultant := &Staff{ID: 1, Name: "陈", Roles: Roles{RoleConsultant}}
	telesales := &Staff{ID: 2, Name: "唐", Roles: Roles{RoleTelesales}}
	sup := &Staff{ID: 3, Name: "主管", Roles: Roles{RoleSupervisor}, Department: "销售部"}
	mgr := &Staff{ID: 4, Name: "经理", Roles: Roles{RoleManager}}
	gm := &Staff{ID: 5, Name: "总", Roles: Roles{RoleGM}, Department: "销售部"}
	group := &Staff{ID: 6, Name: "集团", Roles: Roles{RoleGroupService}}
	for _, tc := range []struct {
		s    *Staff
		q    ReportQuery
		want string
	}{
		{consultant, ReportQuery{}, "self"},
		{consultant, ReportQuery{Scope: ScopeSelf}, "self"},
		{consultant, ReportQuery{Scope: ScopeConsultant, Name: "陈"}, "self"},
		{consultant, ReportQuery{Scope: ScopeConsultant, Name: "李"}, "forbidden"},
		{consultant, ReportQuery{Scope: ScopeStore}, "forbidden"},
		{consultant, ReportQuery{Scope: ScopeGroup}, "forbidden"},
		{telesales, ReportQuery{}, "self"},
		{sup, ReportQuery{}, "store"},
		{sup, ReportQuery{Scope: ScopeConsultant, Name: "李"}, "consultant"},
		{sup, ReportQuery{Scope: ScopeSelf}, "self"},
		{sup, ReportQuery{Scope: ScopeGroup}, "forbidden"},
		{mgr, ReportQuery{}, "store"},
		{gm, ReportQuery{}, "store"},
		{gm, ReportQuery{Scope: ScopeGroup}, "forbidden"},
		{group, ReportQuery{}, "group"},
		{group, ReportQuery{Scope: ScopeStore}, "store"},
		{group, ReportQuery{Scope: ScopeConsultant, Name: "李"}, "consultant"},
	} {
		scope, err := ReportScopeFor(tc.s, tc.q)
		got := string(scope)
		if err != nil {
			got = ErrorCode(err)
		}
		if got != tc.want {
			t.Errorf("%s asking %+v: got %s, want %s", tc.s.Name, tc.q, got, tc.want)
		}
	}
	for s, want := range map[*Staff]string{sup: "销售部", mgr: "", gm: "", group: "", consultant: ""} {
		if got := ReportDepartment(s); got != want {
			t.Errorf("%s's department: %q, want %q", s.Name, got, want)
		}
	}
}

// TestReport_FunnelConversion: each step over the one before; a step after
// an empty one converts at 0, not a division by zero.
func TestReport_FunnelConversion(t *testing.T) {
	f := Funnel{Leads: 8, FirstContact24h: 6, Visits: 3, TestDrives: 0, Orders: 1, Deliveries: 1}
	got := fmt.Sprint(f.Steps())
	want := "[{lead 8 1} {contact24h 6 0.75} {visit 3 0.5} {testdrive 0 0} {order 1 0} {delivery 1 1}]"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := fmt.Sprint((Funnel{}).Steps()[0]); got != "{lead 0 0}" {
		t.Errorf("no leads: %s", got)
	}
}

// TestReport_AddAndEmpty: totals add field by field (sources and
// complaint kinds merged, the allocation wait weighted); a report with
// only zeros is empty, one figure anywhere is not.
func TestReport_AddAndEmpty(t *testing.T) {
	a := Figures{
		Funnel:     Funnel{Leads: 2, Visits: 1},
		Sources:    []SourceFunnel{{SourceWeb, Funnel{Leads: 1}}, {SourceWalkIn, Funnel{Leads: 1, Visits: 1}}},
		Complaints: ComplaintFigures{Opened: 1, ByKind: []ComplaintCount{{SubjectService, "销售部", 1}}},
		Stock:      StockFigures{Fresh: 1, AllocationWaits: 1, AllocationWaitDays: 2},
	}
	b := Figures{
		Funnel:     Funnel{Leads: 1, Orders: 1},
		Sources:    []SourceFunnel{{SourceCall, Funnel{Leads: 1, Orders: 1}}, {SourceWeb, Funnel{}}},
		Complaints: ComplaintFigures{Opened: 2, ByKind: []ComplaintCount{{SubjectService, "销售部", 1}, {SubjectProduct, "售后部", 1}}},
		Stock:      StockFigures{Overdue: 2, AllocationWaits: 3, AllocationWaitDays: 6},
		Rota:       RotaFigures{RestDays: 1},
	}
	var sum Figures
	sum.Add(a)
	sum.Add(b)
	for _, c := range []struct {
		what string
		got  any
		want string
	}{
		{"funnel", sum.Funnel, "{3 0 1 0 1 0}"},
		{"sources in Sources order", sum.Sources, "[{call {1 0 0 0 1 0}} {web {1 0 0 0 0 0}} {walkin {1 0 1 0 0 0}}]"},
		{"complaint kinds", sum.Complaints.ByKind, "[{service 销售部 2} {product 售后部 1}]"},
		{"opened", sum.Complaints.Opened, "3"},
		{"stock (wait (1×2+3×6)/4 days)", sum.Stock, "{1 0 2 0 0 0 0 4 5}"},
		{"rota", sum.Rota, "{1 0}"},
	} {
		if s := fmt.Sprint(c.got); s != c.want {
			t.Errorf("%s: got %s, want %s", c.what, s, c.want)
		}
	}

	rep := &Report{Stores: []StoreReport{{Staff: []StaffReport{{StaffID: 1}}}}}
	if !rep.Empty() {
		t.Error("a report of zeros is not empty")
	}
	rep.Stores[0].Staff[0].Rota.ReceptionMisses = 1
	if rep.Empty() {
		t.Error("a staff member's one miss makes an empty report")
	}
	rep.Stores[0].Staff[0].Rota.ReceptionMisses = 0
	rep.Stores[0].Total.Complaints.Closed = 1
	if rep.Empty() {
		t.Error("a complaint closed makes an empty report")
	}
	if (&Report{}).Empty() != true {
		t.Error("a report of no store is not empty")
	}
}

// TestReport_Key: a scheduled report's key names the period and the
// recipient, so a rerun finds it sent.
func TestReport_Key(t *testing.T) {
	cal := testCalendar(t)
	p := PeriodOf(PeriodWeek, time.Date(2026, 12, 2, 9, 0, 0, 0, cal.Location), cal).Previous()
	if got := ReportKey(p, 42); got != "report:week:2026-11-23:42" {
		t.Errorf("got %s", got)
	}
}

// TestReport_ActivityMakesAReportNotEmpty: a day whose only event is an
// order for an older lead (no lead created, so the cohort funnel is all
// zeros) is not empty, in the store's totals or in one person's row; the
// activity adds up field by field.
func TestReport_ActivityMakesAReportNotEmpty(t *testing.T) {
	for _, set := range []func(*Report){
		func(r *Report) { r.Stores[0].Total.Activity.Orders = 1 },
		func(r *Report) { r.Stores[0].Staff[0].Activity.Deliveries = 1 },
		func(r *Report) { r.Stores[0].Staff[0].Activity.AfterSales = 1 },
	} {
		rep := &Report{Stores: []StoreReport{{Staff: []StaffReport{{StaffID: 1}}}}}
		if !rep.Empty() {
			t.Fatal("a report of zeros is not empty")
		}
		set(rep)
		if rep.Empty() {
			t.Errorf("a report with activity %+v / %+v is empty", rep.Stores[0].Total.Activity, rep.Stores[0].Staff[0].Activity)
		}
	}
	var sum Figures
	sum.Add(Figures{Activity: Activity{NewLeads: 1, Orders: 2, AfterSales: 1}})
	sum.Add(Figures{Activity: Activity{FirstContacts: 1, Visits: 2, TestDrives: 3, Orders: 1, Confirmed: 1, Deliveries: 4}})
	if got := fmt.Sprint(sum.Activity); got != "{1 1 2 3 3 1 4 1}" {
		t.Errorf("activity sum %s", got)
	}
	if got := fmt.Sprint(sum.Activity.Items()); got != "[{lead 1} {contact 1} {visit 2} {testdrive 3} {order 3} {confirmed 1} {delivery 4} {aftersales 1}]" {
		t.Errorf("items %s", got)
	}
}

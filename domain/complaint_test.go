package domain

import (
	"testing"
	"time"
)

func deadlineMap(ds []Deadline) map[string]Deadline {
	m := map[string]Deadline{}
	for _, d := range ds {
		m[d.Kind] = d
	}
	return m
}

func TestR2_4_Deadlines(t *testing.T) {
	cal, r := testCalendar(t), DefaultRules().Complaints // Mon–Fri, 10-01 a holiday
	fri := at(cal, "2026-09-25 16:00")                   // a Friday
	wed := at(cal, "2026-09-30 11:00")                   // the eve of the holiday
	for _, tc := range []struct {
		name string
		c    Complaint
		want map[string]string
	}{
		{"OnSite10Minutes", Complaint{Channel: ChannelOnSite, Subject: SubjectService, OpenedAt: fri},
			map[string]string{DeadlineSolution: "2026-09-25 16:10", DeadlineOpinion: "2026-09-28 16:10"}},
		{"Other24Hours", Complaint{Channel: ChannelCall, Subject: SubjectProduct, OpenedAt: fri},
			map[string]string{DeadlineReply: "2026-09-26 16:00"}},
		{"AppraisalWeek", Complaint{Channel: ChannelEmail, Subject: SubjectProduct, Appraisal: true, OpenedAt: fri},
			map[string]string{DeadlineReply: "2026-09-26 16:00", DeadlineAppraisal: "2026-10-02 16:00"}},
		{"TicketAcrossWeekend", Complaint{Channel: ChannelTicket, Subject: SubjectProduct, OpenedAt: fri},
			map[string]string{DeadlineReply: "2026-09-25 18:00", DeadlineContact: "2026-09-28 16:00"}},
		{"TicketAcrossHoliday", Complaint{Channel: ChannelTicket, Subject: SubjectProduct, OpenedAt: wed},
			map[string]string{DeadlineReply: "2026-09-30 13:00", DeadlineContact: "2026-10-02 11:00"}},
		{"FollowUpComplaintContactWithinAWorkingDay", Complaint{Channel: ChannelFollowUp, Subject: SubjectProduct, OpenedAt: fri},
			map[string]string{DeadlineContact: "2026-09-28 16:00"}},
		{"FollowUpComplaintAcrossHoliday", Complaint{Channel: ChannelFollowUp, Subject: SubjectService, OpenedAt: wed},
			map[string]string{DeadlineContact: "2026-10-02 11:00", DeadlineOpinion: "2026-10-02 11:00"}},
		{"ServiceNeedsManagerOpinion", Complaint{Channel: ChannelCall, Subject: SubjectService, OpenedAt: fri},
			map[string]string{DeadlineReply: "2026-09-26 16:00", DeadlineOpinion: "2026-09-28 16:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.Status = ComplaintOpen
			got := deadlineMap(tc.c.Deadlines(r, cal))
			if len(got) != len(tc.want) {
				t.Fatalf("deadlines %v, want %v", got, tc.want)
			}
			for kind, due := range tc.want {
				if d, ok := got[kind]; !ok || !d.Due.Equal(at(cal, due)) {
					t.Errorf("%s due %v, want %s", kind, d.Due, due)
				}
			}
		})
	}
}

func TestR2_4_TicketProgressEveryTwoWorkingDays(t *testing.T) {
	cal, r := testCalendar(t), DefaultRules().Complaints
	contact := at(cal, "2026-09-29 10:00") // Tuesday
	c := Complaint{Channel: ChannelTicket, Subject: SubjectProduct, Status: ComplaintOpen, OpenedAt: at(cal, "2026-09-29 09:00"), ContactedAt: &contact}
	// Two working days from Tuesday, with Thursday a holiday: Friday.
	if d := deadlineMap(c.Deadlines(r, cal))[DeadlineProgress]; !d.Due.Equal(at(cal, "2026-10-02 10:00")) {
		t.Fatalf("first progress due %s", d.Due)
	}
	report := at(cal, "2026-10-02 15:00") // Friday's report: next Tuesday
	c.LastProgressAt = &report
	if d := deadlineMap(c.Deadlines(r, cal))[DeadlineProgress]; !d.Due.Equal(at(cal, "2026-10-06 15:00")) || d.Done {
		t.Fatalf("next progress due %s (done %v)", d.Due, d.Done)
	}
	c.Status = ComplaintClosed
	if len(c.Deadlines(r, cal)) != 0 {
		t.Fatal("a closed complaint has deadlines")
	}
}

func TestR2_4_RemindAndEscalate(t *testing.T) {
	cal, r := testCalendar(t), DefaultRules().Complaints
	start := at(cal, "2026-09-28 10:00")
	onSite := Deadline{Kind: DeadlineSolution, Start: start, Due: start.Add(10 * time.Minute)}
	if got := onSite.RemindAt(r); !got.Equal(start.Add(8 * time.Minute)) {
		t.Errorf("on-site reminder at %s, want 2 minutes before", got)
	}
	day := Deadline{Kind: DeadlineReply, Start: start, Due: start.Add(24 * time.Hour)}
	if got := day.RemindAt(r); !got.Equal(start.Add(24*time.Hour - 288*time.Minute)) {
		t.Errorf("24 h reminder at %s, want 20 %% before", got)
	}
	for _, tc := range []struct {
		after time.Duration
		want  int
	}{{9 * time.Minute, 0}, {10 * time.Minute, 1}, {19 * time.Minute, 1}, {20 * time.Minute, 2}, {31 * time.Minute, 3}} {
		if got := onSite.Breaches(start.Add(tc.after)); got != tc.want {
			t.Errorf("after %s: %d breaches, want %d", tc.after, got, tc.want)
		}
	}
	onSite.Done = true
	if onSite.Breaches(start.Add(time.Hour)) != 0 {
		t.Error("a done deadline breaches")
	}
	for n, want := range map[int]Role{1: RoleSupervisor, 2: RoleManager, 3: RoleGM, 5: RoleGM} {
		if got := EscalationRole(n); got != want {
			t.Errorf("breach %d goes to %s, want %s", n, got, want)
		}
	}
}

func TestR2_2_R2_6_ComplaintValidate(t *testing.T) {
	deps := []string{"销售部", "售后部"}
	ok := Complaint{Customer: "王石", Phone: "13800138000", Channel: ChannelCall, Subject: SubjectProduct, Model: "轩逸", Department: "售后部", Description: "异响"}
	if err := ok.Validate(deps); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*Complaint){
		"phone":       func(c *Complaint) { c.Phone = "123" },
		"department":  func(c *Complaint) { c.Department = "财务部" },
		"description": func(c *Complaint) { c.Description = " " },
		"model":       func(c *Complaint) { c.Model = "" },
		"vin":         func(c *Complaint) { c.VIN = "ABC" },
		"channel":     func(c *Complaint) { c.Channel = "pigeon" },
	} {
		c := Complaint{Customer: "王石", Phone: "13800138000", Channel: ChannelCall, Subject: SubjectProduct, Model: "轩逸", Department: "售后部", Description: "异响"}
		edit(&c)
		if err := c.Validate(deps); ErrorCode(err) != EINVALID {
			t.Errorf("bad %s accepted", name)
		}
	}
}

func TestR2_3_EscalationAboveTheOwner(t *testing.T) {
	for _, tc := range []struct {
		owner Roles
		n     int
		want  Role
	}{
		{Roles{RoleConsultant}, 1, RoleSupervisor},
		{Roles{RoleConsultant}, 2, RoleManager},
		{Roles{RoleConsultant}, 3, RoleGM},
		{Roles{RoleSupervisor}, 1, RoleManager},
		{Roles{RoleSupervisor}, 2, RoleGM},
		{Roles{RoleManager}, 1, RoleGM},
	} {
		if got := EscalationRoleFor(tc.owner, tc.n); got != tc.want {
			t.Errorf("%v breach %d: %s, want %s", tc.owner, tc.n, got, tc.want)
		}
	}
	if EscalationSteps(Roles{RoleConsultant}) != 3 || EscalationSteps(Roles{RoleSupervisor}) != 2 || EscalationSteps(Roles{RoleGM}) != 1 {
		t.Error("steps")
	}
}

func TestR2_4_OpinionOnlyWhenNotSettledAtOnce(t *testing.T) {
	cal, r := testCalendar(t), DefaultRules().Complaints
	start := at(cal, "2026-09-28 10:00")
	quick := start.Add(5 * time.Minute)
	settled := Complaint{Channel: ChannelOnSite, Subject: SubjectService, Status: ComplaintOpen, OpenedAt: start, SolutionAt: &quick}
	if _, ok := deadlineMap(settled.Deadlines(r, cal))[DeadlineOpinion]; ok {
		t.Error("an on-site complaint settled at once needs an opinion")
	}
	unsettled := Complaint{Channel: ChannelOnSite, Subject: SubjectService, Status: ComplaintOpen, OpenedAt: start}
	if d, ok := deadlineMap(unsettled.Deadlines(r, cal))[DeadlineOpinion]; !ok || !d.Due.Equal(at(cal, "2026-09-29 10:10")) {
		t.Errorf("unsettled on-site: opinion %v %v", d.Due, ok)
	}
}

func TestR2_3_WhoMayActOnAComplaint(t *testing.T) {
	c := &Complaint{OwnerID: 7}
	for _, tc := range []struct {
		s    Staff
		want bool
	}{
		{Staff{ID: 7, Roles: Roles{RoleConsultant}}, true},
		{Staff{ID: 8, Roles: Roles{RoleConsultant}}, false},
		{Staff{ID: 9, Roles: Roles{RoleSupervisor}}, true},
		{Staff{ID: 10, Roles: Roles{RoleService}}, false},
	} {
		if got := CanActOnComplaint(&tc.s, c); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.s.Roles, got, tc.want)
		}
	}
}

func TestR2_2_FollowUpComplaintChannel(t *testing.T) {
	for _, in := range []string{"回访投诉", "回访", "followup", "follow-up"} {
		if c, err := ParseComplaintChannel(in); err != nil || c != ChannelFollowUp {
			t.Errorf("%q: %v, %v", in, c, err)
		}
	}
}

func TestR2_4_OpinionGivers(t *testing.T) {
	sales := &Staff{ID: 1, Roles: Roles{RoleManager}, Department: "销售部"}
	after := &Staff{ID: 2, Roles: Roles{RoleManager}, Department: "售后部"}
	gm := &Staff{ID: 3, Roles: Roles{RoleGM}}
	sup := &Staff{ID: 4, Roles: Roles{RoleSupervisor}, Department: "销售部"}
	managers := []*Staff{sales, after}
	c := &Complaint{Department: "销售部", OwnerID: sup.ID}
	t.Run("TheDepartmentsManager", func(t *testing.T) {
		if g := OpinionGivers(c, managers); len(g) != 1 || g[0] != sales {
			t.Fatalf("givers %v", g)
		}
		for s, want := range map[*Staff]bool{sales: true, after: false, gm: true, sup: false} {
			if got := CanGiveOpinion(s, c, managers); got != want {
				t.Errorf("staff %d: %v, want %v", s.ID, got, want)
			}
		}
	})
	t.Run("EveryManagerWhenTheDepartmentHasNone", func(t *testing.T) {
		other := &Complaint{Department: "客服中心"}
		if g := OpinionGivers(other, managers); len(g) != 2 {
			t.Fatalf("givers %v", g)
		}
		if !CanGiveOpinion(after, other, managers) {
			t.Fatal("a manager may give the opinion of a department without one")
		}
	})
}

func TestR2_3_CanSeeComplaint(t *testing.T) {
	c := &Complaint{OwnerID: 1, RegisteredBy: 2}
	for _, tc := range []struct {
		s    *Staff
		acts []ComplaintAction
		want bool
	}{
		{&Staff{ID: 1, Roles: Roles{RoleConsultant}}, nil, true},
		{&Staff{ID: 2, Roles: Roles{RoleReception}}, nil, true},
		{&Staff{ID: 3, Roles: Roles{RoleService}}, nil, true},
		{&Staff{ID: 4, Roles: Roles{RoleConsultant}}, nil, false},
		{&Staff{ID: 4, Roles: Roles{RoleConsultant}}, []ComplaintAction{{StaffID: 4}}, true},
	} {
		if got := CanSeeComplaint(tc.s, c, tc.acts); got != tc.want {
			t.Errorf("staff %d %v: %v, want %v", tc.s.ID, tc.s.Roles, got, tc.want)
		}
	}
}

// TestR2_4_NextAlarm: the chaser's instants for an on-site deadline are
// the reminder, then each breach, to the second; none once done.
func TestR2_4_NextAlarm(t *testing.T) {
	cal, r := testCalendar(t), DefaultRules().Complaints
	start := at(cal, "2026-09-28 10:00").Add(17 * time.Second)
	d := Deadline{Kind: DeadlineSolution, Start: start, Due: start.Add(10 * time.Minute)}
	for _, tc := range []struct {
		after time.Duration
		want  time.Duration // -1: none
	}{
		{0, 8 * time.Minute},
		{8*time.Minute - time.Second, 8 * time.Minute},
		{8 * time.Minute, 10 * time.Minute},
		{10 * time.Minute, 20 * time.Minute},
		{20 * time.Minute, 30 * time.Minute},
		{30 * time.Minute, -1},
	} {
		got, ok := d.NextAlarm(r, start.Add(tc.after), 3)
		switch {
		case tc.want < 0 && ok:
			t.Errorf("after +%s: alarm at %s, want none", tc.after, got)
		case tc.want >= 0 && (!ok || !got.Equal(start.Add(tc.want))):
			t.Errorf("after +%s: alarm at %s (%v), want +%s", tc.after, got, ok, tc.want)
		}
	}
	d.Done = true
	if got, ok := d.NextAlarm(r, start, 3); ok {
		t.Errorf("a done deadline alarms at %s", got)
	}
}

func TestR2_4_ParseAppraisal(t *testing.T) {
	for in, want := range map[string]bool{"需要": true, "是": true, "要": true, "Yes": true, " y ": true,
		"不需要": false, "否": false, "不": false, "no": false, "N": false} {
		if got, err := ParseAppraisal(in); err != nil || got != want {
			t.Errorf("ParseAppraisal(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "看情况", "maybe", "需要吧"} {
		if _, err := ParseAppraisal(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseAppraisal(%q): %v, want EINVALID", bad, err)
		}
	}
}

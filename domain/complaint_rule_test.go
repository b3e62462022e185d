package domain

import (
	"errors"
	"testing"
	"time"
)

func TestMayActOnComplaint(t *testing.T) {
	owner := &Staff{ID: 1, Roles: Roles{RoleConsultant}}
	other := &Staff{ID: 2, Roles: Roles{RoleConsultant}}
	sup := &Staff{ID: 3, Roles: Roles{RoleSupervisor}}
	mgr := &Staff{ID: 4, Roles: Roles{RoleManager}, Department: "销售部"}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	open := &Complaint{ID: 9, OwnerID: 1, Status: ComplaintOpen, Department: "销售部"}
	replied := &Complaint{ID: 9, OwnerID: 1, Status: ComplaintOpen, FirstReplyAt: &at}
	closing := &Complaint{ID: 9, OwnerID: 1, Status: ComplaintClosing}
	for _, tc := range []struct {
		name string
		s    *Staff
		c    *Complaint
		act  string
		code string
		key  string
	}{
		{"owner replies", owner, open, ActReply, "", ""},
		{"supervisor above", sup, open, ActContact, "", ""},
		{"stranger", other, open, ActReply, EFORBIDDEN, "err.forbidden"},
		{"not open", owner, closing, ActReply, ECONFLICT, "cmp.not_open"},
		{"close without reply", owner, open, ActClose, EINVALID, "err.close_no_reply"},
		{"close after reply", owner, replied, ActClose, "", ""},
		{"opinion by owner", owner, open, ActOpinion, EFORBIDDEN, "err.forbidden"},
		{"opinion by the manager", mgr, open, ActOpinion, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := MayActOnComplaint(tc.s, tc.c, tc.act, []*Staff{mgr})
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if ErrorCode(err) != tc.code || errorKey(err) != tc.key {
				t.Fatalf("got %v, want %s %s", err, tc.code, tc.key)
			}
		})
	}
}

func TestComplaintApply(t *testing.T) {
	r := DefaultRules().Complaints
	cal := &Calendar{Location: time.UTC, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	contacted := start.Add(time.Hour)
	for _, tc := range []struct {
		name   string
		c      Complaint
		act    string
		at     time.Time
		check  func(c *Complaint) bool
		missed bool
	}{
		{"reply", Complaint{Status: ComplaintOpen, OpenedAt: start}, ActReply, start, func(c *Complaint) bool { return c.FirstReplyAt != nil }, false},
		{"contact is a reply", Complaint{Status: ComplaintOpen, OpenedAt: start}, ActContact, start,
			func(c *Complaint) bool { return c.ContactedAt != nil && c.FirstReplyAt != nil }, false},
		{"solution is a reply", Complaint{Status: ComplaintOpen, OpenedAt: start}, ActSolution, start,
			func(c *Complaint) bool { return c.SolutionAt != nil && c.FirstReplyAt != nil }, false},
		{"appraisal", Complaint{Status: ComplaintOpen}, ActAppraisal, start, func(c *Complaint) bool { return c.Appraisal }, false},
		{"progress in time", Complaint{Status: ComplaintOpen, Channel: ChannelTicket, OpenedAt: start, ContactedAt: &contacted}, ActProgress,
			start.Add(2 * time.Hour), func(c *Complaint) bool { return c.LastProgressAt != nil }, false},
		{"progress late", Complaint{Status: ComplaintOpen, Channel: ChannelTicket, OpenedAt: start, ContactedAt: &contacted}, ActProgress,
			start.Add(30 * 24 * time.Hour), func(c *Complaint) bool { return c.LastProgressAt != nil }, true},
		{"close", Complaint{Status: ComplaintOpen, FirstReplyAt: &start}, ActClose, start,
			func(c *Complaint) bool { return c.Status == ComplaintClosing && c.Valid != nil && *c.Valid }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			valid := true
			missed, err := tc.c.Apply(tc.act, &valid, r, cal, tc.at)
			if err != nil || missed != tc.missed || !tc.check(&tc.c) {
				t.Fatalf("apply %s: missed %v err %v, complaint %+v", tc.act, missed, err, tc.c)
			}
		})
	}
	c := Complaint{Status: ComplaintOpen}
	if _, err := c.Apply("dance", nil, r, cal, start); errorKey(err) != "callback.stale" {
		t.Errorf("unknown act: %v", err)
	}
}

func TestComplaintSurvey(t *testing.T) {
	r := DefaultRules().Complaints
	cal := &Calendar{Location: time.UTC, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := start.Add(48 * time.Hour)
	for _, tc := range []struct {
		sat, status string
		round       bool
	}{{Satisfied, ComplaintClosed, false}, {Neutral, ComplaintClosed, false}, {Dissatisfied, ComplaintOpen, true}} {
		t.Run(tc.sat, func(t *testing.T) {
			c := &Complaint{Channel: ChannelCall, Status: ComplaintClosing, OpenedAt: start, FirstReplyAt: &start}
			round, err := c.Survey(tc.sat, r, cal, now)
			if err != nil || c.Status != tc.status || c.Satisfaction != tc.sat || (round != "") != tc.round {
				t.Fatalf("survey %s: %+v round %q err %v", tc.sat, c, round, err)
			}
			if tc.round && (c.FirstReplyAt != nil || !c.OpenedAt.Equal(now)) {
				t.Errorf("reopened without fresh deadlines: %+v", c)
			}
			if !tc.round && (c.ClosedAt == nil || !c.ClosedAt.Equal(now)) {
				t.Errorf("closed at %v", c.ClosedAt)
			}
		})
	}
	c := &Complaint{Status: ComplaintOpen}
	if _, err := c.Survey(Satisfied, r, cal, now); errorKey(err) != "cmp.not_closing" {
		t.Errorf("survey of an open complaint: %v", err)
	}
}

func TestDefaultComplaintOwner(t *testing.T) {
	me := &Staff{ID: 9}
	a := &Staff{ID: 5, Department: "售后部"}
	b := &Staff{ID: 3, Department: "售后部"}
	c := &Staff{ID: 4, Department: "销售部"}
	for _, tc := range []struct {
		name string
		sups []*Staff
		dept string
		want int64
	}{
		{"the department's first", []*Staff{a, b, c}, "售后部", 3},
		{"the only one of the department", []*Staff{a, b, c}, "销售部", 4},
		{"no supervisor there: the first of all", []*Staff{a, c}, "客服中心", 4},
		{"none at all: the registrar", nil, "销售部", 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DefaultComplaintOwner(tc.sups, tc.dept, me); got.ID != tc.want {
				t.Fatalf("owner %d, want %d", got.ID, tc.want)
			}
		})
	}
}

func TestSortByNextDeadline(t *testing.T) {
	r := DefaultRules().Complaints
	cal := &Calendar{Location: time.UTC, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	later := &Complaint{ID: 1, Channel: ChannelCall, Status: ComplaintOpen, OpenedAt: start.Add(time.Hour)}
	closing := &Complaint{ID: 2, Status: ComplaintClosing}
	sooner := &Complaint{ID: 3, Channel: ChannelCall, Status: ComplaintOpen, OpenedAt: start}
	list := []*Complaint{later, closing, sooner}
	SortByNextDeadline(list, r, cal, start)
	if list[0].ID != 3 || list[1].ID != 1 || list[2].ID != 2 {
		t.Fatalf("order %d %d %d", list[0].ID, list[1].ID, list[2].ID)
	}
}

// errorKey is the catalogue key of the *Error in err's chain.
func errorKey(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

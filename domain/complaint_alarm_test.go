package domain

import (
	"fmt"
	"testing"
	"time"
)

// TestR2_4_Alarms: a deadline calls for its reminder from RemindAt until
// it is due, then one escalation per breach, three at most; a done one
// for nothing.
func TestR2_4_Alarms(t *testing.T) {
	cal, r := testCalendar(t), DefaultRules().Complaints
	c := &Complaint{ID: 7, Channel: ChannelCall, Subject: SubjectProduct, Status: ComplaintOpen, OpenedAt: at(cal, "2026-09-29 09:00")}
	d, ok := c.Next(r, cal)
	if !ok {
		t.Fatal("no deadline")
	}
	span := d.Due.Sub(d.Start)
	steps := func(now time.Time) string {
		var out []string
		for _, a := range c.Alarms(r, cal, now) {
			if a.Deadline.Kind == d.Kind && a.Complaint == c {
				out = append(out, fmt.Sprint(a.Step))
			}
		}
		return fmt.Sprint(out)
	}
	for _, tc := range []struct {
		name string
		now  time.Time
		want string
	}{
		{"before the reminder", d.RemindAt(r).Add(-time.Second), "[]"},
		{"at the reminder", d.RemindAt(r), "[0]"},
		{"at the breach", d.Due, "[1]"},
		{"second breach", d.Due.Add(span), "[1 2]"},
		{"no higher than three", d.Due.Add(10 * span), "[1 2 3]"},
	} {
		if got := steps(tc.now); got != tc.want {
			t.Errorf("%s: steps %s, want %s", tc.name, got, tc.want)
		}
	}
	c.Status = ComplaintClosed
	if got := c.Alarms(r, cal, d.Due); len(got) != 0 {
		t.Errorf("a closed complaint alarms %v", got)
	}
}

// TestR2_4_AlarmRecipients: the owner is reminded, the opinion's givers
// for the opinion; the breach goes to the step's role in the complaint's
// department (everyone of the role when none is there), never the owner,
// and past the general manager to nobody.
func TestR2_4_AlarmRecipients(t *testing.T) {
	owner := &Staff{ID: 1, Name: "owner", Roles: Roles{RoleConsultant}, TelegramID: 11, Active: true}
	unenrolled := &Staff{ID: 2, Name: "new", Roles: Roles{RoleConsultant}, Active: true}
	supSales := &Staff{ID: 3, Name: "sup-sales", Roles: Roles{RoleSupervisor}, Department: "sales", TelegramID: 13, Active: true}
	supService := &Staff{ID: 4, Name: "sup-service", Roles: Roles{RoleSupervisor}, Department: "service", TelegramID: 14, Active: true}
	gm := &Staff{ID: 5, Name: "gm", Roles: Roles{RoleGM}, TelegramID: 15, Active: true}
	reply := Deadline{Kind: DeadlineReply}
	opinion := Deadline{Kind: DeadlineOpinion}
	c := &Complaint{ID: 7, Department: "sales", OwnerID: owner.ID}
	names := func(ss []*Staff) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Name)
		}
		return fmt.Sprint(out)
	}
	for _, tc := range []struct {
		name string
		got  []*Staff
		want string
	}{
		{"reminder to the owner", ReminderRecipients(reply, owner, []*Staff{gm}), "[owner]"},
		{"no reminder to an owner not enrolled", ReminderRecipients(reply, unenrolled, nil), "[]"},
		{"no reminder without an owner", ReminderRecipients(reply, nil, nil), "[]"},
		{"opinion reminder to its givers", ReminderRecipients(opinion, owner, []*Staff{gm}), "[gm]"},
		{"breach to the department's supervisor", EscalationRecipients(c, reply, 1, owner, []*Staff{supSales, supService}), "[sup-sales]"},
		{"a department without one: all", EscalationRecipients(&Complaint{Department: "parts"}, reply, 1, owner, []*Staff{supSales, supService}), "[sup-sales sup-service]"},
		{"never the owner", EscalationRecipients(c, reply, 1, gm, []*Staff{gm}), "[]"},
		{"past the general manager: nobody", EscalationRecipients(c, reply, 4, owner, []*Staff{gm}), "[]"},
		{"a late opinion goes above the manager", EscalationRecipients(c, opinion, 1, owner, []*Staff{gm}), "[gm]"},
		{"and no further", EscalationRecipients(c, opinion, 2, owner, []*Staff{gm}), "[]"},
	} {
		if got := names(tc.got); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if got := EscalationRoleFor(EscalationAnswerable(opinion, owner), 1); got != RoleGM {
		t.Errorf("a late opinion escalates to %s", got)
	}
	if got := names(Reachable([]*Staff{owner, unenrolled, {ID: 9, Name: "gone", TelegramID: 19}})); got != "[owner]" {
		t.Errorf("reachable %s", got)
	}
}

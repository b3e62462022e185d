package domain

import (
	"testing"
	"time"
)

// TestR1_6_LostRules: who may ask, what a request holds, and what an
// approval does to the lead.
func TestR1_6_LostRules(t *testing.T) {
	chen := staffOf(10, "", RoleConsultant)
	t.Run("CanRequestLost", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			who   *Staff
			grade Grade
			code  string
		}{
			{"Owner", chen, GradeA, ""},
			{"Supervisor", staffOf(1, "", RoleSupervisor), GradeB, ""},
			{"OtherConsultant", staffOf(11, "", RoleConsultant), GradeA, EFORBIDDEN},
			{"Closed", chen, GradeD, EINVALID},
			{"LostAlready", chen, GradeF, EINVALID},
			{"Ordered", chen, GradeO, EINVALID}, // R4.4: cancel the order as lost instead
		} {
			t.Run(tc.name, func(t *testing.T) {
				l := &Lead{ID: 1, OwnerID: chen.ID, Grade: tc.grade}
				err := CanRequestLost(tc.who, l)
				if got := ErrorCode(err); got != tc.code {
					t.Fatalf("code %q, want %q", got, tc.code)
				}
				if tc.grade == GradeO {
					assertKey(t, err, EINVALID, "err.lost_ordered")
				}
			})
		}
	})
	t.Run("Validate", func(t *testing.T) {
		if err := (&LostRequest{Reason: LostBudget, Note: "不买了"}).Validate(); err != nil {
			t.Fatal(err)
		}
		assertKey(t, (&LostRequest{Reason: "bored"}).Validate(), EINVALID, "err.invalid")
		assertKey(t, (&LostRequest{Reason: LostOther, Note: string(make([]rune, MaxNoteLen+1))}).Validate(), EINVALID, "err.note_long")
	})
	t.Run("MarkLost", func(t *testing.T) {
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		due := at.Add(time.Hour)
		l := &Lead{ID: 1, Grade: GradeA, NextDueAt: &due}
		if err := l.MarkLost(&LostRequest{Note: "去了别家"}, at); err != nil {
			t.Fatal(err)
		}
		if l.Grade != GradeF || l.NextDueAt != nil || l.GradedAt == nil || !l.GradedAt.Equal(at) || l.LostNote != "去了别家" {
			t.Fatalf("marked %+v", l)
		}
		ordered := &Lead{ID: 2, Grade: GradeO}
		assertKey(t, ordered.MarkLost(&LostRequest{}, at), EINVALID, "err.lead_closed")
		if ordered.Grade != GradeO {
			t.Fatalf("ordered lead became %s", ordered.Grade)
		}
	})
	t.Run("Status", func(t *testing.T) {
		r := &LostRequest{}
		if r.Status() != LostPending {
			t.Fatal(r.Status())
		}
		r.Decision = &Decision{Verdict: Rejected}
		if r.Status() != "rejected" {
			t.Fatal(r.Status())
		}
	})
}

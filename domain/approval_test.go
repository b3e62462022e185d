package domain

import (
	"testing"
	"time"
)

// staffOf builds an active, enrolled member for the approval rules.
func staffOf(id int64, dept string, roles ...Role) *Staff {
	return &Staff{ID: id, Name: "s", Roles: roles, Department: dept, TelegramID: 1000 + id, Active: true}
}

func ids(list []*Staff) []int64 {
	out := make([]int64, len(list))
	for i, s := range list {
		out[i] = s.ID
	}
	return out
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestR1_6_Approvers: a request goes to the supervisors of the requester's
// department (all of them when none is in it), to the managers for a
// supervisor's own request, never to the requester, never to someone who
// cannot be reached.
func TestR1_6_Approvers(t *testing.T) {
	supA := staffOf(1, "sales", RoleSupervisor)
	supB := staffOf(2, "service", RoleSupervisor)
	mgr := staffOf(3, "", RoleManager)
	gone := staffOf(4, "sales", RoleSupervisor)
	gone.Active = false
	unenrolled := staffOf(5, "sales", RoleSupervisor)
	unenrolled.TelegramID = 0
	staff := []*Staff{supA, supB, mgr, gone, unenrolled}
	for _, tc := range []struct {
		name      string
		requester *Staff
		want      []int64
	}{
		{"ConsultantOfDepartment", staffOf(10, "sales", RoleConsultant), []int64{1}},
		{"ConsultantOfNoDepartment", staffOf(10, "", RoleConsultant), []int64{1, 2}},
		{"DepartmentWithoutSupervisor", staffOf(10, "parts", RoleConsultant), []int64{1, 2}},
		{"SupervisorGoesToManagers", staffOf(1, "sales", RoleSupervisor), []int64{3}},
		{"NotTheRequester", staffOf(3, "", RoleManager), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(Approvers(tc.requester, staff)); !sameIDs(got, tc.want) {
				t.Fatalf("approvers %v, want %v", got, tc.want)
			}
		})
	}
}

// TestR1_6_MayDecide: only the requester's approvers rule on a lost lead.
func TestR1_6_MayDecide(t *testing.T) {
	sup := staffOf(1, "", RoleSupervisor)
	sup2 := staffOf(2, "", RoleSupervisor)
	mgr := staffOf(3, "", RoleManager)
	chen := staffOf(10, "", RoleConsultant)
	staff := []*Staff{sup, sup2, mgr, chen}
	for _, tc := range []struct {
		name      string
		requester *Staff
		decider   *Staff
		ok        bool
	}{
		{"SupervisorOfConsultant", chen, sup2, true},
		{"ConsultantForged", chen, chen, false},
		{"ManagerNotAsked", chen, mgr, false},
		{"OwnRequest", sup, sup, false},
		{"OtherSupervisorOfSupervisor", sup, sup2, false},
		{"ManagerOfSupervisor", sup, mgr, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &Approval{Kind: ApprovalLost, ID: 7, Requester: tc.requester}
			err := a.MayDecide(tc.decider, staff)
			if tc.ok != (err == nil) {
				t.Fatalf("may decide: %v, want ok %v", err, tc.ok)
			}
			if err != nil && ErrorCode(err) != EFORBIDDEN {
				t.Fatalf("code %s", ErrorCode(err))
			}
		})
	}
}

// TestR1_14_CollisionSidesCannotRule: any supervisor, manager or general
// manager rules on a collision, but not one of its sides; the ruling is
// final.
func TestR1_14_CollisionSidesCannotRule(t *testing.T) {
	owner := staffOf(1, "", RoleSupervisor, RoleTelesales)
	claimant := staffOf(2, "", RoleConsultant)
	gm := staffOf(3, "", RoleGM)
	sup := staffOf(4, "other", RoleSupervisor)
	a := &Approval{Kind: ApprovalCollision, ID: 9, Requester: owner, Parties: []int64{claimant.ID}}
	for _, tc := range []struct {
		name    string
		decider *Staff
		ok      bool
	}{
		{"Owner", owner, false},
		{"Claimant", claimant, false},
		{"GeneralManager", gm, true},
		{"SupervisorOfAnyDepartment", sup, true},
		{"Consultant", staffOf(5, "", RoleConsultant), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := a.MayDecide(tc.decider, nil); tc.ok != (err == nil) {
				t.Fatalf("may decide: %v, want ok %v", err, tc.ok)
			}
		})
	}
	if err := a.Decide(Decision{DeciderID: gm.ID, Verdict: Approved}); err != nil {
		t.Fatal(err)
	}
	assertKey(t, a.Decide(Decision{DeciderID: sup.ID, Verdict: Approved}), ECONFLICT, "collision.final")
}

// TestR1_13_CleanupNotOwnList: a supervisor does not approve the clean-up
// of their own leads.
func TestR1_13_CleanupNotOwnList(t *testing.T) {
	owner := staffOf(1, "", RoleSupervisor, RoleConsultant)
	a := &Approval{Kind: ApprovalCleanup, ID: 1, Requester: owner}
	assertKey(t, a.MayDecide(owner, nil), EFORBIDDEN, "err.forbidden")
	if err := a.MayDecide(staffOf(2, "", RoleManager), nil); err != nil {
		t.Fatal(err)
	}
}

// TestR5_1_RestAndSwapGoToTheSupervisor: a rest day and a swap are ruled
// by the requester's approvers, once.
func TestR5_1_RestAndSwapGoToTheSupervisor(t *testing.T) {
	sup := staffOf(1, "", RoleSupervisor)
	chen := staffOf(10, "", RoleConsultant)
	wang := staffOf(11, "", RoleConsultant)
	staff := []*Staff{sup, chen, wang}
	for kind, already := range map[ApprovalKind]string{ApprovalRest: "rest.already", ApprovalSwap: "swap.stale"} {
		t.Run(string(kind), func(t *testing.T) {
			a := &Approval{Kind: kind, ID: 3, Requester: chen, Parties: []int64{wang.ID}}
			assertKey(t, a.MayDecide(wang, staff), EFORBIDDEN, "err.forbidden")
			if err := a.MayDecide(sup, staff); err != nil {
				t.Fatal(err)
			}
			if err := a.Decide(Decision{DeciderID: sup.ID, Verdict: Rejected}); err != nil {
				t.Fatal(err) // no reason needed
			}
			assertKey(t, a.Decide(Decision{DeciderID: sup.ID, Verdict: Approved}), ECONFLICT, already)
		})
	}
}

// TestR1_6_DecideOnce: the first decision stands; a rejection of a lost
// lead says why; a decision is a verdict by someone.
func TestR1_6_DecideOnce(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	t.Run("OK", func(t *testing.T) {
		a := &Approval{Kind: ApprovalLost, ID: 5}
		d := Decision{DeciderID: 1, At: at, Verdict: Rejected, Reason: "call again"}
		if err := a.Decide(d); err != nil || a.Pending() || *a.Decision != d || a.Decision.Approved() {
			t.Fatalf("decided %+v, %v", a.Decision, err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		first := Decision{DeciderID: 1, At: at, Verdict: Approved}
		a := &Approval{Kind: ApprovalLost, ID: 5, Decision: &first}
		assertKey(t, a.Decide(Decision{DeciderID: 2, At: at, Verdict: Rejected, Reason: "no"}), ECONFLICT, "lost.already")
		if *a.Decision != first {
			t.Fatalf("decision replaced: %+v", a.Decision)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tc := range []struct {
			d   Decision
			key string
		}{
			{Decision{DeciderID: 1, Verdict: Rejected}, "err.note_empty"},
			{Decision{DeciderID: 1, Verdict: Rejected, Reason: "  "}, "err.note_empty"},
			{Decision{DeciderID: 1, Verdict: "pending"}, "err.invalid"},
			{Decision{Verdict: Approved}, "err.invalid"},
			{Decision{DeciderID: 1, Verdict: Rejected, Reason: string(make([]rune, MaxNoteLen+1))}, "err.note_long"},
		} {
			a := &Approval{Kind: ApprovalLost, ID: 5}
			assertKey(t, a.Decide(tc.d), EINVALID, tc.key)
			if !a.Pending() {
				t.Fatalf("%+v recorded", tc.d)
			}
		}
	})
}

func assertKey(t *testing.T, err error, code, key string) {
	t.Helper()
	e, ok := err.(*Error)
	if !ok || e.Code != code || e.Key != key {
		t.Fatalf("got %v, want %s %s", err, code, key)
	}
}

package domain

import (
	"errors"
	"testing"
	"time"
)

func TestCollisionRules(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	window := 24 * time.Hour
	owner := &Staff{ID: 1, Active: true, Roles: Roles{RoleConsultant}}
	claimant := &Staff{ID: 2, Active: true, Roles: Roles{RoleConsultant}}
	sup := &Staff{ID: 3, Active: true, Roles: Roles{RoleSupervisor}}
	supSide := &Staff{ID: 4, Active: true, Roles: Roles{RoleSupervisor}}
	c := &Collision{ID: 9, OwnerID: 1, ClaimantID: 2, ClaimedAt: t0, Status: CollisionOpen}

	t.Run("MayDecide", func(t *testing.T) {
		for _, tt := range []struct {
			who  *Staff
			c    *Collision
			want string
		}{
			{sup, c, ""},
			{owner, c, EFORBIDDEN},
			{claimant, c, EFORBIDDEN},
			{&Staff{ID: 5, Active: true, Roles: Roles{RoleTelesales}}, c, EFORBIDDEN},
			{&Staff{ID: 6, Roles: Roles{RoleManager}}, c, EFORBIDDEN}, // inactive
			{&Staff{ID: 7, Active: true, Roles: Roles{RoleGM}}, c, ""},
			{supSide, &Collision{ID: 9, OwnerID: 1, ClaimantID: 4}, EFORBIDDEN}, // a supervisor who is a side
		} {
			if got := ErrorCode(tt.c.Approval(&Staff{ID: tt.c.OwnerID}).MayDecide(tt.who, nil)); got != tt.want {
				t.Errorf("staff %d: %q, want %q", tt.who.ID, got, tt.want)
			}
		}
	})

	t.Run("DecideOnce", func(t *testing.T) {
		a := c.Approval(owner)
		if err := a.Decide(Decision{DeciderID: 3, Verdict: c.VerdictFor(2), At: t0}); err != nil || a.Decision.Verdict != Approved {
			t.Fatalf("decide %v %+v", err, a.Decision)
		}
		ruled := &Collision{ID: 9, OwnerID: 1, ClaimantID: 2, Status: CollisionRuled, WinnerID: 1, DeciderID: 3}
		a = ruled.Approval(owner)
		if a.Pending() || a.Decision.Verdict != Rejected {
			t.Fatalf("ruled %+v", a.Decision)
		}
		if err := a.Decide(Decision{DeciderID: 3, Verdict: Approved}); !isKey(err, ECONFLICT, "collision.final") {
			t.Fatalf("second ruling %v", err)
		}
	})

	t.Run("Notes", func(t *testing.T) {
		ruled := *c
		ruled.Status = CollisionRuled
		for _, tt := range []struct {
			who  *Staff
			c    *Collision
			side string
			at   time.Time
			want string
		}{
			{owner, c, "a", t0.Add(window), ""},
			{claimant, c, "b", t0, ""},
			{claimant, c, "a", t0, EFORBIDDEN},
			{sup, c, "b", t0, EFORBIDDEN},
			{owner, c, "c", t0, EINVALID},
			{owner, c, "a", t0.Add(window + time.Second), ECONFLICT},
			{owner, &ruled, "a", t0, ECONFLICT},
		} {
			if got := ErrorCode(CanAddCollisionNote(tt.who, tt.c, tt.side, tt.at, window)); got != tt.want {
				t.Errorf("staff %d side %s at %v: %q, want %q", tt.who.ID, tt.side, tt.at, got, tt.want)
			}
		}
	})

	t.Run("Open", func(t *testing.T) {
		open := &Lead{ID: 1, OwnerID: 1, Grade: GradeH}
		closed := &Lead{ID: 1, OwnerID: 1, Grade: GradeF}
		for _, tt := range []struct {
			who  *Staff
			l    *Lead
			want string
		}{{claimant, open, ""}, {owner, open, EINVALID}, {claimant, closed, EINVALID}} {
			if got := ErrorCode(CanOpenCollision(tt.who, tt.l)); got != tt.want {
				t.Errorf("staff %d lead %s: %q, want %q", tt.who.ID, tt.l.Grade, got, tt.want)
			}
		}
	})

	t.Run("Dispute", func(t *testing.T) {
		tele := &Staff{ID: 1, Roles: Roles{RoleTelesales}}
		l := &Lead{ID: 1, OwnerID: 1, Grade: GradeA}
		v := &Visit{ID: 5, LeadID: 1, ConsultantID: 2, ArrivedAt: t0}
		for _, tt := range []struct {
			who  *Staff
			l    *Lead
			v    *Visit
			at   time.Time
			want string
		}{
			{tele, l, v, t0.Add(window), ""},
			{claimant, l, v, t0, EFORBIDDEN},
			{tele, &Lead{ID: 1, OwnerID: 1, Grade: GradeF}, v, t0, EINVALID},
			{tele, l, &Visit{ID: 5, ConsultantID: 1, ArrivedAt: t0}, t0, ECONFLICT}, // registered as the owner's own
			{tele, l, v, t0.Add(window + time.Second), ECONFLICT},
		} {
			if got := ErrorCode(CanDispute(tt.who, tt.l, tt.v, tt.at, window)); got != tt.want {
				t.Errorf("staff %d at %v: %q, want %q", tt.who.ID, tt.at, got, tt.want)
			}
		}
	})
}

// isKey reports whether err is a domain error of code with catalogue key.
func isKey(err error, code, key string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code && e.Key == key
}

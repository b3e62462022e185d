package domain_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

func TestR1_13_CleanupTakesBCLFAndUngradedAfterFirstWeek(t *testing.T) {
	r := domain.DefaultRules().Leads
	now := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)
	week := time.Duration(r.GradeAfterDays) * 24 * time.Hour
	for _, tc := range []struct {
		name    string
		grade   domain.Grade
		pool    domain.Pool
		created time.Time
		want    bool
	}{
		{"B", domain.GradeB, domain.PoolShowroom, now.Add(-30 * 24 * time.Hour), true},
		{"C", domain.GradeC, domain.PoolShowroom, now.Add(-30 * 24 * time.Hour), true},
		{"L", domain.GradeL, domain.PoolShowroom, now.Add(-30 * 24 * time.Hour), true},
		{"F", domain.GradeF, domain.PoolShowroom, now.Add(-30 * 24 * time.Hour), true},
		{"B graded in its first week", domain.GradeB, domain.PoolShowroom, now.Add(-time.Hour), true},
		{"H", domain.GradeH, domain.PoolShowroom, now.Add(-30 * 24 * time.Hour), false},
		{"A", domain.GradeA, domain.PoolShowroom, now.Add(-30 * 24 * time.Hour), false},
		{"O", domain.GradeO, domain.PoolShowroom, now.Add(-30 * 24 * time.Hour), false},
		{"D", domain.GradeD, domain.PoolShowroom, now.Add(-30 * 24 * time.Hour), false},
		{"N in its first week", domain.GradeN, domain.PoolShowroom, now.Add(-week + time.Second), false},
		{"N created today", domain.GradeN, domain.PoolShowroom, now.Add(-time.Hour), false},
		{"N just past its first week", domain.GradeN, domain.PoolShowroom, now.Add(-week), true},
		{"N long ungraded", domain.GradeN, domain.PoolShowroom, now.Add(-20 * 24 * time.Hour), true},
		{"C already in the telesales pool", domain.GradeC, domain.PoolTelesales, now.Add(-30 * 24 * time.Hour), false},
		{"N in the telesales pool", domain.GradeN, domain.PoolTelesales, now.Add(-20 * 24 * time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &domain.Lead{Grade: tc.grade, Pool: tc.pool, CreatedAt: tc.created}
			if got := domain.CleanupTakes(l, r, now); got != tc.want {
				t.Fatalf("CleanupTakes = %v, want %v", got, tc.want)
			}
			// The query's cut-off agrees with the rule for N leads.
			if tc.grade == domain.GradeN && tc.pool == domain.PoolShowroom {
				if got := !tc.created.After(domain.CleanupUngradedBefore(r, now)); got != tc.want {
					t.Fatalf("created %v at or before the cut-off = %v, want %v", tc.created, got, tc.want)
				}
			}
		})
	}
}

func TestR1_13_ValidCleanupMonth(t *testing.T) {
	for _, tc := range []struct {
		month string
		ok    bool
	}{{"2026-12", true}, {"2027-01", true}, {"2026-13", false}, {"2026-1", false}, {"26-12", false}, {"", false}, {"2026-12:1", false}} {
		if err := domain.ValidCleanupMonth(tc.month); (err == nil) != tc.ok {
			t.Errorf("%q: %v, want ok %v", tc.month, err, tc.ok)
		} else if err != nil && domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%q: code %s", tc.month, domain.ErrorCode(err))
		}
	}
	loc := time.FixedZone("CST", 8*3600)
	// 30 Nov 17:00 UTC is already 1 Dec in the store's zone.
	if got := domain.CleanupMonth(time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC), loc); got != "2026-12" {
		t.Errorf("month %q", got)
	}
}

func TestR1_13_CleanupCaseToggleAndMoving(t *testing.T) {
	owner := &domain.Staff{ID: 1, Name: "C", Active: true, Roles: domain.Roles{domain.RoleConsultant}}
	c := &domain.CleanupCase{Month: "2026-12", Owner: owner, Leads: []*domain.Lead{{ID: 10}, {ID: 11}, {ID: 12}}}
	moving := func(reviewed bool) []int64 {
		var out []int64
		for _, l := range c.Moving(reviewed) {
			out = append(out, l.ID)
		}
		return out
	}
	for _, tc := range []struct {
		toggle      int64
		err         string
		allReviewed []int64
	}{
		{11, "", []int64{10, 12}},
		{12, "", []int64{10}},
		{11, "", []int64{10, 11}},
		{99, domain.ENOTFOUND, []int64{10, 11}},
	} {
		err := c.Toggle(tc.toggle)
		if domain.ErrorCode(err) != tc.err && !(err == nil && tc.err == "") {
			t.Fatalf("toggle %d: %v, want %q", tc.toggle, err, tc.err)
		}
		if got := moving(true); !slices.Equal(got, tc.allReviewed) {
			t.Errorf("after toggling %d: moving %v, want %v", tc.toggle, got, tc.allReviewed)
		}
		if got := moving(false); len(got) != 3 {
			t.Errorf("approve all moves %v", got)
		}
	}
	a := c.Approval()
	if a.Kind != domain.ApprovalCleanup || a.ID != owner.ID || a.Requester != owner || !a.Pending() {
		t.Fatalf("approval %+v", a)
	}
}

func TestR1_13_ShareCleanup(t *testing.T) {
	tele := func(id int64, active bool) *domain.Staff {
		return &domain.Staff{ID: id, Name: fmt.Sprint("T", id), Active: active, Roles: domain.Roles{domain.RoleTelesales}}
	}
	leads := func(ids ...int64) []*domain.Lead {
		out := make([]*domain.Lead, len(ids))
		for i, id := range ids {
			out[i] = &domain.Lead{ID: id}
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		leads []*domain.Lead
		tele  []*domain.Staff
		load  map[int64]int
		owner int64
		want  string // "to:leads ..." in order
		err   string
	}{
		{"even by id", leads(1, 2, 3, 4, 5), []*domain.Staff{tele(20, true), tele(10, true)}, nil, 1, "10:[1 3 5] 20:[2 4]", ""},
		{"least loaded first", leads(1, 2, 3), []*domain.Staff{tele(10, true), tele(20, true)}, map[int64]int{10: 5}, 1, "20:[1 3] 10:[2]", ""},
		{"inactive and owner left out", leads(1, 2), []*domain.Staff{tele(10, false), tele(20, true), tele(1, true)}, nil, 1, "20:[1 2]", ""},
		{"empty shares dropped", leads(1), []*domain.Staff{tele(10, true), tele(20, true)}, nil, 1, "10:[1]", ""},
		{"nothing to move", nil, nil, nil, 1, "", ""},
		{"nobody to take", leads(1), []*domain.Staff{tele(10, false)}, nil, 1, "", domain.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shares, err := domain.ShareCleanup(tc.leads, tc.tele, tc.load, tc.owner)
			if domain.ErrorCode(err) != tc.err && !(err == nil && tc.err == "") {
				t.Fatalf("err %v, want %q", err, tc.err)
			}
			var got []string
			for _, s := range shares {
				var ids []int64
				for _, l := range s.Leads {
					ids = append(ids, l.ID)
				}
				got = append(got, fmt.Sprintf("%d:%v", s.To.ID, ids))
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("shares %q, want %q", strings.Join(got, " "), tc.want)
			}
		})
	}
}

func TestR1_13_ShareOutEvenly(t *testing.T) {
	got := domain.ShareOut([]int64{1, 2, 3, 4, 5, 6, 7}, []int64{10, 20, 30})
	if len(got[10]) != 3 || len(got[20]) != 2 || len(got[30]) != 2 {
		t.Fatalf("%v", got)
	}
	if len(domain.ShareOut([]int64{1}, nil)) != 0 {
		t.Fatal("shared out to nobody")
	}
	for g, keep := range map[domain.Grade]bool{domain.GradeH: true, domain.GradeA: true, domain.GradeO: true, domain.GradeB: false, domain.GradeC: false, domain.GradeN: false, domain.GradeL: false, domain.GradeF: false} {
		if g.Keeps() != keep {
			t.Errorf("grade %s keeps %v", g, g.Keeps())
		}
	}
}

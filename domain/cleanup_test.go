package domain_test

import (
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

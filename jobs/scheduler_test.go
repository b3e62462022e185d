package jobs

import (
	"context"
	"errors"
	"testing"
	"time"
)

type recordJob struct {
	name string
	runs []time.Time
	err  error
	boom bool
}

func (j *recordJob) Name() string { return j.name }
func (j *recordJob) Run(_ context.Context, now time.Time) error {
	j.runs = append(j.runs, now)
	if j.boom {
		panic("boom")
	}
	return j.err
}

func mustLoc(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func TestScheduler_Advance(t *testing.T) {
	loc := mustLoc(t)
	start := time.Date(2026, 11, 27, 8, 0, 0, 0, loc)
	t.Run("OK", func(t *testing.T) {
		s := NewScheduler(loc, func() time.Time { return start }, nil)
		push := &recordJob{name: "push"}
		purge := &recordJob{name: "purge"}
		if err := s.Add("30 8 * * *", push); err != nil {
			t.Fatal(err)
		}
		if err := s.Add(HousekeepingSpec, purge); err != nil {
			t.Fatal(err)
		}
		fired := s.Advance(context.Background(), start, start.Add(48*time.Hour))
		want := []struct {
			job string
			at  time.Time
		}{
			{"push", time.Date(2026, 11, 27, 8, 30, 0, 0, loc)},
			{"purge", time.Date(2026, 11, 28, 3, 0, 0, 0, loc)},
			{"push", time.Date(2026, 11, 28, 8, 30, 0, 0, loc)},
			{"purge", time.Date(2026, 11, 29, 3, 0, 0, 0, loc)},
		}
		if len(fired) != len(want) {
			t.Fatalf("fired %d runs, want %d: %+v", len(fired), len(want), fired)
		}
		for i, w := range want {
			if fired[i].Job != w.job || !fired[i].At.Equal(w.at) {
				t.Errorf("run %d = %s at %s, want %s at %s", i, fired[i].Job, fired[i].At, w.job, w.at)
			}
		}
		if len(push.runs) != 2 || !push.runs[0].Equal(want[0].at) {
			t.Errorf("push ran at %v", push.runs)
		}
	})
	t.Run("NothingDueNothingRuns", func(t *testing.T) {
		s := NewScheduler(loc, time.Now, nil)
		j := &recordJob{name: "push"}
		_ = s.Add("30 8 * * *", j)
		if fired := s.Advance(context.Background(), start.Add(31*time.Minute), start.Add(2*time.Hour)); len(fired) != 0 {
			t.Fatalf("fired %+v", fired)
		}
	})
	t.Run("ErrAndPanicReported", func(t *testing.T) {
		s := NewScheduler(loc, time.Now, nil)
		_ = s.Add("0 9 * * *", &recordJob{name: "fails", err: errors.New("db down")})
		_ = s.Add("0 10 * * *", &recordJob{name: "panics", boom: true})
		fired := s.Advance(context.Background(), start, start.Add(3*time.Hour))
		if len(fired) != 2 || fired[0].Err == nil || fired[1].Err == nil {
			t.Fatalf("fired %+v", fired)
		}
	})
	t.Run("ErrBadSpec", func(t *testing.T) {
		s := NewScheduler(loc, time.Now, nil)
		if err := s.Add("every morning", &recordJob{name: "x"}); err == nil {
			t.Fatal("bad spec accepted")
		}
	})
}

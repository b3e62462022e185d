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

// TestStores_CronTZJobsFireAtTheirStoresInstants: two stores' jobs at
// 08:30, one in Asia/Shanghai and one in Asia/Urumqi (two hours behind),
// each on a "CRON_TZ=Area/City " spec, fire at their own instants: in
// Advance (the demo's clock), in the catch-up of a term of leading
// (refire), and as robfig/cron's tick finds its instant (lastInstant).
func TestStores_CronTZJobsFireAtTheirStoresInstants(t *testing.T) {
	sh := mustLoc(t)
	urumqi, err := time.LoadLocation("Asia/Urumqi")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 27, 8, 0, 0, 0, sh)
	newSched := func(t *testing.T) (*Scheduler, *recordJob, *recordJob) {
		s := NewScheduler(sh, func() time.Time { return start }, nil)
		bj, wl := &recordJob{name: "morning@bj01"}, &recordJob{name: "morning@wlmq"}
		if err := s.Add("CRON_TZ=Asia/Shanghai 30 8 * * *", bj); err != nil {
			t.Fatal(err)
		}
		if err := s.Add("CRON_TZ=Asia/Urumqi 30 8 * * *", wl); err != nil {
			t.Fatal(err)
		}
		return s, bj, wl
	}
	bjAt := time.Date(2026, 11, 27, 8, 30, 0, 0, sh)
	wlAt := time.Date(2026, 11, 27, 8, 30, 0, 0, urumqi)
	if !wlAt.Equal(bjAt.Add(2 * time.Hour)) {
		t.Fatalf("Urumqi's 08:30 is %s", wlAt.In(sh))
	}

	t.Run("Advance", func(t *testing.T) {
		s, bj, wl := newSched(t)
		fired := s.Advance(context.Background(), start, start.Add(24*time.Hour))
		want := []Fired{{Job: "morning@bj01", At: bjAt}, {Job: "morning@wlmq", At: wlAt}}
		if len(fired) != 2 {
			t.Fatalf("fired %+v", fired)
		}
		for i, w := range want {
			if fired[i].Job != w.Job || !fired[i].At.Equal(w.At) {
				t.Errorf("run %d = %s at %s, want %s at %s", i, fired[i].Job, fired[i].At, w.Job, w.At)
			}
		}
		if len(bj.runs) != 1 || len(wl.runs) != 1 {
			t.Fatalf("runs %v %v", bj.runs, wl.runs)
		}
		// Between the two: only Shanghai's.
		s, bj, wl = newSched(t)
		s.Advance(context.Background(), start, bjAt.Add(time.Hour))
		if len(bj.runs) != 1 || len(wl.runs) != 0 {
			t.Fatalf("by 09:30 Shanghai: runs %v %v", bj.runs, wl.runs)
		}
	})
	t.Run("CatchUp", func(t *testing.T) {
		s, bj, wl := newSched(t)
		s.mu.Lock()
		entries := append([]entry(nil), s.entries...)
		s.mu.Unlock()
		s.refire(context.Background(), entries, start, bjAt.Add(time.Hour))
		if len(bj.runs) != 1 || !bj.runs[0].Equal(bjAt) || len(wl.runs) != 0 {
			t.Fatalf("catch-up to 09:30 Shanghai: runs %v %v", bj.runs, wl.runs)
		}
		s.refire(context.Background(), entries, bjAt.Add(time.Hour), wlAt.Add(time.Minute))
		if len(bj.runs) != 1 || len(wl.runs) != 1 || !wl.runs[0].Equal(wlAt) {
			t.Fatalf("catch-up to Urumqi's 08:31: runs %v %v", bj.runs, wl.runs)
		}
	})
	t.Run("Tick", func(t *testing.T) {
		s, _, _ := newSched(t)
		for i, want := range []time.Time{bjAt, wlAt} {
			at, ok := lastInstant(s.entries[i].schedule, want.Add(2*time.Second))
			if !ok || !at.Equal(want) {
				t.Errorf("%s: tick at %s finds %s %v", s.entries[i].job.Name(), want.Add(2*time.Second), at, ok)
			}
		}
	})
	t.Run("ErrBadZone", func(t *testing.T) {
		s := NewScheduler(sh, time.Now, nil)
		if err := s.Add("CRON_TZ=Mars/Base 30 8 * * *", &recordJob{name: "x"}); err == nil {
			t.Fatal("a spec with an unknown zone was accepted")
		}
	})
}

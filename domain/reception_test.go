package domain

import (
	"fmt"
	"testing"
	"time"
)

// TestR5_3_ReceptionQueue walks the reception order through each move.
func TestR5_3_ReceptionQueue(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	type step struct {
		do   string // build, accept, busy, timeout, join, leave, back
		id   int64
		next int64   // who Next returns afterwards
		line []int64 // Order afterwards
	}
	for _, c := range []struct {
		name    string
		onDuty  []int64
		resting []int64
		steps   []step
		misses  map[int64]int
	}{
		{"BuildLeavesOutRestingAndDuplicates", []int64{1, 2, 2, 3, 4}, []int64{3}, []step{
			{"build", 0, 1, []int64{1, 2, 4}},
		}, nil},
		{"EmptyCallsNobody", nil, nil, []step{{"build", 0, 0, nil}}, nil},
		{"AcceptToTheBack", []int64{1, 2, 3}, nil, []step{
			{"build", 0, 1, []int64{1, 2, 3}},
			{"accept", 1, 2, []int64{2, 3, 1}},
		}, nil},
		{"BusyKeepsPlace", []int64{1, 2, 3}, nil, []step{
			{"build", 0, 1, []int64{1, 2, 3}},
			{"busy", 1, 2, []int64{1, 2, 3}},
			{"accept", 2, 1, []int64{1, 3, 2}},
		}, nil},
		{"TimeoutCountsAMiss", []int64{1, 2, 3}, nil, []step{
			{"build", 0, 1, []int64{1, 2, 3}},
			{"timeout", 1, 2, []int64{1, 2, 3}},
			{"timeout", 2, 3, []int64{1, 2, 3}},
			{"timeout", 3, 1, []int64{1, 2, 3}}, // everyone passed over: a new round
		}, map[int64]int{1: 1, 2: 1, 3: 1}},
		{"LateArrivalJoinsAtTheBack", []int64{1, 2}, nil, []step{
			{"build", 0, 1, []int64{1, 2}},
			{"join", 5, 1, []int64{1, 2, 5}},
			{"join", 5, 1, []int64{1, 2, 5}},
		}, nil},
		{"AwayLeavesAndRejoinsAtTheBack", []int64{1, 2, 3}, nil, []step{
			{"build", 0, 1, []int64{1, 2, 3}},
			{"leave", 1, 2, []int64{1, 2, 3}},
			{"back", 1, 2, []int64{2, 3, 1}},
		}, nil},
		{"AllAwayCallsNobody", []int64{1}, nil, []step{
			{"build", 0, 1, []int64{1}},
			{"leave", 1, 0, []int64{1}},
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := &ReceptionQueue{Day: "2026-11-27"}
			for i, s := range c.steps {
				switch s.do {
				case "build":
					q.Build(c.onDuty, c.resting)
				case "accept":
					q.Call(s.id, at)
					q.Accept(s.id)
				case "busy":
					q.Call(s.id, at)
					q.Busy(s.id)
				case "timeout":
					q.Call(s.id, at)
					q.Timeout(s.id)
				case "join":
					q.Join(s.id)
				case "leave":
					q.Leave(s.id)
				case "back":
					q.Back(s.id)
				}
				if got := q.Next(); got != s.next {
					t.Errorf("step %d %s %d: next %d, want %d", i, s.do, s.id, got, s.next)
				}
				if fmt.Sprint(q.Order) != fmt.Sprint(s.line) && !(len(q.Order) == 0 && len(s.line) == 0) {
					t.Errorf("step %d %s %d: order %v, want %v", i, s.do, s.id, q.Order, s.line)
				}
				if s.do != "build" && s.do != "join" && s.do != "leave" && s.do != "back" && q.Calling != 0 {
					t.Errorf("step %d: still calling %d", i, q.Calling)
				}
			}
			for id, n := range c.misses {
				if q.Misses[id] != n {
					t.Errorf("misses of %d: %d, want %d", id, q.Misses[id], n)
				}
			}
		})
	}
}

func TestR5_3_ReceptionDeadline(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 30, 17, 0, time.UTC)
	limit := 2 * time.Minute
	for _, c := range []struct {
		name    string
		q       ReceptionQueue
		now     time.Time
		timeout bool
	}{
		{"NoCall", ReceptionQueue{}, at.Add(time.Hour), false},
		{"Before", ReceptionQueue{Calling: 1, CalledAt: at}, at.Add(limit - time.Second), false},
		{"AtTheLimit", ReceptionQueue{Calling: 1, CalledAt: at}, at.Add(limit), true},
		{"After", ReceptionQueue{Calling: 1, CalledAt: at}, at.Add(limit + time.Second), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.q.TimedOut(c.now, limit); got != c.timeout {
				t.Fatalf("timed out %v, want %v", got, c.timeout)
			}
			d, ok := c.q.Deadline(limit)
			if ok != (c.q.Calling != 0) || (ok && !d.Equal(at.Add(limit))) {
				t.Fatalf("deadline %s %v", d, ok)
			}
		})
	}
}

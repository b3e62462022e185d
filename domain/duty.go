package domain

import (
	"slices"
	"strings"
	"time"
)

// DutyAssignment is one person on one duty role on one day (R5.2). Day is a
// store date written 2006-01-02.
type DutyAssignment struct {
	Day     string
	Role    string
	StaffID int64
}

// DutyRoleNamed returns the configured duty role of that name
// (case-insensitive), and whether there is one.
func (r RotaRules) DutyRoleNamed(name string) (DutyRole, bool) {
	for _, d := range r.DutyRoles {
		if strings.EqualFold(d.Name, name) {
			return d, true
		}
	}
	return DutyRole{}, false
}

// TellDutyAtOnce reports whether someone put on duty on day at now is told
// at once (R5.2): for a later day, or for today once the morning reminder
// (at reminder) has gone. For today before it, the reminder tells them.
func TellDutyAtOnce(day, now time.Time, reminder ClockTime, loc *time.Location) bool {
	dy, dm, dd := day.In(loc).Date()
	ny, nm, nd := now.In(loc).Date()
	d, n := time.Date(dy, dm, dd, 0, 0, 0, 0, loc), time.Date(ny, nm, nd, 0, 0, 0, 0, loc)
	switch {
	case d.After(n):
		return true
	case d.Equal(n):
		return !now.Before(reminder.On(now, loc))
	}
	return false
}

// ReceptionQueue is the day's showroom reception order (R5.3): who
// receives the next walk-in. It is a plain value; the bot keeps it as JSON.
//
// Order is the line, first in line first. Away people keep no place: they
// leave the line and rejoin at the back. Calling is who was called last and
// has not answered yet (0: nobody), since CalledAt. Misses counts calls
// left unanswered. Skipped are those passed over in this round (busy or
// not answering): they keep their place but are not called again until
// someone accepts a customer.
type ReceptionQueue struct {
	Day      string         `json:"day"`
	Order    []int64        `json:"order"`
	Away     map[int64]bool `json:"away,omitempty"`
	Calling  int64          `json:"calling,omitempty"`
	CalledAt time.Time      `json:"called_at"`
	Misses   map[int64]int  `json:"misses,omitempty"`
	Skipped  []int64        `json:"skipped,omitempty"`
}

// Build sets the line from the consultants on duty, in that order, leaving
// out anyone resting and duplicates. What the queue knew is reset.
func (q *ReceptionQueue) Build(onDuty, resting []int64) {
	q.Order = nil
	for _, id := range onDuty {
		if id == 0 || slices.Contains(resting, id) || slices.Contains(q.Order, id) {
			continue
		}
		q.Order = append(q.Order, id)
	}
	q.Away, q.Misses, q.Skipped = map[int64]bool{}, map[int64]int{}, nil
	q.Calling, q.CalledAt = 0, time.Time{}
}

// Empty reports whether nobody is in line at all.
func (q *ReceptionQueue) Empty() bool { return len(q.Order) == 0 }

// Next returns who to call: the first in line who is neither away nor
// passed over this round; 0 when there is nobody. When everyone present
// was passed over, the round starts again from the front.
func (q *ReceptionQueue) Next() int64 {
	return q.next(true)
}

// NextInRound is who to call after someone passed (busy, no answer): the
// next not yet passed over in this round; 0 when all were, rather than
// calling the one who just passed again.
func (q *ReceptionQueue) NextInRound() int64 { return q.next(false) }

func (q *ReceptionQueue) next(newRound bool) int64 {
	for pass := 0; pass < 2; pass++ {
		for _, id := range q.Order {
			if q.Away[id] || slices.Contains(q.Skipped, id) {
				continue
			}
			return id
		}
		if len(q.Skipped) == 0 || !newRound {
			return 0
		}
		q.Skipped = nil // a new round
	}
	return 0
}

// Call records that id was called at t.
func (q *ReceptionQueue) Call(id int64, t time.Time) {
	q.Calling, q.CalledAt = id, t
}

// Accept sends id, who took the customer, to the back; the round ends.
func (q *ReceptionQueue) Accept(id int64) {
	q.Order = append(withoutID(q.Order, id), id)
	q.Skipped = nil
	q.endCall(id)
}

// Busy keeps id's place but passes them over this round.
func (q *ReceptionQueue) Busy(id int64) {
	q.skip(id)
	q.endCall(id)
}

// Timeout counts a miss for id, who did not answer, and passes them over.
func (q *ReceptionQueue) Timeout(id int64) {
	if q.Misses == nil {
		q.Misses = map[int64]int{}
	}
	q.Misses[id]++
	q.skip(id)
	q.endCall(id)
}

// Join adds a late arrival at the back (no-op if already in line).
func (q *ReceptionQueue) Join(id int64) {
	if !slices.Contains(q.Order, id) {
		q.Order = append(q.Order, id)
	}
	delete(q.Away, id)
}

// Leave takes id out of the line until Back.
func (q *ReceptionQueue) Leave(id int64) {
	if !slices.Contains(q.Order, id) {
		return
	}
	if q.Away == nil {
		q.Away = map[int64]bool{}
	}
	q.Away[id] = true
	q.Skipped = withoutID(q.Skipped, id)
	q.endCall(id)
}

// Back rejoins id at the back of the line.
func (q *ReceptionQueue) Back(id int64) {
	delete(q.Away, id)
	q.Order = append(withoutID(q.Order, id), id)
}

// In reports whether id is in the line (present or away).
func (q *ReceptionQueue) In(id int64) bool { return slices.Contains(q.Order, id) }

func (q *ReceptionQueue) skip(id int64) {
	if !slices.Contains(q.Skipped, id) {
		q.Skipped = append(q.Skipped, id)
	}
}

func (q *ReceptionQueue) endCall(id int64) {
	if q.Calling == id {
		q.Calling, q.CalledAt = 0, time.Time{}
	}
}

func withoutID(ids []int64, id int64) []int64 {
	out := ids[:0:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

package domain

import (
	"context"
	"slices"
	"time"
)

// ReceptionQueue is a store's showroom reception order of a day (R5.3):
// who receives the next walk-in. Each store has one line a day, of its
// own consultants. Storage keeps it in reception_queues and
// reception_entries.
//
// Order is the line, first in line first. Away people keep no place: they
// leave the line and rejoin at the back. Calling is who was called last and
// has not answered yet (0: nobody), since CalledAt. Misses counts calls
// left unanswered. Skipped are those passed over in this round (busy or
// not answering): they keep their place but are not called again until
// someone accepts a customer. Reception is who asked for the current call,
// Calls the calls made that day (each call's number), and LeadID the
// waiting customer when reception named one (0: a walk-in nobody knows).
type ReceptionQueue struct {
	StoreID   int64
	Day       string
	Order     []int64
	Away      map[int64]bool
	Calling   int64
	CalledAt  time.Time
	Misses    map[int64]int
	Skipped   []int64
	Reception int64
	Calls     int
	LeadID    int64
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

// Deadline is when the pending call goes unanswered after limit, and
// whether a call is pending.
func (q *ReceptionQueue) Deadline(limit time.Duration) (time.Time, bool) {
	if q.Calling == 0 {
		return time.Time{}, false
	}
	return q.CalledAt.Add(limit), true
}

// TimedOut reports whether the pending call is unanswered at now after
// limit (at the deadline exactly, too).
func (q *ReceptionQueue) TimedOut(now time.Time, limit time.Duration) bool {
	at, ok := q.Deadline(limit)
	return ok && !now.Before(at)
}

// ReceptionService keeps the day's showroom reception line (R5.3). The
// line of a day is built on first use from the active, enrolled
// consultants on duty that day and not resting; consultants put on duty
// since join at the back. "Today" is the store date of the service's
// clock. Each method is one transaction, or joins the caller's.
type ReceptionService interface {
	// CallNext calls the first in line for a walk-in on behalf of
	// receptionID, in their store's line; leadID names the waiting
	// customer (0: unknown; one of another store is not found), whose
	// visit Accept registers. The outcome says whether the line is empty,
	// a call is pending already, or who was called (nobody: all passed).
	CallNext(ctx context.Context, receptionID, leadID int64) (*ReceptionCalled, error)

	// Accept takes the customer of call (day, calledID) for staffID, who
	// goes to the back of their store's line. EFORBIDDEN (err.forbidden:
	// someone else's call), ENOTFOUND (rq.stale: an earlier day's call,
	// or one answered or passed over since).
	Accept(ctx context.Context, day string, calledID, staffID int64) (*ReceptionAccepted, error)

	// Busy answers call (day, calledID) busy for staffID: they keep their
	// place and the next in the round is called. Errors as Accept.
	Busy(ctx context.Context, day string, calledID, staffID int64) (*ReceptionPassed, error)

	// Away takes staffID out of today's line; if they were being called,
	// the next is called (the outcome; nil otherwise). EINVALID
	// (rq.not_in_line).
	Away(ctx context.Context, staffID int64) (*ReceptionPassed, error)

	// Back rejoins staffID at the back of today's line. EINVALID
	// (rq.not_in_line).
	Back(ctx context.Context, staffID int64) (*ReceptionBack, error)

	// Queue returns today's line of store (the viewer's). ENOTFOUND for
	// an id no store has.
	Queue(ctx context.Context, store int64) (*ReceptionQueue, error)

	// FirstInLine is who would be called now for a walk-in in store (0:
	// nobody).
	FirstInLine(ctx context.Context, store int64) (int64, error)

	// TookWalkIn sends staffID, given a walk-in at the desk, to the back
	// of today's line of their store.
	TookWalkIn(ctx context.Context, staffID int64) error

	// Timeouts passes over each store's call of today if it is unanswered
	// at now (after the store's ReceptionAnswerLimit; at the instant
	// exactly, too): the miss is counted and the next is called, at now.
	// One outcome per store whose call timed out; none when no call did.
	Timeouts(ctx context.Context, now time.Time) ([]*ReceptionPassed, error)

	// NextDeadline is when the first pending call of any store goes
	// unanswered: the instant Timeouts passes it over. It reads each
	// store's line of after's day and of today (after may be days old).
	NextDeadline(ctx context.Context, after time.Time) (time.Time, bool, error)
}

// ReceptionCalled is what CallNext did.
type ReceptionCalled struct {
	Day   string
	Empty bool // nobody on duty: nothing happened
	// Waiting is who is being called already, since WaitingSince: nobody
	// else was called.
	Waiting      *Staff
	WaitingSince time.Time
	// Call is the call made (nil: everyone was passed over this round).
	Call *ReceptionCall
}

// ReceptionCall is one call: who must get the card, and the call's
// number within the day (its card's key).
type ReceptionCall struct {
	StoreID int64
	Day     string
	Staff   *Staff
	Number  int
}

// ReceptionAccepted is what Accept did: who took the customer, the
// receptionist to tell (nil: none), the call's number, and the named
// customer whose visit is now theirs (nil: none), registered by
// Registrar.
type ReceptionAccepted struct {
	StoreID   int64
	Day       string
	Staff     *Staff
	Reception *Staff
	Number    int
	Lead      *Lead
	Registrar int64
	Visit     *Visit // the named customer's visit, registered
}

// ReceptionPassed is a call passed over (Why: "busy" or "timeout"): who
// passed, the next call (nil: nobody left in the round), the
// receptionist to tell (nil: none), and the passed call's number.
type ReceptionPassed struct {
	StoreID   int64
	Day       string
	Why       string
	Passed    *Staff
	Number    int
	Next      *ReceptionCall
	Reception *Staff
}

// ReceptionBack is what Back did: Already when they were not away, and
// their place in line (1: first).
type ReceptionBack struct {
	Already  bool
	Position int
}

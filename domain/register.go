package domain

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The weekly complaint register (R2.8): every department's complaints of a
// week — received, channel, subject, owner, deadlines met or missed,
// status, satisfaction — for the service centre, on the register day by
// the job and on demand with /register. The service assembles the rows;
// the chat layer writes them as an .xlsx file.

// RegisterReaders may read the register: the roles of /register.
var RegisterReaders = []Role{RoleService, RoleManager, RoleGM, RoleSupervisor}

// MayReadRegister reports whether s may read the weekly register: an
// active member with one of RegisterReaders, or the server itself
// (Console: the register job and the CLI act as it, as whoever runs them
// can open the database anyway). The register names customers and phones
// of every department, so the others may not.
func MayReadRegister(s *Staff) bool {
	return s != nil && (s.ID == Console || s.Active && s.Roles.HasAny(RegisterReaders...))
}

// RegisterService assembles a store's weekly complaint register (R2.8)
// and the reminder to report its results. Each method is one
// transaction, or joins the caller's, at now, with the store's rules and
// calendar; store is the store's id. byID is who asks (a member, or
// Console for the job), checked inside (MayReadRegister): EFORBIDDEN
// (err.forbidden) for anyone else, including an unknown id, and for a
// member asking for another store than their own (a group role reads the
// store it chose). An unknown store is ENOTFOUND (err.not_found).
type RegisterService interface {
	// WeeklyRegister returns the store's register of the week containing
	// weekStart, one sheet per department of the store, and the store's
	// service centre who receive it from the job. EFORBIDDEN
	// (err.forbidden), ENOTFOUND (err.not_found).
	WeeklyRegister(ctx context.Context, byID, store int64, weekStart time.Time) (*WeeklyRegister, error)

	// RegisterReminder counts the store's complaints of the week
	// containing weekStart, and who is reminded to report their results
	// (the store's service centre; none reachable: To is empty and
	// nothing is counted). EFORBIDDEN (err.forbidden), ENOTFOUND
	// (err.not_found).
	RegisterReminder(ctx context.Context, byID, store int64, weekStart time.Time) (*RegisterReminder, error)
}

// How a deadline stands in the register.
const (
	DeadlineMet     = "met"
	DeadlineMissed  = "missed"
	DeadlinePending = "pending"
)

// RegisterDeadline is one deadline of a register row.
type RegisterDeadline struct {
	Kind  string // Deadline* kinds
	State string // DeadlineMet, DeadlineMissed or DeadlinePending
}

// RegisterRow is one complaint of the register.
type RegisterRow struct {
	ID           int64
	Received     time.Time // in the store's zone
	Customer     string
	Phone        string
	Channel      ComplaintChannel
	Subject      Subject
	Owner        string
	Deadlines    []RegisterDeadline
	Status       string
	Satisfaction string
	Description  string
}

// Missed reports whether any deadline of the row was missed.
func (r RegisterRow) Missed() bool {
	for _, d := range r.Deadlines {
		if d.State == DeadlineMissed {
			return true
		}
	}
	return false
}

// RegisterSheet is one department's register of a week.
type RegisterSheet struct {
	Department string
	Rows       []RegisterRow
}

// WeeklyRegister is a store's register of the week starting at Start
// (Monday 00:00 in the store's zone), one sheet per department of the
// store, and the store's service centre who receive it (reachable staff).
type WeeklyRegister struct {
	Store  *Store
	Start  time.Time
	Sheets []RegisterSheet
	To     []*Staff
}

// Week names the register's ISO week: "2026-W48".
func (w *WeeklyRegister) Week() string { return ISOWeek(w.Start) }

// RegisterReminder reminds the service centre (To) to report the results
// of the week starting at Start (R2.8: on Tuesday): Total complaints were
// received that week, Open of them are not closed yet.
type RegisterReminder struct {
	Store       *Store
	Start       time.Time
	Total, Open int
	To          []*Staff
}

// WeekStart is the Monday 00:00, in loc, of the week containing t.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, loc)
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// ISOWeek names the ISO week of t: "2026-W48".
func ISOWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

var isoWeekRE = regexp.MustCompile(`^(\d{4})-?[Ww](\d{1,2})$`)

// ParseWeek reads an ISO week ("2026-W48") or a date ("2026-11-23", the
// week containing it) and returns the week's Monday 00:00 in loc; empty
// means the week before now's. EINVALID (register.week_bad) otherwise.
func ParseWeek(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	bad := Errorkf(EINVALID, "register.week_bad", []any{s}, "%q is not a week", s)
	if s == "" {
		return WeekStart(now, loc).AddDate(0, 0, -7), nil
	}
	if m := isoWeekRE.FindStringSubmatch(s); m != nil {
		year, _ := strconv.Atoi(m[1])
		week, _ := strconv.Atoi(m[2])
		if week < 1 || week > 53 {
			return time.Time{}, bad
		}
		start := WeekStart(time.Date(year, 1, 4, 12, 0, 0, 0, loc), loc).AddDate(0, 0, 7*(week-1))
		if y, w := start.ISOWeek(); y != year || w != week {
			return time.Time{}, bad // week 53 of a 52-week year
		}
		return start, nil
	}
	d, err := time.ParseInLocation(DateLayout, s, loc)
	if err != nil {
		return time.Time{}, bad
	}
	return WeekStart(d, loc), nil
}

// Action kinds that keep deadline outcomes the complaint itself forgets.
const (
	ActionRound          = "round"           // a round's outcomes, JSON, at a reopening
	ActionMissedProgress = "missed:progress" // a progress report made late
)

// PastOutcomes are the outcomes kept in a complaint's action log: earlier
// rounds (before a reopening) and late progress reports.
func PastOutcomes(actions []ComplaintAction) []RegisterDeadline {
	var out []RegisterDeadline
	for _, a := range actions {
		switch a.Kind {
		case ActionRound:
			var round []RegisterDeadline
			if json.Unmarshal([]byte(a.Note), &round) == nil {
				out = append(out, round...)
			}
		case ActionMissedProgress:
			out = append(out, RegisterDeadline{Kind: DeadlineProgress, State: DeadlineMissed})
		}
	}
	return out
}

// RoundOutcomes is how the deadlines of a round ending at now stood (met,
// missed; not yet due ones left out), as JSON: kept when a complaint
// reopens, before its times are cleared.
func RoundOutcomes(c *Complaint, r ComplaintRules, cal *Calendar, now time.Time) string {
	var out []RegisterDeadline
	for _, d := range RegisterDeadlines(c, r, cal, now) {
		if d.State == DeadlinePending {
			continue // not yet due when the round ended: it did not apply
		}
		out = append(out, d)
	}
	raw, _ := json.Marshal(out)
	return string(raw)
}

// RegisterDeadlines says how each deadline of c stands at now: met when
// done in time, missed when done late or not done by its time (or by the
// close), pending otherwise. A deadline falling due after the complaint
// was closed (the next progress report) no longer applies.
func RegisterDeadlines(c *Complaint, r ComplaintRules, cal *Calendar, now time.Time) []RegisterDeadline {
	var out []RegisterDeadline
	for _, d := range c.AllDeadlines(r, cal) {
		state := DeadlinePending
		switch {
		case d.Met():
			state = DeadlineMet
		case d.DoneAt != nil:
			state = DeadlineMissed
		case c.ClosedAt != nil && c.Status == ComplaintClosed:
			if !d.Due.Before(*c.ClosedAt) {
				continue
			}
			state = DeadlineMissed
		case now.After(d.Due):
			state = DeadlineMissed
		}
		out = append(out, RegisterDeadline{Kind: d.Kind, State: state})
	}
	return out
}

// RegisterRowOf is c's row of the register at now: its deadlines after
// those kept in its action log (earlier rounds, late reports).
func RegisterRowOf(c *Complaint, owner string, actions []ComplaintAction, r ComplaintRules, cal *Calendar, now time.Time) RegisterRow {
	return RegisterRow{
		ID: c.ID, Received: c.CreatedAt.In(cal.Location), Customer: c.Customer, Phone: c.Phone,
		Channel: c.Channel, Subject: c.Subject, Owner: owner,
		Deadlines: append(PastOutcomes(actions), RegisterDeadlines(c, r, cal, now)...),
		Status:    c.Status, Satisfaction: c.Satisfaction, Description: c.Description,
	}
}

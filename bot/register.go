package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dealerbot/dealerbot/domain"
)

// The weekly complaint register (R2.8): every department's complaints of a
// week — received, channel, subject, owner, deadlines met or missed,
// status, satisfaction — as an .xlsx file for the service centre, on
// Monday by the job and on demand with /register.

// How a deadline stands in the register.
const (
	DeadlineMet     = "met"
	DeadlineMissed  = "missed"
	DeadlinePending = "pending"
)

// RegisterDeadline is one deadline of a register row.
type RegisterDeadline struct {
	Kind  string // domain.Deadline* kinds
	State string // DeadlineMet, DeadlineMissed or DeadlinePending
}

// RegisterRow is one complaint of the register.
type RegisterRow struct {
	ID           int64
	Received     time.Time // in the store's zone
	Customer     string
	Phone        string
	Channel      domain.ComplaintChannel
	Subject      domain.Subject
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

// registerRoles may ask for the register.
var registerRoles = []domain.Role{domain.RoleService, domain.RoleManager, domain.RoleGM, domain.RoleSupervisor}

// registerRegister adds /register.
func (b *Bot) registerRegister() {
	b.Register(Command{Name: "register", Roles: registerRoles, Handler: b.handleRegister})
}

// handleRegister answers /register [week] with one xlsx per department and
// a summary.
func (b *Bot) handleRegister(ctx context.Context, r *Request) error {
	if len(r.Fields()) > 1 {
		return errUsage
	}
	now := b.now()
	start, err := ParseWeek(r.Args, now, b.opts.Calendar.Location)
	if err != nil {
		return err
	}
	week := ISOWeek(start)
	end := start.AddDate(0, 0, 7)
	first, last := start.Format("01-02"), end.AddDate(0, 0, -1).Format("01-02")
	var parts []string
	for _, dept := range b.opts.Rules.Complaints.Departments {
		rows, err := b.registerRows(ctx, dept, start, end)
		if err != nil {
			return err
		}
		data, err := RegisterXLSX(week, dept, rows)
		if err != nil {
			return err
		}
		key := fmt.Sprintf("register:%s:%s:%d:%d", week, dept, r.ChatID, now.Unix())
		if fx := effectsFrom(ctx); fx != nil {
			// Two requests in one second are two answers; a redelivered
			// update is the same one.
			key += fmt.Sprintf(":u%d", fx.updateID)
		}
		caption := r.T("register.caption", dept, week, first, last, len(rows))
		if err := b.PushDocument(ctx, key, r.ChatID, r.Staff.ID, registerFileName(week, dept), data, caption); err != nil {
			return err
		}
		parts = append(parts, registerDeptLine(r.Lang, dept, rows))
	}
	b.reply(ctx, r.ChatID, r.T("register.summary", week, first, last, Raw(strings.Join(parts, r.T("register.sep")))))
	return nil
}

// registerDeptLine is "销售部 3 条（超时 1）".
func registerDeptLine(lang domain.Lang, dept string, rows []RegisterRow) string {
	missed := 0
	for _, row := range rows {
		if row.Missed() {
			missed++
		}
	}
	if missed > 0 {
		return T(lang, "register.dept_late", dept, len(rows), missed)
	}
	return T(lang, "register.dept", dept, len(rows))
}

func registerFileName(week, dept string) string {
	return fmt.Sprintf("投诉登记表_%s_%s.xlsx", dept, week)
}

// PushWeeklyRegister sends every department's register of the week that
// starts at weekStart to each active, enrolled service-centre member, with
// one summary message each. Keys are per week, department and person, so a
// rerun sends nothing twice. Call it in a transaction.
func (b *Bot) PushWeeklyRegister(ctx context.Context, weekStart time.Time) error {
	start := WeekStart(weekStart, b.opts.Calendar.Location)
	end := start.AddDate(0, 0, 7)
	week := ISOWeek(start)
	people, err := b.staffWithAnyRole(ctx, domain.RoleService)
	if err != nil {
		return err
	}
	if len(people) == 0 {
		return nil
	}
	type sheet struct {
		dept string
		rows []RegisterRow
		data []byte
	}
	var sheets []sheet
	for _, dept := range b.opts.Rules.Complaints.Departments {
		rows, err := b.registerRows(ctx, dept, start, end)
		if err != nil {
			return err
		}
		data, err := RegisterXLSX(week, dept, rows)
		if err != nil {
			return err
		}
		sheets = append(sheets, sheet{dept, rows, data})
	}
	first, last := start.Format("01-02"), end.AddDate(0, 0, -1).Format("01-02")
	for _, p := range people {
		var parts []string
		for _, s := range sheets {
			key := fmt.Sprintf("register:%s:%s:%d", week, s.dept, p.ID)
			caption := T(p.Lang, "register.caption", s.dept, week, first, last, len(s.rows))
			if err := b.PushDocument(ctx, key, p.TelegramID, p.ID, registerFileName(week, s.dept), s.data, caption); err != nil {
				return err
			}
			parts = append(parts, registerDeptLine(p.Lang, s.dept, s.rows))
		}
		text := T(p.Lang, "register.weekly", week, Raw(strings.Join(parts, T(p.Lang, "register.sep"))))
		if err := b.Push(ctx, fmt.Sprintf("register-summary:%s:%d", week, p.ID), p.TelegramID, p.ID, text, nil); err != nil {
			return err
		}
	}
	return nil
}

// PushRegisterReminder reminds the service centre to report the results
// of the week that starts at weekStart (R2.8: on Tuesday). Keyed per week
// and person. Call it in a transaction.
func (b *Bot) PushRegisterReminder(ctx context.Context, weekStart time.Time) error {
	start := WeekStart(weekStart, b.opts.Calendar.Location)
	week := ISOWeek(start)
	people, err := b.staffWithAnyRole(ctx, domain.RoleService)
	if err != nil || len(people) == 0 {
		return err
	}
	cs, err := b.complaints()
	if err != nil {
		return err
	}
	list, err := cs.Complaints(ctx, domain.ComplaintFilter{CreatedFrom: start, CreatedTo: start.AddDate(0, 0, 7)})
	if err != nil {
		return err
	}
	open := 0
	for _, c := range list {
		if c.Status != domain.ComplaintClosed {
			open++
		}
	}
	for _, p := range people {
		text := T(p.Lang, "register.remind", week, len(list), open)
		if err := b.Push(ctx, fmt.Sprintf("register-remind:%s:%d", week, p.ID), p.TelegramID, p.ID, text, nil); err != nil {
			return err
		}
	}
	return nil
}

// registerRows reads the department's complaints created in [from, to).
func (b *Bot) registerRows(ctx context.Context, dept string, from, to time.Time) ([]RegisterRow, error) {
	cs, err := b.complaints()
	if err != nil {
		return nil, err
	}
	list, err := cs.Complaints(ctx, domain.ComplaintFilter{Department: dept, CreatedFrom: from, CreatedTo: to})
	if err != nil {
		return nil, err
	}
	now := b.now()
	names := map[int64]string{}
	rows := make([]RegisterRow, 0, len(list))
	for _, c := range list {
		owner, ok := names[c.OwnerID]
		if !ok {
			owner = b.staffName(ctx, c.OwnerID)
			names[c.OwnerID] = owner
		}
		// Earlier rounds (before a reopening) and late progress reports are
		// kept in the action log: the register counts them too.
		earlier, err := pastOutcomes(ctx, cs, c.ID)
		if err != nil {
			return nil, err
		}
		rows = append(rows, RegisterRow{
			ID: c.ID, Received: c.CreatedAt.In(b.opts.Calendar.Location), Customer: c.Customer, Phone: c.Phone,
			Channel: c.Channel, Subject: c.Subject, Owner: owner,
			Deadlines: append(earlier, registerDeadlines(c, b.opts.Rules.Complaints, b.opts.Calendar, now)...),
			Status:    c.Status, Satisfaction: c.Satisfaction, Description: c.Description,
		})
	}
	return rows, nil
}

// Action kinds that keep deadline outcomes the complaint itself forgets.
const (
	actionRound      = "round"           // a round's outcomes, JSON, at a reopening
	actionMissedProg = "missed:progress" // a progress report made late
)

// pastOutcomes reads the outcomes kept in a complaint's action log.
func pastOutcomes(ctx context.Context, cs complaintStore, id int64) ([]RegisterDeadline, error) {
	actions, err := cs.ComplaintActions(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []RegisterDeadline
	for _, a := range actions {
		switch a.Kind {
		case actionRound:
			var round []RegisterDeadline
			if json.Unmarshal([]byte(a.Note), &round) == nil {
				out = append(out, round...)
			}
		case actionMissedProg:
			out = append(out, RegisterDeadline{Kind: domain.DeadlineProgress, State: DeadlineMissed})
		}
	}
	return out, nil
}

// roundOutcomes is how the deadlines of a round ending at now stood (met,
// missed; not yet due ones left out):
// kept when a complaint reopens, before its times are cleared.
func roundOutcomes(c *domain.Complaint, r domain.ComplaintRules, cal *domain.Calendar, now time.Time) string {
	var out []RegisterDeadline
	for _, d := range registerDeadlines(c, r, cal, now) {
		if d.State == DeadlinePending {
			continue // not yet due when the round ended: it did not apply
		}
		out = append(out, d)
	}
	raw, _ := json.Marshal(out)
	return string(raw)
}

// registerDeadlines says how each deadline of c stands at now: met when
// done in time, missed when done late or not done by its time (or by the
// close), pending otherwise. A deadline falling due after the complaint
// was closed (the next progress report) no longer applies.
func registerDeadlines(c *domain.Complaint, r domain.ComplaintRules, cal *domain.Calendar, now time.Time) []RegisterDeadline {
	var out []RegisterDeadline
	for _, d := range c.AllDeadlines(r, cal) {
		state := DeadlinePending
		switch {
		case d.Met():
			state = DeadlineMet
		case d.DoneAt != nil:
			state = DeadlineMissed
		case c.ClosedAt != nil && c.Status == domain.ComplaintClosed:
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

// RegisterXLSX writes a department's register of a week: one sheet named
// after the week, a header row and one row per complaint.
func RegisterXLSX(week string, dept string, rows []RegisterRow) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := week
	if sheet == "" {
		sheet = "Sheet1"
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("register %s %s: %w", dept, week, err)
	}
	put := func(row int, values []any) error {
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return f.SetSheetRow(sheet, cell, &values)
	}
	header := make([]any, len(registerHeaderZH))
	for i, h := range registerHeaderZH {
		header[i] = h
	}
	if err := put(1, header); err != nil {
		return nil, fmt.Errorf("register %s %s: %w", dept, week, err)
	}
	for i, r := range rows {
		values := []any{
			r.Received.Format("2006-01-02 15:04"), r.Customer, r.Phone,
			zhOr(registerChannelZH[r.Channel], string(r.Channel)), zhOr(registerSubjectZH[r.Subject], string(r.Subject)),
			r.Owner, registerDeadlineText(r.Deadlines),
			zhOr(registerStatusZH[r.Status], r.Status), zhOr(registerSatisZH[r.Satisfaction], r.Satisfaction), r.Description,
		}
		if err := put(i+2, values); err != nil {
			return nil, fmt.Errorf("register %s %s row %d: %w", dept, week, i+1, err)
		}
	}
	style, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err == nil {
		_ = f.SetCellStyle(sheet, "A1", "J1", style)
	}
	for col, width := range map[string]float64{"A": 17, "B": 12, "C": 14, "D": 8, "E": 10, "F": 10, "G": 30, "H": 8, "I": 8, "J": 40} {
		_ = f.SetColWidth(sheet, col, col, width)
	}
	_ = f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("register %s %s: %w", dept, week, err)
	}
	return buf.Bytes(), nil
}

// registerDeadlineText is "首次回复 ✓, 鉴定 ✗".
func registerDeadlineText(ds []RegisterDeadline) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = zhOr(registerKindZH[d.Kind], d.Kind) + " " + zhOr(registerStateZH[d.State], d.State)
	}
	return strings.Join(parts, ", ")
}

func zhOr(zh, raw string) string {
	if zh != "" {
		return zh
	}
	return raw
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
// means last week.
func ParseWeek(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	bad := domain.Errorkf(domain.EINVALID, "register.week_bad", []any{s}, "%q is not a week", s)
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
	d, err := time.ParseInLocation(domain.DateLayout, s, loc)
	if err != nil {
		return time.Time{}, bad
	}
	return WeekStart(d, loc), nil
}

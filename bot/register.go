package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dealerbot/dealerbot/bot/printlayout"
	"github.com/dealerbot/dealerbot/domain"
)

// The weekly complaint register (R2.8): every department's complaints of a
// week as an .xlsx file for the service centre, on Monday by the job and on
// demand with /register. The service assembles the rows and checks who may
// read them (domain.RegisterService); this file only writes them out.
// The .xlsx writer stays here because a spreadsheet is a way of showing the
// rows to a person, like a message: domain stays standard-library only and
// the same rows could as well go out as text or CSV.

// How a deadline stands in the register.
const (
	DeadlineMet     = domain.DeadlineMet
	DeadlineMissed  = domain.DeadlineMissed
	DeadlinePending = domain.DeadlinePending
)

// RegisterDeadline is one deadline of a register row.
type RegisterDeadline = domain.RegisterDeadline

// RegisterRow is one complaint of the register.
type RegisterRow = domain.RegisterRow

// registerRegister adds /register.
func (b *Bot) registerRegister() {
	b.Register(Command{Name: "register", Roles: domain.RegisterReaders, Handler: b.handleRegister})
}

// handleRegister answers /register [week] with one xlsx per department and
// a summary: the register of the requester's store, its weeks in the
// store's time zone.
func (b *Bot) handleRegister(ctx context.Context, r *Request) error {
	if len(r.Fields()) > 1 {
		return errUsage
	}
	now := b.now()
	st := r.Store()
	start, err := domain.ParseWeek(r.Args, now, st.Calendar.Location)
	if err != nil {
		return err
	}
	reg, err := b.opts.Register.WeeklyRegister(ctx, r.Staff.ID, st.ID, start)
	if err != nil {
		return err
	}
	week := reg.Week()
	end := reg.Start.AddDate(0, 0, 7)
	first, last := reg.Start.Format("01-02"), end.AddDate(0, 0, -1).Format("01-02")
	var parts []string
	for _, sh := range reg.Sheets {
		data, err := RegisterXLSX(week, sh.Department, sh.Rows)
		if err != nil {
			return err
		}
		key := fmt.Sprintf("register:%s:%s:%d:%d", week, sh.Department, r.ChatID, now.Unix())
		if fx := effectsFrom(ctx); fx != nil {
			// Two requests in one second are two answers; a redelivered
			// update is the same one.
			key += fmt.Sprintf(":u%d", fx.updateID)
		}
		caption := r.T("register.caption", sh.Department, week, first, last, len(sh.Rows))
		if err := b.PushDocument(ctx, key, r.ChatID, r.Staff.ID, registerFileName(week, sh.Department), data, caption); err != nil {
			return err
		}
		parts = append(parts, registerDeptLine(r.Lang, sh.Department, sh.Rows))
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

// PushWeeklyRegister sends store's register of the week that starts at
// weekStart to its service centre (NotifyWeeklyRegister), as the job
// does: the server (domain.Console) reads it. Call it in a transaction.
func (b *Bot) PushWeeklyRegister(ctx context.Context, store int64, weekStart time.Time) error {
	reg, err := b.opts.Register.WeeklyRegister(ctx, domain.Console, store, weekStart)
	if err != nil {
		return err
	}
	return b.NotifyWeeklyRegister(ctx, reg)
}

// NotifyWeeklyRegister sends every department's register to each of
// reg.To, with one summary message each. Keys are per week, department and
// person, so a rerun sends nothing twice. Call it in a transaction.
func (b *Bot) NotifyWeeklyRegister(ctx context.Context, reg *domain.WeeklyRegister) error {
	if len(reg.To) == 0 {
		return nil
	}
	week := reg.Week()
	data := make([][]byte, len(reg.Sheets))
	for i, sh := range reg.Sheets {
		var err error
		if data[i], err = RegisterXLSX(week, sh.Department, sh.Rows); err != nil {
			return err
		}
	}
	end := reg.Start.AddDate(0, 0, 7)
	first, last := reg.Start.Format("01-02"), end.AddDate(0, 0, -1).Format("01-02")
	for _, p := range reg.To {
		var parts []string
		for i, sh := range reg.Sheets {
			key := fmt.Sprintf("register:%s:%s:%d", week, sh.Department, p.ID)
			caption := T(p.Lang, "register.caption", sh.Department, week, first, last, len(sh.Rows))
			if err := b.PushDocument(ctx, key, p.TelegramID, p.ID, registerFileName(week, sh.Department), data[i], caption); err != nil {
				return err
			}
			parts = append(parts, registerDeptLine(p.Lang, sh.Department, sh.Rows))
		}
		text := T(p.Lang, "register.weekly", week, Raw(strings.Join(parts, T(p.Lang, "register.sep"))))
		if err := b.Push(ctx, fmt.Sprintf("register-summary:%s:%d", week, p.ID), p.TelegramID, p.ID, text, nil); err != nil {
			return err
		}
	}
	return nil
}

// PushRegisterReminder reminds store's service centre to report the
// results of the week that starts at weekStart (NotifyRegisterReminder),
// as the job does (domain.Console). Call it in a transaction.
func (b *Bot) PushRegisterReminder(ctx context.Context, store int64, weekStart time.Time) error {
	rem, err := b.opts.Register.RegisterReminder(ctx, domain.Console, store, weekStart)
	if err != nil {
		return err
	}
	return b.NotifyRegisterReminder(ctx, rem)
}

// NotifyRegisterReminder reminds each of rem.To to report the week's
// results (R2.8: on Tuesday). Keyed per week and person. Call it in a
// transaction.
func (b *Bot) NotifyRegisterReminder(ctx context.Context, rem *domain.RegisterReminder) error {
	week := domain.ISOWeek(rem.Start)
	for _, p := range rem.To {
		text := T(p.Lang, "register.remind", week, rem.Total, rem.Open)
		if err := b.Push(ctx, fmt.Sprintf("register-remind:%s:%d", week, p.ID), p.TelegramID, p.ID, text, nil); err != nil {
			return err
		}
	}
	return nil
}

// RegisterXLSX writes a department's register of a week: one sheet named
// after the week, a header row and one row per complaint, laid out to print
// (printlayout: A4 landscape, one page wide, header on every page).
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
	if err := printlayout.Apply(f, sheet, printlayout.Header{}); err != nil {
		return nil, fmt.Errorf("register %s %s: %w", dept, week, err)
	}
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

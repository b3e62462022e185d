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

// The regulation's forms on /export (issue 15): attachment 1, the visit
// register 来店(电)客户登记表, and attachment 2, the handover form
// 邀约到店客户交接表, a month at a time, in the forms' own titles and
// columns and laid out to print. The rows come from domain.FormService in
// batches and go straight into the sheet. The forms are Chinese, like the
// paper they replace, whatever the reader's language.

// Attachment 1's header: two rows, 来店信息来源 spanning its seven ticks
// as on the paper form; every other heading spans both rows.
var (
	VisitFormTitle   = "附件1 来店(电)客户登记表"
	VisitFormColumns = []string{"客户姓名", "客户性质(新/老)", "性别", "电话", "客户来源", "拟购车型", "意向级别", "置换意愿",
		"来店信息来源", "到店时间", "离去时间", "24小时追踪级别", "经过情形", "销售顾问"}
	// VisitFormHeardVia are the ticks under 来店信息来源, in
	// domain.HeardVias' order.
	VisitFormHeardVia = []string{"电话", "报纸", "广播", "杂志", "亲友", "路过", "其他"}

	HandoverFormTitle   = "附件2 邀约到店客户交接表"
	HandoverFormColumns = []string{"序号", "日期", "客户姓名", "电话", "意向车型", "渠道", "购车日期", "级别", "客户状态", "直销员", "订单", "交车"}
)

// formTick marks the customer's answer among the ticks.
const formTick = "√"

// The rows of a form sheet: a title, a line saying whose and which
// month, then the header.
const (
	formTitleRow  = 1
	formHeaderRow = 3
)

// registerForms adds /export and the lead-detail buttons (lead_detail.go).
func (b *Bot) registerForms() {
	b.Register(Command{Name: "export", Roles: domain.FormExporters, Handler: b.handleExport})
	b.RegisterCallback(Callback{Prefix: "ld", Roles: domain.LeadDetailRoles, Handler: b.handleLeadDetail})
}

// formNames are the words /export takes for each form.
var formNames = map[string]string{
	"visits": domain.FormVisits, "visit": domain.FormVisits, "来店": domain.FormVisits, "登记表": domain.FormVisits, "附件1": domain.FormVisits,
	"handovers": domain.FormHandovers, "handover": domain.FormHandovers, "交接": domain.FormHandovers, "交接表": domain.FormHandovers, "附件2": domain.FormHandovers,
}

// handleExport answers /export visits|handovers [month] with the form of
// the month (default this month, in the store's zone) as an .xlsx.
func (b *Bot) handleExport(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) == 0 || len(f) > 2 {
		return errUsage
	}
	form, ok := formNames[strings.ToLower(f[0])]
	if !ok {
		return errUsage
	}
	arg := ""
	if len(f) == 2 {
		arg = f[1]
	}
	now := b.now()
	month, err := domain.ParseMonth(arg, now, r.Store().Calendar.Location)
	if err != nil {
		return err
	}
	var data []byte
	var out *domain.FormExport
	name := "来店客户登记表"
	if form == domain.FormVisits {
		data, out, err = b.VisitFormXLSX(ctx, r.Staff.ID, month)
	} else {
		name = "邀约到店客户交接表"
		data, out, err = b.HandoverFormXLSX(ctx, r.Staff.ID, month)
	}
	if err != nil {
		return err
	}
	m := out.Month.Format(domain.MonthLayout)
	key := fmt.Sprintf("export:%s:%s:%d:%d", form, m, r.ChatID, now.Unix())
	if fx := effectsFrom(ctx); fx != nil {
		key += fmt.Sprintf(":u%d", fx.updateID) // a redelivered update is the same answer
	}
	caption := r.T("export.caption."+form, out.Store.Name, m, out.Rows)
	if out.Own {
		caption += "\n" + r.T("export.own")
	}
	if out.Truncated {
		caption += "\n" + r.T("export.truncated", domain.MaxFormRows)
	}
	return b.PushDocument(ctx, key, r.ChatID, r.Staff.ID, fmt.Sprintf("%s_%s_%s.xlsx", name, out.Store.Code, m), data, caption)
}

// formSheet writes a form's title, its subtitle and rows into one sheet.
type formSheet struct {
	f     *excelize.File
	sheet string
	cols  int
	row   int // the last row written
}

func newFormSheet(sheet string, cols int) (*formSheet, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, err
	}
	return &formSheet{f: f, sheet: sheet, cols: cols}, nil
}

// put writes values from column col of row.
func (s *formSheet) put(row, col int, values ...any) error {
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return err
	}
	if err := s.f.SetSheetRow(s.sheet, cell, &values); err != nil {
		return err
	}
	s.row = max(s.row, row)
	return nil
}

// merge joins the cells from (c1, r1) to (c2, r2).
func (s *formSheet) merge(c1, r1, c2, r2 int) error {
	a, err := excelize.CoordinatesToCellName(c1, r1)
	if err != nil {
		return err
	}
	z, err := excelize.CoordinatesToCellName(c2, r2)
	if err != nil {
		return err
	}
	return s.f.MergeCell(s.sheet, a, z)
}

// titles writes the title, bold and large, and the subtitle, each across
// the table.
func (s *formSheet) titles(title, subtitle string) error {
	if err := s.put(formTitleRow, 1, title); err != nil {
		return err
	}
	if err := s.put(formTitleRow+1, 1, subtitle); err != nil {
		return err
	}
	for _, row := range []int{formTitleRow, formTitleRow + 1} {
		if err := s.merge(1, row, s.cols, row); err != nil {
			return err
		}
	}
	style, err := s.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return err
	}
	a, _ := excelize.CoordinatesToCellName(1, formTitleRow)
	return s.f.SetCellStyle(s.sheet, a, a, style)
}

// finish lays the sheet out to print (header rows repeated) and returns
// the workbook's bytes.
func (s *formSheet) finish(headerRows int) ([]byte, error) {
	defer s.f.Close()
	if err := printlayout.Apply(s.f, s.sheet, printlayout.Header{Row: formHeaderRow, Rows: headerRows}); err != nil {
		return nil, err
	}
	buf, err := s.f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// formSubtitle is "门店：… 月份：2026-11", with whose rows when only the
// reader's own ("销售顾问：林丽", as the paper form heads them; 电销员 for
// telesales).
func formSubtitle(out *domain.FormExport) string {
	s := fmt.Sprintf("门店：%s　月份：%s", out.Store.Name, out.Month.Format(domain.MonthLayout))
	if out.Own {
		role := "销售顾问"
		if !out.By.Roles.Has(domain.RoleConsultant) {
			role = "电销员"
		}
		s += fmt.Sprintf("　%s：%s", role, out.By.Name)
	}
	return s
}

// VisitFormXLSX writes attachment 1 of the month that starts at month, as
// by may read it (domain.FormService.VisitForm).
func (b *Bot) VisitFormXLSX(ctx context.Context, by int64, month time.Time) ([]byte, *domain.FormExport, error) {
	ticks := len(VisitFormHeardVia)
	cols := len(VisitFormColumns) - 1 + ticks
	s, err := newFormSheet(month.Format(domain.MonthLayout), cols)
	if err != nil {
		return nil, nil, fmt.Errorf("visit form: %w", err)
	}
	// The header: 来店信息来源 (the 9th heading) over its ticks.
	heard := 9
	col := 1
	for i, h := range VisitFormColumns {
		if i+1 == heard {
			if err := s.put(formHeaderRow, col, h); err != nil {
				return nil, nil, err
			}
			for j, t := range VisitFormHeardVia {
				if err := s.put(formHeaderRow+1, col+j, t); err != nil {
					return nil, nil, err
				}
			}
			if err := s.merge(col, formHeaderRow, col+ticks-1, formHeaderRow); err != nil {
				return nil, nil, err
			}
			col += ticks
			continue
		}
		if err := s.put(formHeaderRow, col, h); err != nil {
			return nil, nil, err
		}
		if err := s.merge(col, formHeaderRow, col, formHeaderRow+1); err != nil {
			return nil, nil, err
		}
		col++
	}
	row := formHeaderRow + 1
	out, err := b.opts.Forms.VisitForm(ctx, by, month, func(v *domain.VisitFormRow) error {
		row++
		values := []any{v.Name, newOrOld(v.Returning), genderZH(v.Gender), v.Phone, sourceZH(v.Source), v.Model, string(v.Grade), tradeInZH(v)}
		values = append(values, heardTicks(v.HeardVia)...)
		arrived := v.ArrivedAt // in the store's zone
		left := ""
		if v.LeftAt != nil {
			l := *v.LeftAt
			left = l.Format("15:04")
			if l.YearDay() != arrived.YearDay() || l.Year() != arrived.Year() {
				left = l.Format("01-02 15:04")
			}
		}
		values = append(values, arrived.Format("01-02 15:04"), left, string(v.Grade24h), v.Notes, v.Consultant)
		return s.put(row, 1, values...)
	})
	if err != nil {
		s.f.Close()
		return nil, nil, err
	}
	if err := s.titles(VisitFormTitle, formSubtitle(out)); err != nil {
		s.f.Close()
		return nil, nil, fmt.Errorf("visit form: %w", err)
	}
	data, err := s.finish(2)
	if err != nil {
		return nil, nil, fmt.Errorf("visit form: %w", err)
	}
	return data, out, nil
}

// HandoverFormXLSX writes attachment 2 of the month that starts at month,
// as by may read it (domain.FormService.HandoverForm).
func (b *Bot) HandoverFormXLSX(ctx context.Context, by int64, month time.Time) ([]byte, *domain.FormExport, error) {
	s, err := newFormSheet(month.Format(domain.MonthLayout), len(HandoverFormColumns))
	if err != nil {
		return nil, nil, fmt.Errorf("handover form: %w", err)
	}
	header := make([]any, len(HandoverFormColumns))
	for i, h := range HandoverFormColumns {
		header[i] = h
	}
	if err := s.put(formHeaderRow, 1, header...); err != nil {
		s.f.Close()
		return nil, nil, err
	}
	day := func(t *time.Time, layout string) string { // in the store's zone
		if t == nil || t.IsZero() {
			return ""
		}
		return t.Format(layout)
	}
	out, err := b.opts.Forms.HandoverForm(ctx, by, month, func(h *domain.HandoverFormRow) error {
		status := T(domain.LangZH, "handover.status."+h.Status)
		if h.Status == domain.HandoverDeclined && h.Reason != "" {
			status += "（" + h.Reason + "）"
		}
		return s.put(formHeaderRow+h.No, 1, h.No, day(&h.Date, "01-02"), h.Name, h.Phone, h.Model, sourceZH(h.Channel),
			day(&h.BuyBy, domain.DateLayout), string(h.Grade), status, h.Consultant, day(h.OrderedAt, "01-02"), day(h.DeliveredAt, "01-02"))
	})
	if err != nil {
		s.f.Close()
		return nil, nil, err
	}
	if err := s.titles(HandoverFormTitle, formSubtitle(out)); err != nil {
		s.f.Close()
		return nil, nil, fmt.Errorf("handover form: %w", err)
	}
	data, err := s.finish(1)
	if err != nil {
		return nil, nil, fmt.Errorf("handover form: %w", err)
	}
	return data, out, nil
}

func newOrOld(returning bool) string {
	if returning {
		return "老"
	}
	return "新"
}

func genderZH(g string) string {
	switch g {
	case domain.GenderMale:
		return "男"
	case domain.GenderFemale:
		return "女"
	}
	return ""
}

func sourceZH(s domain.Source) string {
	if s == "" {
		return ""
	}
	return T(domain.LangZH, "source."+string(s))
}

// tradeInZH is 有 or 无, blank when the customer was not asked.
func tradeInZH(v *domain.VisitFormRow) string {
	switch {
	case v.TradeIn:
		return "有"
	case v.TradeInKnown:
		return "无"
	}
	return ""
}

// heardTicks are the seven tick cells of 来店信息来源: a tick under the
// answer; an answer kept as free text from before the list goes under 其他
// as it was written.
func heardTicks(heard string) []any {
	cells := make([]any, len(domain.HeardVias))
	for i := range cells {
		cells[i] = ""
	}
	if heard == "" {
		return cells
	}
	h, ok := domain.ParseHeardVia(heard)
	if !ok {
		cells[len(cells)-1] = heard
		return cells
	}
	for i, x := range domain.HeardVias {
		if x == h {
			cells[i] = formTick
		}
	}
	return cells
}

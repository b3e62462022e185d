package bot

import (
	"cmp"
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/dealerbot/dealerbot/bot/chart"
	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/bot/printlayout"
	"github.com/dealerbot/dealerbot/domain"
)

// A report is shown three ways from the same domain.Report: a chart (the
// shape of the figures at a glance), a caption of a few lines (the figures
// that matter) and a workbook (every figure, per store and per person).
// None of them computes anything but shares.

// reportView is a report as one reader sees it: their language and the
// store whose rules (stock age buckets, overdue days) label the figures.
type reportView struct {
	lang  domain.Lang
	rules domain.Rules
	rep   *domain.Report
}

// figures are the figures the caption and the first panels show: the
// group's for a group report, else the (one) store's totals.
func (v reportView) figures() domain.Figures {
	if v.rep.Group != nil {
		return *v.rep.Group
	}
	var f domain.Figures
	for _, s := range v.rep.Stores {
		f.Add(s.Total)
	}
	return f
}

// personal reports whether the report is of one person (no complaints or
// stock of theirs).
func (v reportView) personal() bool {
	return v.rep.Scope == domain.ScopeSelf || v.rep.Scope == domain.ScopeConsultant
}

func (v reportView) t(key string, args ...any) string { return T(v.lang, key, args...) }

// title names the report: "南京店 · 2026-11", "集团 · 2026-11", "张伟（南京店）· 2026-11".
func (v reportView) title() string {
	label := v.rep.Period.Label()
	switch {
	case v.rep.Group != nil || len(v.rep.Stores) != 1:
		return html.UnescapeString(v.t("report.title_group", label))
	case v.personal() && len(v.rep.Stores[0].Staff) == 1:
		return html.UnescapeString(v.t("report.title_self", v.rep.Stores[0].Staff[0].Name, v.rep.Stores[0].Name, label))
	}
	return html.UnescapeString(v.t("report.title", v.rep.Stores[0].Name, label))
}

// percent is a share as "82%", "—" for a share of nothing.
func percent(n, of int) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", 100*domain.Ratio(n, of))
}

// Caption is the few lines under the chart, within Telegram's 1024 UTF-16
// units: a line that would not fit is left out (the workbook has it).
func (v reportView) Caption() string {
	f := v.figures()
	fu, d, ts := f.Funnel, f.Discipline, f.Telesales
	r := v.rules
	lines := []string{
		v.t("report.head", v.title()),
		v.t("report.activity", f.Activity.NewLeads, f.Activity.FirstContacts, f.Activity.Visits, f.Activity.TestDrives,
			f.Activity.Orders, f.Activity.Confirmed, f.Activity.Deliveries, f.Activity.AfterSales),
		v.t("report.funnel", fu.Leads, fu.FirstContact24h, fu.Visits, fu.TestDrives, fu.Orders, fu.Deliveries, percent(fu.Orders, fu.Leads)),
		v.t("report.discipline", d.FollowUpsDue, d.FollowUpsOnTime, percent(d.FollowUpsOnTime, d.FollowUpsDue), r.Leads.OverdueAlertDays, d.Overdue, d.Ungraded),
	}
	if ts != (domain.TelesalesFigures{}) {
		lines = append(lines, v.t("report.telesales", ts.Invitations, ts.Shows, ts.NoShows, ts.HandoversAccepted, ts.CollisionsWon, ts.CollisionsLost))
	}
	if !v.personal() {
		c, s := f.Complaints, f.Stock
		if c.Opened+c.DeadlinesDue+c.Closed+c.Escalations > 0 {
			lines = append(lines, v.t("report.complaints", c.Opened, c.DeadlinesMet, c.DeadlinesDue, c.Escalated, c.Closed, c.Satisfied, c.Neutral, c.Dissatisfied))
		}
		if s != (domain.StockFigures{}) {
			a, o := r.Vehicles.StockAlertDays, r.Vehicles.StockOverdueDays
			lines = append(lines, v.t("report.stock", a, s.Fresh, a+1, o, s.Aging, o, s.Overdue, s.TestDrives))
		}
	}
	if f.Rota != (domain.RotaFigures{}) {
		lines = append(lines, v.t("report.rota", f.Rota.RestDays, f.Rota.ReceptionMisses))
	}
	if len(v.rep.Stores) > 1 {
		names := make([]string, len(v.rep.Stores))
		for i, s := range v.rep.Stores {
			names[i] = s.Name
		}
		lines = append(lines, v.t("report.stores", strings.Join(names, "、")))
	}
	more := v.t("report.more")
	out := ""
	for _, l := range lines {
		next := out + l + "\n"
		if delivery.TelegramLen(next+more) > delivery.MaxCaptionLen {
			break
		}
		out = next
	}
	return out + more
}

// Panels are the chart's panels: the funnel (the period's new leads),
// the period's activity (each event by its date), then per store (a group
// report: leads, orders, deliveries) or per person (a store report:
// discipline and telesales), then complaints and stock; a personal report
// its own discipline and telesales. Panels without a figure are left out
// (chart.Render skips them).
func (v reportView) Panels() []chart.Bars {
	f := v.figures()
	count := v.plain("report.chart.count")
	one := func(title string, labels []string, values ...int) chart.Bars {
		vals := make([]float64, len(values))
		nonzero := false
		for i, n := range values {
			vals[i] = float64(n)
			nonzero = nonzero || n != 0
		}
		if !nonzero {
			return chart.Bars{Title: title}
		}
		return chart.Bars{Title: title, Labels: labels, Series: []chart.Series{{Name: count, Values: vals}}}
	}
	var panels []chart.Bars
	var labels []string
	var values []int
	prev := 0
	for i, st := range f.Funnel.Steps() {
		name := v.plain("report.step." + st.Name)
		if i > 0 && prev > 0 {
			name += " " + percent(st.Count, prev)
		}
		labels, values, prev = append(labels, name), append(values, st.Count), st.Count
	}
	panels = append(panels, one(v.plain("report.chart.funnel"), labels, values...))
	labels, values = nil, nil
	for _, it := range f.Activity.Items() {
		labels, values = append(labels, v.plain("report.act."+it.Name)), append(values, it.Count)
	}
	panels = append(panels, one(v.plain("report.chart.activity"), labels, values...))

	r := v.rules
	switch {
	case v.rep.Group != nil:
		panels = append(panels, v.storePanel())
	case v.personal():
		d, ts := f.Discipline, f.Telesales
		panels = append(panels,
			one(v.plain("report.chart.discipline"),
				[]string{v.plain("report.col.due"), v.plain("report.col.ontime"), v.plain("report.col.overdue", r.Leads.OverdueAlertDays), v.plain("report.col.ungraded")},
				d.FollowUpsDue, d.FollowUpsOnTime, d.Overdue, d.Ungraded),
			one(v.plain("report.chart.telesales"),
				[]string{v.plain("report.col.invitations"), v.plain("report.col.shows"), v.plain("report.col.noshows"), v.plain("report.col.handovers")},
				ts.Invitations, ts.Shows, ts.NoShows, ts.HandoversAccepted))
		return panels
	default:
		panels = append(panels, v.staffPanels()...)
	}
	c, s := f.Complaints, f.Stock
	panels = append(panels,
		one(v.plain("report.chart.complaints"),
			[]string{v.plain("report.col.opened"), v.plain("report.col.deadlines_due"), v.plain("report.col.deadlines_met"), v.plain("report.col.escalated"), v.plain("report.col.closed"), v.plain("report.col.satisfied")},
			c.Opened, c.DeadlinesDue, c.DeadlinesMet, c.Escalated, c.Closed, c.Satisfied),
		one(v.plain("report.chart.stock"), v.ageLabels(), s.Fresh, s.Aging, s.Overdue))
	return panels
}

// ageLabels are the stock age buckets' names: ≤45天, 46–90天, >90天.
func (v reportView) ageLabels() []string {
	a, o := v.rules.Vehicles.StockAlertDays, v.rules.Vehicles.StockOverdueDays
	return []string{v.plain("report.col.fresh", a), v.plain("report.col.aging", a+1, o), v.plain("report.col.old", o)}
}

// storePanel compares the stores: leads, orders and deliveries.
func (v reportView) storePanel() chart.Bars {
	b := chart.Bars{Title: v.plain("report.chart.stores")}
	leads := chart.Series{Name: v.plain("report.step.lead")}
	orders := chart.Series{Name: v.plain("report.step.order")}
	deliveries := chart.Series{Name: v.plain("report.step.delivery")}
	for _, s := range v.rep.Stores {
		fu := s.Total.Funnel
		if fu == (domain.Funnel{}) {
			continue
		}
		b.Labels = append(b.Labels, s.Name)
		leads.Values = append(leads.Values, float64(fu.Leads))
		orders.Values = append(orders.Values, float64(fu.Orders))
		deliveries.Values = append(deliveries.Values, float64(fu.Deliveries))
	}
	b.Series = []chart.Series{leads, orders, deliveries}
	return b
}

// staffPanels are a store report's per-person panels: follow-ups (due,
// on time, overdue by more than overdue_alert_days) with whoever is most
// behind first — "who is behind?" is the evening's question — and
// telesales (invitations, shows) with the most invitations first. The
// funnel per person is in the workbook: a phone shows one picture.
func (v reportView) staffPanels() []chart.Bars {
	if len(v.rep.Stores) != 1 {
		return nil
	}
	staff := v.rep.Stores[0].Staff
	type pick struct {
		title  string
		series []string
		of     func(*domain.StaffReport) []int
		// behind orders the rows: the larger first.
		behind func(*domain.StaffReport) int
	}
	picks := []pick{
		{"report.chart.discipline", []string{"report.col.due", "report.col.ontime", "report.col.overdue"},
			func(s *domain.StaffReport) []int {
				return []int{s.Discipline.FollowUpsDue, s.Discipline.FollowUpsOnTime, s.Discipline.Overdue}
			},
			func(s *domain.StaffReport) int {
				return s.Discipline.Overdue + s.Discipline.FollowUpsDue - s.Discipline.FollowUpsOnTime
			}},
		{"report.chart.telesales", []string{"report.col.invitations", "report.col.shows"},
			func(s *domain.StaffReport) []int { return []int{s.Telesales.Invitations, s.Telesales.Shows} },
			func(s *domain.StaffReport) int { return s.Telesales.Invitations }},
	}
	var out []chart.Bars
	for _, p := range picks {
		type row struct {
			name   string
			vals   []int
			behind int
		}
		var rows []row
		for i := range staff {
			vals := p.of(&staff[i])
			if slices.ContainsFunc(vals, func(n int) bool { return n != 0 }) {
				rows = append(rows, row{staff[i].Name, vals, p.behind(&staff[i])})
			}
		}
		slices.SortStableFunc(rows, func(a, b row) int { return cmp.Compare(b.behind, a.behind) })
		rows = rows[:min(len(rows), chart.MaxRows)]
		b := chart.Bars{Title: v.plain(p.title)}
		for s, key := range p.series {
			series := chart.Series{Name: v.plain(key, v.rules.Leads.OverdueAlertDays)}
			for _, r := range rows {
				series.Values = append(series.Values, float64(r.vals[s]))
			}
			b.Series = append(b.Series, series)
		}
		for _, r := range rows {
			b.Labels = append(b.Labels, r.name)
		}
		out = append(out, b)
	}
	return out
}

// Chart draws the report's picture.
func (v reportView) Chart() ([]byte, error) {
	return chart.Render(v.title(), v.Panels())
}

// FileName is the workbook's name: "报表_南京店_2026-11.xlsx".
func (v reportView) FileName() string {
	name := v.plain("report.col.group")
	if len(v.rep.Stores) == 1 && v.rep.Group == nil {
		name = v.rep.Stores[0].Name
		if v.personal() && len(v.rep.Stores[0].Staff) == 1 {
			name += "_" + v.rep.Stores[0].Staff[0].Name
		}
	}
	name = strings.NewReplacer("/", "_", "\\", "_", " ", "_").Replace(html.UnescapeString(name))
	return fmt.Sprintf("%s_%s_%s.xlsx", v.plain("report.file_name"), name, strings.ReplaceAll(v.rep.Period.Label(), "~", "_"))
}

// sheet is one worksheet of the workbook: a header row and its rows.
type sheet struct {
	name   string
	header []string
	rows   [][]any
}

// Workbook writes every figure of the report: the activity (each event
// by its date, per store and per person), the funnel (per store and
// per person, with each step's conversion), the funnel by source, each
// person's discipline, telesales and rota, and (not for one person) the
// complaints and the stock. Each sheet prints as a form (printlayout).
func (v reportView) Workbook() ([]byte, error) {
	sheets := []sheet{v.activitySheet(), v.funnelSheet(), v.sourceSheet(), v.staffSheet()}
	if !v.personal() {
		sheets = append(sheets, v.complaintSheet(), v.kindSheet(), v.stockSheet())
	}
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return nil, err
		}
		rows := append([][]any{anyRow(sh.header)}, sh.rows...)
		for r, row := range rows {
			cell, err := excelize.CoordinatesToCellName(1, r+1)
			if err != nil {
				return nil, err
			}
			if err := f.SetSheetRow(sh.name, cell, &row); err != nil {
				return nil, fmt.Errorf("report sheet %s row %d: %w", sh.name, r+1, err)
			}
		}
		if err := printlayout.Apply(f, sh.name, printlayout.Header{}); err != nil {
			return nil, fmt.Errorf("report sheet %s: %w", sh.name, err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("report workbook: %w", err)
	}
	return buf.Bytes(), nil
}

func anyRow(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// plain is a catalogue text for a cell: no HTML escapes.
func (v reportView) plain(key string, args ...any) string {
	return html.UnescapeString(v.t(key, args...))
}

// funnelRow is a funnel's counts and each step's conversion from the one
// before, as a share (the cell shows it as a number; 0 when the step
// before is 0).
func funnelRow(prefix []any, fu domain.Funnel) []any {
	row := prefix
	steps := fu.Steps()
	for _, s := range steps {
		row = append(row, s.Count)
	}
	for _, s := range steps[1:] {
		row = append(row, roundShare(s.Conversion))
	}
	return row
}

// roundShare keeps a share to 0.1 %.
func roundShare(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

func (v reportView) funnelHeader(first ...string) []string {
	h := first
	steps := domain.Funnel{}.Steps()
	for _, s := range steps {
		h = append(h, v.plain("report.step."+s.Name))
	}
	for _, s := range steps[1:] {
		h = append(h, v.plain("report.col.rate", v.plain("report.step."+s.Name)))
	}
	return h
}

func (v reportView) funnelSheet() sheet {
	sh := sheet{name: v.plain("report.sheet.funnel"), header: v.funnelHeader(v.plain("report.col.store"), v.plain("report.col.staff"))}
	for _, s := range v.rep.Stores {
		if !v.personal() {
			sh.rows = append(sh.rows, funnelRow([]any{s.Name, v.plain("report.col.total")}, s.Total.Funnel))
		}
		for _, p := range s.Staff {
			sh.rows = append(sh.rows, funnelRow([]any{s.Name, p.Name}, p.Funnel))
		}
	}
	if v.rep.Group != nil {
		sh.rows = append(sh.rows, funnelRow([]any{v.plain("report.col.group"), ""}, v.rep.Group.Funnel))
	}
	return sh
}

// activitySheet is the period's activity (each event by its own date)
// per store, per person and for the group.
func (v reportView) activitySheet() sheet {
	sh := sheet{name: v.plain("report.sheet.activity"), header: []string{v.plain("report.col.store"), v.plain("report.col.staff")}}
	for _, it := range (domain.Activity{}).Items() {
		sh.header = append(sh.header, v.plain("report.act."+it.Name))
	}
	row := func(store, who string, a domain.Activity) []any {
		out := []any{store, who}
		for _, it := range a.Items() {
			out = append(out, it.Count)
		}
		return out
	}
	for _, s := range v.rep.Stores {
		if !v.personal() {
			sh.rows = append(sh.rows, row(s.Name, v.plain("report.col.total"), s.Total.Activity))
		}
		for _, p := range s.Staff {
			sh.rows = append(sh.rows, row(s.Name, p.Name, p.Activity))
		}
	}
	if g := v.rep.Group; g != nil {
		sh.rows = append(sh.rows, row(v.plain("report.col.group"), "", g.Activity))
	}
	return sh
}

func (v reportView) sourceSheet() sheet {
	sh := sheet{name: v.plain("report.sheet.sources"), header: v.funnelHeader(v.plain("report.col.store"), v.plain("report.col.source"))}
	for _, s := range v.rep.Stores {
		for _, src := range s.Total.Sources {
			sh.rows = append(sh.rows, funnelRow([]any{s.Name, v.plain("source." + string(src.Source))}, src.Funnel))
		}
	}
	if v.rep.Group != nil {
		for _, src := range v.rep.Group.Sources {
			sh.rows = append(sh.rows, funnelRow([]any{v.plain("report.col.group"), v.plain("source." + string(src.Source))}, src.Funnel))
		}
	}
	return sh
}

func (v reportView) staffSheet() sheet {
	days := v.rules.Leads.OverdueAlertDays
	sh := sheet{name: v.plain("report.sheet.staff"), header: []string{
		v.plain("report.col.store"), v.plain("report.col.staff"),
		v.plain("report.col.due"), v.plain("report.col.ontime"), v.plain("report.col.ontime_rate"), v.plain("report.col.overdue", days), v.plain("report.col.ungraded"),
		v.plain("report.col.invitations"), v.plain("report.col.shows"), v.plain("report.col.noshows"), v.plain("report.col.handovers"),
		v.plain("report.col.won"), v.plain("report.col.lost"), v.plain("report.col.rest"), v.plain("report.col.misses"),
	}}
	row := func(store, who string, d domain.Discipline, t domain.TelesalesFigures, r domain.RotaFigures) []any {
		return []any{store, who, d.FollowUpsDue, d.FollowUpsOnTime, roundShare(domain.Ratio(d.FollowUpsOnTime, d.FollowUpsDue)), d.Overdue, d.Ungraded,
			t.Invitations, t.Shows, t.NoShows, t.HandoversAccepted, t.CollisionsWon, t.CollisionsLost, r.RestDays, r.ReceptionMisses}
	}
	for _, s := range v.rep.Stores {
		if !v.personal() {
			sh.rows = append(sh.rows, row(s.Name, v.plain("report.col.total"), s.Total.Discipline, s.Total.Telesales, s.Total.Rota))
		}
		for _, p := range s.Staff {
			sh.rows = append(sh.rows, row(s.Name, p.Name, p.Discipline, p.Telesales, p.Rota))
		}
	}
	if g := v.rep.Group; g != nil {
		sh.rows = append(sh.rows, row(v.plain("report.col.group"), "", g.Discipline, g.Telesales, g.Rota))
	}
	return sh
}

func (v reportView) complaintSheet() sheet {
	sh := sheet{name: v.plain("report.sheet.complaints"), header: []string{
		v.plain("report.col.store"), v.plain("report.col.department"), v.plain("report.col.opened"), v.plain("report.col.valid"), v.plain("report.col.invalid"),
		v.plain("report.col.deadlines_due"), v.plain("report.col.deadlines_met"), v.plain("report.col.escalated"), v.plain("report.col.escalations"),
		v.plain("report.col.closed"), v.plain("report.col.satisfied"), v.plain("report.col.neutral"), v.plain("report.col.dissatisfied"),
	}}
	row := func(store, dept string, c domain.ComplaintFigures) []any {
		if dept == "" {
			dept = v.plain("report.col.all_departments")
		}
		return []any{store, dept, c.Opened, c.Valid, c.Invalid, c.DeadlinesDue, c.DeadlinesMet, c.Escalated, c.Escalations, c.Closed, c.Satisfied, c.Neutral, c.Dissatisfied}
	}
	for _, s := range v.rep.Stores {
		sh.rows = append(sh.rows, row(s.Name, s.Department, s.Total.Complaints))
	}
	if g := v.rep.Group; g != nil {
		sh.rows = append(sh.rows, row(v.plain("report.col.group"), "", g.Complaints))
	}
	return sh
}

func (v reportView) kindSheet() sheet {
	sh := sheet{name: v.plain("report.sheet.kinds"), header: []string{
		v.plain("report.col.store"), v.plain("report.col.subject"), v.plain("report.col.department"), v.plain("report.col.count"),
	}}
	for _, s := range v.rep.Stores {
		for _, k := range s.Total.Complaints.ByKind {
			sh.rows = append(sh.rows, []any{s.Name, v.plain("subject." + string(k.Subject)), k.Department, k.Count})
		}
	}
	return sh
}

func (v reportView) stockSheet() sheet {
	age := v.ageLabels()
	sh := sheet{name: v.plain("report.sheet.stock"), header: []string{
		v.plain("report.col.store"), age[0], age[1], age[2],
		v.plain("report.col.demo_cars"), v.plain("report.col.test_drives"), v.plain("report.col.demo_other"),
		v.plain("report.col.alloc_waits"), v.plain("report.col.alloc_days"),
	}}
	row := func(store string, s domain.StockFigures) []any {
		return []any{store, s.Fresh, s.Aging, s.Overdue, s.DemoCars, s.TestDrives, s.DemoOtherUses, s.AllocationWaits, roundShare(s.AllocationWaitDays)}
	}
	for _, s := range v.rep.Stores {
		sh.rows = append(sh.rows, row(s.Name, s.Total.Stock))
	}
	if g := v.rep.Group; g != nil {
		sh.rows = append(sh.rows, row(v.plain("report.col.group"), g.Stock))
	}
	return sh
}

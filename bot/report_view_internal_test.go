package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/chart"
	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/bot/printlayout"
	"github.com/dealerbot/dealerbot/bot/printlayout/printlayouttest"
	"github.com/dealerbot/dealerbot/domain"
)

// goldenStoreReport is a store's month with every kind of figure, each a
// different number so a figure shown in the wrong place shows.
func goldenStoreReport() *domain.Report {
	zw := domain.StaffReport{StaffID: 1, Name: "张伟", Roles: domain.Roles{domain.RoleConsultant},
		Funnel:     domain.Funnel{Leads: 10, FirstContact24h: 8, Visits: 5, TestDrives: 3, Orders: 2, Deliveries: 1},
		Activity:   domain.Activity{NewLeads: 10, FirstContacts: 9, Visits: 6, TestDrives: 4, Orders: 3, Confirmed: 2, Deliveries: 1, AfterSales: 11},
		Discipline: domain.Discipline{FollowUpsDue: 12, FollowUpsOnTime: 9, Overdue: 2, Ungraded: 1},
		Rota:       domain.RotaFigures{RestDays: 4}}
	ln := domain.StaffReport{StaffID: 2, Name: "李娜", Roles: domain.Roles{domain.RoleTelesales},
		Funnel:     domain.Funnel{Leads: 4, FirstContact24h: 4},
		Activity:   domain.Activity{NewLeads: 4, FirstContacts: 4},
		Discipline: domain.Discipline{FollowUpsDue: 6, FollowUpsOnTime: 6},
		Telesales:  domain.TelesalesFigures{Invitations: 7, Shows: 5, NoShows: 2, HandoversAccepted: 3, CollisionsWon: 1},
		Rota:       domain.RotaFigures{ReceptionMisses: 1}}
	total := domain.Figures{
		Sources: []domain.SourceFunnel{
			{Source: domain.SourceCall, Funnel: domain.Funnel{Leads: 4, FirstContact24h: 4}},
			{Source: domain.SourceWalkIn, Funnel: ln.Funnel},
		},
		Complaints: domain.ComplaintFigures{Opened: 3, ByKind: []domain.ComplaintCount{{Subject: domain.SubjectService, Department: "销售部", Count: 3}},
			Valid: 2, DeadlinesDue: 4, DeadlinesMet: 3, Escalated: 1, Escalations: 2, Closed: 2, Satisfied: 1, Neutral: 1},
		Stock: domain.StockFigures{Fresh: 7, Aging: 2, Overdue: 1, DemoCars: 2, TestDrives: 5},
	}
	total.Sources[1].Funnel = zw.Funnel
	for _, p := range []domain.StaffReport{zw, ln} {
		total.Funnel.Add(p.Funnel)
		total.Activity.Add(p.Activity)
		total.Discipline.Add(p.Discipline)
		total.Telesales.Add(p.Telesales)
		total.Rota.Add(p.Rota)
	}
	cal := &domain.Calendar{Location: time.FixedZone("CST", 8*3600)}
	p, err := domain.ParseReportPeriod("2026-11", time.Date(2026, 12, 1, 10, 0, 0, 0, cal.Location), cal)
	if err != nil {
		panic(err)
	}
	return &domain.Report{Scope: domain.ScopeStore, Period: p, AsOf: p.To,
		Stores: []domain.StoreReport{{StoreID: 1, Code: "nj", Name: "南京店", Period: p, Total: total, Staff: []domain.StaffReport{ln, zw}}}}
}

// TestReportView_StoreCaption: every figure of the store's month in its
// place, in both languages, within Telegram's caption limit.
func TestReportView_StoreCaption(t *testing.T) {
	rep := goldenStoreReport()
	zh := reportView{lang: domain.LangZH, rules: domain.DefaultRules(), rep: rep}.Caption()
	want := strings.Join([]string{
		"📊 <b>南京店 · 2026-11</b>",
		"本期动态（按发生日）：新线索 14 · 首次联系 13 · 到店 6 · 试驾 4 · 订单 3 · 确认 2 · 交车 1 · 交车回访 11",
		"本期线索漏斗（按建档）：线索 14 → 24小时首联 12 → 到店 5 → 试驾 3 → 订单 2 → 交车 1（成交率 14%）",
		"回访：应 18，按时 15（83%），超期 3 天以上 2，超一周未定级 1",
		"邀约 7，到店 5，爽约 2，交接 3，撞单 胜 1 负 0",
		"投诉 3，时限达成 3/4，升级 1，结案 2（满意 1，一般 1，不满意 0）",
		"库存：≤45天 7，46–90天 2，&gt;90天 1；试驾 5 次",
		"轮休 4 天，接待未应答 1 次",
		"明细见表格。",
	}, "\n")
	if zh != want {
		t.Fatalf("zh caption\n%s\nwant\n%s", zh, want)
	}
	en := reportView{lang: domain.LangEN, rules: domain.DefaultRules(), rep: rep}.Caption()
	if !strings.Contains(en, "\nActivity (by event date): new leads 14 · first contacts 13 · visits 6 · test drives 4 · orders 3 · confirmed 2 · deliveries 1 · after-sales calls 11\n") ||
		!strings.Contains(en, "Funnel of the period's new leads (by creation): leads 14 → contacted in 24 h 12 → visits 5 → test drives 3 → orders 2 → deliveries 1 (closing rate 14%)") ||
		!strings.Contains(en, "Follow-ups: due 18, on time 15 (83%), overdue over 3 days 2") {
		t.Fatalf("en caption\n%s", en)
	}
	// A group of many stores: the list of stores is the line left out
	// first, and the caption stays within 1024 units.
	many := goldenStoreReport()
	for i := range 200 {
		s := many.Stores[0]
		s.Name = fmt.Sprintf("第%d店", i)
		many.Stores = append(many.Stores, s)
	}
	g := reportView{lang: domain.LangZH, rules: domain.DefaultRules(), rep: many}.Caption()
	if n := delivery.TelegramLen(g); n > delivery.MaxCaptionLen || strings.Contains(g, "门店：") || !strings.HasSuffix(g, "明细见表格。") {
		t.Fatalf("long caption (%d units):\n%s", n, g)
	}
}

// TestReportView_StoreChart: the picture is 1080 px wide and as tall as its
// panels; the funnel's labels carry each step's conversion; discipline
// puts whoever is most behind first.
func TestReportView_StoreChart(t *testing.T) {
	v := reportView{lang: domain.LangZH, rules: domain.DefaultRules(), rep: goldenStoreReport()}
	panels := v.Panels()
	var titles []string
	for _, p := range panels {
		titles = append(titles, p.Title)
	}
	if got := strings.Join(titles, ","); got != "本期线索漏斗（按建档）,本期动态（按发生日）,回访纪律,电销,投诉,库存车龄" {
		t.Fatalf("panels %s", got)
	}
	if got := strings.Join(panels[0].Labels, ","); got != "线索,24小时首联 86%,到店 42%,试驾 60%,订单 67%,交车 50%" {
		t.Fatalf("funnel labels %s", got)
	}
	if got := fmt.Sprint(panels[0].Series[0].Values); got != "[14 12 5 3 2 1]" {
		t.Fatalf("funnel values %s", got)
	}
	if got := fmt.Sprint(panels[1].Labels, panels[1].Series[0].Values); got != "[新线索 首次联系 到店 试驾 订单 确认订单 交车 交车回访] [14 13 6 4 3 2 1 11]" {
		t.Fatalf("activity panel %s", got)
	}
	disc := panels[2]
	if got := fmt.Sprintln(disc.Labels, disc.Series[0].Name, disc.Series[0].Values, disc.Series[1].Values, disc.Series[2].Name, disc.Series[2].Values); got != "[张伟 李娜] 应回访 [12 6] [9 6] 超期3天以上 [2 0]\n" {
		t.Fatalf("discipline panel %s", got)
	}
	// Fewer follow-ups due but more missed and overdue: 李娜 is the one behind.
	behind := goldenStoreReport()
	behind.Stores[0].Staff[0].Discipline = domain.Discipline{FollowUpsDue: 6, Overdue: 4}
	bv := reportView{lang: domain.LangZH, rules: domain.DefaultRules(), rep: behind}
	if got := fmt.Sprint(bv.Panels()[2].Labels); got != "[李娜 张伟]" {
		t.Fatalf("discipline order %s", got)
	}
	if got := fmt.Sprint(panels[3].Labels, panels[3].Series[0].Values, panels[3].Series[1].Values); got != "[李娜] [7] [5]" {
		t.Fatalf("telesales panel %s", got)
	}
	if got := fmt.Sprint(panels[5].Labels, panels[5].Series[0].Values); got != "[≤45天 46–90天 >90天] [7 2 1]" {
		t.Fatalf("stock panel %s", got)
	}
	png, err := v.Chart()
	if err != nil {
		t.Fatal(err)
	}
	img, err := chart.Decode(png)
	if err != nil {
		t.Fatal(err)
	}
	w, h := chart.Size(panels)
	if b := img.Bounds(); b.Dx() != 1080 || b.Dx() != w || b.Dy() != h {
		t.Fatalf("picture %v, want 1080×%d", b.Size(), h)
	}
	var text strings.Builder
	text.WriteString(v.title())
	for _, p := range panels {
		text.WriteString(p.Title + strings.Join(p.Labels, ""))
		for _, s := range p.Series {
			text.WriteString(s.Name)
		}
	}
	if miss := chart.Missing(text.String()); len(miss) != 0 {
		t.Fatalf("the chart's font has no glyph for %q", string(miss))
	}
}

// TestReportView_Workbook: every figure behind the chart, per store and
// per person, each sheet laid out to print.
func TestReportView_Workbook(t *testing.T) {
	v := reportView{lang: domain.LangZH, rules: domain.DefaultRules(), rep: goldenStoreReport()}
	data, err := v.Workbook()
	if err != nil {
		t.Fatal(err)
	}
	if name := v.FileName(); name != "报表_南京店_2026-11.xlsx" {
		t.Fatalf("file name %q", name)
	}
	f := printlayouttest.Open(t, data)
	if got := strings.Join(f.GetSheetList(), ","); got != "本期动态（按发生日）,线索漏斗（按建档）,来源,员工,投诉,投诉分类,库存" {
		t.Fatalf("sheets %s", got)
	}
	want := map[string][][]string{
		"本期动态（按发生日）": {
			{"门店", "员工", "新线索", "首次联系", "到店", "试驾", "订单", "确认订单", "交车", "交车回访"},
			{"南京店", "合计", "14", "13", "6", "4", "3", "2", "1", "11"},
			{"南京店", "李娜", "4", "4", "0", "0", "0", "0", "0", "0"},
			{"南京店", "张伟", "10", "9", "6", "4", "3", "2", "1", "11"},
		},
		"线索漏斗（按建档）": {
			{"门店", "员工", "线索", "24小时首联", "到店", "试驾", "订单", "交车", "24小时首联率", "到店率", "试驾率", "订单率", "交车率"},
			{"南京店", "合计", "14", "12", "5", "3", "2", "1", "0.857", "0.417", "0.6", "0.667", "0.5"},
			{"南京店", "李娜", "4", "4", "0", "0", "0", "0", "1", "0", "0", "0", "0"},
			{"南京店", "张伟", "10", "8", "5", "3", "2", "1", "0.8", "0.625", "0.6", "0.667", "0.5"},
		},
		"员工": {
			{"门店", "员工", "应回访", "按时回访", "按时率", "超期3天以上", "超一周未定级", "邀约", "邀约到店", "爽约", "交接", "撞单胜", "撞单负", "轮休天数", "接待未应答"},
			{"南京店", "合计", "18", "15", "0.833", "2", "1", "7", "5", "2", "3", "1", "0", "4", "1"},
			{"南京店", "李娜", "6", "6", "1", "0", "0", "7", "5", "2", "3", "1", "0", "0", "1"},
			{"南京店", "张伟", "12", "9", "0.75", "2", "1", "0", "0", "0", "0", "0", "0", "4", "0"},
		},
		"投诉": {
			{"门店", "部门", "受理", "有效", "无效", "应达时限", "按时达成", "升级件数", "升级次数", "结案", "满意", "一般", "不满意"},
			{"南京店", "全部", "3", "2", "0", "4", "3", "1", "2", "2", "1", "1", "0"},
		},
		"投诉分类": {{"门店", "类别", "部门", "件数"}, {"南京店", "服务质量", "销售部", "3"}},
		"库存": {
			{"门店", "≤45天", "46–90天", ">90天", "试驾车", "试驾次数", "其他用途", "配车单数", "平均等待天数"},
			{"南京店", "7", "2", "1", "2", "5", "0", "0", "0"},
		},
		"来源": {
			{"门店", "来源", "线索", "24小时首联", "到店", "试驾", "订单", "交车", "24小时首联率", "到店率", "试驾率", "订单率", "交车率"},
			{"南京店", "来电", "4", "4", "0", "0", "0", "0", "1", "0", "0", "0", "0"},
			{"南京店", "到店", "10", "8", "5", "3", "2", "1", "0.8", "0.625", "0.6", "0.667", "0.5"},
		},
	}
	for name, rows := range want {
		got, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(rows) {
			t.Errorf("sheet %s\n got %v\nwant %v", name, got, rows)
		}
		printlayouttest.Check(t, f, name, printlayout.Header{}, len(rows), len(rows[0]))
	}
}

// TestReportView_Personal: a consultant's own report has no complaints or
// stock, in the chart, the caption or the workbook.
func TestReportView_Personal(t *testing.T) {
	rep := goldenStoreReport()
	rep.Scope = domain.ScopeSelf
	s := &rep.Stores[0]
	s.Staff = s.Staff[1:] // 张伟
	s.Total = domain.Figures{Funnel: s.Staff[0].Funnel, Activity: s.Staff[0].Activity, Discipline: s.Staff[0].Discipline, Rota: s.Staff[0].Rota}
	v := reportView{lang: domain.LangZH, rules: domain.DefaultRules(), rep: rep}
	c := v.Caption()
	if !strings.HasPrefix(c, "📊 <b>张伟（南京店）· 2026-11</b>\n本期动态（按发生日）：新线索 10 · 首次联系 9 · 到店 6 · 试驾 4 · 订单 3 · 确认 2 · 交车 1 · 交车回访 11\n本期线索漏斗（按建档）：线索 10 → 24小时首联 8") || strings.Contains(c, "投诉") || strings.Contains(c, "库存") {
		t.Fatalf("caption\n%s", c)
	}
	var titles []string
	for _, p := range v.Panels() {
		if p.Rows() > 0 {
			titles = append(titles, p.Title)
		}
	}
	if got := strings.Join(titles, ","); got != "本期线索漏斗（按建档）,本期动态（按发生日）,回访纪律" {
		t.Fatalf("panels drawn %s", got)
	}
	data, err := v.Workbook()
	if err != nil {
		t.Fatal(err)
	}
	f := printlayouttest.Open(t, data)
	if got := strings.Join(f.GetSheetList(), ","); got != "本期动态（按发生日）,线索漏斗（按建档）,来源,员工" {
		t.Fatalf("sheets %s", got)
	}
	if rows, _ := f.GetRows("线索漏斗（按建档）"); len(rows) != 2 || rows[1][1] != "张伟" {
		t.Fatalf("funnel rows %v", rows)
	}
	if rows, _ := f.GetRows("本期动态（按发生日）"); len(rows) != 2 || strings.Join(rows[1], ",") != "南京店,张伟,10,9,6,4,3,2,1,11" {
		t.Fatalf("activity rows %v", rows)
	}
	if name := v.FileName(); name != "报表_南京店_张伟_2026-11.xlsx" {
		t.Fatalf("file name %q", name)
	}
}

// TestReportView_Group: the group roles' report compares the stores and
// adds the group total to every sheet.
func TestReportView_Group(t *testing.T) {
	rep := goldenStoreReport()
	east := rep.Stores[0]
	east.StoreID, east.Name = 2, "东区店"
	east.Total.Funnel = domain.Funnel{Leads: 5, Orders: 1}
	east.Total.Activity = domain.Activity{Orders: 2, Deliveries: 1} // orders for older leads, none created
	east.Total.Sources = nil
	east.Staff = nil
	rep.Stores = append(rep.Stores, east)
	rep.Scope = domain.ScopeGroup
	g := domain.Figures{}
	for _, s := range rep.Stores {
		g.Add(s.Total)
	}
	rep.Group = &g
	v := reportView{lang: domain.LangZH, rules: domain.DefaultRules(), rep: rep}
	c := v.Caption()
	if !strings.HasPrefix(c, "📊 <b>集团 · 2026-11</b>\n本期动态（按发生日）：新线索 14 · 首次联系 13 · 到店 6 · 试驾 4 · 订单 5 · 确认 2 · 交车 2 · 交车回访 11\n本期线索漏斗（按建档）：线索 19 → ") || !strings.Contains(c, "门店：南京店、东区店") ||
		!strings.Contains(c, "投诉 6，时限达成 6/8") {
		t.Fatalf("group caption\n%s", c)
	}
	var titles []string
	for _, p := range v.Panels() {
		titles = append(titles, p.Title)
	}
	if got := strings.Join(titles, ","); got != "本期线索漏斗（按建档）,本期动态（按发生日）,各店,投诉,库存车龄" {
		t.Fatalf("panels %s", got)
	}
	stores := v.Panels()[2]
	if got := fmt.Sprint(stores.Labels, stores.Series[0].Values, stores.Series[1].Values); got != "[南京店 东区店] [14 5] [2 1]" {
		t.Fatalf("stores panel %s", got)
	}
	data, err := v.Workbook()
	if err != nil {
		t.Fatal(err)
	}
	f := printlayouttest.Open(t, data)
	rows, _ := f.GetRows("线索漏斗（按建档）")
	if last := rows[len(rows)-1]; strings.Join(last[:3], ",") != "集团合计,,19" {
		t.Fatalf("group row %v", last)
	}
	rows, _ = f.GetRows("本期动态（按发生日）")
	if last := rows[len(rows)-1]; strings.Join(last, ",") != "集团合计,,14,13,6,4,5,2,2,11" {
		t.Fatalf("group activity row %v", last)
	}
	if v.FileName() != "报表_集团合计_2026-11.xlsx" {
		t.Fatalf("file %q", v.FileName())
	}
}

// TestReportView_DayOfOrdersForOlderLeads: the 18:30 summary of a day on
// which no lead was created but orders were taken for older ones says so
// on its activity line, while the cohort's funnel (the day's new leads)
// stays at zero, each line labelled as what it is; the report is not empty.
func TestReportView_DayOfOrdersForOlderLeads(t *testing.T) {
	cal := &domain.Calendar{Location: time.FixedZone("CST", 8*3600)}
	now := time.Date(2026, 12, 1, 18, 30, 0, 0, cal.Location)
	day := domain.PeriodOf(domain.PeriodDay, now, cal)
	act := domain.Activity{Visits: 3, TestDrives: 2, Orders: 2, Confirmed: 1, Deliveries: 1}
	rep := &domain.Report{Scope: domain.ScopeStore, Period: day, AsOf: now,
		Stores: []domain.StoreReport{{StoreID: 1, Name: "南京店", Period: day, Total: domain.Figures{Activity: act},
			Staff: []domain.StaffReport{{StaffID: 1, Name: "张伟", Activity: act}}}}}
	if rep.Empty() {
		t.Fatal("a day of orders for older leads is empty")
	}
	zh := reportView{lang: domain.LangZH, rules: domain.DefaultRules(), rep: rep}.Caption()
	lines := strings.Split(zh, "\n")
	if len(lines) < 3 || lines[1] != "本期动态（按发生日）：新线索 0 · 首次联系 0 · 到店 3 · 试驾 2 · 订单 2 · 确认 1 · 交车 1 · 交车回访 0" ||
		!strings.HasPrefix(lines[2], "本期线索漏斗（按建档）：线索 0 → 24小时首联 0 → 到店 0 → 试驾 0 → 订单 0 → 交车 0") {
		t.Fatalf("caption\n%s", zh)
	}
	en := reportView{lang: domain.LangEN, rules: domain.DefaultRules(), rep: rep}.Caption()
	if !strings.Contains(en, "\nActivity (by event date): new leads 0 · first contacts 0 · visits 3 · test drives 2 · orders 2 · confirmed 1 · deliveries 1 · after-sales calls 0\nFunnel of the period's new leads (by creation): leads 0 → ") {
		t.Fatalf("en caption\n%s", en)
	}
}

// TestReportView_NothingToDrawStillAnswers: a report whose only figures
// are ones the chart does not draw (the store's ungraded leads, rest days,
// demo use) is not empty, so it is answered: the caption as a message of
// its own and the workbook, never an internal error (found in the demo: a
// manager's /report on a quiet morning).
func TestReportView_NothingToDrawStillAnswers(t *testing.T) {
	cal := &domain.Calendar{Location: time.FixedZone("CST", 8*3600)}
	now := time.Date(2026, 12, 2, 8, 30, 0, 0, cal.Location)
	day := domain.PeriodOf(domain.PeriodDay, now, cal)
	f := domain.Figures{Discipline: domain.Discipline{Ungraded: 2}, Rota: domain.RotaFigures{RestDays: 1},
		Stock: domain.StockFigures{DemoCars: 3}}
	rep := &domain.Report{Scope: domain.ScopeStore, Period: day, AsOf: now,
		Stores: []domain.StoreReport{{StoreID: 1, Name: "南京店", Period: day, Total: f}}}
	if rep.Empty() {
		t.Fatal("the report is empty")
	}
	msgs, err := reportMessagesFor(70, 1, domain.LangZH, domain.DefaultRules(), rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].File != nil || msgs[0].Photo || msgs[0].Text == "" || msgs[1].File == nil {
		t.Fatalf("messages %+v", msgs)
	}
}

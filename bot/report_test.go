package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/chart"
	"github.com/dealerbot/dealerbot/bot/printlayout/printlayouttest"
	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
)

// reportDay seeds the harness's store on 2026-11-27 (testStart, 09:30):
// 陈顾问 logs two leads and calls the first within the hour; 李顾问 logs
// one and never calls. The manager reads in English.
func reportDay(t *testing.T) (h *harness, chen, li, mgr telegramtest.User) {
	t.Helper()
	h = newHarness(t)
	chen = h.enroll("陈顾问", "consultant", "zh")
	li = h.enroll("李顾问", "consultant", "zh")
	mgr = h.enroll("Wang", "manager", "en")
	first := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 H 来电"))
	leadID(t, h.reply(chen, "/lead 赵六 13700137000 天籁 A 到店"))
	leadID(t, h.reply(li, "/lead 钱七 13600136000 轩逸 B 来电"))
	h.advance(time.Hour)
	h.reply(chen, fmt.Sprintf("/fu %d 打了电话", first))
	return h, chen, li, mgr
}

// reportReply checks /report's answer: the chart as a photo (decoding to
// its reported size, 1080 px wide) with the caption, then the workbook.
// It returns the caption and the workbook's bytes.
func reportReply(t *testing.T, msgs []telegramtest.Message) (string, string, []byte) {
	t.Helper()
	if len(msgs) != 2 || msgs[0].Photo == nil || msgs[1].Document == nil {
		t.Fatalf("want a photo then a document, got %v", plains(msgs))
	}
	p := msgs[0].Photo
	img, err := chart.Decode(p.Data)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != chart.Width || p.Width != chart.Width || b.Dy() != p.Height || p.Height < 400 {
		t.Fatalf("chart %v, reported %d×%d", b.Size(), p.Width, p.Height)
	}
	return msgs[0].Plain, msgs[1].Document.Name, msgs[1].Document.Data
}

// TestReport_ConsultantSeesOwnManagerTheStore: through the emulator, a
// consultant's /report holds only their own figures; the manager's holds
// the store's, per consultant, in English; nobody may look past their
// scope, and bad input is answered and sends nothing.
func TestReport_ConsultantSeesOwnManagerTheStore(t *testing.T) {
	h, chen, _, mgr := reportDay(t)

	caption, name, book := reportReply(t, h.say(chen, "/report"))
	if !strings.HasPrefix(caption, "📊 陈顾问（示例4S店）· 2026-11-27\n本期动态（按发生日）：新线索 2 · 首次联系 1 · 到店 0 · 试驾 0 · 订单 0 · 确认 0 · 交车 0 · 交车回访 0\n本期线索漏斗（按建档）：线索 2 → 24小时首联 1 → 到店 ") || strings.Contains(caption, "投诉") {
		t.Fatalf("consultant's caption\n%s", caption)
	}
	if name != "报表_示例4S店_陈顾问_2026-11-27.xlsx" {
		t.Fatalf("file %q", name)
	}
	f := printlayouttest.Open(t, book)
	rows, err := f.GetRows("线索漏斗（按建档）")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || strings.Join(rows[1][:4], ",") != "示例4S店,陈顾问,2,1" {
		t.Fatalf("consultant's funnel sheet %v", rows)
	}

	caption, name, book = reportReply(t, h.say(mgr, "/report"))
	if !strings.HasPrefix(caption, "📊 示例4S店 · 2026-11-27\nActivity (by event date): new leads 3 · first contacts 1 · visits 0 · test drives 0 · orders 0 · confirmed 0 · deliveries 0 · after-sales calls 0\nFunnel of the period's new leads (by creation): leads 3 → contacted in 24 h 1 → ") {
		t.Fatalf("manager's caption\n%s", caption)
	}
	if name != "report_示例4S店_2026-11-27.xlsx" {
		t.Fatalf("file %q", name)
	}
	f = printlayouttest.Open(t, book)
	if got := strings.Join(f.GetSheetList(), ","); got != "Activity (by event date),Funnel (by creation),Sources,Staff,Complaints,Complaint kinds,Stock" {
		t.Fatalf("sheets %s", got)
	}
	rows, _ = f.GetRows("Funnel (by creation)")
	var got []string
	for _, r := range rows[1:] {
		got = append(got, strings.Join(r[1:4], " "))
	}
	// The store's total, then each person with figures by name.
	if !strings.HasPrefix(strings.Join(got, "|"), "Total 3 1|") || !strings.Contains(strings.Join(got, "|"), "陈顾问 2 1") || !strings.Contains(strings.Join(got, "|"), "李顾问 1 0") {
		t.Fatalf("manager's funnel rows %v", got)
	}

	// Past one's scope, and bad input: a clear answer, nothing sent.
	for _, tc := range []struct {
		who  telegramtest.User
		text string
		want string
	}{
		{chen, "/report consultant 李顾问", "您无权执行此操作"},
		{chen, "/report store", "您无权执行此操作"},
		{mgr, "/report consultant 无此人", "No staff member 无此人"},
		{chen, "/report 2027-01", "还没开始"},
		{chen, "/report yesterday", "不是报表周期"},
		{chen, "/report consultant", "要看谁的数据"},
		{mgr, "/report 2026-10", "No figures for 2026-10: no report sent."},
	} {
		msgs := h.say(tc.who, tc.text)
		if len(msgs) != 1 || msgs[0].Photo != nil || !strings.Contains(msgs[0].Plain, tc.want) {
			t.Errorf("%q: %v, want one line with %q", tc.text, plains(msgs), tc.want)
		}
	}
	// A manager may look at one consultant.
	caption, _, _ = reportReply(t, h.say(mgr, "/report consultant 李顾问"))
	if !strings.HasPrefix(caption, "📊 李顾问 (示例4S店) · 2026-11-27\nActivity (by event date): new leads 1 · first contacts 0 ·") {
		t.Fatalf("manager on 李顾问\n%s", caption)
	}
}

// TestReport_ScheduledOnceNeverEmpty: the day's summary goes to the
// manager (not to consultants) once however often the job runs, and a day
// with no figures sends nobody anything.
func TestReport_ScheduledOnceNeverEmpty(t *testing.T) {
	h := newHarness(t)
	mgr := h.enroll("王经理", "manager", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	job := &jobs.ScheduledReport{Store: h.db, Bot: h.bot, Shop: h.db.Stores.Default(), Kind: domain.PeriodDay}

	// 2026-11-27 has nothing yet: nobody gets a report.
	h.advance(9 * time.Hour) // 18:30
	before := len(h.emu.Messages(mgr.ID))
	h.runJob(job)
	if n := len(h.emu.Messages(mgr.ID)); n != before {
		t.Fatalf("an empty day sent the manager %d messages", n-before)
	}

	// The next day 陈顾问 logs a lead: at 18:30 the manager gets the chart
	// and the workbook, once, however often the job runs.
	h.advance(15 * time.Hour) // 2026-11-28 09:30
	h.reply(chen, "/lead 王石 13800138000 轩逸 H 来电")
	h.advance(9 * time.Hour)
	consultant := len(h.emu.Messages(chen.ID))
	h.runJob(job)
	h.runJob(job)
	msgs := h.emu.Messages(mgr.ID)[before:]
	caption, name, _ := reportReply(t, msgs)
	if !strings.HasPrefix(caption, "📊 示例4S店 · 2026-11-28\n本期动态（按发生日）：新线索 1 · 首次联系 0 ·") || name != "报表_示例4S店_2026-11-28.xlsx" {
		t.Fatalf("summary %q %q", caption, name)
	}
	if n := len(h.emu.Messages(chen.ID)); n != consultant {
		t.Fatalf("a consultant got %d scheduled messages", n-consultant)
	}
}

package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dealerbot/dealerbot/bot"
	"github.com/dealerbot/dealerbot/bot/printlayout"
	"github.com/dealerbot/dealerbot/bot/printlayout/printlayouttest"
	"github.com/dealerbot/dealerbot/bot/telegramtest"
)

// exportDoc sends /export … as u and returns the document answered.
func exportDoc(t *testing.T, h *harness, u telegramtest.User, cmd string) (telegramtest.Message, *excelize.File) {
	t.Helper()
	doc := documentIn(t, h.sayAll(u, cmd))
	return doc, printlayouttest.Open(t, doc.Document.Data)
}

// formRows are the rows of a form's one sheet, named after the month.
func formRows(t *testing.T, f *excelize.File, month string) [][]string {
	t.Helper()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != month {
		t.Fatalf("sheets %v, want [%s]", got, month)
	}
	rows, err := f.GetRows(month)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// padded is row with blanks up to n cells (a spreadsheet drops trailing
// empty cells).
func padded(row []string, n int) []string {
	for len(row) < n {
		row = append(row, "")
	}
	return row
}

// TestR1_11_ExportVisits_AttachmentOneAsTheRegulationHasIt: a month's
// visit register comes out of the emulator as attachment 1, its header the
// regulation's to the letter, a visit's facts in their columns — the
// grade on arrival and a day later, the note of the day's follow-up, the
// facts tapped on the lead's card — and blanks where nothing was given. A
// consultant gets only their own visits; a bad month is refused.
func TestR1_11_ExportVisits_AttachmentOneAsTheRegulationHasIt(t *testing.T) {
	h := newHarness(t) // 2026-11-27 09:30
	chen := h.enroll("陈顾问", "consultant", "zh")
	liu := h.enroll("刘顾问", "consultant", "zh")
	zhao := h.enroll("赵接待", "reception", "zh")
	li := h.enroll("李主管", "supervisor", "zh")
	sun := h.enroll("孙客服", "service", "zh")

	card := h.say(chen, "/lead 王石 13800138000 轩逸 B 到店")
	contains(t, card[0].Plain, "已登记客户")
	id := leadID(t, card[0].Plain)
	h.press(chen, "男")
	h.press(chen, "有置换")
	got := h.press(chen, "报纸")
	if len(got) != 1 || got[0].ID != card[0].ID {
		t.Fatalf("a tap is not an edit of the card: %v", plains(got))
	}
	if len(got[0].Buttons) != 1 { // all three known: only the card's own row is left
		t.Errorf("buttons after the three facts: %+v", got[0].Buttons)
	}
	leadID(t, h.reply(liu, "/lead 李四 13900139000 天籁 A 到店"))

	h.advance(30 * time.Minute) // 10:00
	h.say(zhao, "/visit 13800138000")
	h.advance(45 * time.Minute) // 10:45
	h.press(zhao, "已离店")
	h.say(zhao, "/visit 13900139000")
	h.advance(2 * time.Hour) // 12:45
	h.say(chen, fmt.Sprintf("/fu %d 初次购车，品牌对比中", id))
	h.say(chen, fmt.Sprintf("/grade %d A", id))
	h.advance(3 * 24 * time.Hour) // 11-30 12:45: both visits' 24-hour grades are settled

	doc, f := exportDoc(t, h, li, "/export visits")
	contains(t, doc.Plain, "附件1 来店(电)客户登记表 2026-11，共 2 条")
	if doc.Document.Name != "来店客户登记表_main_2026-11.xlsx" {
		t.Errorf("file name %q", doc.Document.Name)
	}
	rows := formRows(t, f, "2026-11")
	if len(rows) != 6 {
		t.Fatalf("%d rows: %q", len(rows), rows)
	}
	if rows[0][0] != "附件1 来店(电)客户登记表" || !strings.Contains(rows[1][0], "月份：2026-11") {
		t.Errorf("title %q / %q", rows[0], rows[1])
	}
	// The regulation's header: 来店信息来源 over its seven ticks, every
	// other heading over both header rows.
	wantTop := []string{"客户姓名", "客户性质(新/老)", "性别", "电话", "客户来源", "拟购车型", "意向级别", "置换意愿",
		"来店信息来源", "", "", "", "", "", "", "到店时间", "离去时间", "24小时追踪级别", "经过情形", "销售顾问"}
	wantSub := []string{"", "", "", "", "", "", "", "", "电话", "报纸", "广播", "杂志", "亲友", "路过", "其他", "", "", "", "", ""}
	if got := padded(rows[2], 20); strings.Join(got, "|") != strings.Join(wantTop, "|") {
		t.Errorf("header row\n got %q\nwant %q", got, wantTop)
	}
	if got := padded(rows[3], 20); strings.Join(got, "|") != strings.Join(wantSub, "|") {
		t.Errorf("header ticks\n got %q\nwant %q", got, wantSub)
	}
	if strings.Join(bot.VisitFormColumns, "|") != "客户姓名|客户性质(新/老)|性别|电话|客户来源|拟购车型|意向级别|置换意愿|来店信息来源|到店时间|离去时间|24小时追踪级别|经过情形|销售顾问" {
		t.Errorf("columns %q", bot.VisitFormColumns)
	}
	merged, _ := f.GetMergeCells("2026-11")
	spans := map[string]bool{}
	for _, m := range merged {
		spans[m.GetStartAxis()+":"+m.GetEndAxis()] = true
	}
	for _, want := range []string{"I3:O3", "A3:A4", "T3:T4", "A1:T1"} {
		if !spans[want] {
			t.Errorf("no merged %s in %v", want, spans)
		}
	}
	wang := []string{"王石", "新", "男", "13800138000", "到店", "轩逸", "B", "有", "", "√", "", "", "", "", "",
		"11-27 10:00", "10:45", "A", "初次购车，品牌对比中", "陈顾问"}
	if got := padded(rows[4], 20); strings.Join(got, "|") != strings.Join(wang, "|") {
		t.Errorf("王石's visit\n got %q\nwant %q", got, wang)
	}
	// Nothing tapped, nothing typed: blanks; still in the showroom.
	lisi := []string{"李四", "新", "", "13900139000", "到店", "天籁", "A", "", "", "", "", "", "", "", "",
		"11-27 10:45", "", "A", "", "刘顾问"}
	if got := padded(rows[5], 20); strings.Join(got, "|") != strings.Join(lisi, "|") {
		t.Errorf("李四's visit\n got %q\nwant %q", got, lisi)
	}
	printlayouttest.Check(t, f, "2026-11", printlayout.Header{Row: 3, Rows: 2}, 6, 20)

	// A consultant: their own; reception: the store's register.
	doc, f = exportDoc(t, h, chen, "/export visits 2026-11")
	contains(t, doc.Plain, "共 1 条", "仅含您本人的记录")
	if rows := formRows(t, f, "2026-11"); len(rows) != 5 || rows[4][0] != "王石" || !strings.Contains(rows[1][0], "销售顾问：陈顾问") {
		t.Errorf("the consultant's form: %q", rows)
	}
	doc, _ = exportDoc(t, h, zhao, "/export 来店")
	contains(t, doc.Plain, "共 2 条")
	// Another month: the blank form.
	doc, f = exportDoc(t, h, li, "/export visits 2026-10")
	contains(t, doc.Plain, "2026-10，共 0 条")
	if rows := formRows(t, f, "2026-10"); len(rows) != 4 {
		t.Errorf("October: %q", rows)
	}

	// Bad input: a clear answer, no document.
	for cmd, want := range map[string]string{
		"/export visits 2026-13":    "“2026-13”不是有效的月份",
		"/export visits 11月":        "不是有效的月份",
		"/export orders":            "用法",
		"/export":                   "用法",
		"/export visits 2026-11 x":  "用法",
		"/export handovers 2026-11": "", // reception: below
	} {
		if want == "" {
			continue
		}
		msgs := h.say(li, cmd)
		if len(msgs) != 1 || msgs[0].Document != nil {
			t.Fatalf("%s: %v", cmd, plains(msgs))
		}
		contains(t, msgs[0].Plain, want)
	}
	contains(t, h.reply(zhao, "/export handovers"), "无权")
	contains(t, h.reply(sun, "/export visits"), "您无权使用 /export")
}

// TestR1_10_ExportHandovers_AttachmentTwo: the month's handover forms,
// numbered, in attachment 2's columns; telesales get the forms they filed.
func TestR1_10_ExportHandovers_AttachmentTwo(t *testing.T) {
	h := newHarness(t) // 2026-11-27 09:30
	zhang := h.enroll("张电销", "telesales", "zh")
	wu := h.enroll("吴电销", "telesales", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	li := h.enroll("李主管", "supervisor", "en") // the form is Chinese whatever the reader's language

	id := leadID(t, h.reply(zhang, "/lead 王石 13800138000 轩逸 A 来电"))
	contains(t, h.reply(zhang, fmt.Sprintf("/handover %d 陈顾问 2026-12-20", id)), "陈顾问")
	h.waitOutboxEmpty(10 * time.Second)
	h.press(chen, "接收")
	h.advance(time.Hour)
	id2 := leadID(t, h.reply(wu, "/lead 赵六 13700137000 雅阁 H 来电"))
	contains(t, h.reply(wu, fmt.Sprintf("/handover %d 陈顾问", id2)), "陈顾问")

	doc, f := exportDoc(t, h, li, "/export handovers")
	contains(t, doc.Plain, "handover form (attachment 2) 2026-11: 2 rows")
	rows := formRows(t, f, "2026-11")
	if len(rows) != 5 || rows[0][0] != "附件2 邀约到店客户交接表" {
		t.Fatalf("rows %q", rows)
	}
	header := "序号|日期|客户姓名|电话|意向车型|渠道|购车日期|级别|客户状态|直销员|订单|交车"
	if got := strings.Join(rows[2], "|"); got != header || strings.Join(bot.HandoverFormColumns, "|") != header {
		t.Errorf("header %q, want %q", got, header)
	}
	want := [][]string{
		{"1", "11-27", "王石", "13800138000", "轩逸", "来电", "2026-12-20", "A", "已接收", "陈顾问", "", ""},
		{"2", "11-27", "赵六", "13700137000", "雅阁", "来电", "2026-12-04", "H", "待接收", "陈顾问", "", ""},
	}
	for i, w := range want {
		if got := padded(rows[3+i], 12); strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("row %d\n got %q\nwant %q", i+1, got, w)
		}
	}
	printlayouttest.Check(t, f, "2026-11", printlayout.Header{Row: 3}, 5, 12)

	doc, f = exportDoc(t, h, wu, "/export handovers 2026-11")
	contains(t, doc.Plain, "共 1 条", "仅含您本人的记录")
	if rows := formRows(t, f, "2026-11"); len(rows) != 4 || rows[3][2] != "赵六" || rows[3][0] != "1" || !strings.HasSuffix(rows[1][0], "电销员：吴电销") {
		t.Errorf("telesales' own form: %q", rows)
	}
	doc, _ = exportDoc(t, h, chen, "/export handovers")
	contains(t, doc.Plain, "共 2 条")
}

// buttonTexts are a message's button labels, row after row.
func buttonTexts(m telegramtest.Message) []string {
	var out []string
	for _, row := range m.Buttons {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

// TestR1_2_VisitCardAsksWhatTheRegisterNeeds: reception, greeting the
// customer, taps how they heard of us on the visit card; the card stays a
// visit card with its departure button, the answer ticked, and the lead
// has it. Someone who does not meet customers cannot tell it.
func TestR1_2_VisitCardAsksWhatTheRegisterNeeds(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	zhao := h.enroll("赵接待", "reception", "en")
	id := leadID(t, h.reply(chen, "/lead 王石 13800138000 轩逸 B 到店"))

	card := h.say(zhao, "/visit 13800138000")[0]
	if got := strings.Join(buttonTexts(card), " "); got != "Customer left male female trade-in no trade-in phone newspaper radio magazine friends passing by other" {
		t.Fatalf("visit card buttons: %s", got)
	}
	got := h.press(zhao, "passing by")
	if len(got) != 1 || got[0].ID != card.ID {
		t.Fatalf("not an edit of the visit card: %v", plains(got))
	}
	contains(t, got[0].Plain, "王石")
	contains(t, strings.Join(buttonTexts(got[0]), " "), "Customer left", "✓passing by")
	left := h.press(zhao, "Customer left")
	if b := strings.Join(buttonTexts(left[0]), " "); strings.Contains(b, "Customer left") || !strings.Contains(b, "✓passing by") {
		t.Errorf("after the departure: %s", b)
	}
	l, err := h.db.LeadByID(context.Background(), id)
	if err != nil || l.HeardVia != "passing" || l.Gender != "" || l.TradeInKnown {
		t.Errorf("lead %+v, %v", l, err)
	}
}

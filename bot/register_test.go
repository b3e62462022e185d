package bot_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dealerbot/dealerbot/bot"
	"github.com/dealerbot/dealerbot/bot/printlayout"
	"github.com/dealerbot/dealerbot/bot/printlayout/printlayouttest"
	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
)

// documents returns the documents the bot sent to chat after message id
// after, by file name.
func documents(h *harness, chat int64, after int) map[string]telegramtest.Message {
	out := map[string]telegramtest.Message{}
	for _, m := range h.emu.Messages(chat) {
		if m.ID > after && m.Document != nil {
			out[m.Document.Name] = m
		}
	}
	return out
}

func lastID(h *harness, chat int64) int {
	m, _ := h.emu.LastMessage(chat)
	return m.ID
}

// sheetRows opens an xlsx and returns the rows of its one sheet, named
// after the week.
func sheetRows(t *testing.T, data []byte, week string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != week {
		t.Fatalf("sheets %v, want [%s]", got, week)
	}
	rows, err := f.GetRows(week)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

var registerHeader = []string{"接收时间", "客户", "电话", "渠道", "主题", "负责人", "时限达成", "状态", "满意度", "描述"}

// TestR2_8_WeeklyRegister: last week's complaints of two departments — a
// reply in time, an on-site solution too late, one closed and surveyed —
// reach the service centre on Monday as one xlsx per department that an
// xlsx reader opens with the right rows, plus a summary; a rerun sends
// nothing twice; Tuesday's reminder follows; /register gives any week on
// demand.
func TestR2_8_WeeklyRegister(t *testing.T) {
	h := newHarness(t) // Friday 2026-11-27 09:30
	ctx := context.Background()
	loc := shanghai()
	service := h.enroll("孙客服", "service", "zh")
	consultant := h.enroll("周顾问", "consultant", "zh")
	owner1, _, err := h.db.InviteStaff(ctx, "李主管", domain.Roles{domain.RoleSupervisor}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	owner2, _, err := h.db.InviteStaff(ctx, "陈技师", domain.Roles{domain.RoleConsultant}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, hh, mm int) *time.Time {
		v := time.Date(2026, 11, d, hh, mm, 0, 0, loc)
		return &v
	}
	add := func(c domain.Complaint) {
		t.Helper()
		c.OpenedAt, c.StoreID = c.CreatedAt, h.db.Stores.Default().ID
		if c.Phone == "" {
			c.Phone = "13800138000"
		}
		if err := h.db.CreateComplaint(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	// Last week, W47: 2026-11-16 … 22.
	add(domain.Complaint{Customer: "张三", Channel: domain.ChannelCall, Subject: domain.SubjectService, Department: "销售部",
		Description: "报价不一致", OwnerID: owner1.ID, CreatedAt: *at(17, 10, 0), FirstReplyAt: at(17, 12, 0), OpinionAt: at(17, 15, 0)})
	add(domain.Complaint{Customer: "李四", Channel: domain.ChannelOnSite, Subject: domain.SubjectProduct, Model: "轩逸", Department: "销售部",
		Description: "新车划痕", OwnerID: owner1.ID, CreatedAt: *at(18, 10, 0), SolutionAt: at(18, 10, 30)})
	add(domain.Complaint{Customer: "王五", Channel: domain.ChannelEmail, Subject: domain.SubjectProduct, Model: "天籁", Department: "售后部",
		Description: "异响", OwnerID: owner2.ID, CreatedAt: *at(20, 14, 0), FirstReplyAt: at(20, 16, 0),
		Status: domain.ComplaintClosed, Satisfaction: domain.Satisfied, ClosedAt: at(21, 11, 0)})
	// Outside it: the Sunday before, and this week.
	add(domain.Complaint{Customer: "赵六", Channel: domain.ChannelCall, Subject: domain.SubjectProduct, Model: "天籁", Department: "售后部",
		Description: "早了", OwnerID: owner2.ID, CreatedAt: *at(15, 23, 30)})
	add(domain.Complaint{Customer: "钱七", Channel: domain.ChannelLetter, Subject: domain.SubjectProduct, Model: "奇骏", Department: "售后部",
		Description: "本周", OwnerID: owner2.ID, CreatedAt: *at(24, 9, 0)})

	before := lastID(h, service.ID)
	week := time.Date(2026, 11, 16, 0, 0, 0, 0, loc)
	h.push(func(ctx context.Context) error { return h.bot.PushWeeklyRegister(ctx, h.db.Stores.Default().ID, week) })
	h.waitOutboxEmpty(10 * time.Second)

	docs := documents(h, service.ID, before)
	if len(docs) != 3 {
		t.Fatalf("%d documents, want one per department: %v", len(docs), docs)
	}
	sales, ok := docs["投诉登记表_销售部_2026-W47.xlsx"]
	if !ok {
		t.Fatalf("no sales register among %v", docs)
	}
	contains(t, sales.Plain, "销售部", "2026-W47", "11-16", "11-22", "2 条")
	rows := sheetRows(t, sales.Document.Data, "2026-W47")
	if len(rows) != 3 || strings.Join(rows[0], "|") != strings.Join(registerHeader, "|") {
		t.Fatalf("sales rows %q", rows)
	}
	contains(t, strings.Join(rows[1], "|"), "2026-11-17 10:00", "张三", "13800138000", "电话", "服务质量", "李主管", "首次回复 ✓", "经理意见 ✓", "处理中", "报价不一致")
	contains(t, strings.Join(rows[2], "|"), "李四", "现场", "产品质量", "解决方案 ✗", "新车划痕")
	lacks(t, strings.Join(rows[2], "|"), "✓")

	after := sheetRows(t, docs["投诉登记表_售后部_2026-W47.xlsx"].Document.Data, "2026-W47")
	if len(after) != 2 {
		t.Fatalf("after-sales rows %q", after)
	}
	contains(t, strings.Join(after[1], "|"), "王五", "邮件", "陈技师", "首次回复 ✓", "已结案", "满意", "异响")
	lacks(t, strings.Join(after[1], "|"), "✗")
	if empty := sheetRows(t, docs["投诉登记表_客服中心_2026-W47.xlsx"].Document.Data, "2026-W47"); len(empty) != 1 {
		t.Errorf("an empty department's register has rows %q", empty)
	}

	var summary string
	for _, m := range h.emu.Messages(service.ID) {
		if m.ID > before && m.Document == nil {
			summary = m.Plain
		}
	}
	contains(t, summary, "上周投诉登记表", "销售部 2 条（超时 1）", "售后部 1 条", "客服中心 0 条")
	lacks(t, summary, "售后部 1 条（")
	if docs := documents(h, consultant.ID, 0); len(docs) != 0 {
		t.Errorf("a consultant got the register: %v", docs)
	}

	// A rerun (a restart on Monday morning) sends nothing twice.
	n := len(h.emu.Messages(service.ID))
	h.push(func(ctx context.Context) error {
		return h.bot.PushWeeklyRegister(ctx, h.db.Stores.Default().ID, week.Add(36*time.Hour))
	})
	h.waitOutboxEmpty(10 * time.Second)
	if got := len(h.emu.Messages(service.ID)); got != n {
		t.Errorf("rerun sent %d more messages", got-n)
	}

	// Tuesday: report the results.
	h.push(func(ctx context.Context) error {
		return h.bot.PushRegisterReminder(ctx, h.db.Stores.Default().ID, week)
	})
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, service.ID), "2026-W47", "共 3 条", "尚未结案 2 条")

	// On demand: this week by ISO week, last week by default.
	before = lastID(h, service.ID)
	h.say(service, "/register 2026-W48")
	h.waitOutboxEmpty(10 * time.Second)
	docs = documents(h, service.ID, before)
	if len(docs) != 3 {
		t.Fatalf("/register 2026-W48: %d documents", len(docs))
	}
	now := sheetRows(t, docs["投诉登记表_售后部_2026-W48.xlsx"].Document.Data, "2026-W48")
	if len(now) != 2 || now[1][1] != "钱七" {
		t.Errorf("W48 after-sales rows %q", now)
	}
	contains(t, last(h, service.ID)+documentsText(h, service.ID, before), "2026-W48", "售后部 1 条")

	before = lastID(h, service.ID)
	h.say(service, "/register 2026-11-18")
	h.waitOutboxEmpty(10 * time.Second)
	if docs := documents(h, service.ID, before); len(docs) != 3 || docs["投诉登记表_销售部_2026-W47.xlsx"].Document == nil {
		t.Errorf("/register by date: %v", docs)
	}
	before = lastID(h, service.ID)
	h.say(service, "/register")
	h.waitOutboxEmpty(10 * time.Second)
	if docs := documents(h, service.ID, before); docs["投诉登记表_销售部_2026-W47.xlsx"].Document == nil {
		t.Errorf("/register defaults to last week: %v", docs)
	}

	contains(t, h.reply(service, "/register 2026-W60"), "2026-W60", "不是有效的周")
	contains(t, h.reply(consultant, "/register"), "register")
	if docs := documents(h, consultant.ID, 0); len(docs) != 0 {
		t.Errorf("a consultant got a register on demand")
	}
}

// documentsText joins the plain texts of chat's messages after after.
func documentsText(h *harness, chat int64, after int) string {
	var parts []string
	for _, m := range h.emu.Messages(chat) {
		if m.ID > after {
			parts = append(parts, m.Plain)
		}
	}
	return strings.Join(parts, "\n")
}

func TestRegisterXLSX(t *testing.T) {
	rows := []bot.RegisterRow{{
		Received: time.Date(2026, 11, 17, 10, 0, 0, 0, shanghai()), Customer: "张三", Phone: "13800138000",
		Channel: domain.ChannelTicket, Subject: domain.SubjectService, Owner: "李主管",
		Deadlines: []bot.RegisterDeadline{{Kind: domain.DeadlineReply, State: bot.DeadlineMet}, {Kind: domain.DeadlineAppraisal, State: bot.DeadlineMissed},
			{Kind: domain.DeadlineProgress, State: bot.DeadlinePending}},
		Status: domain.ComplaintClosing, Satisfaction: "", Description: "=SUM(A1) <b>",
	}}
	data, err := bot.RegisterXLSX("2026-W47", "销售部", rows)
	if err != nil {
		t.Fatal(err)
	}
	got := sheetRows(t, data, "2026-W47")
	want := []string{"2026-11-17 10:00", "张三", "13800138000", "投诉单", "服务质量", "李主管", "首次回复 ✓, 鉴定 ✗, 进度反馈 待办", "待回访", "", "=SUM(A1) <b>"}
	if len(got) != 2 || strings.Join(got[0], "|") != strings.Join(registerHeader, "|") || strings.Join(got[1], "|") != strings.Join(want, "|") {
		t.Fatalf("rows %q", got)
	}
	// It prints as a form (it used to run across three portrait pages):
	// A4 landscape, one page wide, the header on every page, borders, and
	// the Chinese columns wide enough for their text.
	f := printlayouttest.Open(t, data)
	printlayouttest.Check(t, f, "2026-W47", printlayout.Header{}, 2, len(registerHeader))
	for col, want := range map[string]float64{"A": 18 /* 2026-11-17 10:00 */, "E": 10 /* 服务质量 */, "G": 35 /* 首次回复 ✓, 鉴定 ✗, 进度反馈 待办 */} {
		if w, _ := f.GetColWidth("2026-W47", col); w != want {
			t.Errorf("column %s width %v, want %v", col, w, want)
		}
	}
}

package bot_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
)

func (h *harness) chaser() *jobs.ComplaintChaser {
	return &jobs.ComplaintChaser{Store: h.db, Bot: h.bot, Rules: domain.DefaultRules().Complaints, Calendar: h.db.Stores.Default().Calendar}
}

// TestR2_4_OnSiteBreachesAndEscalatesTwice: an on-site complaint without a
// proposed solution: reminder at 8 minutes, the supervisor at 10, the
// manager at 20, each once.
func TestR2_4_OnSiteBreachesAndEscalatesTwice(t *testing.T) {
	h := newHarness(t)
	mgr := h.enroll("王经理", "manager", "zh")
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	got := h.reply(chen, "/complaint 王石 13800138000 现场 服务 销售部 负责人=陈顾问 等了一小时无人接待")
	contains(t, got, "已登记投诉 #K1", "负责人 陈顾问", "提出解决方案：2026-11-27 09:40")
	count := func(chat int64) int { return len(h.emu.Messages(chat)) }
	c0, s0, m0 := count(chen.ID), count(sup.ID), count(mgr.ID)
	steps := []struct {
		after         time.Duration
		chen, sup, mg int
	}{
		{7 * time.Minute, 0, 0, 0},
		{8 * time.Minute, 1, 0, 0}, // 2 minutes before: the owner
		{10 * time.Minute, 1, 1, 0},
		{15 * time.Minute, 1, 1, 0},
		{20 * time.Minute, 1, 1, 1},
		{21 * time.Minute, 1, 1, 1},
	}
	start := h.clock()
	for _, s := range steps {
		h.mu.Lock()
		h.now = start.Add(s.after)
		h.mu.Unlock()
		h.runJob(h.chaser())
		h.runJob(h.chaser())
		if count(chen.ID)-c0 != s.chen || count(sup.ID)-s0 != s.sup || count(mgr.ID)-m0 != s.mg {
			t.Fatalf("at +%s: owner %d, supervisor %d, manager %d messages", s.after, count(chen.ID)-c0, count(sup.ID)-s0, count(mgr.ID)-m0)
		}
	}
	contains(t, last(h, sup.ID), "已超时", "负责人 陈顾问")
	contains(t, last(h, mgr.ID), "提出解决方案", "已超时 10 分钟")
	// The manager takes it over.
	h.press(mgr, "我来接手")
	contains(t, last(h, mgr.ID), "负责人改为 王经理")
}

// TestR2_4_TicketProgressEveryTwoWorkingDays: a call-centre ticket,
// replied and contacted, is chased for progress every 2 working days.
func TestR2_4_TicketProgressEveryTwoWorkingDays(t *testing.T) {
	h := newHarness(t) // Friday 2026-11-27 09:30, store open every day
	sup := h.enroll("李主管", "supervisor", "zh")
	h.reply(sup, "/complaint 王石 13800138000 投诉单 产品 售后部 车型=轩逸 问题=异响 底盘异响")
	h.press(sup, "已联系客户")
	contains(t, h.reply(sup, "已电话联系客户，约周一检查"), "已记录", "进度反馈：2026-11-29 09:30")
	before := len(h.emu.Messages(sup.ID))
	h.advance(38*time.Hour + 30*time.Minute) // 80 % of 2 days
	h.runJob(h.chaser())
	contains(t, last(h, sup.ID), "时限将到：进度反馈")
	h.press(sup, "进度更新")
	contains(t, h.reply(sup, "已安排检查"), "进度反馈：2026-12-01 00:00")
	if n := len(h.emu.Messages(sup.ID)) - before; n < 3 {
		t.Fatalf("%d messages", n)
	}
}

// TestR2_7_CloseDissatisfiedReopenClose: the owner applies to close, the
// service centre records "dissatisfied", the complaint reopens with fresh
// deadlines, and closes after a satisfied survey.
func TestR2_7_CloseDissatisfiedReopenClose(t *testing.T) {
	h := newHarness(t)
	svc := h.enroll("孙客服", "service", "zh")
	sup := h.enroll("李主管", "supervisor", "zh")
	h.reply(sup, "/complaint 王石 13800138000 电话 服务 销售部 报价前后不一")
	contains(t, h.popup(sup, "申请结案"), "还没有记录回复")
	h.press(sup, "已首次回复")
	h.reply(sup, "已致歉并说明报价")
	h.press(sup, "申请结案")
	h.press(sup, "有效投诉")
	contains(t, h.reply(sup, "已按原报价执行"), "等待客服中心回访")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, svc.ID), "回访", "已按原报价执行")
	h.press(svc, "不满意")
	contains(t, h.reply(svc, "客户认为处理太慢"), "不满意")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, sup.ID), "重新打开", "客户认为处理太慢", "首次回复：2026-11-28 09:30")
	h.advance(time.Hour)
	h.press(sup, "已首次回复")
	h.reply(sup, "经理亲自致电")
	h.press(sup, "申请结案")
	h.press(sup, "有效投诉")
	h.reply(sup, "补偿保养一次")
	h.waitOutboxEmpty(10 * time.Second)
	h.press(svc, "满意")
	contains(t, h.reply(svc, "客户满意"), "满意")
	h.waitOutboxEmpty(10 * time.Second)
	contains(t, last(h, sup.ID), "已结案")
}

func TestR2_Complaint_BadInput(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	liu := h.enroll("刘顾问", "consultant", "zh")
	for cmd, want := range map[string]string{
		"/complaint 王石 123 电话 服务 销售部 态度差":               "不是有效的电话号码",
		"/complaint 王石 13800138000 电话 服务 财务部 态度差":       "没有“财务部”这个部门",
		"/complaint 王石 13800138000 飞鸽 服务 销售部 态度差":       "不是有效渠道",
		"/complaint 王石 13800138000 电话 产品 售后部 异响":        "产品投诉请填写涉及的车型",
		"/complaint 王石 13800138000 电话 服务 销售部":           "用法",
		"/complaint 王石 13800138000 电话 服务 销售部 VIN=123 x": "应为 17 位",
	} {
		contains(t, h.reply(chen, cmd), want)
	}
	h.reply(chen, "/complaint 王石 13800138000 电话 服务 销售部 负责人=陈顾问 态度差")
	qid := h.emu.PressRaw(liu, liu.ID, 1, "cmp:reply:1")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if a, err := h.emu.WaitCallbackAnswer(ctx, qid); err != nil || !strings.Contains(a.Text, "无权") {
		t.Fatalf("a stranger's action answered %q, %v", a.Text, err)
	}
	contains(t, h.reply(liu, "/complaints"), "没有投诉")
	contains(t, h.reply(chen, "/complaints"), "#K1 王石")
	// The customer as an existing lead.
	id := leadID(t, h.reply(liu, "/lead 李雷 13900139000 天籁 A 来电"))
	contains(t, h.reply(liu, "/complaint #"+strconv.FormatInt(id, 10)+" 电话 服务 销售部 负责人=刘顾问 回电太慢"), "#K2", "李雷", "13900139000")
	contains(t, h.reply(liu, "/complaint #999 电话 服务 销售部 x"), "没有编号为 999 的客户")
}

// TestR2_Complaint_GuidedDialogue: the dialogue asks the product questions
// only for a product complaint and ends with the card.
func TestR2_Complaint_GuidedDialogue(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.reply(chen, "/complaint")
	h.reply(chen, "王石")
	contains(t, h.reply(chen, "13800138000"), "投诉渠道")
	contains(t, h.press(chen, "电话")[0].Plain, "投诉对象")
	contains(t, h.press(chen, "产品质量")[0].Plain, "车型")
	h.reply(chen, "轩逸")
	h.reply(chen, "异响")
	contains(t, h.reply(chen, "上周"), "VIN")
	contains(t, h.press(chen, "跳过")[0].Plain, "鉴定")
	contains(t, h.press(chen, "需要")[0].Plain, "受理部门")
	contains(t, h.press(chen, "售后部")[0].Plain, "投诉内容")
	card := h.reply(chen, "底盘异响，4S店两次没修好")
	contains(t, card, "已登记投诉 #K1", "车型 轩逸", "鉴定结果：2026-12-04 09:30", "首次回复")
}

// TestR2_6_GuidedComplaintChecksEachAnswerAtItsStep: a bad answer (a
// phone for the name, a bad phone, a long model, a bad VIN) is refused at
// its own step with the reason and asked again; the answers before it are
// kept and the dialogue ends with the complaint, not with an error.
func TestR2_6_GuidedComplaintChecksEachAnswerAtItsStep(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.reply(chen, "/complaint")
	contains(t, h.reply(chen, "13800138000"), "是电话号码，不是姓名", "客户姓名")
	h.reply(chen, "王石")
	contains(t, h.reply(chen, "12345"), "不是有效的电话号码", "客户电话")
	h.reply(chen, "13800138000")
	h.press(chen, "电话")
	model := h.press(chen, "产品质量")[0].Plain
	contains(t, model, "投诉涉及的车型")
	lacks(t, model, "意向")
	contains(t, h.reply(chen, strings.Repeat("轩", 41)), "车型最多 40 个字", "投诉涉及的车型")
	h.reply(chen, "轩逸")
	h.reply(chen, "异响")
	h.reply(chen, "上周")
	contains(t, h.reply(chen, "LVGBE40K08G12345"), "应为 17 位", "VIN")  // 16 characters
	contains(t, h.reply(chen, "LVGBE40K08G12345O"), "应为 17 位", "VIN") // an O
	contains(t, h.reply(chen, "lvgbe40k08g123456"), "鉴定")             // lower case is read
	h.press(chen, "不需要")
	h.press(chen, "售后部")
	card := h.reply(chen, "底盘异响")
	contains(t, card, "已登记投诉 #K1", "王石", "13800138000", "车型 轩逸", "LVGBE40K08G123456")
}

// TestR2_4_GuidedComplaintAppraisalTypedYesOrNo: the appraisal question
// takes a typed yes or no (需要, 是, no …) as well as the buttons, and asks
// again for anything else rather than reading it as no: an appraisal sets
// the one-week result deadline (R2.4).
func TestR2_4_GuidedComplaintAppraisalTypedYesOrNo(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	for i, c := range []struct {
		typed     string
		appraisal bool
	}{{"需要", true}, {"yes", true}, {"不需要", false}, {"N", false}} {
		h.reply(chen, "/complaint")
		h.reply(chen, "王石")
		h.reply(chen, "13800138000")
		h.press(chen, "电话")
		contains(t, h.press(chen, "服务质量")[0].Plain, "鉴定")
		contains(t, h.reply(chen, "看情况"), "需要", "不需要", "需要鉴定吗")
		contains(t, h.reply(chen, c.typed), "受理部门")
		h.press(chen, "销售部")
		card := h.reply(chen, "报价前后不一")
		contains(t, card, fmt.Sprintf("已登记投诉 #K%d", i+1))
		if got := strings.Contains(card, "鉴定结果"); got != c.appraisal {
			t.Errorf("%q: appraisal deadline shown %v, want %v:\n%s", c.typed, got, c.appraisal, card)
		}
	}
}

// TestR2_3_DepartmentSupervisorOwnsAndItsManagerHears: a complaint of a
// department goes to that department's supervisor and, when late, to that
// department's manager; a complaint registered by the service centre is
// thereby forwarded to the department concerned.
func TestR2_3_DepartmentSupervisorOwnsAndItsManagerHears(t *testing.T) {
	h := newHarness(t)
	admin := h.enroll("管理员", "admin", "zh")
	h.enroll("销售主管", "supervisor", "zh")
	after := h.enroll("售后主管", "supervisor", "zh")
	salesMgr := h.enroll("销售经理", "manager", "zh")
	afterMgr := h.enroll("售后经理", "manager", "zh")
	svc := h.enroll("孙客服", "service", "zh")
	for name, dept := range map[string]string{"销售主管": "销售部", "售后主管": "售后部", "销售经理": "销售部", "售后经理": "售后部"} {
		contains(t, h.reply(admin, "/dept "+name+" "+dept), "的部门："+dept)
	}
	contains(t, h.reply(admin, "/dept 孙客服 财务部"), "没有“财务部”")
	contains(t, h.reply(svc, "/complaint 王石 13800138000 现场 服务 售后部 保养等太久"), "负责人 售后主管")
	s0, a0 := len(h.emu.Messages(salesMgr.ID)), len(h.emu.Messages(afterMgr.ID))
	h.advance(11 * time.Minute)
	h.runJob(h.chaser())
	if len(h.emu.Messages(afterMgr.ID))-a0 != 1 || len(h.emu.Messages(salesMgr.ID)) != s0 {
		t.Fatalf("escalation: after-sales manager %d, sales manager %d", len(h.emu.Messages(afterMgr.ID))-a0, len(h.emu.Messages(salesMgr.ID))-s0)
	}
	contains(t, last(h, after.ID), "投诉 #K1")
}

// TestR2_4_ComplaintsListSaysWhenCut: /complaints lists the 30 nearest
// deadlines and says so, with the total and how to narrow the list; a list
// that fits says nothing of the kind.
func TestR2_4_ComplaintsListSaysWhenCut(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	for i := range 31 {
		h.reply(sup, fmt.Sprintf("/complaint 客户%02d 138000000%02d 电话 服务 销售部 态度差", i, i))
	}
	got := h.reply(sup, "/complaints")
	contains(t, got, "31 条", "显示前 30 条，共 31 条", "/complaints 销售部 open")
	if n := strings.Count(got, "#K"); n != 30 {
		t.Errorf("%d complaints listed", n)
	}
	lacks(t, h.reply(sup, "/complaints closed"), "显示前")
}

package bot

import "github.com/dealerbot/dealerbot/domain"

// registerMessages are the texts of the weekly complaint register (R2.8).
var registerMessages = map[domain.Lang]map[string]string{
	domain.LangZH: {
		"desc.register": "投诉登记表（按周，xlsx）", "usage.register": "/register [周]（如 2026-W48 或 2026-11-23，默认上周）", "example.register": "/register 2026-W48",

		"register.week_bad":  "“%s”不是有效的周，例如：2026-W48 或 2026-11-23。",
		"register.caption":   "📋 <b>%s</b> 投诉登记表 %s（%s – %s），共 %d 条",
		"register.summary":   "📋 <b>%s</b> 投诉登记表（%s – %s）：%s",
		"register.weekly":    "📋 <b>上周投诉登记表</b>（%s）：%s",
		"register.dept":      "%s %d 条",
		"register.dept_late": "%s %d 条（超时 %d）",
		"register.sep":       "，",
		"register.remind":    "⏰ 请汇报上周（%s）投诉处理结果：共 %d 条，尚未结案 %d 条。",
	},
	domain.LangEN: {
		"desc.register": "Complaint register by week (xlsx)", "usage.register": "/register [week] (e.g. 2026-W48 or 2026-11-23; default last week)", "example.register": "/register 2026-W48",

		"register.week_bad":  "“%s” is not a week, e.g. 2026-W48 or 2026-11-23.",
		"register.caption":   "📋 <b>%s</b> complaint register %s (%s – %s): %d {complaint|complaints}",
		"register.summary":   "📋 <b>%s</b> complaint register (%s – %s): %s",
		"register.weekly":    "📋 <b>Last week's complaint register</b> (%s): %s",
		"register.dept":      "%s %d",
		"register.dept_late": "%s %d (%d overdue)",
		"register.sep":       ", ",
		"register.remind":    "⏰ Please report last week's (%s) complaint results: %d {complaint|complaints}, %d not yet closed.",
	},
}

// The register sheet is written in Chinese, the store's working language;
// these are its labels.
var (
	registerHeaderZH = []string{"接收时间", "客户", "电话", "渠道", "主题", "负责人", "时限达成", "状态", "满意度", "描述"}

	registerChannelZH = map[domain.ComplaintChannel]string{
		domain.ChannelTicket: "投诉单", domain.ChannelFollowUp: "回访投诉", domain.ChannelCall: "电话", domain.ChannelFax: "传真", domain.ChannelEmail: "邮件",
		domain.ChannelMedia: "媒体", domain.ChannelLetter: "信件", domain.ChannelOnSite: "现场",
	}
	registerSubjectZH = map[domain.Subject]string{domain.SubjectService: "服务质量", domain.SubjectProduct: "产品质量"}
	registerKindZH    = map[string]string{
		domain.DeadlineSolution: "解决方案", domain.DeadlineReply: "首次回复", domain.DeadlineContact: "联系客户",
		domain.DeadlineProgress: "进度反馈", domain.DeadlineAppraisal: "鉴定", domain.DeadlineOpinion: "经理意见",
	}
	registerStateZH  = map[string]string{DeadlineMet: "✓", DeadlineMissed: "✗", DeadlinePending: "待办"}
	registerStatusZH = map[string]string{domain.ComplaintOpen: "处理中", domain.ComplaintClosing: "待回访", domain.ComplaintClosed: "已结案"}
	registerSatisZH  = map[string]string{domain.Satisfied: "满意", domain.Neutral: "一般", domain.Dissatisfied: "不满意"}
)

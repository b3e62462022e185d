package bot

import "github.com/dealerbot/dealerbot/domain"

// formMessages are the texts of /export (the regulation's forms) and of
// the lead-detail buttons.
var formMessages = map[domain.Lang]map[string]string{
	domain.LangZH: {
		"desc.export": "导出制度表格（附件1 来店登记表、附件2 邀约交接表，按月，xlsx）", "usage.export": "/export visits|handovers [月份]（如 2026-11，默认本月）", "example.export": "/export visits 2026-11",

		"form.month_bad":           "“%s”不是有效的月份，例如：2026-11。",
		"form.unknown":             "没有“%s”这张表，可选 visits（来店登记表）或 handovers（邀约交接表）。",
		"export.caption.visits":    "📋 <b>%s</b> 附件1 来店(电)客户登记表 %s，共 %d 条",
		"export.caption.handovers": "📋 <b>%s</b> 附件2 邀约到店客户交接表 %s，共 %d 条",
		"export.own":               "（仅含您本人的记录）",
		"export.truncated":         "⚠️ 记录过多，只导出了前 %d 条，请联系管理员。",

		"detail.male":      "男",
		"detail.female":    "女",
		"detail.trade_yes": "有置换",
		"detail.trade_no":  "无置换",
		"heard.phone":      "电话", "heard.newspaper": "报纸", "heard.radio": "广播", "heard.magazine": "杂志",
		"heard.friends": "亲友", "heard.passing": "路过", "heard.other": "其他",
	},
	domain.LangEN: {
		"desc.export": "Export the regulation's forms (visit register, handover form; by month, xlsx)", "usage.export": "/export visits|handovers [month] (e.g. 2026-11; default this month)", "example.export": "/export visits 2026-11",

		"form.month_bad":           "“%s” is not a month, e.g. 2026-11.",
		"form.unknown":             "There is no form “%s”: visits (visit register) or handovers (handover form).",
		"export.caption.visits":    "📋 <b>%s</b> visit register (attachment 1) %s: %d {row|rows}",
		"export.caption.handovers": "📋 <b>%s</b> handover form (attachment 2) %s: %d {row|rows}",
		"export.own":               "(your own records only)",
		"export.truncated":         "⚠️ Too many records: only the first %d were exported. Please tell the administrator.",

		"detail.male":      "male",
		"detail.female":    "female",
		"detail.trade_yes": "trade-in",
		"detail.trade_no":  "no trade-in",
		"heard.phone":      "phone", "heard.newspaper": "newspaper", "heard.radio": "radio", "heard.magazine": "magazine",
		"heard.friends": "friends", "heard.passing": "passing by", "heard.other": "other",
	},
}

package bot

import "github.com/dealerbot/dealerbot/domain"

// messages is the catalogue: Simplified Chinese (the default) and English.
// Texts are Telegram HTML; %s arguments are escaped by T. Each feature
// keeps its texts in its own messages_*.go; they are merged here.
var messages = mergeCatalogs(coreMessages, leadMessages, handoverMessages, cleanupMessages, complaintMessages, registerMessages, restMessages, dutyMessages,
	vehicleMessages, testDriveMessages, stocktakeMessages, storeMessages, allocationMessages, subDealerMessages, orderMessages, deliveryMessages, reportMessages, formMessages)

// mergeCatalogs joins feature catalogues; a key defined twice is a bug the
// catalogue test reports.
func mergeCatalogs(parts ...map[domain.Lang]map[string]string) map[domain.Lang]map[string]string {
	out := map[domain.Lang]map[string]string{}
	for _, p := range parts {
		for lang, texts := range p {
			if out[lang] == nil {
				out[lang] = map[string]string{}
			}
			for k, v := range texts {
				if _, dup := out[lang][k]; dup {
					out[lang][k] = "DUPLICATE KEY " + k
					continue
				}
				out[lang][k] = v
			}
		}
	}
	return out
}

var coreMessages = map[domain.Lang]map[string]string{
	domain.LangZH: {
		"list.sep": "、",

		"role.telesales":     "电销员",
		"role.consultant":    "销售顾问",
		"role.reception":     "展厅接待",
		"role.supervisor":    "销售主管",
		"role.manager":       "部门经理",
		"role.gm":            "总经理",
		"role.service":       "客服中心",
		"role.admin":         "管理员",
		"role.group_gm":      "集团总经理",
		"role.group_service": "集团客服中心",

		"refuse.stranger": "本机器人仅供本店员工使用。如您是员工，请向管理员索取邀请链接。",
		"cmd.unknown":     "没有这个命令。发送 /help 查看可用命令。",
		"cmd.private":     "/%s 只能私聊使用，请私聊 @%s。",
		"text.hint":       "请用命令操作，发送 /help 查看可用命令。",
		"cmd.forbidden":   "您无权使用 /%s，此命令仅限：%s。",
		"err.internal":    "出错了，请稍后再试。问题已记录。",
		"err.unavailable": "系统繁忙，请稍后再试。",
		"err.invalid":     "输入有误。",
		"err.not_found":   "没有找到。",
		"err.conflict":    "与现有记录冲突。",
		"err.forbidden":   "您无权执行此操作。",
		"usage":           "用法：%s\n例如：%s",
		"callback.stale":  "此按钮已失效。",

		"err.role_unknown":    "没有“%s”这个角色。可用角色：%s",
		"err.role_none":       "请至少给一个角色：%s",
		"err.name_empty":      "姓名不能为空。",
		"err.name_long":       "姓名最多 %d 个字。",
		"err.name_bad":        "姓名含有无法显示的字符。",
		"err.name_phone":      "“%s”是电话号码，不是姓名：请填写客户姓名。",
		"err.invite_used":     "此邀请码已使用过。请向管理员索取新的邀请。",
		"err.invite_expired":  "此邀请码已过期。请向管理员索取新的邀请。",
		"err.invite_unknown":  "邀请码无效。请向管理员索取新的邀请。",
		"err.staff_exists":    "已有名为 %s 的员工，请换个名字（如加上姓氏或部门）。",
		"err.staff_not_found": "找不到员工 %s。发送 /staff 查看名单。",
		"err.staff_enrolled":  "%s 已经绑定了 Telegram 账号，无需再次邀请。",
		"err.telegram_bound":  "这个 Telegram 账号已绑定其他员工。",
		"err.self_deactivate": "不能停用自己的账号。",

		"start.welcome": "欢迎，<b>%s</b>！您已加入 %s 的销售助手，身份：%s。\n发送 /help 查看您可用的命令。",
		"start.already": "您好，<b>%s</b>（%s）。您的账号已绑定，发送 /help 查看可用命令。",

		"invite.ok": "已为 <b>%s</b>（%s）生成邀请。\n邀请码：<code>%s</code>\n请把此链接发给本人：%s\n有效期至 %s，仅可使用一次。",

		"staff.header":   "<b>员工名单</b>（%d 人）",
		"staff.line":     "• <b>%s</b> — %s — %s",
		"staff.enrolled": "已绑定",
		"staff.pending":  "待绑定",
		"staff.inactive": "已停用",

		"deactivate.ok":      "已停用 <b>%s</b>，其账号立即失效。",
		"deactivate.already": "<b>%s</b> 已是停用状态。",

		"health.report":     "<b>运行状态</b>\n待发送消息：%d（其中重试中 %d）\n最早一条已等待：%s\n发送失败：%d，无法送达（已屏蔽）：%d\n最近收到消息：%s",
		"health.none":       "无",
		"health.failure":    "最近一次发送失败（%s前）：%s",
		"health.rate":       "发送速率：全部副本合计每秒 %d 条；积压发完（最后一人收到）约需：%s",
		"health.stores":     "各门店积压：%s",
		"health.store":      "%s %d 条",
		"health.store_none": "（无门店）%d 条",
		"health.leader":     "主副本（运行定时任务）：%s",
		"health.no_leader":  "主副本：无人持有定时任务租约（SQLite 单进程时由该进程运行）",
		"health.replicas":   "副本（在线 %d 个）：",
		"health.replica":    "• %s（%s）%s前在线%s",
		"health.self":       "，即本副本",
		"health.down":       "，已失联",
		"refused":           "抱歉，这条消息无法显示（Telegram 拒绝了它）。问题已记录，请稍后再试或告诉管理员。",
		"blocked.notice":    "⚠️ <b>%s</b> 屏蔽了本机器人，提醒和通知已无法送达。请让其在 Telegram 中打开本机器人，点“重新开始”解除屏蔽。",

		"lang.ok":  "已切换为中文。",
		"lang.bad": "请选择语言：/lang zh（中文）或 /lang en（English）。",

		"help.header": "<b>您可用的命令</b>（%s）· %s",
		"help.line":   "/%s — %s",

		"desc.start":      "绑定账号或查看欢迎信息",
		"desc.help":       "查看可用命令",
		"desc.lang":       "切换语言 zh / en",
		"desc.invite":     "邀请员工加入",
		"desc.staff":      "员工名单",
		"desc.deactivate": "停用员工账号",
		"desc.health":     "机器人运行状态",
		"desc.dept":       "设置员工所属部门",
		"usage.dept":      "/dept 员工姓名 部门（写 - 表示不属于任何部门）",
		"example.dept":    "/dept 李主管 销售部",
		"dept.ok":         "已设置 %s 的部门：%s。",

		"usage.lang":         "/lang zh|en",
		"example.lang":       "/lang en",
		"usage.invite":       "/invite 姓名 角色[,角色]（角色可写中文，如 销售顾问、主管）",
		"example.invite":     "/invite 李娜 销售顾问",
		"usage.deactivate":   "/deactivate 姓名",
		"example.deactivate": "/deactivate 李娜",
	},
	domain.LangEN: {
		"list.sep": ", ",

		"role.telesales":     "telesales",
		"role.consultant":    "consultant",
		"role.reception":     "reception",
		"role.supervisor":    "supervisor",
		"role.manager":       "manager",
		"role.gm":            "general manager",
		"role.service":       "customer service",
		"role.admin":         "admin",
		"role.group_gm":      "Group general manager",
		"role.group_service": "Group service centre",

		"refuse.stranger": "This bot is for the store's staff only. If you work here, ask an admin for an invite link.",
		"cmd.unknown":     "No such command. Send /help to see yours.",
		"cmd.private":     "/%s works only in a private chat: write to @%s.",
		"text.hint":       "Please use a command; send /help to see yours.",
		"cmd.forbidden":   "You may not use /%s; it is for: %s.",
		"err.internal":    "Something went wrong; please try again later. The problem has been logged.",
		"err.unavailable": "The system is busy; please try again in a moment.",
		"err.invalid":     "That input is not valid.",
		"err.not_found":   "Nothing found.",
		"err.conflict":    "That conflicts with an existing record.",
		"err.forbidden":   "You may not do that.",
		"usage":           "Usage: %s\nExample: %s",
		"callback.stale":  "This button no longer works.",

		"err.role_unknown":    "There is no role “%s”. Roles: %s",
		"err.role_none":       "Give at least one role: %s",
		"err.name_empty":      "The name is empty.",
		"err.name_long":       "A name has at most %d {character|characters}.",
		"err.name_bad":        "The name has characters that cannot be shown.",
		"err.name_phone":      "“%s” is a phone number, not a name: give the customer's name.",
		"err.invite_used":     "This invite code has been used already. Ask an admin for a new invite.",
		"err.invite_expired":  "This invite code has expired. Ask an admin for a new invite.",
		"err.invite_unknown":  "This invite code is not valid. Ask an admin for a new invite.",
		"err.staff_exists":    "There is already a staff member named %s: use another name (add a surname or department).",
		"err.staff_not_found": "No staff member %s. Send /staff for the list.",
		"err.staff_enrolled":  "%s is already linked to a Telegram account; no invite needed.",
		"err.telegram_bound":  "This Telegram account is already linked to another staff member.",
		"err.self_deactivate": "You cannot deactivate your own account.",

		"start.welcome": "Welcome, <b>%s</b>! You have joined the %s sales assistant as %s.\nSend /help to see your commands.",
		"start.already": "Hello, <b>%s</b> (%s). Your account is linked; send /help to see your commands.",

		"invite.ok": "Invite made for <b>%s</b> (%s).\nCode: <code>%s</code>\nSend this link to them: %s\nValid until %s, once.",

		"staff.header":   "<b>Staff</b> (%d)",
		"staff.line":     "• <b>%s</b> — %s — %s",
		"staff.enrolled": "linked",
		"staff.pending":  "invited",
		"staff.inactive": "deactivated",

		"deactivate.ok":      "<b>%s</b> is deactivated; their account stops working now.",
		"deactivate.already": "<b>%s</b> is already deactivated.",

		"health.report":     "<b>Health</b>\nMessages waiting: %d (%d being retried)\nOldest waiting for: %s\nFailed: %d, undeliverable (blocked): %d\nLast update received: %s",
		"health.none":       "none",
		"health.failure":    "Last failure (%s ago): %s",
		"health.rate":       "Send rate: %d msg/s for all replicas together; the backlog is out (the last person has theirs) in: %s",
		"health.stores":     "Backlog per store: %s",
		"health.store":      "%s %d",
		"health.store_none": "(group) %d",
		"health.leader":     "Leader (runs the scheduled jobs): %s",
		"health.no_leader":  "Leader: nobody holds the scheduler lease (on SQLite the one process runs the jobs)",
		"health.replicas":   "Replicas (%d live):",
		"health.replica":    "• %s (%s), last seen %s ago%s",
		"health.self":       ", this one",
		"health.down":       ", down",
		"refused":           "Sorry, this message could not be shown (Telegram refused it). The problem has been logged; try again later or tell an admin.",
		"blocked.notice":    "⚠️ <b>%s</b> has blocked the bot: reminders and notifications no longer reach them. Ask them to open the bot in Telegram and press Restart to unblock it.",

		"lang.ok":  "Language set to English.",
		"lang.bad": "Choose a language: /lang zh (中文) or /lang en (English).",

		"help.header": "<b>Your commands</b> (%s) · %s",
		"help.line":   "/%s — %s",

		"desc.start":      "Link your account or see the welcome",
		"desc.help":       "List your commands",
		"desc.lang":       "Switch language zh / en",
		"desc.invite":     "Invite a staff member",
		"desc.staff":      "List staff",
		"desc.deactivate": "Deactivate a staff member",
		"desc.health":     "The bot's health",
		"desc.dept":       "Set a staff member's department",
		"usage.dept":      "/dept staff-name department (- for none)",
		"example.dept":    "/dept Li 销售部",
		"dept.ok":         "%s's department is now %s.",

		"usage.lang":         "/lang zh|en",
		"example.lang":       "/lang en",
		"usage.invite":       "/invite name role[,role]",
		"example.invite":     "/invite Li Na consultant",
		"usage.deactivate":   "/deactivate name",
		"example.deactivate": "/deactivate Li Na",
	},
}

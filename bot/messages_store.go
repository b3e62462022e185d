package bot

import "github.com/dealerbot/dealerbot/domain"

// storeMessages are the texts of the group's stores: /store and the
// errors of an unknown store.
var storeMessages = map[domain.Lang]map[string]string{
	domain.LangZH: {
		"desc.store":    "查看或切换您所在的门店（集团角色）",
		"usage.store":   "/store [门店代码]",
		"example.store": "/store main",

		"store.current": "当前门店：<b>%s</b> %s",
		"store.line":    "• <code>%s</code> %s",
		"store.pick":    "点按钮切换门店，或发送 /store 门店代码。",
		"store.type":    "发送 /store 门店代码 切换门店。",
		"store.ok":      "已切换到门店 <b>%s</b> %s：此后您的命令都在该店办理。",
		"store.already": "您已在门店 <b>%s</b> %s。",

		"err.store_unknown":  "没有代码为“%s”的门店。门店代码：%s",
		"err.store_code_bad": "门店代码“%s”无效：请用 1–32 个小写字母、数字、_ 或 -，以字母或数字开头。",
	},
	domain.LangEN: {
		"desc.store":    "See or switch the store you act in (group roles)",
		"usage.store":   "/store [store-code]",
		"example.store": "/store main",

		"store.current": "Current store: <b>%s</b> %s",
		"store.line":    "• <code>%s</code> %s",
		"store.pick":    "Tap a button to switch, or send /store CODE.",
		"store.type":    "Send /store CODE to switch.",
		"store.ok":      "Switched to store <b>%s</b> %s: your commands now act there.",
		"store.already": "You are in store <b>%s</b> %s already.",

		"err.store_unknown":  "There is no store “%s”. Store codes: %s",
		"err.store_code_bad": "Store code “%s” is not valid: use 1-32 of a-z, 0-9, _ and -, starting with a letter or digit.",
	},
}

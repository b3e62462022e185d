package bot

import "github.com/dealerbot/dealerbot/domain"

// allocationMessages are the texts of allocation (R4.3) and delivery
// (R4.5): the domain's refusals, and the delivery checklist's item names
// (ditem.<code>). err.delivery_unticked's argument is the unticked codes,
// comma-separated; the handler that shows it names them with ditem.*.
var allocationMessages = map[domain.Lang]map[string]string{
	domain.LangZH: {
		"err.allocation_car_taken":   "车辆 %s 不在库（已配车、预订、售出或未验收），不能配车。",
		"err.allocation_not_waiting": "订单 #%d 未确认或已配车，不在配车队列中。",
		"err.allocation_other_store": "车辆 %s 不在订单 #%d 所在门店。",
		"err.allocation_mismatch":    "订单 #%d 要的是 %s；车辆 %s 是 %s，不符。",
		"err.allocation_not_lapsed":  "订单 #%d 的配车没有失效（客户未被通知到车，或已按时付清）。",
		"err.delivery_unticked":      "交车清单还有未完成的项目：%s。全部完成后才能交车。",
		"err.delivery_item_unknown":  "“%s”不是交车清单的项目（全款、发票、合格证、保险、上牌、PDI）。",
		"err.satisfaction_bad":       "“%s”不是满意度，请回复：满意、一般或不满意。",

		"ditem.full_payment": "全款到账",
		"ditem.invoice":      "购车发票",
		"ditem.certificate":  "合格证",
		"ditem.insurance":    "保险",
		"ditem.plates":       "上牌",
		"ditem.pdi":          "交车前 PDI",
	},
	domain.LangEN: {
		"err.allocation_car_taken":   "Car %s is not in stock (allocated, reserved, sold or not yet inspected): it cannot be allocated.",
		"err.allocation_not_waiting": "Order #%d is not confirmed or already has a car: it is not in the allocation queue.",
		"err.allocation_other_store": "Car %s is not in order #%d's store.",
		"err.allocation_mismatch":    "Order #%d wants %s; car %s is %s.",
		"err.allocation_not_lapsed":  "Order #%d's allocation has not lapsed (the customer was not told, or paid in time).",
		"err.delivery_unticked":      "The delivery checklist is not complete: %s. The car is delivered only when every item is done.",
		"err.delivery_item_unknown":  "“%s” is not a delivery checklist item (full payment, invoice, certificate, insurance, plates, PDI).",
		"err.satisfaction_bad":       "“%s” is not a satisfaction: answer satisfied, neutral or dissatisfied.",

		"ditem.full_payment": "full payment",
		"ditem.invoice":      "invoice",
		"ditem.certificate":  "certificate of conformity",
		"ditem.insurance":    "insurance",
		"ditem.plates":       "plates",
		"ditem.pdi":          "PDI before delivery",
	},
}

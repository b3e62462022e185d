package bot

import "github.com/dealerbot/dealerbot/domain"

// vehicleMessages are the texts of chapter 3: stock cars, inspection,
// stocktake, test drives and the demo fleet (R3.1–R3.6). No command uses
// them yet; the domain's errors already carry these keys.
var vehicleMessages = map[domain.Lang]map[string]string{
	domain.LangZH: {
		"err.vin_check": "VIN %s 的校验位（第 9 位）是 %s，按其余各位应为 %s，请核对后重新输入。",

		"vstate.in_transit": "在途", "vstate.arrived": "已到店待检", "vstate.in_stock": "在库",
		"vstate.reserved": "已预留", "vstate.sold": "已售待交车", "vstate.delivered": "已交车",
		"vstate.demo": "试乘试驾车", "vstate.retired": "已退役",
		"vmatch.vin": "车架号（VIN）", "vmatch.engine": "发动机号", "vmatch.certificate": "合格证",

		"err.vehicle_state":               "“%s”不是车辆状态。",
		"err.vehicle_move":                "车辆不能从“%s”改为“%s”。",
		"err.vehicle_pdi":                 "车辆到店检查（PDI）尚未通过，不能入库。",
		"err.vehicle_mismatch":            "车辆的%s与随车资料不一致，不能入库。",
		"err.vehicle_reserve_expiry":      "预留车辆需要一个将来的到期时间。",
		"err.vehicle_reservation_expired": "预留已于 %s 到期，请重新预留后再销售。",
		"err.vehicle_still_reserved":      "车辆预留到 %s，且订单未释放，不能退回在库。",
		"err.demo_keeper":                 "试乘试驾车需要指定保管人。",
		"err.vehicle_not_demo":            "车辆 %s 不是试乘试驾车。",
		"err.demo_use":                    "试乘试驾车只用于试乘试驾，其他用途需经部门经理批准。",

		"err.pdi_unknown":   "“%s”不在 PDI 检查项目中。",
		"err.pdi_twice":     "PDI 项目“%s”重复记录。",
		"err.pdi_missing":   "以下 PDI 项目还未检查：%s",
		"err.pdi_no_defect": "PDI 项目“%s”不合格，请写明缺陷。",

		"err.vin_suffix_unknown":   "台账中没有 VIN 后 6 位为 %s 的车辆，请输入完整 VIN。",
		"err.vin_suffix_ambiguous": "VIN 后 6 位 %s 对应多辆车：%s，请输入完整 VIN。",

		"err.drive_past":      "试驾时间 %s 已过。",
		"err.drive_closed":    "试驾时间 %s 不在营业时间（%s–%s）内。",
		"err.drive_overlap":   "该车 %s–%s 已有试驾预约。",
		"err.licence_expired": "驾驶证已于 %s 过期。",
		"err.licence_new":     "驾龄不足 %d 年，%s 起才可试驾。",
		"err.fuel_bad":        "油量/电量 %d（百分比）应在 0 到 100 之间。",
		"err.odometer_down":   "里程 %d 公里低于上次记录的 %d 公里。",
	},
	domain.LangEN: {
		"err.vin_check": "VIN %s: the check digit (9th character) is %s, but the other characters give %s. Please check and type it again.",

		"vstate.in_transit": "in transit", "vstate.arrived": "arrived, awaiting inspection", "vstate.in_stock": "in stock",
		"vstate.reserved": "reserved", "vstate.sold": "sold, awaiting delivery", "vstate.delivered": "delivered",
		"vstate.demo": "demo car", "vstate.retired": "retired",
		"vmatch.vin": "VIN", "vmatch.engine": "engine number", "vmatch.certificate": "certificate of conformity",

		"err.vehicle_state":               "“%s” is not a vehicle state.",
		"err.vehicle_move":                "A car cannot go from “%s” to “%s”.",
		"err.vehicle_pdi":                 "The arrival inspection (PDI) has not passed: the car cannot go into stock.",
		"err.vehicle_mismatch":            "The car's %s does not match its papers: it cannot go into stock.",
		"err.vehicle_reserve_expiry":      "A reservation needs an expiry in the future.",
		"err.vehicle_reservation_expired": "The reservation lapsed at %s; reserve the car again before selling it.",
		"err.vehicle_still_reserved":      "The car is reserved until %s and the order has not released it.",
		"err.demo_keeper":                 "A demo car needs a keeper.",
		"err.vehicle_not_demo":            "Car %s is not a demo car.",
		"err.demo_use":                    "A demo car is for test drives; any other use needs the manager's approval.",

		"err.pdi_unknown":   "“%s” is not on the PDI checklist.",
		"err.pdi_twice":     "PDI item “%s” is recorded twice.",
		"err.pdi_missing":   "These PDI items are not checked yet: %s",
		"err.pdi_no_defect": "PDI item “%s” failed: please describe the defect.",

		"err.vin_suffix_unknown":   "No car in the ledger has a VIN ending %s; please type the full VIN.",
		"err.vin_suffix_ambiguous": "The VIN ending %s fits several cars: %s. Please type the full VIN.",

		"err.drive_past":      "The test drive time %s is in the past.",
		"err.drive_closed":    "The test drive time %s is outside opening hours (%s–%s).",
		"err.drive_overlap":   "The car is already booked for a test drive %s–%s.",
		"err.licence_expired": "The driving licence expired on %s.",
		"err.licence_new":     "The licence is held less than %d {year|years}; the driver may test-drive from %s.",
		"err.fuel_bad":        "Fuel or charge %d percent should be between 0 and 100.",
		"err.odometer_down":   "The odometer reading %d km is below the last one, %d km.",
	},
}

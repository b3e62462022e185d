package domain

import (
	"strings"
	"time"
)

// Delivery (R4.5): the car is handed over only with full payment and its
// documents, and the customer is called afterwards, their satisfaction
// logged.

// DeliveryItem is one item of the delivery checklist.
type DeliveryItem string

// The delivery checklist (R4.5), in the order it is worked through.
const (
	DeliveryFullPayment DeliveryItem = "full_payment" // 全款到账
	DeliveryInvoice     DeliveryItem = "invoice"      // 购车发票
	DeliveryCertificate DeliveryItem = "certificate"  // 合格证 (certificate of conformity)
	DeliveryInsurance   DeliveryItem = "insurance"    // 保险
	DeliveryPlates      DeliveryItem = "plates"       // 上牌
	DeliveryPDI         DeliveryItem = "pdi"          // 交车前 PDI 完成
)

// DeliveryItems is the whole checklist, in order.
var DeliveryItems = []DeliveryItem{DeliveryFullPayment, DeliveryInvoice, DeliveryCertificate,
	DeliveryInsurance, DeliveryPlates, DeliveryPDI}

// deliveryAliases are the Chinese names a checklist item is typed as.
var deliveryAliases = map[string]DeliveryItem{
	"全款": DeliveryFullPayment, "全款到账": DeliveryFullPayment, "付清": DeliveryFullPayment,
	"发票": DeliveryInvoice, "购车发票": DeliveryInvoice,
	"合格证": DeliveryCertificate,
	"保险":  DeliveryInsurance,
	"车牌":  DeliveryPlates, "上牌": DeliveryPlates, "牌照": DeliveryPlates,
	"pdi": DeliveryPDI, "交车pdi": DeliveryPDI,
}

// ParseDeliveryItem reads a checklist item by its code ("invoice") or its
// Chinese name ("发票"). It answers EINVALID with err.delivery_item_unknown.
func ParseDeliveryItem(s string) (DeliveryItem, error) {
	k := strings.ToLower(strings.Join(strings.Fields(s), ""))
	for _, it := range DeliveryItems {
		if k == string(it) {
			return it, nil
		}
	}
	if it, ok := deliveryAliases[k]; ok {
		return it, nil
	}
	return "", Errorkf(EINVALID, "err.delivery_item_unknown", []any{s}, "%q is not a delivery checklist item", s)
}

// DeliveryChecklist is the items ticked so far.
type DeliveryChecklist map[DeliveryItem]bool

// CheckDelivery says whether the car may be delivered (R4.5): every item of
// DeliveryItems ticked. It answers EINVALID with err.delivery_unticked,
// whose argument names every unticked item by code, comma-separated, in
// checklist order (the bot shows their names), or err.delivery_item_unknown
// for a ticked item not on the checklist.
func CheckDelivery(items DeliveryChecklist) error {
	for it := range items {
		if !containsDeliveryItem(it) {
			return Errorkf(EINVALID, "err.delivery_item_unknown", []any{string(it)}, "%q is not a delivery checklist item", it)
		}
	}
	var missing []string
	for _, it := range DeliveryItems {
		if !items[it] {
			missing = append(missing, string(it))
		}
	}
	if len(missing) > 0 {
		list := strings.Join(missing, ",")
		return Errorkf(EINVALID, "err.delivery_unticked", []any{list}, "not delivered: unticked %s", list)
	}
	return nil
}

func containsDeliveryItem(it DeliveryItem) bool {
	for _, v := range DeliveryItems {
		if v == it {
			return true
		}
	}
	return false
}

// DeliveryFollowUps are the instants the post-delivery follow-ups are due
// (R4.5): each of rules.orders.delivery_follow_up_days calendar days after
// the delivery, at its time of day in the store's zone; a day the store is
// closed moves to its next working day, keeping the time, like any
// follow-up (R1.5), so they come in the consultant's morning push. Two that
// fall on the same instant that way are one call.
func DeliveryFollowUps(deliveredAt time.Time, days []int, cal *Calendar) []time.Time {
	out := make([]time.Time, 0, len(days))
	for _, d := range days {
		due := deliveredAt.In(cal.Location).AddDate(0, 0, d)
		for i := 0; i < 60 && !cal.IsWorkingDay(due); i++ {
			due = due.AddDate(0, 0, 1)
		}
		if n := len(out); n > 0 && !due.After(out[n-1]) {
			continue
		}
		out = append(out, due)
	}
	return out
}

// SatisfactionValues are the answers of a post-delivery follow-up (R4.5),
// best first: the same values the service centre records for a complaint
// (Satisfied, Neutral, Dissatisfied, R2.7), so that one report reads both.
var SatisfactionValues = []string{Satisfied, Neutral, Dissatisfied}

// ParseDeliverySatisfaction reads a customer's satisfaction as typed at a
// post-delivery follow-up: the code in any case (satisfied, neutral,
// dissatisfied) or its Chinese name (满意, 一般, 不满意). The complaint
// survey's ParseSatisfaction reads button codes instead. It answers
// EINVALID with err.satisfaction_bad.
func ParseDeliverySatisfaction(s string) (string, error) {
	switch k := strings.ToLower(strings.TrimSpace(s)); k {
	case Satisfied, "满意":
		return Satisfied, nil
	case Neutral, "一般":
		return Neutral, nil
	case Dissatisfied, "不满意":
		return Dissatisfied, nil
	}
	return "", Errorkf(EINVALID, "err.satisfaction_bad", []any{s}, "%q is not satisfied, neutral or dissatisfied", s)
}

package domain

import (
	"strings"
	"testing"
	"time"
)

func TestR4_5_CheckDelivery_NamesEveryUntickedItem(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		all := DeliveryChecklist{}
		for _, it := range DeliveryItems {
			all[it] = true
		}
		if err := CheckDelivery(all); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrUnticked", func(t *testing.T) {
		err := CheckDelivery(DeliveryChecklist{DeliveryFullPayment: true, DeliveryCertificate: true, DeliveryPlates: false, DeliveryPDI: true})
		e, ok := err.(*Error)
		if !ok || e.Key != "err.delivery_unticked" || e.Code != EINVALID || e.Args[0] != "invoice,insurance,plates" {
			t.Fatalf("got %#v", err)
		}
	})
	t.Run("ErrNothingTicked", func(t *testing.T) {
		err := CheckDelivery(nil)
		if e, ok := err.(*Error); !ok || strings.Count(e.Args[0].(string), ",") != len(DeliveryItems)-1 {
			t.Fatalf("got %#v", err)
		}
	})
	t.Run("ErrUnknownItem", func(t *testing.T) {
		err := CheckDelivery(DeliveryChecklist{"wash": true})
		if e, ok := err.(*Error); !ok || e.Key != "err.delivery_item_unknown" {
			t.Fatalf("got %#v", err)
		}
	})
}

func TestR4_5_ParseDeliveryItem(t *testing.T) {
	for in, want := range map[string]DeliveryItem{"invoice": DeliveryInvoice, " Plates ": DeliveryPlates,
		"全款": DeliveryFullPayment, "合格证": DeliveryCertificate, "保险": DeliveryInsurance, "上牌": DeliveryPlates, "PDI": DeliveryPDI} {
		if got, err := ParseDeliveryItem(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	if _, err := ParseDeliveryItem("洗车"); err == nil || err.(*Error).Key != "err.delivery_item_unknown" {
		t.Errorf("got %v", err)
	}
}

func TestR4_5_DeliveryFollowUps(t *testing.T) {
	days := DefaultRules().Orders.DeliveryFollowUpDays
	t.Run("OK", func(t *testing.T) {
		cal := allWeek(t)
		got := DeliveryFollowUps(at(cal, "2026-12-01 16:45"), days, cal)
		want := []time.Time{at(cal, "2026-12-02 16:45"), at(cal, "2026-12-08 16:45"), at(cal, "2026-12-31 16:45")}
		if len(got) != 3 || !got[0].Equal(want[0]) || !got[1].Equal(want[1]) || !got[2].Equal(want[2]) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
	t.Run("ClosedDayMovesOn", func(t *testing.T) {
		cal := testCalendar(t) // Monday to Friday, 2026-10-01 a holiday
		got := DeliveryFollowUps(at(cal, "2026-09-30 10:00"), []int{1, 2, 3}, cal)
		// 10-01 holiday, 10-02 Friday, 10-03 Saturday → Monday 10-05; the
		// first moved onto the second's instant is one call.
		want := []time.Time{at(cal, "2026-10-02 10:00"), at(cal, "2026-10-05 10:00")}
		if len(got) != 2 || !got[0].Equal(want[0]) || !got[1].Equal(want[1]) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}

func TestR4_5_DeliveryFollowUpDays_Validate(t *testing.T) {
	for _, c := range []struct {
		days []int
		ok   bool
	}{{[]int{1, 7, 30}, true}, {[]int{3}, true}, {nil, false}, {[]int{0, 7}, false}, {[]int{1, -7}, false},
		{[]int{7, 1}, false}, {[]int{1, 1}, false}} {
		r := DefaultRules()
		r.Orders.DeliveryFollowUpDays = c.days
		err := r.Validate()
		if (err == nil) != c.ok {
			t.Errorf("%v: %v", c.days, err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "rules.orders.delivery_follow_up_days") {
			t.Errorf("%v: %v does not name the key", c.days, err)
		}
	}
}

func TestR4_5_ParseDeliverySatisfaction(t *testing.T) {
	for in, want := range map[string]string{"satisfied": Satisfied, " Neutral": Neutral, "DISSATISFIED": Dissatisfied,
		"满意": Satisfied, "一般": Neutral, "不满意": Dissatisfied} {
		if got, err := ParseDeliverySatisfaction(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "good", "很满意"} {
		if _, err := ParseDeliverySatisfaction(in); err == nil || err.(*Error).Key != "err.satisfaction_bad" {
			t.Errorf("%q: got %v", in, err)
		}
	}
	if len(SatisfactionValues) != 3 {
		t.Error(SatisfactionValues)
	}
}

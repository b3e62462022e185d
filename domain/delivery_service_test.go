package domain

import (
	"testing"
	"time"
)

// TestR4_5_MayDeliver: the order's consultant, or a supervisor and above
// of its store; not another consultant, nor anyone of another store, nor
// someone deactivated.
func TestR4_5_MayDeliver(t *testing.T) {
	o := &Order{ID: 1, StoreID: 1, ConsultantID: 10}
	for _, c := range []struct {
		name string
		s    *Staff
		want bool
	}{
		{"TheConsultant", &Staff{ID: 10, StoreID: 1, Active: true, Roles: Roles{RoleConsultant}}, true},
		{"AnotherConsultant", &Staff{ID: 11, StoreID: 1, Active: true, Roles: Roles{RoleConsultant}}, false},
		{"Supervisor", &Staff{ID: 12, StoreID: 1, Active: true, Roles: Roles{RoleSupervisor}}, true},
		{"Manager", &Staff{ID: 13, StoreID: 1, Active: true, Roles: Roles{RoleManager}}, true},
		{"OtherStoresManager", &Staff{ID: 14, StoreID: 2, Active: true, Roles: Roles{RoleManager}}, false},
		{"Deactivated", &Staff{ID: 10, StoreID: 1, Active: false, Roles: Roles{RoleConsultant}}, false},
		{"Nobody", nil, false},
	} {
		if got := MayDeliver(c.s, o); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestR4_5_CardChecklistIsItsTicks: full payment read from the payment
// counts like a ticked item; the card's checklist is what CheckDelivery
// judges.
func TestR4_5_CardChecklistIsItsTicks(t *testing.T) {
	c := &DeliveryCard{Ticks: map[DeliveryItem]DeliveryTick{}}
	for _, it := range DeliveryItems[1:] {
		c.Ticks[it] = DeliveryTick{By: 1, At: time.Unix(0, 0)}
	}
	if err := CheckDelivery(c.Checklist()); err == nil || err.(*Error).Args[0] != "full_payment" {
		t.Fatalf("unpaid: %v", err)
	}
	c.Ticks[DeliveryFullPayment] = DeliveryTick{By: 1, Auto: true}
	if err := CheckDelivery(c.Checklist()); err != nil {
		t.Fatal(err)
	}
}

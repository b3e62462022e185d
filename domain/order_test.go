package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

func TestR4_2_DiscountRank(t *testing.T) {
	r := domain.DefaultRules().Orders // limits 2,000 / 5,000 / 10,000 yuan
	for _, tc := range []struct {
		fen  int64
		want domain.Role
	}{
		{0, ""}, {200000, ""}, {200001, domain.RoleSupervisor}, {500000, domain.RoleSupervisor},
		{500001, domain.RoleManager}, {1000000, domain.RoleManager}, {1000001, domain.RoleGM},
	} {
		if got := domain.DiscountRank(tc.fen, r); got != tc.want {
			t.Errorf("DiscountRank(%d) = %q, want %q", tc.fen, got, tc.want)
		}
	}
	if up, ok := domain.RankAbove(domain.RoleSupervisor); !ok || up != domain.RoleManager {
		t.Errorf("above supervisor: %s %v", up, ok)
	}
	if _, ok := domain.RankAbove(domain.RoleGM); ok {
		t.Error("the gm climbs nowhere")
	}
	if domain.HigherRank(domain.RoleSupervisor, "") != domain.RoleSupervisor || domain.HigherRank(domain.RoleSupervisor, domain.RoleGM) != domain.RoleGM {
		t.Error("HigherRank")
	}
}

func TestR4_2_ChaseAndWhoDecides(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	req := &domain.OrderRequest{ID: 1, StoreID: 1, RequesterID: 7, Rank: domain.RoleManager, CreatedAt: at}
	remind, climb, ok := req.Chase(2 * time.Hour)
	if !remind.Equal(at.Add(2*time.Hour)) || !climb.Equal(at.Add(4*time.Hour)) || !ok {
		t.Fatalf("chase %v %v %v", remind, climb, ok)
	}
	req.ClimbedAt = &climb
	if _, _, ok := req.Chase(2 * time.Hour); ok {
		t.Fatal("climbs once")
	}
	staff := func(id, store int64, r domain.Role) *domain.Staff {
		return &domain.Staff{ID: id, StoreID: store, Active: true, Roles: domain.Roles{r}}
	}
	for _, tc := range []struct {
		s  *domain.Staff
		ok bool
	}{
		{staff(2, 1, domain.RoleSupervisor), false},
		{staff(3, 1, domain.RoleManager), true},
		{staff(4, 1, domain.RoleGM), true},
		{staff(5, 2, domain.RoleGM), false},
		{staff(7, 1, domain.RoleManager), false}, // the requester
	} {
		if err := req.MayDecide(tc.s); (err == nil) != tc.ok {
			t.Errorf("staff %d (%v, store %d): %v", tc.s.ID, tc.s.Roles, tc.s.StoreID, err)
		}
	}
}

func TestR4_1_OrderDraftValidate(t *testing.T) {
	ok := domain.OrderDraft{Model: "轩逸", Trim: "豪华版", Colour: "白色", ListFen: 100, AgreedFen: 90, Deposit: 90, Payment: domain.PayCash}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for key, mod := range map[string]func(*domain.OrderDraft){
		"err.order_car":        func(d *domain.OrderDraft) { d.Colour = " " },
		"err.money_zero":       func(d *domain.OrderDraft) { d.AgreedFen = 0 },
		"err.order_above_list": func(d *domain.OrderDraft) { d.AgreedFen = 101 },
		"err.order_deposit":    func(d *domain.OrderDraft) { d.Deposit = 91 },
		"err.payment":          func(d *domain.OrderDraft) { d.Payment = "" },
	} {
		d := ok
		mod(&d)
		var de *domain.Error
		if err := d.Validate(); !errors.As(err, &de) || de.Code != domain.EINVALID || de.Key != key {
			t.Errorf("%s: got %v", key, err)
		}
	}
}

package domain

import "testing"

func TestR5_1_CanSwapWith(t *testing.T) {
	me := &Staff{ID: 1, Name: "陈顾问", Roles: Roles{RoleConsultant}, Active: true, TelegramID: 11}
	for _, tc := range []struct {
		name string
		with Staff
		key  string // "" for allowed
	}{
		{name: "OK", with: Staff{ID: 2, Roles: Roles{RoleConsultant}, Active: true, TelegramID: 12}},
		{name: "ErrSelf", with: *me, key: "swap.self"},
		{name: "ErrReception", with: Staff{ID: 3, Roles: Roles{RoleReception}, Active: true, TelegramID: 13}, key: "swap.not_consultant"},
		{name: "ErrInactive", with: Staff{ID: 4, Roles: Roles{RoleConsultant}, TelegramID: 14}, key: "swap.not_consultant"},
		{name: "ErrNotEnrolled", with: Staff{ID: 5, Roles: Roles{RoleConsultant}, Active: true}, key: "swap.not_consultant"},
	} {
		t.Run(tc.name, func(t *testing.T) { allowedOr(t, CanSwapWith(me, &tc.with), tc.key) })
	}
}

func TestR5_1_SwapWaitsFor(t *testing.T) {
	asked := RestDay{ID: 1, Status: RestApproved, SwapWith: 7, SwapStage: SwapAsked}
	agreed := RestDay{ID: 1, Status: RestApproved, SwapWith: 7, SwapStage: SwapAgreed}
	for _, tc := range []struct {
		name  string
		d     RestDay
		stage SwapStage
		who   int64
		key   string
	}{
		{name: "OK_AskedOfColleague", d: asked, stage: SwapAsked, who: 7},
		{name: "OK_AgreedForSupervisors", d: agreed, stage: SwapAgreed},
		{name: "ErrAnotherColleague", d: asked, stage: SwapAsked, who: 8, key: "swap.stale"},
		{name: "ErrNotAgreedYet", d: asked, stage: SwapAgreed, key: "swap.stale"},
		{name: "ErrAnsweredAlready", d: agreed, stage: SwapAsked, who: 7, key: "swap.stale"},
		{name: "ErrSettled", d: RestDay{ID: 1, Status: RestApproved}, stage: SwapAgreed, key: "swap.stale"},
		{name: "ErrNotApproved", d: RestDay{ID: 1, Status: RestCancelled, SwapWith: 7, SwapStage: SwapAgreed}, stage: SwapAgreed, key: "swap.stale"},
	} {
		t.Run(tc.name, func(t *testing.T) { allowedOr(t, tc.d.SwapWaitsFor(tc.stage, tc.who), tc.key) })
	}
}

func TestR5_1_SwapLimit(t *testing.T) {
	inner := Errorkf(EINVALID, "rest.week", []any{"2026-10-06", 1}, "week full")
	err := SwapLimit("王顾问", inner)
	e, ok := err.(*Error)
	if !ok || e.Key != "swap.limit" || e.Code != EINVALID || e.Args[0] != "王顾问" || e.Args[1] != inner {
		t.Fatalf("%#v", err)
	}
	if plain := Errorf(EINTERNAL, "db down"); SwapLimit("x", plain) != error(plain) {
		t.Fatal("an error without a key is passed on as it is")
	}
}

// allowedOr fails unless err is nil (key "") or a domain error with key.
func allowedOr(t *testing.T, err error, key string) {
	t.Helper()
	e, _ := err.(*Error)
	switch {
	case key == "" && err != nil:
		t.Fatalf("refused: %v", err)
	case key != "" && (e == nil || e.Key != key):
		t.Fatalf("got %v, want %s", err, key)
	}
}

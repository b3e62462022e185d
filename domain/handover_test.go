package domain

import "testing"

func TestHandoverRules(t *testing.T) {
	tele := &Staff{ID: 1, Active: true, Roles: Roles{RoleTelesales}}
	sup := &Staff{ID: 2, Active: true, Roles: Roles{RoleSupervisor}}
	cons := &Staff{ID: 3, Active: true, Roles: Roles{RoleConsultant}, TelegramID: 30}
	gone := &Staff{ID: 4, Roles: Roles{RoleConsultant}, TelegramID: 40}
	unlinked := &Staff{ID: 5, Active: true, Roles: Roles{RoleConsultant}}
	lead := &Lead{ID: 7, OwnerID: 1, Pool: PoolTelesales, Grade: GradeH}
	shown := &Lead{ID: 7, OwnerID: 1, Pool: PoolShowroom, Grade: GradeH}
	closed := &Lead{ID: 7, OwnerID: 1, Pool: PoolTelesales, Grade: GradeF}

	t.Run("CanHandOver", func(t *testing.T) {
		for _, tt := range []struct {
			from, to *Staff
			l        *Lead
			want     string
		}{
			{tele, cons, lead, ""},
			{sup, cons, lead, ""},
			{cons, cons, lead, EFORBIDDEN},
			{tele, cons, shown, EINVALID},
			{tele, tele, lead, EINVALID},
			{tele, gone, lead, EINVALID},
			{tele, unlinked, lead, EINVALID}, // R1.10: the form could not reach them
			{tele, nil, lead, ""},
		} {
			if got := ErrorCode(CanHandOver(tt.from, tt.l, tt.to)); got != tt.want {
				t.Errorf("from %d to %v pool %s: %q, want %q", tt.from.ID, tt.to, tt.l.Pool, got, tt.want)
			}
		}
	})
	t.Run("CanAnswer", func(t *testing.T) {
		pending := &Handover{ID: 1, ToID: 3, Status: HandoverPending}
		done := &Handover{ID: 1, ToID: 3, Status: HandoverDeclined}
		for _, tt := range []struct {
			s    *Staff
			h    *Handover
			want string
		}{{cons, pending, ""}, {sup, pending, EFORBIDDEN}, {cons, done, ECONFLICT}} {
			if got := ErrorCode(CanAnswerHandover(tt.s, tt.h)); got != tt.want {
				t.Errorf("staff %d %s: %q, want %q", tt.s.ID, tt.h.Status, got, tt.want)
			}
		}
	})
	t.Run("CanAccept", func(t *testing.T) {
		for _, tt := range []struct {
			l    *Lead
			want string
		}{{lead, ""}, {shown, ECONFLICT}, {closed, ECONFLICT}} {
			if got := ErrorCode(CanAcceptHandover(tt.l)); got != tt.want {
				t.Errorf("%s %s: %q, want %q", tt.l.Pool, tt.l.Grade, got, tt.want)
			}
		}
	})
	t.Run("DeclineReason", func(t *testing.T) {
		if r, err := ValidDeclineReason("  busy "); err != nil || r != "busy" {
			t.Errorf("got %q, %v", r, err)
		}
		if _, err := ValidDeclineReason(" \n"); ErrorCode(err) != EINVALID {
			t.Errorf("empty: %v", err)
		}
	})
}

func TestR1_10_ExpectedBuyBy(t *testing.T) {
	cal := allWeek(t)
	from := at(cal, "2026-12-01 10:00")
	for g, want := range map[Grade]string{GradeH: "2026-12-08 10:00", GradeA: "2027-01-01 10:00", GradeB: "2027-03-01 10:00", GradeN: "2027-01-01 10:00"} {
		if got := ExpectedBuyBy(g, from); !got.Equal(at(cal, want)) {
			t.Errorf("%s: %s", g, got)
		}
	}
}

// TestHandoverNotice: only someone the chat can reach is told.
func TestHandoverNotice(t *testing.T) {
	enrolled := &Staff{ID: 1, TelegramID: 11, Active: true}
	for _, tt := range []struct {
		s    *Staff
		want *Staff
	}{
		{enrolled, enrolled},
		{&Staff{ID: 2, Active: true}, nil},
		{nil, nil},
	} {
		if got := HandoverNotice(tt.s); got != tt.want {
			t.Errorf("HandoverNotice(%+v) = %+v, want %+v", tt.s, got, tt.want)
		}
	}
}

package domain

import (
	"testing"
	"time"
)

// TestR4_4_CancelLostParsesTheReason: "战败 …" or "lost …" at cancellation
// says the customer is lost, for the category it names ("other" when
// none); anything else is a plain cancellation; no reason is refused.
func TestR4_4_CancelLostParsesTheReason(t *testing.T) {
	for _, tc := range []struct {
		text, reason string
		lost         LostReason
		note         string
	}{
		{"客户反悔", "客户反悔", "", ""},
		{"战败 竞品 已在别家下定", "竞品 已在别家下定", LostCompetitor, "已在别家下定"},
		{"lost budget", "budget", LostBudget, ""},
		{"LOST  postponed next year", "postponed next year", LostPostponed, "next year"},
		{"流失 买了别的", "买了别的", LostCompetitor, ""},
		{"战败 家里不同意", "家里不同意", LostOther, "家里不同意"},
	} {
		reason, lost, err := ParseOrderCancel(tc.text)
		if err != nil || reason != tc.reason || lost != tc.lost {
			t.Errorf("%q: %q %q %v", tc.text, reason, lost, err)
			continue
		}
		req := &OrderRequest{StoreID: 1, Kind: OrderCancel, Reason: reason, Lost: lost, RequesterID: 7}
		lr := req.LostRequest(42)
		switch {
		case lost == "" && lr != nil:
			t.Errorf("%q: a plain cancellation has a lost request %+v", tc.text, lr)
		case lost != "" && (lr == nil || lr.Reason != tc.lost || lr.Note != tc.note || lr.LeadID != 42 || lr.RequesterID != 7 || lr.Validate() != nil):
			t.Errorf("%q: lost request %+v", tc.text, lr)
		}
	}
	for _, bad := range []string{"", "战败", "lost  "} {
		if _, _, err := ParseOrderCancel(bad); ErrorCode(err) != EINVALID {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestR4_4_CancelledOrderReturnsLeadToAOrLost: an O lead returns to A and
// is due again, or with the lost request becomes F with its words and is
// due no more (R1.6); a lead no longer O is left alone.
func TestR4_4_CancelledOrderReturnsLeadToAOrLost(t *testing.T) {
	cal, r := allWeek(t), DefaultRules().Leads
	now := at(cal, "2026-11-27 10:00")
	l := &Lead{ID: 42, Grade: GradeO}
	if !l.ReturnFromOrder(nil, now, r, cal) || l.Grade != GradeA || l.NextDueAt == nil {
		t.Fatalf("plain: %+v", l)
	}
	lost := &LostRequest{LeadID: 42, Reason: LostCompetitor, Note: "已在别家下定"}
	l = &Lead{ID: 42, Grade: GradeO, NextDueAt: &now}
	if !l.ReturnFromOrder(lost, now, r, cal) || l.Grade != GradeF || l.LostNote != "已在别家下定" || l.NextDueAt != nil || !l.GradedAt.Equal(now) {
		t.Fatalf("lost: %+v", l)
	}
	for _, g := range []Grade{GradeA, GradeD, GradeF} {
		l = &Lead{ID: 42, Grade: g}
		if l.ReturnFromOrder(lost, now.Add(time.Hour), r, cal) || l.Grade != g {
			t.Errorf("%s lead moved to %s", g, l.Grade)
		}
	}
}

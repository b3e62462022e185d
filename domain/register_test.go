package domain_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// TestR2_8_ReopenedRoundKeptForTheRegister: the outcomes of a round that
// ends in a reopening are kept: a late first reply stays "missed" in the
// register although the reopened complaint starts afresh.
func TestR2_8_ReopenedRoundKeptForTheRegister(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	cal := &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	r := domain.DefaultRules().Complaints
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	late := start.Add(30 * time.Hour)
	c := &domain.Complaint{Channel: domain.ChannelCall, Subject: domain.SubjectProduct, Status: domain.ComplaintOpen, OpenedAt: start, FirstReplyAt: &late, Appraisal: true}
	var round []domain.RegisterDeadline
	if err := json.Unmarshal([]byte(domain.RoundOutcomes(c, r, cal, start.Add(48*time.Hour))), &round); err != nil {
		t.Fatal(err)
	}
	if len(round) != 1 || round[0].Kind != domain.DeadlineReply || round[0].State != domain.DeadlineMissed {
		t.Fatalf("round %+v: want the late reply missed and the appraisal (not yet due) left out", round)
	}
}

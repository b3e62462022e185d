package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestR4_6_DealerCommands(t *testing.T) {
	h := newHarness(t)
	m := h.enroll("王经理", "manager", "zh")
	month := h.clock().In(h.bot.StoreOf(nil).Calendar.Location).Format("2006-01")
	got := h.reply(m, "/dealer add 顺达汽贸 李强 13800138000 昆山 2026-12-01 2027-11-30 5万 50:1%,100:1.5%")
	if !strings.Contains(got, "#1") || !strings.Contains(got, "¥50,000.00") {
		t.Fatalf("add: %q", got)
	}
	for cmd, want := range map[string]string{
		"/dealer add 顺达 李强 13800138000 昆山 2026-12-01 2027-11-30 0":  "保证金必须大于零",
		"/dealer add 顺达 李强 13800138000 昆山 2026-12-01 2026-11-30 5万": "必须晚于起始日",
		"/dealer deposit 99 5万":      "没有编号为 99",
		"/dealer target 1 2026-12 0": "不是有效台数",
	} {
		if got := h.reply(m, cmd); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", cmd, got, want)
		}
	}
	if got := h.reply(m, "/dealer deposit 1 50000"); !strings.Contains(got, "¥50,000.00") {
		t.Fatalf("deposit: %q", got)
	}
	if got := h.reply(m, "/dealer target 1 "+month+" 10"); !strings.Contains(got, "未设目标") && !strings.Contains(got, "0/10") {
		t.Fatalf("target: %q", got)
	}
	h.reply(m, "/dealer sold 1 "+month+" 7")
	if got := h.reply(m, "/dealers"); !strings.Contains(got, "顺达汽贸") || !strings.Contains(got, "7/10") || !strings.Contains(got, "70%") {
		t.Fatalf("/dealers: %q", got)
	}
}

// TestR4_6_TargetRefusedForLapsedContractNamesItsState: a contract whose
// deposit was not recorded in time lapses; a target set for it is refused,
// the answer naming the state in the reader's language (it said "lapsed"
// to a Chinese reader), and nothing is written.
func TestR4_6_TargetRefusedForLapsedContractNamesItsState(t *testing.T) {
	h := newHarness(t)
	m := h.enroll("王经理", "manager", "zh")
	month := h.clock().In(h.bot.StoreOf(nil).Calendar.Location).Format("2006-01")
	if got := h.reply(m, "/dealer add 顺达汽贸 李强 13800138000 昆山 2026-12-01 2027-11-30 5万"); !strings.Contains(got, "#1") {
		t.Fatalf("add: %q", got)
	}
	h.advance(20 * 24 * time.Hour)
	if _, err := h.db.DealerDepositsDue(context.Background(), h.clock(), 10); err != nil {
		t.Fatal(err)
	}
	got := h.reply(m, "/dealer target 1 "+month+" 5")
	if !strings.Contains(got, "合同 #1 当前状态为 已失效（保证金逾期）") || strings.Contains(got, "lapsed") {
		t.Errorf("zh: %q", got)
	}
	h.reply(m, "/lang en")
	if got := h.reply(m, "/dealer target 1 "+month+" 5"); !strings.Contains(got, "Contract #1 is lapsed (deposit late)") {
		t.Errorf("en: %q", got)
	}
	if got := h.reply(m, "/dealers"); strings.Contains(got, "/5") {
		t.Errorf("a target was written: %q", got)
	}
}

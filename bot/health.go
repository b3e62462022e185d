package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// healthErrorMax bounds the error shown for the last failure.
const healthErrorMax = 300

// handleHealth shows a manager whether the bot keeps up: the outbox
// backlog, its oldest message's age, the failures and the last one's
// error and age, when the last update came in, how long the backlog takes
// at the bot's send rate, the leader and every replica with its last beat.
func (b *Bot) handleHealth(ctx context.Context, r *Request) error {
	h, err := b.run.Health(ctx)
	if err != nil {
		return err
	}
	st := h.Outbox
	now := b.now()
	oldest := r.T("health.none")
	if st.OldestPending != nil {
		oldest = ago(r.Lang, now.Sub(*st.OldestPending))
	}
	last := r.T("health.none")
	if t := h.LastUpdateAt; !t.IsZero() {
		last = b.formatTime(r.Staff.StoreID, t) + " (" + ago(r.Lang, now.Sub(t)) + ")"
	}
	text := r.T("health.report", st.Pending, st.Retrying, oldest, st.Failed, st.Undeliverable, last)
	if st.LastFailedAt != nil {
		text += "\n" + r.T("health.failure", ago(r.Lang, now.Sub(*st.LastFailedAt)), clip(st.LastFailure, healthErrorMax))
	}
	drain := r.T("health.none")
	if st.Pending > 0 {
		drain = ago(r.Lang, h.DrainIn)
	}
	text += "\n" + r.T("health.rate", h.PerSecond, drain) + "\n" + r.T("health.stores", Raw(b.storeBacklog(r, st.ByStore)))
	leader := ""
	for _, l := range h.Leases {
		if l.Name == domain.SchedulerLease && l.Until.After(now) {
			leader = l.Holder
		}
	}
	if leader != "" {
		text += "\n" + r.T("health.leader", leader)
	} else {
		text += "\n" + r.T("health.no_leader")
	}
	if len(h.Replicas) > 0 {
		live := 0
		var lines []string
		for _, rep := range h.Replicas {
			note := ""
			if rep.Name == h.Self {
				note += r.T("health.self")
			}
			if rep.Live(h.LiveSince) {
				live++
			} else {
				note += r.T("health.down")
			}
			lines = append(lines, r.T("health.replica", rep.Name, rep.Role, ago(r.Lang, now.Sub(rep.LastSeen)), note))
		}
		text += "\n" + r.T("health.replicas", live) + "\n" + strings.Join(lines, "\n")
	}
	b.reply(ctx, r.ChatID, text)
	return nil
}

// storeBacklog lists the backlog per store, "main 12、east 3、（无门店）1",
// or none.
func (b *Bot) storeBacklog(r *Request, by []domain.StoreBacklog) string {
	if len(by) == 0 {
		return r.T("health.none")
	}
	parts := make([]string, len(by))
	for i, s := range by {
		if st := b.opts.Stores.ByID(s.StoreID); st != nil {
			parts[i] = r.T("health.store", st.Code, s.Pending)
		} else {
			parts[i] = r.T("health.store_none", s.Pending)
		}
	}
	return strings.Join(parts, r.T("list.sep"))
}

// ago writes a duration the way people say it, in lang: 45 秒, 12 分钟,
// 3 小时 5 分, 2 天 4 小时; 45 s, 12 min, 3 h 5 min, 2 d 4 h.
func ago(lang domain.Lang, d time.Duration) string {
	d = max(d, 0).Round(time.Second)
	switch {
	case d < time.Minute:
		return T(lang, "dur.s", int(d.Seconds()))
	case d < time.Hour:
		return T(lang, "dur.m", int(d.Minutes()))
	case d < 24*time.Hour:
		return T(lang, "dur.hm", int(d.Hours()), int(d.Minutes())%60)
	}
	return T(lang, "dur.dh", int(d.Hours())/24, int(d.Hours())%24)
}

// notifyBlocked tells those the staff service names (the supervisors,
// or for a supervisor the managers) that a staff member blocked the bot,
// once per blocking.
func (b *Bot) notifyBlocked(ctx context.Context, who *domain.Staff) error {
	out, err := b.opts.Staff.MemberBlocked(ctx, who.ID)
	if err != nil {
		return err
	}
	stamp := b.now().Unix()
	for _, boss := range out.Tell {
		key := fmt.Sprintf("blocked:%d:%d:%d", out.Staff.ID, boss.ID, stamp)
		if err := b.Push(ctx, key, boss.TelegramID, boss.ID, T(boss.Lang, "blocked.notice", out.Staff.Name), nil); err != nil {
			return err
		}
	}
	return nil
}

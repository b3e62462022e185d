package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
)

// cmdOutbox shows what the bot has not delivered: pending, failed and
// undeliverable messages, oldest problems first in view; how long the
// backlog takes at the bot's rate; the replicas and the leader.
func cmdOutbox(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var c commonFlags
	fs := newFlagSet("outbox", stderr, &c)
	status := fs.String("status", "pending,failed,undeliverable", "which messages: any of pending, sending, sent, failed, undeliverable")
	limit := fs.Int("limit", 50, "at most this many messages")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, db, err := openConfigured(ctx, c.config, getenv)
	if err != nil {
		return err
	}
	defer db.Close()

	st, err := db.OutboxStats(ctx)
	if err != nil {
		return err
	}
	oldest := "-"
	if st.OldestPending != nil {
		oldest = time.Since(*st.OldestPending).Round(time.Second).String()
	}
	fmt.Fprintf(stdout, "pending %d (retrying %d), oldest waiting %s; failed %d; undeliverable %d\n",
		st.Pending, st.Retrying, oldest, st.Failed, st.Undeliverable)
	rate := deliveryLimits(cfg.Delivery).PerSecond()
	fmt.Fprintf(stdout, "at %d msg/s (all replicas together) the last of them goes out in %s\n",
		rate, domain.DrainTime(st.Pending, rate).Round(time.Second))
	fmt.Fprintf(stdout, "backlog per store: %s\n", storeBacklog(db.Stores, st.ByStore))
	if err := printReplicas(ctx, stdout, db); err != nil {
		return err
	}

	var statuses []string
	for _, s := range strings.Split(*status, ",") {
		if s = strings.TrimSpace(s); s != "" {
			if s == domain.OutboxPending {
				statuses = append(statuses, domain.OutboxSending)
			}
			statuses = append(statuses, s)
		}
	}
	msgs, err := db.ListOutbox(ctx, statuses, *limit)
	if err != nil {
		return err
	}
	loc := cfg.Calendar().Location // the first store's: the listing's times are the group's
	for _, m := range msgs {
		fmt.Fprintf(stdout, "%-6d %-13s chat %-12d tries %-2d %s  %s  %s\n", m.ID, m.Status, m.ChatID, m.Attempts,
			m.CreatedAt.In(loc).Format("01-02 15:04"), m.Key, preview(m.Text, 40))
		if m.LastError != "" {
			fmt.Fprintf(stdout, "       last error: %s\n", m.LastError)
		}
	}
	return nil
}

// storeBacklog lists the backlog per store, "main 12, east 3, (group) 1",
// or "none".
func storeBacklog(stores *domain.Stores, by []domain.StoreBacklog) string {
	if len(by) == 0 {
		return "none"
	}
	parts := make([]string, len(by))
	for i, s := range by {
		code := "(group)"
		if st := stores.ByID(s.StoreID); st != nil {
			code = st.Code
		}
		parts[i] = fmt.Sprintf("%s %d", code, s.Pending)
	}
	return strings.Join(parts, ", ")
}

// replicaLive is how long after its last beat a replica is taken for
// dead: three of delivery's 2 s beats.
const replicaLive = 6 * time.Second

// printReplicas lists the replicas with their last beat and who holds
// each lease (the scheduler's holder is the leader).
func printReplicas(ctx context.Context, w io.Writer, db *storage.DB) error {
	leases, err := db.Leases(ctx)
	if err != nil {
		return err
	}
	leader := "none (on SQLite the one running process runs the jobs)"
	for _, l := range leases {
		if l.Name == domain.SchedulerLease && l.Until.After(time.Now()) {
			leader = l.Holder
		}
	}
	fmt.Fprintf(w, "leader: %s\n", leader)
	reps, err := db.Replicas(ctx)
	if err != nil {
		return err
	}
	for _, r := range reps {
		state := "live"
		if !r.Live(time.Now().Add(-replicaLive)) {
			state = "down"
		}
		fmt.Fprintf(w, "replica %s (%s) %s, last seen %s ago, up since %s\n", r.Name, r.Role, state,
			time.Since(r.LastSeen).Round(time.Second), r.StartedAt.Local().Format("01-02 15:04:05"))
	}
	return nil
}

// preview is the start of a text on one line.
func preview(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

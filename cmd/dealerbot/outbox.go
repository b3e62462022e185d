package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dealerbot/dealerbot/domain"
)

// cmdOutbox shows what the bot has not delivered: pending, failed and
// undeliverable messages, oldest problems first in view.
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
	loc := cfg.Calendar().Location
	for _, m := range msgs {
		fmt.Fprintf(stdout, "%-6d %-13s chat %-12d tries %-2d %s  %s  %s\n", m.ID, m.Status, m.ChatID, m.Attempts,
			m.CreatedAt.In(loc).Format("01-02 15:04"), m.Key, preview(m.Text, 40))
		if m.LastError != "" {
			fmt.Fprintf(stdout, "       last error: %s\n", m.LastError)
		}
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

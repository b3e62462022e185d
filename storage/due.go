package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// This file holds the counts behind the morning push and the supervisors'
// reminders. They run over every lead of one store, so each is one grouped
// query that the database answers from an index alone; no lead is loaded
// and no other store's lead is read.

// dueCountsSQL counts, per owner and grade, one store's leads due before
// tomorrow and, of those, the ones due before today. It is answered from
// leads_store_due_counts_idx alone (store_id, owner_id, grade,
// next_due_at; only leads with a due time), whose order under one store
// is the grouping's: no table row is read and nothing is sorted.
const dueCountsSQL = `SELECT owner_id, grade, COUNT(*) AS due,
		COUNT(*) FILTER (WHERE next_due_at < ?) AS overdue
	FROM leads
	WHERE store_id = ? AND next_due_at < ?
	GROUP BY owner_id, grade
	ORDER BY owner_id, grade`

// DueCounts calls fn for each owner and grade with leads of store due before
// tomorrowStart: how many are overdue (due before todayStart) and how many
// due today. The groups come in order of owner, then grade, and are read
// one by one as fn takes them, so a store of any size costs the same
// memory. fn runs while the query is open: it must not use the transaction
// of ctx (PostgreSQL runs one query at a time on a connection); the store
// itself, outside that transaction, it may. An error of fn stops the walk
// and is returned.
func (db *DB) DueCounts(ctx context.Context, store int64, todayStart, tomorrowStart time.Time, fn func(domain.DueCount) error) error {
	if tomorrowStart.Before(todayStart) {
		return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "tomorrow starts before today")
	}
	rows, err := db.conn(ctx).Raw(dueCountsSQL, dbTime(todayStart), store, dbTime(tomorrowStart)).Rows()
	if err != nil {
		return formatError(fmt.Errorf("due counts: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var c domain.DueCount
		var grade string
		var due int
		if err := rows.Scan(&c.OwnerID, &grade, &due, &c.Overdue); err != nil {
			return fmt.Errorf("due counts: %w", err)
		}
		c.Grade, c.Today = domain.Grade(grade), due-c.Overdue
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return formatError(fmt.Errorf("due counts: %w", err))
	}
	return nil
}

// OverdueCounts returns, per owner, how many of store's leads are due
// before before (the supervisors' "overdue by more than 3 days", with
// before 3 days back). Owners with none are left out.
func (db *DB) OverdueCounts(ctx context.Context, store int64, before time.Time) (map[int64]int, error) {
	return db.countsByOwner(ctx, "overdue counts", store, "next_due_at < ?", dbTime(before))
}

// firstWeekStartSQL is domain.FirstWeekStart: the reopening, else the
// creation (a lead is reopened after it was created).
const firstWeekStartSQL = "COALESCE(reopened_at, created_at)"

// ungradedWhere selects the N leads whose first week started before its
// one argument.
const ungradedWhere = "grade = '" + string(domain.GradeN) + "' AND " + firstWeekStartSQL + " < ?"

// UngradedCounts returns, per owner, how many of store's leads are still
// N after their first week started (domain.FirstWeekStart) before
// startedBefore: the ones whose first week is over (R1.4's daily
// reminder, with startedBefore a week back). Owners with none are left
// out.
func (db *DB) UngradedCounts(ctx context.Context, store int64, startedBefore time.Time) (map[int64]int, error) {
	return db.countsByOwner(ctx, "ungraded counts", store, ungradedWhere, dbTime(startedBefore))
}

// countsByOwnerSQL is countsByOwner's query, less its condition.
const countsByOwnerSQL = "SELECT owner_id, COUNT(*) FROM leads WHERE store_id = ? AND "

// countsByOwner counts store's leads where selects per owner; what names
// the count in errors.
func (db *DB) countsByOwner(ctx context.Context, what string, store int64, where string, args ...any) (map[int64]int, error) {
	rows, err := db.conn(ctx).Raw(countsByOwnerSQL+where+" GROUP BY owner_id", append([]any{store}, args...)...).Rows()
	if err != nil {
		return nil, formatError(fmt.Errorf("%s: %w", what, err))
	}
	defer rows.Close()
	counts := map[int64]int{}
	for rows.Next() {
		var owner int64
		var n int
		if err := rows.Scan(&owner, &n); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		counts[owner] = n
	}
	if err := rows.Err(); err != nil {
		return nil, formatError(fmt.Errorf("%s: %w", what, err))
	}
	return counts, nil
}

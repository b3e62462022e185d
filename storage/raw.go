package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// This file lets tools below the domain API reach the database: the test
// seeder's bulk load and benchmarks' hand-written floor queries. The bot
// itself never uses it.

// timeLayout is how the SQLite driver writes a bound time.Time. A time
// written into SQL by TimeLiteral must read the same, or text comparisons
// with bound times would go wrong.
const timeLayout = "2006-01-02 15:04:05.999999999-07:00"

// TimeLiteral returns t as an SQL literal ('2026-03-02 09:30:00+00:00')
// that either driver stores as the instant the store would store for t:
// in UTC, cut to microseconds, and in SQLite in the very text its driver
// binds a time as. For statements written out in full, see ExecRaw.
func TimeLiteral(t time.Time) string {
	return "'" + dbTime(t).Format(timeLayout) + "'"
}

// ExecRaw runs sql on the transaction of ctx, or else on the pool, with
// args in its '?' placeholders. It is meant for statements run once, such
// as the multi-row INSERTs of a bulk load with their values written in
// (TimeLiteral): unlike the store's own statements they are neither
// prepared nor kept. Without args, sql may hold several statements.
// Times among args are written as the store writes them.
func (db *DB) ExecRaw(ctx context.Context, sql string, args ...any) error {
	g := db.conn(ctx)
	if len(args) > 0 {
		// Let gorm rewrite the placeholders for the driver ($1 for
		// PostgreSQL) without running anything.
		stmt := g.Session(&gorm.Session{DryRun: true}).Exec(sql, storeTimes(args)...).Statement
		if stmt.Error != nil {
			return fmt.Errorf("exec raw: %w", stmt.Error)
		}
		sql, args = stmt.SQL.String(), stmt.Vars
	}
	if _, err := unprepared(g).ExecContext(ctx, sql, args...); err != nil {
		return formatError(fmt.Errorf("exec raw: %w", err))
	}
	return nil
}

// QueryCount runs a query whose last column is a whole number and returns
// the sum of that column over every row it returns, reading them all as a
// caller would: a single COUNT(*) or MAX(id) gives its value (NULL reads
// as 0), "SELECT owner_id, COUNT(*) … GROUP BY owner_id" the total of the
// groups. It runs on the transaction of ctx, or else on the pool, and is
// prepared like the store's own statements; args fill '?' placeholders.
func (db *DB) QueryCount(ctx context.Context, query string, args ...any) (int64, error) {
	rows, err := db.conn(ctx).Raw(query, storeTimes(args)...).Rows()
	if err != nil {
		return 0, formatError(fmt.Errorf("query count: %w", err))
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, fmt.Errorf("query count: %w", err)
	}
	if len(cols) == 0 {
		return 0, fmt.Errorf("query count: the query returns no columns")
	}
	var last sql.NullInt64
	dest := make([]any, len(cols))
	for i := range dest {
		dest[i] = new(any)
	}
	dest[len(dest)-1] = &last
	var total int64
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return 0, fmt.Errorf("query count: %w", err)
		}
		total += last.Int64
	}
	if err := rows.Err(); err != nil {
		return 0, formatError(fmt.Errorf("query count: %w", err))
	}
	return total, nil
}

// BulkLoad runs load in one transaction with the secondary indexes of
// table dropped, and creates them again before the commit: rows loaded
// then go into the table alone, and each index is built once from sorted
// keys instead of taking every row at a random place, which in SQLite is
// several times faster for a million rows. A unique index that the loaded
// rows break fails the load, and nothing of it stays. Others wait for the
// transaction (PostgreSQL locks the table): it is for filling a store
// nobody uses yet, such as a benchmark's.
func (db *DB) BulkLoad(ctx context.Context, table string, load func(ctx context.Context) error) error {
	err := db.InTx(ctx, func(ctx context.Context) error {
		indexes, err := db.indexes(ctx, table)
		if err != nil {
			return err
		}
		for _, ix := range indexes {
			if err := db.ExecRaw(ctx, `DROP INDEX "`+ix.Name+`"`); err != nil {
				return err
			}
		}
		if err := load(ctx); err != nil {
			return err
		}
		for _, ix := range indexes {
			if err := db.ExecRaw(ctx, ix.SQL); err != nil {
				return fmt.Errorf("create index %s: %w", ix.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bulk load %s: %w", table, err)
	}
	return nil
}

// index is a secondary index of a table and the statement that creates it.
type index struct {
	Name string
	SQL  string
}

// indexes returns the secondary indexes of table that can be dropped and
// created again: not the primary key's, nor those of UNIQUE constraints.
func (db *DB) indexes(ctx context.Context, table string) ([]index, error) {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`
	if db.driver == DriverPostgres {
		q = `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS sql
			FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
			WHERE x.indrelid = to_regclass(?) AND NOT x.indisprimary
				AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
			ORDER BY i.relname`
	}
	var list []index
	if err := db.conn(ctx).Raw(q, table).Scan(&list).Error; err != nil {
		return nil, fmt.Errorf("indexes of %s: %w", table, err)
	}
	return list, nil
}

// storeTimes returns args with each time as the store writes it, so that a
// time from another zone still compares correctly in SQLite.
func storeTimes(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch t := a.(type) {
		case time.Time:
			out[i] = dbTime(t)
		case *time.Time:
			out[i] = dbTimePtr(t)
		default:
			out[i] = a
		}
	}
	return out
}

// unprepared returns the database/sql handle under g — the *sql.Tx of
// InTx or the *sql.DB — past gorm's cache of prepared statements.
func unprepared(g *gorm.DB) gorm.ConnPool {
	switch p := g.Statement.ConnPool.(type) {
	case *gorm.PreparedStmtTX:
		return p.Tx
	case *gorm.PreparedStmtDB:
		return p.ConnPool
	}
	return g.Statement.ConnPool
}

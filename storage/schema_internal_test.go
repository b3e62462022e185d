package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// SchemaDump describes the schema of db's database as text, one line per
// object, in a fixed order, for comparing the schemas two migrations built.
// Runs of white space in DDL are folded into one space, so the same
// statement indented differently describes the same. On PostgreSQL it
// reads the catalogs of the current schema (the test's own) and leaves
// that schema's name out.
func (db *DB) SchemaDump(ctx context.Context) (string, error) {
	if db.driver != DriverPostgres {
		return db.dumpQuery(ctx, "", `SELECT type, name, tbl_name, sql FROM sqlite_master
			WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`)
	}
	var schema string
	if err := db.conn(ctx).Raw(`SELECT current_schema()`).Scan(&schema).Error; err != nil {
		return "", err
	}
	var b strings.Builder
	for _, q := range []string{
		`SELECT 'column', table_name, column_name, data_type, is_nullable, column_default, is_identity, identity_generation
			FROM information_schema.columns WHERE table_schema = current_schema()
			ORDER BY table_name, ordinal_position`,
		`SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid)
			FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
			ORDER BY 2, 3`,
		`SELECT 'index', tablename, indexname, indexdef
			FROM pg_indexes WHERE schemaname = current_schema()
			ORDER BY 2, 3`,
	} {
		s, err := db.dumpQuery(ctx, schema, q)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// dumpQuery writes query's rows a line each, their values tab-separated,
// NULL for null, white space folded, and "schema." removed.
func (db *DB) dumpQuery(ctx context.Context, schema, query string) (string, error) {
	rows, err := db.conn(ctx).Raw(query).Rows()
	if err != nil {
		return "", fmt.Errorf("%s: %w", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('\t')
			}
			s := "NULL"
			if v.Valid {
				s = strings.Join(strings.Fields(v.String), " ")
				if schema != "" {
					s = strings.ReplaceAll(s, schema+".", "")
				}
			}
			b.WriteString(s)
		}
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}

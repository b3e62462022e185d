package storage

// The schema's history is in migrations/<driver>/NNNN_<name>.sql, embedded
// in the program, one file per version and driver:
//
//   - NNNN is the version, four digits: 0001, 0002, … with no gap. Both
//     drivers have a file for every version, and the two carry the same
//     name (lower case, digits and underscores). A new migration is two new
//     files with the next number; a released file is never edited, since a
//     database records in schema_migrations the versions it has applied and
//     Migrate runs only the ones it lacks.
//   - A statement ends at a line whose last character (spaces aside) is
//     ';', which is dropped. Lines that start with "--" are comments and are
//     left out, as are blank lines. So a ';' must not end a line inside a
//     statement (in a string literal, or a trigger or function body): none
//     does, and none should be needed; loadMigrations refuses a file whose
//     text after its last ';' is not a comment, so a missing ';' is caught.
//   - The statements of one file run in one transaction, in order.
//
// loadMigrations checks all of this when the program starts (Migrate
// returns its error) and in TestMigrations.

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// migration is one numbered step of the schema: the statements that take a
// database from version-1 to version on each driver.
type migration struct {
	version  int
	name     string
	sqlite   []string
	postgres []string
}

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migrations is the schema's history, oldest first; version i+1 is at i.
// migrationsErr says why the embedded files could not be read as one;
// Migrate refuses to run then.
var migrations, migrationsErr = loadMigrations(migrationFiles)

// migrationFileName is a migration file's name: its version and name.
var migrationFileName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// loadMigrations reads the migrations in fsys's migrations/sqlite and
// migrations/postgres (see the top of this file for their form) and checks
// that both drivers have versions 1..N without gaps, under the same names.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	var ms []migration
	for _, driver := range []string{DriverSQLite, DriverPostgres} {
		dir := path.Join("migrations", driver)
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		n := 0
		for _, e := range entries { // sorted by name, so by version
			file := path.Join(dir, e.Name())
			match := migrationFileName.FindStringSubmatch(e.Name())
			if e.IsDir() || match == nil {
				return nil, fmt.Errorf("migrations: %s: not named NNNN_name.sql", file)
			}
			version, _ := strconv.Atoi(match[1])
			n++
			if version != n {
				return nil, fmt.Errorf("migrations: %s: expected version %d next (versions are 1, 2, … without gaps or repeats)", file, n)
			}
			text, err := fs.ReadFile(fsys, file)
			if err != nil {
				return nil, fmt.Errorf("migrations: %w", err)
			}
			stmts, err := splitStatements(string(text))
			if err != nil {
				return nil, fmt.Errorf("migrations: %s:%w", file, err)
			}
			if driver == DriverSQLite {
				ms = append(ms, migration{version: version, name: match[2], sqlite: stmts})
				continue
			}
			if version > len(ms) {
				return nil, fmt.Errorf("migrations: %s: version %d has no file in migrations/%s", file, version, DriverSQLite)
			}
			if name := ms[version-1].name; name != match[2] {
				return nil, fmt.Errorf("migrations: %s: version %d is named %q in migrations/%s", file, version, name, DriverSQLite)
			}
			ms[version-1].postgres = stmts
		}
		if driver == DriverPostgres && n < len(ms) {
			return nil, fmt.Errorf("migrations: version %d (%s) has no file in migrations/%s", n+1, ms[n].name, DriverPostgres)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("migrations: none")
	}
	return ms, nil
}

// splitStatements splits a migration file into its statements (see the
// top of this file). Its errors start with the line they are about.
func splitStatements(text string) ([]string, error) {
	var stmts, cur []string
	start := 0
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " \t\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		if len(cur) == 0 {
			start = i + 1
		}
		cur = append(cur, line)
		if strings.HasSuffix(trimmed, ";") {
			stmt := strings.TrimSpace(strings.TrimSuffix(strings.Join(cur, "\n"), ";"))
			if stmt == "" {
				return nil, fmt.Errorf("%d: empty statement", i+1)
			}
			stmts, cur = append(stmts, stmt), nil
		}
	}
	if len(cur) > 0 {
		return nil, fmt.Errorf("%d: statement not ended by a ';' at the end of a line", start)
	}
	if len(stmts) == 0 {
		return nil, fmt.Errorf("1: no statements")
	}
	return stmts, nil
}

// migrationLockID seeds the PostgreSQL advisory lock that keeps two
// processes (the bot and the CLI, say) from migrating one schema at once;
// the lock is the schema's (hashed with its name), so that migrations of
// other schemas in the same database — the tests' — do not queue behind
// it. SQLite needs none: its transactions take the write lock at BEGIN.
const migrationLockID = 0x6465616c6572 // "dealer"

// schemaMigrationsRow is a row of schema_migrations.
type schemaMigrationsRow struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	AppliedAt time.Time
}

// TableName implements gorm's schema.Tabler.
func (schemaMigrationsRow) TableName() string { return "schema_migrations" }

// Migrate creates the schema or brings it up to date, one step per
// transaction. It is idempotent and safe to run on every start, also by
// two processes at once. A database migrated by a newer program (a version
// this one does not know) is refused rather than used.
func (db *DB) Migrate(ctx context.Context) error {
	if migrationsErr != nil {
		return migrationsErr
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if latest := migrations[len(migrations)-1].version; v > latest {
		return fmt.Errorf("migrate: the database has schema version %d, newer than this program's %d: upgrade the program", v, latest)
	}
	for _, m := range migrations {
		if err := db.InTx(ctx, func(ctx context.Context) error { return db.migrate(ctx, m) }); err != nil {
			return fmt.Errorf("migrate to version %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

// migrate applies m in the transaction on ctx unless it was applied before.
func (db *DB) migrate(ctx context.Context, m migration) error {
	tx := db.conn(ctx)
	stmts, create := m.sqlite, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at DATETIME NOT NULL
	)`
	if db.driver == DriverPostgres {
		stmts, create = m.postgres, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			applied_at TIMESTAMPTZ NOT NULL
		)`
		if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(current_schema(), ?))", migrationLockID).Error; err != nil {
			return fmt.Errorf("lock: %w", err)
		}
	}
	if err := tx.Exec(create).Error; err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var n int64
	if err := tx.Model(&schemaMigrationsRow{}).Where("version = ?", m.version).Count(&n).Error; err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	if n > 0 {
		return nil
	}
	for i, stmt := range stmts {
		if err := tx.Exec(stmt).Error; err != nil {
			return fmt.Errorf("statement %d: %w", i+1, err)
		}
	}
	row := schemaMigrationsRow{Version: m.version, AppliedAt: db.now()}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("record version: %w", err)
	}
	return nil
}

// SchemaVersion returns the highest migration applied, 0 for a database
// that was never migrated.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	tx := db.conn(ctx)
	if !tx.Migrator().HasTable(&schemaMigrationsRow{}) {
		// HasTable hides errors: tell "never migrated" from "unreachable".
		if err := tx.Exec("SELECT 1").Error; err != nil {
			return 0, formatError(fmt.Errorf("schema version: %w", err))
		}
		return 0, nil
	}
	var v *int
	if err := tx.Model(&schemaMigrationsRow{}).Select("MAX(version)").Scan(&v).Error; err != nil {
		return 0, formatError(fmt.Errorf("schema version: %w", err))
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

// PostgresSchemaKey names the PostgreSQL schema the embedded migrations
// build: a hash of every version's statements, the same for two binaries
// exactly when they migrate to the same tables. Test helpers key a
// migrated template database on it, so that a test copies the schema
// instead of running every migration again.
func PostgresSchemaKey() string {
	h := sha256.New()
	for _, m := range migrations {
		fmt.Fprintf(h, "%d %s\n", m.version, m.name)
		for _, s := range m.postgres {
			h.Write([]byte(s + "\n"))
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestMigrations checks the embedded migrations as Migrate reads them.
func TestMigrations(t *testing.T) {
	if migrationsErr != nil {
		t.Fatal(migrationsErr)
	}
	for i, m := range migrations {
		if m.version != i+1 || m.name == "" || len(m.sqlite) == 0 || len(m.postgres) == 0 {
			t.Errorf("migration %d: %+v", i+1, m)
		}
	}
}

// TestMigrationsReleased pins the statements of the released versions: the
// hashes of 1–9 were taken from the Go strings these versions were written
// in before they moved into migrations/*/*.sql, so the files say the same;
// later ones when they were written. A released file is never edited (its
// comments and indentation aside): a change is a new version.
func TestMigrationsReleased(t *testing.T) {
	released := []struct {
		version          int
		sqlite, postgres string
	}{
		{1, "6332d7e2c80ae898", "b38d1788bda133c8"},
		{2, "dbf388a7a2ddbc98", "c77a8fec05efb607"},
		{3, "c237dbdab147a515", "786cd531a6438f75"},
		{4, "7b4c242ef703bbe0", "33a95480903c890d"},
		{5, "1b5381cff6c87c38", "0ea75d5fbe1e9ae9"},
		{6, "e41a3d7172763fbc", "7323a06223d0bf65"},
		{7, "f92d4c5b1de532de", "f92d4c5b1de532de"},
		{8, "10a17211bff28b73", "454c240921545e7d"},
		{9, "00d65324a0ed8c3e", "082ed95c6230ad32"},
		{10, "7ec898263d8e80b6", "3d2b85829ee0d455"},
		{11, "ce4930130c0ebe47", "1a30e6574bf55583"},
		{12, "0d40d1f3293c4148", "8128ef412dc8adb6"},
		{13, "d509569e44f7ef4d", "5d415b016a932193"},
		{14, "9452d2886b743cff", "65baf9151ed1d93d"},
		{15, "ccfac311a5931fb2", "ccfac311a5931fb2"},
		{16, "2dfa8ada13fe52c5", "6b402d8cb736ffb0"},
		{17, "89316d9920b4feef", "c7ec0c9279b8e1de"},
		{18, "d72ca9a1d5000371", "53291b3f8ca56619"},
		{19, "379b5069f247ca83", "36ca581ed5b423c7"},
		{20, "c36c604fd03bfb8e", "d3e844cdb138e072"},
		{21, "f24e895baca06835", "590efe3f8d2036d4"},
		{22, "f7320e037ce66830", "24cc0394328ad09b"},
		{23, "575970febcd8a845", "a704cf76ad2c4f13"},
		{24, "8002024f1db8bcb8", "975ae8fe1c1a6a16"},
		{25, "4b7183bf0e6ca77b", "4b7183bf0e6ca77b"},
		{26, "a19a2b612e48d6d2", "a19a2b612e48d6d2"},
		{27, "14d302a17c54136d", "0015607c32b09224"},
		{28, "14e10cb8a74c25a1", "83f91b8c4856db60"},
	}
	for _, r := range released {
		m := migrations[r.version-1]
		if got := statementsHash(m.sqlite); got != r.sqlite {
			t.Errorf("version %d on sqlite: statements hash %s, released %s", r.version, got, r.sqlite)
		}
		if got := statementsHash(m.postgres); got != r.postgres {
			t.Errorf("version %d on postgres: statements hash %s, released %s", r.version, got, r.postgres)
		}
	}
}

// statementsHash hashes stmts with their runs of white space folded.
func statementsHash(stmts []string) string {
	h := sha256.New()
	for _, s := range stmts {
		h.Write([]byte(strings.Join(strings.Fields(s), " ") + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func TestLoadMigrations(t *testing.T) {
	const create, alter = "CREATE TABLE t (\n\tid INTEGER\n);\n", "-- A comment; not a statement\nALTER TABLE t ADD COLUMN x TEXT;\n"
	files := func(names ...string) fstest.MapFS {
		fsys := fstest.MapFS{}
		for _, n := range names {
			text := create
			if !strings.Contains(n, "0001") {
				text = alter
			}
			fsys["migrations/"+n] = &fstest.MapFile{Data: []byte(text)}
		}
		return fsys
	}
	t.Run("OK", func(t *testing.T) {
		ms, err := loadMigrations(files("sqlite/0001_t.sql", "sqlite/0002_x.sql", "postgres/0001_t.sql", "postgres/0002_x.sql"))
		if err != nil {
			t.Fatal(err)
		}
		want := []migration{
			{version: 1, name: "t", sqlite: []string{"CREATE TABLE t (\n\tid INTEGER\n)"}, postgres: []string{"CREATE TABLE t (\n\tid INTEGER\n)"}},
			{version: 2, name: "x", sqlite: []string{"ALTER TABLE t ADD COLUMN x TEXT"}, postgres: []string{"ALTER TABLE t ADD COLUMN x TEXT"}},
		}
		if !slices.EqualFunc(ms, want, func(a, b migration) bool {
			return a.version == b.version && a.name == b.name && slices.Equal(a.sqlite, b.sqlite) && slices.Equal(a.postgres, b.postgres)
		}) {
			t.Fatalf("got %+v", ms)
		}
	})
	for _, tt := range []struct {
		name  string
		fsys  fstest.MapFS
		error string
	}{
		{"ErrGap", files("sqlite/0001_t.sql", "sqlite/0003_x.sql", "postgres/0001_t.sql", "postgres/0003_x.sql"),
			"migrations/sqlite/0003_x.sql: expected version 2 next"},
		{"ErrRepeat", files("sqlite/0001_t.sql", "sqlite/0001_x.sql", "postgres/0001_t.sql"),
			"migrations/sqlite/0001_x.sql: expected version 2 next"},
		{"ErrNotFromOne", files("sqlite/0002_x.sql", "postgres/0002_x.sql"),
			"migrations/sqlite/0002_x.sql: expected version 1 next"},
		{"ErrPostgresMissing", files("sqlite/0001_t.sql", "sqlite/0002_x.sql", "postgres/0001_t.sql"),
			"migrations: version 2 (x) has no file in migrations/postgres"},
		{"ErrSQLiteMissing", files("sqlite/0001_t.sql", "postgres/0001_t.sql", "postgres/0002_x.sql"),
			"migrations/postgres/0002_x.sql: version 2 has no file in migrations/sqlite"},
		{"ErrDriverDirMissing", files("sqlite/0001_t.sql"), "migrations: open migrations/postgres"},
		{"ErrNameDiffers", files("sqlite/0001_t.sql", "postgres/0001_u.sql"),
			`migrations/postgres/0001_u.sql: version 1 is named "t" in migrations/sqlite`},
		{"ErrFileName", files("sqlite/1_t.sql", "postgres/1_t.sql"), "migrations/sqlite/1_t.sql: not named NNNN_name.sql"},
		{"ErrNone", fstest.MapFS{"migrations/sqlite": {Mode: fs.ModeDir}, "migrations/postgres": {Mode: fs.ModeDir}}, "migrations: none"},
		{"ErrNoSemicolon", fstest.MapFS{
			"migrations/sqlite/0001_t.sql":   {Data: []byte("CREATE TABLE t (id INTEGER);\n\nCREATE INDEX t_id_idx\n\tON t (id)\n")},
			"migrations/postgres/0001_t.sql": {Data: []byte(create)},
		}, "migrations/sqlite/0001_t.sql:3: statement not ended by a ';'"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := loadMigrations(tt.fsys); err == nil || !strings.Contains(err.Error(), tt.error) {
				t.Fatalf("error %v, want one containing %q", err, tt.error)
			}
		})
	}
}

func TestSplitStatements(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		want       []string
		error      string
	}{
		{"OK", "-- Version 1.\n-- It says why;\n\nCREATE TABLE t (\n\tid INTEGER, -- the key\n\ts TEXT DEFAULT ''\n);  \r\nCREATE INDEX i ON t (s)\n\tWHERE s <> '';\nUPDATE t SET s = 'a';",
			[]string{"CREATE TABLE t (\n\tid INTEGER, -- the key\n\ts TEXT DEFAULT ''\n)", "CREATE INDEX i ON t (s)\n\tWHERE s <> ''", "UPDATE t SET s = 'a'"}, ""},
		{"CommentInside", "CREATE TABLE t (\n\t-- the key\n\tid INTEGER\n);\n", []string{"CREATE TABLE t (\n\tid INTEGER\n)"}, ""},
		{"ErrUnended", "CREATE TABLE t (id INTEGER);\n-- next\nDROP TABLE t\n-- the end\n", nil, "3: statement not ended"},
		{"ErrEmpty", "CREATE TABLE t (id INTEGER);\n  ;\n", nil, "2: empty statement"},
		{"ErrNone", "-- nothing yet\n", nil, "1: no statements"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := splitStatements(tt.text)
			if tt.error != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.error) {
					t.Fatalf("error %v, want %q", err, tt.error)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
}

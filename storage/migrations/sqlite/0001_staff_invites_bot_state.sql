-- Staff, invites and bot state.

CREATE TABLE staff (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT NOT NULL,
	roles       TEXT NOT NULL,
	telegram_id INTEGER,
	lang        TEXT NOT NULL DEFAULT '',
	active      BOOLEAN NOT NULL DEFAULT TRUE,
	created_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX staff_name_key ON staff (name);

CREATE UNIQUE INDEX staff_telegram_id_active_key ON staff (telegram_id)
	WHERE telegram_id IS NOT NULL AND active;

CREATE TABLE invites (
	code       TEXT PRIMARY KEY,
	staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	used_at    DATETIME
);
CREATE INDEX invites_staff_id_idx ON invites (staff_id);

CREATE TABLE bot_state (
	"key" TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

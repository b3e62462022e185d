-- Inbox, outbox, chats and callback data.
-- The partial index over the unfinished messages finds each chat's
-- head (DueMessages) without walking the sent history; status is
-- in it only so that it covers that query. Its WHERE must stay
-- identical to outboxUnfinished's list.

CREATE TABLE inbound_updates (
	id          INTEGER PRIMARY KEY,
	chat_id     INTEGER NOT NULL DEFAULT 0,
	raw         BLOB NOT NULL,
	received_at DATETIME NOT NULL,
	applied_at  DATETIME
);
CREATE INDEX inbound_updates_applied_at_idx ON inbound_updates (applied_at, id);

CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	"key"           TEXT NOT NULL,
	chat_id         INTEGER NOT NULL,
	staff_id        INTEGER NOT NULL DEFAULT 0,
	text            TEXT NOT NULL DEFAULT '',
	markup          TEXT NOT NULL DEFAULT '',
	file_name       TEXT NOT NULL DEFAULT '',
	file            BLOB,
	priority        INTEGER NOT NULL DEFAULT 0,
	status          TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at DATETIME NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      DATETIME NOT NULL,
	sent_at         DATETIME,
	telegram_msg_id INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX outbox_key_key ON outbox ("key");
CREATE INDEX outbox_status_next_attempt_at_idx ON outbox (status, next_attempt_at);

CREATE INDEX outbox_unfinished_chat_id_idx ON outbox (chat_id, id, status)
	WHERE status IN ('pending', 'sending');

CREATE TABLE chats (
	chat_id    INTEGER PRIMARY KEY,
	blocked    BOOLEAN NOT NULL DEFAULT FALSE,
	blocked_at DATETIME,
	notices    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE callback_data (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	data       TEXT NOT NULL,
	created_at DATETIME NOT NULL
);
CREATE INDEX callback_data_created_at_idx ON callback_data (created_at);

-- Several replicas drain one outbox: each registers a heartbeat here, so
-- that they share Telegram's 30 msg/s (each sends at 1/N of it) and /health
-- shows them; a message being sent names the replica that claimed it, so
-- that only the messages of a replica that died are sent again. (SQLite
-- serves one process; the per-chat spacing across replicas is PostgreSQL's,
-- and needs no index here.)

CREATE TABLE replicas (
	name       TEXT PRIMARY KEY,
	role       TEXT NOT NULL,
	started_at DATETIME NOT NULL,
	last_seen  DATETIME NOT NULL
);

ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';

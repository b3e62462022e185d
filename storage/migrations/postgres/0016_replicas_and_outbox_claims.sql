-- Several replicas drain one outbox: each registers a heartbeat here, so
-- that they share Telegram's 30 msg/s (each sends at 1/N of it) and /health
-- shows them; a message being sent names the replica that claimed it, so
-- that only the messages of a replica that died are sent again; and a
-- chat's last sends are found by an index, so that its 1/s (20/min for a
-- group) holds whichever replica sends next.

CREATE TABLE replicas (
	name       TEXT PRIMARY KEY,
	role       TEXT NOT NULL,
	started_at TIMESTAMPTZ NOT NULL,
	last_seen  TIMESTAMPTZ NOT NULL
);

ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';

CREATE INDEX outbox_chat_sent_at_idx ON outbox (chat_id, sent_at)
	WHERE sent_at IS NOT NULL;

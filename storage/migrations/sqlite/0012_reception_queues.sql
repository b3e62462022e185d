-- The showroom reception line (R5.3), until now JSON in bot_state under
-- queue:<day>, becomes two tables; the stored lines are carried over and
-- their bot_state rows removed.

CREATE TABLE reception_queues (
	day          TEXT PRIMARY KEY,
	calling      INTEGER NOT NULL DEFAULT 0,
	called_at    DATETIME,
	reception_id INTEGER NOT NULL DEFAULT 0,
	calls        INTEGER NOT NULL DEFAULT 0,
	lead_id      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE reception_entries (
	day      TEXT NOT NULL REFERENCES reception_queues (day),
	staff_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	away     BOOLEAN NOT NULL DEFAULT FALSE,
	misses   INTEGER NOT NULL DEFAULT 0,
	skipped  BOOLEAN NOT NULL DEFAULT FALSE,
	PRIMARY KEY (day, staff_id)
);

-- called_at was written by Go's encoding/json (RFC 3339, any offset):
-- strftime turns it into UTC as the store writes times.
INSERT INTO reception_queues (day, calling, called_at, reception_id, calls, lead_id)
SELECT substr("key", 7),
	COALESCE(json_extract(value, '$.calling'), 0),
	CASE WHEN COALESCE(json_extract(value, '$.calling'), 0) <> 0
		THEN strftime('%Y-%m-%d %H:%M:%f+00:00', json_extract(value, '$.called_at')) END,
	COALESCE(json_extract(value, '$.reception'), 0),
	COALESCE(json_extract(value, '$.calls'), 0),
	COALESCE(json_extract(value, '$.lead_id'), 0)
FROM bot_state WHERE "key" LIKE 'queue:%';

INSERT INTO reception_entries (day, staff_id, position, away, misses, skipped)
SELECT substr(s."key", 7), o.value, o."key",
	COALESCE((SELECT a.value FROM json_each(s.value, '$.away') a WHERE a."key" = CAST(o.value AS TEXT)), 0),
	COALESCE((SELECT m.value FROM json_each(s.value, '$.misses') m WHERE m."key" = CAST(o.value AS TEXT)), 0),
	EXISTS (SELECT 1 FROM json_each(s.value, '$.skipped') k WHERE k.value = o.value)
FROM bot_state s, json_each(s.value, '$.order') o
WHERE s."key" LIKE 'queue:%';

DELETE FROM bot_state WHERE "key" LIKE 'queue:%';

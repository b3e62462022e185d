-- The showroom reception line (R5.3), until now JSON in bot_state under
-- queue:<day>, becomes two tables; the stored lines are carried over and
-- their bot_state rows removed.

CREATE TABLE reception_queues (
	day          TEXT PRIMARY KEY,
	calling      BIGINT NOT NULL DEFAULT 0,
	called_at    TIMESTAMPTZ,
	reception_id BIGINT NOT NULL DEFAULT 0,
	calls        INTEGER NOT NULL DEFAULT 0,
	lead_id      BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE reception_entries (
	day      TEXT NOT NULL REFERENCES reception_queues (day),
	staff_id BIGINT NOT NULL,
	position INTEGER NOT NULL,
	away     BOOLEAN NOT NULL DEFAULT FALSE,
	misses   INTEGER NOT NULL DEFAULT 0,
	skipped  BOOLEAN NOT NULL DEFAULT FALSE,
	PRIMARY KEY (day, staff_id)
);

INSERT INTO reception_queues (day, calling, called_at, reception_id, calls, lead_id)
SELECT substr("key", 7),
	COALESCE((value::jsonb->>'calling')::bigint, 0),
	CASE WHEN COALESCE((value::jsonb->>'calling')::bigint, 0) <> 0
		THEN (value::jsonb->>'called_at')::timestamptz END,
	COALESCE((value::jsonb->>'reception')::bigint, 0),
	COALESCE((value::jsonb->>'calls')::integer, 0),
	COALESCE((value::jsonb->>'lead_id')::bigint, 0)
FROM bot_state WHERE "key" LIKE 'queue:%';

INSERT INTO reception_entries (day, staff_id, position, away, misses, skipped)
SELECT substr(s."key", 7), o.id::bigint, (o.n - 1)::integer,
	COALESCE((s.value::jsonb->'away'->>o.id)::boolean, FALSE),
	COALESCE((s.value::jsonb->'misses'->>o.id)::integer, 0),
	COALESCE(s.value::jsonb->'skipped' @> to_jsonb(o.id::bigint), FALSE)
FROM bot_state s, jsonb_array_elements_text(s.value::jsonb->'order') WITH ORDINALITY AS o(id, n)
WHERE s."key" LIKE 'queue:%';

DELETE FROM bot_state WHERE "key" LIKE 'queue:%';

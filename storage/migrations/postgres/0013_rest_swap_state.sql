-- A swap's stage and attempt count move from JSON in bot_state
-- ("rest-swap:<id>" = {"stage","with","day","seq"}) to the rest day's own
-- columns. The colleague and their day were already swap_with and
-- swap_day; a stage naming another colleague than swap_with is stale and
-- carried over as none.

ALTER TABLE rest_days ADD COLUMN swap_stage TEXT NOT NULL DEFAULT '';
ALTER TABLE rest_days ADD COLUMN swap_seq BIGINT NOT NULL DEFAULT 0;

UPDATE rest_days r SET
	swap_seq = COALESCE((s.value::jsonb ->> 'seq')::bigint, 0),
	swap_stage = CASE WHEN r.swap_with <> 0 AND COALESCE((s.value::jsonb ->> 'with')::bigint, 0) = r.swap_with
		THEN COALESCE(s.value::jsonb ->> 'stage', '') ELSE '' END
FROM bot_state s
WHERE s."key" = 'rest-swap:' || r.id AND s.value LIKE '{%';

DELETE FROM bot_state WHERE "key" LIKE 'rest-swap:%';

-- A swap's stage and attempt count move from JSON in bot_state
-- ("rest-swap:<id>" = {"stage","with","day","seq"}) to the rest day's own
-- columns. The colleague and their day were already swap_with and
-- swap_day; a stage naming another colleague than swap_with is stale and
-- carried over as none.

ALTER TABLE rest_days ADD COLUMN swap_stage TEXT NOT NULL DEFAULT '';
ALTER TABLE rest_days ADD COLUMN swap_seq INTEGER NOT NULL DEFAULT 0;

UPDATE rest_days SET
	swap_seq = COALESCE((SELECT CAST(json_extract(s.value, '$.seq') AS INTEGER) FROM bot_state s
		WHERE s."key" = 'rest-swap:' || rest_days.id AND json_valid(s.value)), 0),
	swap_stage = COALESCE((SELECT json_extract(s.value, '$.stage') FROM bot_state s
		WHERE s."key" = 'rest-swap:' || rest_days.id AND json_valid(s.value)
		AND COALESCE(json_extract(s.value, '$.with'), 0) = rest_days.swap_with AND rest_days.swap_with <> 0), '')
WHERE EXISTS (SELECT 1 FROM bot_state s WHERE s."key" = 'rest-swap:' || rest_days.id);

DELETE FROM bot_state WHERE "key" LIKE 'rest-swap:%';

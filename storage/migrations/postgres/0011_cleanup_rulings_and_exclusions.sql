-- Clean-up rulings and exclusions.
-- The month-end clean-up (R1.13) kept who approved a consultant's month
-- (cleanup-done:<month>:<owner> = the decider's id) and a review's
-- excluded leads (cleanup-review:<month>:<owner> = a JSON array of lead
-- ids) in bot_state. They get tables, and the rows carry over. No foreign
-- keys: the carried rows name staff and leads as they were.
CREATE TABLE cleanup_rulings (
	month      TEXT NOT NULL,
	owner_id   BIGINT NOT NULL,
	decider_id BIGINT NOT NULL,
	decided_at TIMESTAMPTZ,
	PRIMARY KEY (month, owner_id)
);
CREATE TABLE cleanup_exclusions (
	month    TEXT NOT NULL,
	owner_id BIGINT NOT NULL,
	lead_id  BIGINT NOT NULL,
	PRIMARY KEY (month, owner_id, lead_id)
);
INSERT INTO cleanup_rulings (month, owner_id, decider_id)
	SELECT split_part("key", ':', 2), split_part("key", ':', 3)::BIGINT, value::BIGINT
	FROM bot_state WHERE "key" LIKE 'cleanup-done:%';
INSERT INTO cleanup_exclusions (month, owner_id, lead_id)
	SELECT split_part(s."key", ':', 2), split_part(s."key", ':', 3)::BIGINT, j.id::BIGINT
	FROM bot_state AS s
	CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN s.value = '' THEN '[]' ELSE s.value END::jsonb) AS j(id)
	WHERE s."key" LIKE 'cleanup-review:%'
	ON CONFLICT DO NOTHING;
DELETE FROM bot_state WHERE "key" LIKE 'cleanup-done:%' OR "key" LIKE 'cleanup-review:%';

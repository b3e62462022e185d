-- Clean-up rulings and exclusions.
-- The month-end clean-up (R1.13) kept who approved a consultant's month
-- (cleanup-done:<month>:<owner> = the decider's id) and a review's
-- excluded leads (cleanup-review:<month>:<owner> = a JSON array of lead
-- ids) in bot_state. They get tables, and the rows carry over. No foreign
-- keys: the carried rows name staff and leads as they were.
CREATE TABLE cleanup_rulings (
	month      TEXT NOT NULL,
	owner_id   INTEGER NOT NULL,
	decider_id INTEGER NOT NULL,
	decided_at DATETIME,
	PRIMARY KEY (month, owner_id)
);
CREATE TABLE cleanup_exclusions (
	month    TEXT NOT NULL,
	owner_id INTEGER NOT NULL,
	lead_id  INTEGER NOT NULL,
	PRIMARY KEY (month, owner_id, lead_id)
);
-- The keys' month is always 7 characters (2026-12): cleanup-done: is 13
-- characters, cleanup-review: 15.
INSERT INTO cleanup_rulings (month, owner_id, decider_id)
	SELECT substr("key", 14, 7), CAST(substr("key", 22) AS INTEGER), CAST(value AS INTEGER)
	FROM bot_state WHERE "key" LIKE 'cleanup-done:%';
INSERT OR IGNORE INTO cleanup_exclusions (month, owner_id, lead_id)
	SELECT substr(s."key", 16, 7), CAST(substr(s."key", 24) AS INTEGER), CAST(j.value AS INTEGER)
	FROM bot_state AS s, json_each(CASE WHEN s.value = '' THEN '[]' ELSE s.value END) AS j
	WHERE s."key" LIKE 'cleanup-review:%';
DELETE FROM bot_state WHERE "key" LIKE 'cleanup-done:%' OR "key" LIKE 'cleanup-review:%';

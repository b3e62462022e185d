-- A group of stores on one database (issue 12). Every record that belongs
-- to a store carries it; the rows written before stores existed belong to
-- store 1, code "main", which a single-store config keeps using. The
-- defaults carry those rows over, and keep a replica of the previous
-- version writing (into store 1) while the group upgrades one replica at a
-- time; this version always names the store.
-- Follow-ups, complaint actions and clean-up exclusions belong to their
-- lead, complaint or ruling, and so to its store.

CREATE TABLE stores (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	code       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL DEFAULT '',
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO stores (id, code) VALUES (1, 'main');

ALTER TABLE staff ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE invites ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE leads ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE visits ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE lost_requests ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE appointments ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE handovers ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE collisions ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE lead_events ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE complaints ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE rest_days ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE duty_assignments ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE duty_patterns ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE cleanup_rulings ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reception_queues ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reception_entries ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;


-- A name is unique in its store; one open lead per customer per store
-- (R1.2): the same phone may be a lead in two stores, never merged.
DROP INDEX staff_name_key;
CREATE UNIQUE INDEX staff_store_id_name_key ON staff (store_id, name);
DROP INDEX leads_open_phone_key;
CREATE UNIQUE INDEX leads_store_id_open_phone_key ON leads (store_id, phone)
	WHERE grade IN ('N', 'H', 'A', 'B', 'C', 'O');

-- Each store has its own reception line each day: SQLite changes a
-- primary key only by building the tables anew.
CREATE TABLE reception_queues_new (
	store_id     INTEGER NOT NULL REFERENCES stores (id),
	day          TEXT NOT NULL,
	calling      INTEGER NOT NULL DEFAULT 0,
	called_at    DATETIME,
	reception_id INTEGER NOT NULL DEFAULT 0,
	calls        INTEGER NOT NULL DEFAULT 0,
	lead_id      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (store_id, day)
);
INSERT INTO reception_queues_new (store_id, day, calling, called_at, reception_id, calls, lead_id)
SELECT store_id, day, calling, called_at, reception_id, calls, lead_id FROM reception_queues;

CREATE TABLE reception_entries_old AS SELECT * FROM reception_entries;
DROP TABLE reception_entries;
DROP TABLE reception_queues;
ALTER TABLE reception_queues_new RENAME TO reception_queues;

CREATE TABLE reception_entries (
	store_id INTEGER NOT NULL,
	day      TEXT NOT NULL,
	staff_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	away     BOOLEAN NOT NULL DEFAULT FALSE,
	misses   INTEGER NOT NULL DEFAULT 0,
	skipped  BOOLEAN NOT NULL DEFAULT FALSE,
	PRIMARY KEY (store_id, day, staff_id),
	FOREIGN KEY (store_id, day) REFERENCES reception_queues (store_id, day)
);
INSERT INTO reception_entries (store_id, day, staff_id, position, away, misses, skipped)
SELECT store_id, day, staff_id, position, away, misses, skipped FROM reception_entries_old;
DROP TABLE reception_entries_old;

CREATE INDEX staff_store_id_idx ON staff (store_id);
CREATE INDEX leads_store_id_next_due_at_idx ON leads (store_id, next_due_at);
CREATE INDEX leads_store_id_phone_idx ON leads (store_id, phone);
CREATE INDEX complaints_store_id_status_idx ON complaints (store_id, status);
CREATE INDEX appointments_store_id_status_at_idx ON appointments (store_id, status, at);
CREATE INDEX duty_assignments_store_id_day_idx ON duty_assignments (store_id, day);
CREATE INDEX rest_days_store_id_day_idx ON rest_days (store_id, day);

-- The morning push counts one store's leads at a time: its counts come
-- from these indexes alone, in their order under the store.
DROP INDEX leads_due_counts_idx;
CREATE INDEX leads_store_due_counts_idx ON leads (store_id, owner_id, grade, next_due_at)
	WHERE next_due_at IS NOT NULL;
DROP INDEX leads_ungraded_idx;
CREATE INDEX leads_store_ungraded_idx ON leads (store_id, owner_id, created_at, reopened_at, grade) WHERE grade = 'N';

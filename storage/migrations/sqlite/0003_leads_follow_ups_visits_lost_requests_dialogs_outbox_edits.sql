-- Leads, follow-ups, visits, lost requests, dialogs; outbox edits.
-- leads_open_phone_key keeps one open lead per customer (R1.2,
-- R1.14): its WHERE must stay identical to leadOpenGrades, which
-- CreateLead names as its conflict target. next_due_at is NULL for
-- the grades that get no follow-up. leads_due_counts_idx answers
-- DueCounts alone, in its order (a million leads: 0.2 s, against
-- 1.3 s through leads_next_due_at_idx and the table), and holds
-- only the leads being worked, so closed ones do not slow it as
-- they pile up; leads_ungraded_idx does the same for
-- UngradedCounts (grade is in it only so that it covers the query).

CREATE TABLE leads (
	id                    INTEGER PRIMARY KEY AUTOINCREMENT,
	name                  TEXT NOT NULL,
	phone                 TEXT NOT NULL,
	gender                TEXT NOT NULL DEFAULT '',
	"returning"           BOOLEAN NOT NULL DEFAULT FALSE,
	source                TEXT NOT NULL,
	heard_via             TEXT NOT NULL DEFAULT '',
	model                 TEXT NOT NULL,
	grade                 TEXT NOT NULL,
	trade_in              BOOLEAN NOT NULL DEFAULT FALSE,
	notes                 TEXT NOT NULL DEFAULT '',
	owner_id              INTEGER NOT NULL REFERENCES staff (id),
	pool                  TEXT NOT NULL,
	created_at            DATETIME NOT NULL,
	last_contact_at       DATETIME,
	follow_ups            INTEGER NOT NULL DEFAULT 0,
	first_week_follow_ups INTEGER NOT NULL DEFAULT 0,
	next_due_at           DATETIME,
	graded_at             DATETIME,
	lost_note             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX leads_owner_id_next_due_at_idx ON leads (owner_id, next_due_at);
CREATE INDEX leads_next_due_at_idx ON leads (next_due_at);
CREATE INDEX leads_phone_idx ON leads (phone);

CREATE UNIQUE INDEX leads_open_phone_key ON leads (phone)
	WHERE grade IN ('N', 'H', 'A', 'B', 'C', 'O');

CREATE INDEX leads_due_counts_idx ON leads (owner_id, grade, next_due_at)
	WHERE next_due_at IS NOT NULL;
CREATE INDEX leads_ungraded_idx ON leads (owner_id, created_at, grade) WHERE grade = 'N';

CREATE TABLE follow_ups (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	lead_id      INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
	staff_id     INTEGER NOT NULL,
	channel      TEXT NOT NULL,
	note         TEXT NOT NULL DEFAULT '',
	at           DATETIME NOT NULL,
	grade_before TEXT NOT NULL DEFAULT '',
	grade_after  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX follow_ups_lead_id_at_idx ON follow_ups (lead_id, at);

CREATE TABLE visits (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	lead_id        INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
	registered_by  INTEGER NOT NULL,
	consultant_id  INTEGER NOT NULL DEFAULT 0,
	"first"        BOOLEAN NOT NULL DEFAULT FALSE,
	arrived_at     DATETIME NOT NULL,
	left_at        DATETIME,
	grade_prompted BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX visits_lead_id_idx ON visits (lead_id);
CREATE INDEX visits_grade_prompted_arrived_at_idx ON visits (grade_prompted, arrived_at);

CREATE TABLE lost_requests (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	lead_id      INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
	requester_id INTEGER NOT NULL,
	reason       TEXT NOT NULL,
	note         TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	decider_id   INTEGER NOT NULL DEFAULT 0,
	decided_at   DATETIME,
	answer       TEXT NOT NULL DEFAULT '',
	created_at   DATETIME NOT NULL
);
CREATE INDEX lost_requests_lead_id_status_idx ON lost_requests (lead_id, status);
CREATE UNIQUE INDEX lost_requests_pending_key ON lost_requests (lead_id) WHERE status = 'pending';

CREATE TABLE dialogs (
	chat_id    INTEGER PRIMARY KEY,
	staff_id   INTEGER NOT NULL DEFAULT 0,
	kind       TEXT NOT NULL,
	step       TEXT NOT NULL DEFAULT '',
	data       TEXT NOT NULL DEFAULT '',
	updated_at DATETIME NOT NULL
);
ALTER TABLE outbox ADD COLUMN edit_message_id INTEGER NOT NULL DEFAULT 0;

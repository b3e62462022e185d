-- Complaints and their actions.
-- lead_id is 0 when the customer is not a lead, so it has no
-- foreign key; owner_id and registered_by neither, like the other
-- tables' staff ids. valid is NULL until the complaint is judged.

CREATE TABLE complaints (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	customer         TEXT NOT NULL,
	phone            TEXT NOT NULL,
	lead_id          INTEGER NOT NULL DEFAULT 0,
	channel          TEXT NOT NULL,
	subject          TEXT NOT NULL,
	model            TEXT NOT NULL DEFAULT '',
	problem_type     TEXT NOT NULL DEFAULT '',
	problem_at       TEXT NOT NULL DEFAULT '',
	vin              TEXT NOT NULL DEFAULT '',
	appraisal        BOOLEAN NOT NULL DEFAULT FALSE,
	department       TEXT NOT NULL,
	description      TEXT NOT NULL,
	owner_id         INTEGER NOT NULL DEFAULT 0,
	registered_by    INTEGER NOT NULL DEFAULT 0,
	status           TEXT NOT NULL,
	valid            BOOLEAN,
	satisfaction     TEXT NOT NULL DEFAULT '',
	created_at       DATETIME NOT NULL,
	opened_at        DATETIME NOT NULL,
	first_reply_at   DATETIME,
	contacted_at     DATETIME,
	solution_at      DATETIME,
	opinion_at       DATETIME,
	result_at        DATETIME,
	last_progress_at DATETIME,
	closed_at        DATETIME
);
CREATE INDEX complaints_status_idx ON complaints (status);
CREATE INDEX complaints_owner_id_status_idx ON complaints (owner_id, status);
CREATE INDEX complaints_department_created_at_idx ON complaints (department, created_at);

CREATE TABLE complaint_actions (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	complaint_id INTEGER NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
	staff_id     INTEGER NOT NULL DEFAULT 0,
	kind         TEXT NOT NULL,
	note         TEXT NOT NULL DEFAULT '',
	at           DATETIME NOT NULL
);
CREATE INDEX complaint_actions_complaint_id_at_idx ON complaint_actions (complaint_id, at);

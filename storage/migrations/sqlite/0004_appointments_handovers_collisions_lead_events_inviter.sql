-- Appointments, handovers, collisions, lead events; leads' inviter.
-- handovers_pending_key and collisions_open_key keep one pending
-- handover per lead and one open collision per (lead, claimant):
-- their WHEREs must stay identical to onHandoverPendingConflict's
-- and onCollisionOpenConflict's.
ALTER TABLE leads ADD COLUMN invited_by INTEGER NOT NULL DEFAULT 0;

CREATE TABLE appointments (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	lead_id      INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
	telesales_id INTEGER NOT NULL,
	at           DATETIME NOT NULL,
	status       TEXT NOT NULL,
	reminded     BOOLEAN NOT NULL DEFAULT FALSE,
	created_at   DATETIME NOT NULL
);
CREATE INDEX appointments_status_at_idx ON appointments (status, at);
CREATE INDEX appointments_lead_id_idx ON appointments (lead_id);

CREATE TABLE handovers (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	lead_id         INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
	from_id         INTEGER NOT NULL,
	to_id           INTEGER NOT NULL,
	channel         TEXT NOT NULL DEFAULT '',
	expected_buy_by DATETIME NOT NULL,
	grade           TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL,
	reason          TEXT NOT NULL DEFAULT '',
	reminded_at     DATETIME,
	escalated       BOOLEAN NOT NULL DEFAULT FALSE,
	created_at      DATETIME NOT NULL,
	decided_at      DATETIME
);
CREATE UNIQUE INDEX handovers_pending_key ON handovers (lead_id) WHERE status = 'pending';
CREATE INDEX handovers_status_created_at_idx ON handovers (status, created_at);

CREATE TABLE collisions (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	lead_id     INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
	owner_id    INTEGER NOT NULL,
	claimant_id INTEGER NOT NULL,
	phone       TEXT NOT NULL,
	source      TEXT NOT NULL DEFAULT '',
	claimed_at  DATETIME NOT NULL,
	note_a      TEXT NOT NULL DEFAULT '',
	note_b      TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL,
	winner_id   INTEGER NOT NULL DEFAULT 0,
	decider_id  INTEGER NOT NULL DEFAULT 0,
	decided_at  DATETIME,
	reminded    BOOLEAN NOT NULL DEFAULT FALSE,
	escalated   BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX collisions_open_key ON collisions (lead_id, claimant_id) WHERE status = 'open';
CREATE INDEX collisions_status_claimed_at_idx ON collisions (status, claimed_at);

CREATE TABLE lead_events (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	lead_id    INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
	staff_id   INTEGER NOT NULL DEFAULT 0,
	at         DATETIME NOT NULL,
	kind       TEXT NOT NULL,
	from_value TEXT NOT NULL DEFAULT '',
	to_value   TEXT NOT NULL DEFAULT '',
	why        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX lead_events_lead_id_at_idx ON lead_events (lead_id, at);
CREATE INDEX lead_events_at_idx ON lead_events (at);

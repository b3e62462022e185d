-- Several replicas on one database: the scheduler's leader holds a lease,
-- and every firing of a cron job is recorded once under its key (the job
-- and its scheduled instant), so a new leader never runs an instant twice.

CREATE TABLE leases (
	name        TEXT PRIMARY KEY,
	holder      TEXT NOT NULL,
	acquired_at TIMESTAMPTZ NOT NULL,
	expires_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE job_runs (
	job    TEXT NOT NULL,
	at     TIMESTAMPTZ NOT NULL,
	holder TEXT NOT NULL,
	ran_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (job, at)
);

-- A file in the outbox may be a picture, sent with sendPhoto (the report's
-- chart) rather than as a document.
ALTER TABLE outbox ADD COLUMN photo BOOLEAN NOT NULL DEFAULT FALSE;

-- Outbox failure time.
-- When Telegram refused a message for good, for /health; version 8's
-- failed rows carried it in next_attempt_at.
ALTER TABLE outbox ADD COLUMN failed_at DATETIME;
UPDATE outbox SET failed_at = next_attempt_at WHERE status = 'failed';

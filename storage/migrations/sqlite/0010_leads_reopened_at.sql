-- Leads' reopening time.
-- A reopened lead's first week starts at its reopening
-- (domain.FirstWeekStart): leads_ungraded_idx carries the column so that
-- the ungraded counts still come from the index alone.
ALTER TABLE leads ADD COLUMN reopened_at DATETIME;
DROP INDEX leads_ungraded_idx;
CREATE INDEX leads_ungraded_idx ON leads (owner_id, created_at, reopened_at, grade) WHERE grade = 'N';

-- Staff departments.
ALTER TABLE staff ADD COLUMN department TEXT NOT NULL DEFAULT '';

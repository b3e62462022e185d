-- The regulation's forms (issue 15). trade_in_known: whether the
-- customer said either way about a trade-in (置换意愿), since trade_in
-- alone cannot tell "no" from "not asked"; a lead with trade_in set
-- said yes. The two indexes read a store's month of visits and of
-- handovers in time order for /export.
ALTER TABLE leads ADD COLUMN trade_in_known BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE leads SET trade_in_known = TRUE WHERE trade_in;
CREATE INDEX visits_store_id_arrived_at_idx ON visits (store_id, arrived_at, id);
CREATE INDEX handovers_store_id_created_at_idx ON handovers (store_id, created_at, id);

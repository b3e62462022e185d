-- Several replicas: each chat's oldest unapplied update is found by an
-- index over what is still to apply (the claim in ClaimChatHead), and the
-- one long poller a database allows holds a lease row (AcquirePollerLease).

CREATE INDEX inbound_updates_unapplied_chat_idx ON inbound_updates (chat_id, id)
	WHERE applied_at IS NULL;

CREATE TABLE poller_lease (
	name       TEXT PRIMARY KEY,
	owner      TEXT NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);

-- Several replicas: each chat's oldest unapplied update is found by an
-- index over what is still to apply (the claim in ClaimChatHead). The one
-- long poller a database allows holds a row of leases (version 14).

CREATE INDEX inbound_updates_unapplied_chat_idx ON inbound_updates (chat_id, id)
	WHERE applied_at IS NULL;

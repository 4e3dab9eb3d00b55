-- The assets list query reads newest first with keyset pagination (created_at, id): a caller's own
-- live assets...
CREATE INDEX assets_owner_newest ON assets (owner_id, created_at DESC, id DESC) WHERE status <> 'DELETED';
-- ...and, when asked to include them, every owner's READY PUBLIC assets.
CREATE INDEX assets_public_newest ON assets (created_at DESC, id DESC) WHERE visibility = 'PUBLIC' AND status = 'READY';

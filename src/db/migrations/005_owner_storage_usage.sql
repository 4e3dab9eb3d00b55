-- Bytes each owner holds in PENDING and READY assets, for the storage quota. Read with one primary-key
-- lookup at each new upload, where summing the owner's assets cost more the more they held. Kept
-- exact by triggers on assets, whatever changes an asset (create, confirm, fail, delete, the jobs, a
-- manual fix), in the same transaction as the change.
CREATE TABLE owner_storage_usage (
  owner_id   text   PRIMARY KEY,
  held_bytes bigint NOT NULL
);

-- Adds each owner's change once per statement, in owner order, so that concurrent statements lock the
-- usage rows in the same order and cannot deadlock. Owners whose total does not change are not touched.
CREATE FUNCTION add_held_bytes(owners text[], deltas bigint[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO owner_storage_usage AS u (owner_id, held_bytes)
  SELECT owner_id, sum(delta) FROM unnest(owners, deltas) AS c(owner_id, delta)
  GROUP BY owner_id HAVING sum(delta) <> 0 ORDER BY owner_id
  ON CONFLICT (owner_id) DO UPDATE SET held_bytes = u.held_bytes + excluded.held_bytes
$$;

CREATE FUNCTION assets_held_bytes_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM add_held_bytes(array_agg(owner_id), array_agg(size_bytes)) FROM new_rows WHERE status IN ('PENDING', 'READY');
  RETURN NULL;
END $$;

CREATE FUNCTION assets_held_bytes_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM add_held_bytes(array_agg(owner_id), array_agg(delta)) FROM (
    SELECT owner_id, size_bytes AS delta FROM new_rows WHERE status IN ('PENDING', 'READY')
    UNION ALL
    SELECT owner_id, -size_bytes FROM old_rows WHERE status IN ('PENDING', 'READY')
  ) AS changes;
  RETURN NULL;
END $$;

CREATE FUNCTION assets_held_bytes_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM add_held_bytes(array_agg(owner_id), array_agg(-size_bytes)) FROM old_rows WHERE status IN ('PENDING', 'READY');
  RETURN NULL;
END $$;

-- Assets written by replicas still running the previous version while this migrates would slip
-- between the triggers and the count below: hold writes off until this transaction commits.
LOCK TABLE assets IN SHARE ROW EXCLUSIVE MODE;

-- Statement-level: a batch insert of many uploads updates each owner's row once, not once per upload.
CREATE TRIGGER assets_held_bytes_insert AFTER INSERT ON assets REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION assets_held_bytes_after_insert();
CREATE TRIGGER assets_held_bytes_update AFTER UPDATE ON assets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION assets_held_bytes_after_update();
CREATE TRIGGER assets_held_bytes_delete AFTER DELETE ON assets REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION assets_held_bytes_after_delete();

-- What owners held before the triggers existed.
INSERT INTO owner_storage_usage (owner_id, held_bytes)
SELECT owner_id, sum(size_bytes) FROM assets WHERE status IN ('PENDING', 'READY') GROUP BY owner_id;

-- The quota no longer sums the assets table.
DROP INDEX assets_held_bytes_by_owner;

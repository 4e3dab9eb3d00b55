-- Asset metadata: one row per upload, kept after delete (status DELETED) until purged.
CREATE TABLE assets (
  id                uuid PRIMARY KEY,
  owner_id          text        NOT NULL CHECK (length(owner_id) BETWEEN 1 AND 255),
  namespace         text        NOT NULL CHECK (namespace ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  visibility        text        NOT NULL CHECK (visibility IN ('PUBLIC', 'PRIVATE')),
  storage_key       text        NOT NULL CHECK (length(storage_key) BETWEEN 1 AND 1024 AND storage_key NOT LIKE '/%'),
  storage_region    text        NOT NULL,
  storage_bucket    text        NOT NULL,
  mime_type         text        NOT NULL CHECK (mime_type ~ '^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$'),
  size_bytes        bigint      NOT NULL CHECK (size_bytes > 0),
  checksum          text,
  original_filename text        NOT NULL CHECK (length(original_filename) BETWEEN 1 AND 255),
  upload_expires_at timestamptz NOT NULL,
  status            text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'READY', 'FAILED', 'DELETED')),
  failure_reason    text,
  idempotency_key   text        CHECK (length(idempotency_key) BETWEEN 1 AND 255),
  version           integer     NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  deleted_at        timestamptz,
  deleted_by        text,
  CONSTRAINT assets_storage_location_unique UNIQUE (storage_bucket, storage_key),
  CONSTRAINT assets_failure_reason_only_when_failed CHECK ((status = 'FAILED') = (failure_reason IS NOT NULL)),
  CONSTRAINT assets_deleted_fields_only_when_deleted CHECK ((status = 'DELETED') = (deleted_at IS NOT NULL))
);

-- Idempotency is enforced here, not by read-then-write: concurrent duplicates collide on this index.
-- A key is released (set to NULL) once its window has passed, so it can be used again.
CREATE UNIQUE INDEX assets_owner_idempotency_key ON assets (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Background expiry scans pending uploads by deadline.
CREATE INDEX assets_pending_by_expiry ON assets (upload_expires_at) WHERE status = 'PENDING';

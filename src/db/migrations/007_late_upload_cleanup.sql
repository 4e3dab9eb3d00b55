-- A presigned PUT URL cannot be revoked. An asset that leaves PENDING (FAILED, DELETED) while its URL
-- still works, or while a PUT started before it died is still streaming, can get an object afterwards:
-- nothing was uploaded yet, or its object was deleted, so the key is free and the write-once condition
-- (If-None-Match: *) lets the PUT through. Such an object was never checked, and in a public bucket
-- anyone could read it. Every FAILED or DELETED row keeps the instant its URL dies; once that (plus
-- grace) has passed, the expiry job deletes the key once more and clears the mark.
-- Adding a column without a default only changes the catalog; the partial index holds no row yet (its
-- build still reads the table once). The backfill of older rows is migration 008.
ALTER TABLE assets ADD COLUMN late_upload_cleanup_after timestamptz;

CREATE INDEX assets_late_upload_cleanup ON assets (late_upload_cleanup_after) WHERE late_upload_cleanup_after IS NOT NULL;

-- Background jobs claim stale uploads with a lease rather than a long transaction: the job checks
-- storage between claim and update, and a replica that dies mid-batch simply lets its lease run out.
ALTER TABLE assets ADD COLUMN job_lease_until timestamptz;

-- The purge job scans deleted assets by deletion time.
CREATE INDEX assets_deleted_by_time ON assets (deleted_at) WHERE status = 'DELETED';

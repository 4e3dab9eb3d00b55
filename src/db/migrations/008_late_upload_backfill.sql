-- Rows settled before migration 007 whose upload URL could still have been used lately (upload TTLs are
-- at most 7 days): their keys get the same one more delete. A separate migration from 007, so that this
-- scan of the table runs under row locks only, not under 007's exclusive table lock. Late uploads older
-- than that are left to the orphan sweep, which reports them (and deletes them with ORPHAN_DELETE=true).
UPDATE assets SET late_upload_cleanup_after = upload_expires_at
WHERE status IN ('FAILED', 'DELETED') AND upload_expires_at > now() - interval '8 days';

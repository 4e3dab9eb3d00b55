-- Per-owner rate-limit counters of rate-limiter-flexible (RateLimiterPostgres), shared by all replicas.
-- The library's own layout except for two types: key is text (an owner id alone may take 255
-- characters, before the limit's prefix), and points is double precision instead of integer, since
-- bytes per hour pass 2^31 and pg returns double precision as a JS number (exact up to 2^53) where
-- bigint would come back as a string. expire is the window's end in epoch milliseconds.
CREATE TABLE upload_limit_counters (
  key    text             PRIMARY KEY,
  points double precision NOT NULL DEFAULT 0,
  expire bigint
);

-- The storage quota sums the bytes an owner holds at each new upload: an index-only scan of that owner's entries.
CREATE INDEX assets_held_bytes_by_owner ON assets (owner_id) INCLUDE (size_bytes) WHERE status IN ('PENDING', 'READY');

/**
 * Where rate-limiter-flexible keeps its counters: the table of migration 004_upload_limits.sql,
 * created there (not by the library) so that byte counts fit and replicas never race to create it.
 */
export const COUNTERS_TABLE = { tableName: 'upload_limit_counters', tableCreated: true } as const;

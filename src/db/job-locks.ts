import type pg from 'pg';
import type { JobLock, JobLocks } from '../jobs/job.js';

// First key of the two-key advisory locks the jobs take (the second is the job's name hashed).
// The migration lock uses the one-key form, which PostgreSQL keeps in a separate space.
const JOB_LOCK_CLASS = 7318;

/**
 * One session-level advisory lock per job name, held on a dedicated connection for the whole run:
 * only one replica runs a given job at a time, and a replica that dies releases it with its session.
 */
export class PostgresJobLocks implements JobLocks {
  constructor(private readonly pool: pg.Pool) {}

  async tryAcquire(job: string): Promise<JobLock | null> {
    const client = await this.pool.connect();
    try {
      const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [JOB_LOCK_CLASS, job]);
      if (result.rows[0]?.locked) return { release: () => unlock(client, job) };
      client.release();
      return null;
    } catch (error) {
      client.release(true);
      throw error;
    }
  }
}

async function unlock(client: pg.PoolClient, job: string): Promise<void> {
  try {
    await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [JOB_LOCK_CLASS, job]);
    client.release();
  } catch {
    // Closing the session frees the lock just as well.
    client.release(true);
  }
}

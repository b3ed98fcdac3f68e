import pg from 'pg';

/** The PostgreSQL the integration tests use (this machine kind runs one; see docs/development.md). */
export const POSTGRES_ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Creates a fresh database for one test file and returns its URL, or null (with a clear message)
 * when no PostgreSQL can be reached: outside CI the tests then say they skipped.
 */
export async function freshPostgresDatabase(label: string): Promise<string | null> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    if (process.env['CI']) throw error;
    console.warn(`SKIPPED ${label}: PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL} (${String(error)})`);
    return null;
  }
  const name = `cytb_${label.replace(/\W/g, '_')}_${process.pid}_${Date.now()}`.toLowerCase().slice(0, 60);
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropPostgresDatabase(url: string | null): Promise<void> {
  if (!url) return;
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

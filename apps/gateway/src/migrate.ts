import { GatewayError } from '#core';
import { GatewayDatabase } from '#persistence';
import { loadGatewayConfig } from './config/gateway.config.js';

/**
 * `npm run migrate`: applies pending schema migrations to the node's database (the same
 * migrations on SQLite and PostgreSQL), for deployments that start with MIGRATE_ON_START=false.
 */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const db = await GatewayDatabase.open(config.database, { migrate: true });
  await db.close();
  process.stdout.write(`schema is current (${config.database.kind})\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${error instanceof GatewayError ? `${error.code} ${error.detail ?? ''}` : String(error)}\n`);
  process.exit(1);
});

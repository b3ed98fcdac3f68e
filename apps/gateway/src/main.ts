import { GatewayError } from '#core';
import { loadGatewayConfig } from './config/gateway.config.js';
import { createGatewayApp } from './gateway-app.js';

/** Starts one gateway node from its environment. */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const gateway = await createGatewayApp(config);
  gateway.app.enableShutdownHooks();
  // After Nest has stopped (HTTP closed, relay stopped), close the database and exit cleanly.
  process.once('beforeExit', () => void gateway.db.close());
  await gateway.listen();
}

main().catch((error: unknown) => {
  const detail = error instanceof GatewayError ? `${error.code}: ${error.detail ?? error.message}` : String(error);
  process.stderr.write(`gateway failed to start: ${detail}\n`);
  process.exit(1);
});

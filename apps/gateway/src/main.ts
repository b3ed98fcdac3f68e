import { GatewayError } from '#core';
import { loadGatewayConfig } from './config/gateway.config.js';
import { createGatewayApp } from './gateway-app.js';

/** Starts one gateway node from its environment. */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const gateway = await createGatewayApp(config);
  // Graceful stop: refuse new work, let the relay finish its batch, close HTTP, the agency link
  // and the database, then exit 0. A second signal forces the exit.
  const stop = (signal: string) => {
    process.stderr.write(`gateway ${config.node}: ${signal} received, stopping\n`);
    const timer = setTimeout(() => process.exit(1), config.shutdownGraceMs);
    timer.unref();
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await gateway.listen();
}

main().catch((error: unknown) => {
  const detail = error instanceof GatewayError ? `${error.code}: ${error.detail ?? error.message}` : String(error);
  process.stderr.write(`gateway failed to start: ${detail}\n`);
  process.exit(1);
});

import { startFailure, SystemClock } from '#core';
import { createSimulatorApp } from './simulator-app.js';
import { loadSimulatorConfig } from './simulator.config.js';

/** SIMULATOR entry point: a stand-in agency system for the local stack (demo only). */
async function main(): Promise<void> {
  const config = loadSimulatorConfig();
  const { app } = await createSimulatorApp({ ...config, clock: new SystemClock(), logs: true });
  app.enableShutdownHooks();
  await app.listen(config.port, '127.0.0.1');
}

main().catch((error: unknown) => {
  process.stderr.write(`agency simulator failed to start: ${startFailure(error)}\n`);
  process.exit(1);
});

import { loadAdapterConfig } from '#adapter-kit';
import { startFailure } from '#core';
import { createSichuanAdapter } from './sichuan-adapter.js';

async function main(): Promise<void> {
  const { app } = await createSichuanAdapter(loadAdapterConfig());
  app.enableShutdownHooks();
  await app.listen();
}

main().catch((error: unknown) => {
  process.stderr.write(`Sichuan adapter failed to start: ${startFailure(error)}\n`);
  process.exit(1);
});

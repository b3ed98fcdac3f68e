import { loadAdapterConfig } from '#adapter-kit';
import { startFailure } from '#core';
import { createChongqingAdapter } from './chongqing-adapter.js';

async function main(): Promise<void> {
  const { app } = await createChongqingAdapter(loadAdapterConfig());
  app.enableShutdownHooks();
  await app.listen();
}

main().catch((error: unknown) => {
  process.stderr.write(`Chongqing adapter failed to start: ${startFailure(error)}\n`);
  process.exit(1);
});

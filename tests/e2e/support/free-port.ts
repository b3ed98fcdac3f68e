import { createServer } from 'node:net';

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls a condition until it holds. The business clock stays frozen (ManualClock); this only
 * waits for asynchronous work on real sockets to land, and fails with the last value seen.
 */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
    last = await probe();
  }
  return last;
}

/**
 * Runs `attempt` again (up to `times`) when a server could not listen because another test worker
 * took the port between `freePort()` and `listen()`: ports are chosen before the servers that
 * use them start, since the federation names them first.
 *
 * @example const pair = await retryOnPortClash(() => GatewayPair.boot());
 */
export async function retryOnPortClash<T>(attempt: () => Promise<T>, times = 3): Promise<T> {
  for (let i = 1; ; i += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= times || (error as { code?: unknown } | null)?.code !== 'EADDRINUSE') throw error;
    }
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { ManualClock } from '#core';
import type { AgencyClient } from './agency-client.js';
import { createAdapterApp } from './adapter-app.js';

const CASE = 'CQ-20261123-7K3F9ZQ2M8';

const client: AgencyClient = {
  agency: 'SC.card',
  submit: async () => ({ agencyRef: 'R', duplicate: false }),
  withdraw: async () => ({ agencyRef: 'R', duplicate: false }),
  supplement: async () => ({ agencyRef: 'R', duplicate: false }),
  lookUp: async () => null,
  fetchEvents: async (cursor) => ({
    events: cursor === 0 ? [{ position: 1, toReport: () => ({ caseId: CASE, stage: 'in-production', at: '2026-11-23T10:00:00.000+08:00' }) }] : [],
  }),
};

describe('createAdapterApp', () => {
  let dir: string;
  let gateway: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dir = mkdtempSync(join(tmpdir(), 'adapter-app-'));
    // A gateway that takes the connection and never answers.
    gateway = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => gateway.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('has its status pumps wait for the gateway as long as its configuration says (ackTimeoutMs), not a fixed 5 s', async () => {
    const { app, pumpOnce, pumps } = await createAdapterApp([client], {
      port: 1,
      gatewayStatus: { host: '127.0.0.1', port: (gateway.address() as AddressInfo).port },
      stateDir: join(dir, 'state'),
      agencyKeyDir: join(dir, 'keys'),
      pollMs: 0,
      logs: false,
      linkSecret: 'adapter-app-spec-link-secret-0123456789',
      ackTimeoutMs: 200,
      clock: new ManualClock(),
    });
    try {
      const started = Date.now();
      expect(await pumpOnce()).toBe(0);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(pumps[0].lastProblem).toMatch(/timeout/i);
    } finally {
      await app.close();
    }
  });
});

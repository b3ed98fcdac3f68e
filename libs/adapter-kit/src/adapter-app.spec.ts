import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { ManualClock } from '#core';
import { createLinkClient, linkProof } from '#delivery';
import { INTL_SUITE } from '#signing';
import { AGENCY_DELIVER, type AgencyDelivery, type ForwardedRequest } from '#contracts';
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

  it('logs one JSON object per line, each line about a delivery with its caseNumber and messageId and no personal data', async () => {
    const lines: string[] = [];
    const port = await freePort();
    const secret = 'adapter-app-spec-link-secret-0123456789';
    const { app } = await createAdapterApp([client], {
      port,
      gatewayStatus: { host: '127.0.0.1', port: (gateway.address() as AddressInfo).port },
      stateDir: join(dir, 'state-logs'),
      agencyKeyDir: join(dir, 'keys'),
      pollMs: 0,
      linkSecret: secret,
      clock: new ManualClock(),
      logDestination: { write: (line: string) => lines.push(line) },
    });
    await app.listen();
    const link = createLinkClient({ kind: 'tcp', host: '127.0.0.1', port });
    try {
      const messageId = '019a0000-0000-7000-8000-000000000007';
      const delivery: AgencyDelivery = {
        messageId,
        agency: 'SC.card',
        messageType: 'ssc.apply.request',
        contractVersion: 1,
        caseId: CASE,
        forwarded: { caseId: CASE, request: { applicant: { name: '张三', idNumber: '510104199001011234' } } } as unknown as ForwardedRequest,
        proof: linkProof(secret, messageId, INTL_SUITE),
      };
      const ack = await firstValueFrom(link.send(AGENCY_DELIVER, delivery));
      expect(ack).toMatchObject({ messageId, agencyRef: 'R' });
      const text = lines.join('');
      expect(text.endsWith('\n')).toBe(true);
      const records = text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records.every((r) => r['app'] === 'adapter' && r['node'] === 'SC' && typeof r['time'] === 'string')).toBe(true);
      const handed = records.find((r) => r['msg'] === 'handed to agency');
      expect(handed).toMatchObject({ caseNumber: CASE, messageId, agency: 'SC.card', level: 30 });
      expect(text).not.toContain('张三');
      expect(text).not.toContain('510104199001011234');
    } finally {
      link.close();
      await app.close();
    }
  });
});

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

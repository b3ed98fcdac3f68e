import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '#core';
import type { OutboxRecord } from '#persistence';
import type { TrustStore } from '#signing';
import { outboxMessage } from '../../../../libs/persistence/src/records.fixtures.js';
import { PeerTransport } from './peer.transport.js';

/** A peer that answers every envelope with one problem. */
async function peerAnswering(status: number, body: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/problem+json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const message = (): OutboxRecord => ({ ...outboxMessage(1), state: 'pending', attempts: 0, leaseUntil: null, lastError: null, deadReason: null, deliveredAt: null, receipt: null });
const check = { trust: {} as TrustStore, self: 'CQ' as const, clock: new ManualClock(0), maxSkewSeconds: 60 };

describe('PeerTransport: what a peer refusal means comes from the error table', () => {
  it.each([
    [400, 'VALIDATION_FAILED', true], // before 16.3: retried for hours, as every 4xx not on a hand-kept list
    [400, 'ID_NUMBER_INVALID', true],
    [403, 'MESSAGE_NOT_ALLOWED', true],
    [404, 'CASE_NOT_FOUND', false], // the case may still be on its way
    [503, 'OVERLOADED', false],
    [400, 'A_CODE_FROM_A_NEWER_PEER', false],
    [500, undefined, false],
  ] as const)('a %i %s is permanent: %s', async (status, code, permanent) => {
    const peer = await peerAnswering(status, code === undefined ? 'not json' : JSON.stringify({ code }));
    try {
      const transport = new PeerTransport('SC', peer.url, 2000, check);
      const failure = await transport.send(message()).catch((error: unknown) => error);
      expect(failure).toMatchObject({ name: 'DeliveryFailure', permanent });
      const reason = (failure as { reason: string }).reason;
      if (code === 'A_CODE_FROM_A_NEWER_PEER') expect(reason).toBe('PEER_ANSWERED_ERROR');
      else if (code === undefined) expect(reason).toBe('PEER_UNAVAILABLE');
      else expect(reason).toBe(code);
    } finally {
      peer.server.close();
    }
  });

  it('names a refused connection PEER_UNREACHABLE, retryable', async () => {
    const peer = await peerAnswering(200, '');
    const url = peer.url;
    await new Promise((resolve) => peer.server.close(resolve));
    const failure = await new PeerTransport('SC', url, 2000, check).send(message()).catch((error: unknown) => error);
    expect(failure).toMatchObject({ reason: 'PEER_UNREACHABLE', permanent: false });
  });
});

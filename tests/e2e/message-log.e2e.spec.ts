import Database from 'better-sqlite3';
import { cardApplication } from './support/applications.js';
import { eventually } from './support/free-port.js';
import { GatewayPair } from './support/gateway-pair.js';
import { verifyMessageLog } from '../../apps/gateway/src/message-log/verify-log.js';

describe('tamper-evident message log', () => {
  let pair: GatewayPair;

  beforeAll(async () => {
    pair = await GatewayPair.start();
  }, 30_000);

  afterAll(async () => {
    await pair?.stop();
  });

  it('logs every envelope and receipt on both sides, and the offline check names the first changed or removed entry', async () => {
    for (let i = 0; i < 3; i += 1) {
      const response = await fetch(pair.cq.url('/api/v1/applications'), {
        method: 'POST',
        headers: { authorization: pair.cq.window, 'content-type': 'application/json' },
        body: JSON.stringify(cardApplication({ issuingRegion: '510104' })),
      });
      expect(response.status).toBe(201);
    }
    // CQ sent 3 requests (envelope + receipt each); SC received them and sent 3 'received' updates back.
    await eventually(() => pair.cq.gateway.db.read((s) => s.messageLog.page(0, 100)), (rows) => rows.length >= 12);
    const cqLog = await pair.cq.gateway.db.read((s) => s.messageLog.page(0, 100));
    expect(cqLog.filter((r) => r.direction === 'sent' && r.kind === 'envelope')).toHaveLength(3);
    expect(cqLog.filter((r) => r.direction === 'received' && r.kind === 'receipt')).toHaveLength(3);

    const scFile = (pair.sc.config.database as { file: string }).file;
    await pair.sc.gateway.close();
    expect(await verifyMessageLog({ kind: 'sqlite', file: scFile })).toMatchObject({ ok: true });

    // Change one stored envelope: the check names that entry.
    const raw = new Database(scFile);
    raw.prepare("UPDATE message_log SET content = content || 'x' WHERE seq = 3").run();
    expect(await verifyMessageLog({ kind: 'sqlite', file: scFile })).toEqual({ ok: false, brokenAt: 3, reason: 'CONTENT_MISMATCH' });
    raw.prepare("UPDATE message_log SET content = substr(content, 1, length(content) - 1) WHERE seq = 3").run();
    // Remove one: the gap is found where it is.
    raw.prepare('DELETE FROM message_log WHERE seq = 5').run();
    raw.close();
    expect(await verifyMessageLog({ kind: 'sqlite', file: scFile })).toEqual({ ok: false, brokenAt: 5, reason: 'SEQ_GAP' });
  }, 60_000);
});

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { GatewayDatabase, type MessageLogRecord } from '#persistence';
import { GENESIS_HASH, verifyChain, type Federation } from '#signing';
import { FederationHolder } from '../trust/federation-holder.js';
import { MessageLogService } from './message-log.service.js';

/** The federation as far as the log is concerned: its suite. */
const federationOf = (suite: 'intl' | 'gm'): Federation => ({ version: 2, serial: 1, nodes: [], rules: [], ...(suite === 'gm' ? { suite } : {}) });

/** An entry's chain hash computed by hand (the fixed encoding of libs/signing hash-chain.ts). */
const byHand = (alg: string, previous: string, r: MessageLogRecord) =>
  createHash(alg).update(JSON.stringify(['cytb-log-v1', previous, r.seq, r.at, r.direction, r.kind, r.messageId, r.sha256])).digest('hex');

describe('MessageLogService (SQLite: chained in the logging transaction)', () => {
  let dir: string;
  let db: GatewayDatabase;
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 2));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'message-log-'));
    db = await GatewayDatabase.open({ kind: 'sqlite', file: join(dir, 'gw.db') }, { migrate: true });
  });

  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const entries = (messageId: string) => [
    { direction: 'received' as const, kind: 'envelope' as const, messageId, peer: 'CQ', content: `eyJhbGciOiJTTTIifQ.envelope-${messageId}.sig` },
    { direction: 'sent' as const, kind: 'receipt' as const, messageId, peer: 'CQ', content: `eyJhbGciOiJTTTIifQ.receipt-${messageId}.sig` },
  ];
  const whole = () => db.read((s) => s.messageLog.page(0, 1000));

  it('chains with SM3 while the federation is in the gm suite, and records it in each entry', async () => {
    // Fails before issue 17.1/4: the chain was SHA-256 whatever the suite, and nothing said which.
    const log = new MessageLogService(clock, new FederationHolder(federationOf('gm')));
    await db.transaction((tx) => log.append(tx, entries('m-1')));
    const [first, second] = await whole();
    expect([first.hashAlg, second.hashAlg]).toEqual(['sm3', 'sm3']);
    expect(first.hash).toBe(byHand('sm3', GENESIS_HASH, first));
    expect(second.hash).toBe(byHand('sm3', first.hash, second));
  });

  it('chains with SHA-256 under intl, then SM3 from the moment the federation moves to gm; the log verifies entry by entry', async () => {
    const federation = new FederationHolder(federationOf('intl'));
    const log = new MessageLogService(clock, federation);
    await db.transaction((tx) => log.append(tx, entries('m-1')));
    federation.replace(federationOf('gm'));
    await db.transaction((tx) => log.append(tx, entries('m-2')));
    const all = await whole();
    expect(all.map((r) => r.hashAlg)).toEqual(['sha256', 'sha256', 'sm3', 'sm3']);
    expect(all[0].hash).toBe(byHand('sha256', GENESIS_HASH, all[0]));
    expect(all[2].hash).toBe(byHand('sm3', all[1].hash, all[2]));
    expect(verifyChain(all)).toEqual({ ok: true, count: 4 });
  });
});

import { GatewayError, ManualClock } from '#core';
import type { GatewayDatabase } from '#persistence';
import type { FileKeyStore, TrustStore } from '#signing';
import type { GatewayConfig } from '../config/gateway.config.js';
import type { FederationHolder } from '../trust/federation-holder.js';
import { CheckpointSender } from './checkpoint-sender.service.js';

/**
 * A checkpoint is a reading of the log's head taken on a timer: when the database cannot be read
 * (PostgreSQL restarting, a connection reset), the period is skipped with a warning and the next
 * one tries again. A rejection must not escape the timer as an unhandled promise rejection, which
 * would end the process (and did fail a CI run when a connection was reset mid-read).
 */
describe('CheckpointSender when the database cannot be read', () => {
  const unavailable = new GatewayError('DATABASE_UNAVAILABLE', { detail: 'write ECONNRESET' });
  const db = { read: () => Promise.reject(unavailable), transaction: () => Promise.reject(unavailable) } as unknown as GatewayDatabase;
  const federation = { current: { nodes: [{ node: 'SC' }, { node: 'CQ' }] } } as unknown as FederationHolder;
  const config = { node: 'SC', logCheckpointIntervalMs: 60_000, peerTimeoutMs: 1_000 } as unknown as GatewayConfig;
  const sender = new CheckpointSender(config, db, {} as FileKeyStore, {} as TrustStore, federation, new ManualClock(Date.UTC(2026, 11, 4)));

  it('answers each due peer as not countersigned with the database code, instead of rejecting', async () => {
    await expect(sender.checkpointDue()).resolves.toEqual([{ peer: 'CQ', ok: false, code: 'DATABASE_UNAVAILABLE' }]);
  });

  it('does the same when an operator asks for a checkpoint now', async () => {
    await expect(sender.checkpointNow()).resolves.toEqual([{ peer: 'CQ', ok: false, code: 'DATABASE_UNAVAILABLE' }]);
  });
});

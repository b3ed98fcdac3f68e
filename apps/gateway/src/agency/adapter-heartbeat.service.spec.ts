import { GatewayError } from '#core';
import { parseHeartbeat } from './adapter-heartbeat.service.js';

const valid = { adapterId: 'a1b2', beat: 3, sentAt: '2026-11-23T01:00:00.000Z', everyMs: 5000, agencies: [{ agency: 'SC.card', state: 'up', lastAnswerAt: '2026-11-23T01:00:00.000Z' }] };

describe('parseHeartbeat', () => {
  it('reads a heartbeat and ignores members it does not know', () => {
    expect(parseHeartbeat({ ...valid, future: 1, proof: 'p' })).toEqual(valid);
  });

  it('refuses a heartbeat naming every field at fault (CONTRACT_INVALID), never echoing values', () => {
    const bad = { adapterId: 'has space', beat: 0, sentAt: 'yesterday', everyMs: 5, stopping: 'yes', agencies: [{ agency: 'card', state: 'fine', lastFailureCode: 'lower' }] };
    let error: unknown;
    try {
      parseHeartbeat(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('CONTRACT_INVALID');
    expect((error as GatewayError).fields.map((f) => f.field)).toEqual([
      'adapterId',
      'beat',
      'sentAt',
      'everyMs',
      'stopping',
      'agencies[0].agency',
      'agencies[0].state',
      'agencies[0].lastFailureCode',
    ]);
    expect(JSON.stringify((error as GatewayError).fields)).not.toContain('has space');
  });

  it('refuses what is not an object', () => {
    expect(() => parseHeartbeat([1])).toThrow(expect.objectContaining({ code: 'CONTRACT_INVALID' }));
  });
});

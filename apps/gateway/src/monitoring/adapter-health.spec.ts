import type { AdapterHeartbeatRecord } from '#persistence';
import { adapterHealth } from './adapter-health.js';

const NOW = Date.UTC(2026, 10, 23, 1, 0, 0);
const beat = (over: Partial<AdapterHeartbeatRecord> & { agencies?: unknown[] } = {}): AdapterHeartbeatRecord => ({
  adapterId: 'a1',
  beat: 1,
  sentAt: NOW - 1000,
  receivedAt: NOW - 1000,
  everyMs: 5000,
  stoppedAt: null,
  agenciesJson: JSON.stringify(over.agencies ?? [{ agency: 'SC.card', state: 'up', lastAnswerAt: '2026-11-23T00:59:59.000Z' }]),
  ...over,
});

describe('adapter health from heartbeats', () => {
  it('shows an adapter that beat recently as up, and the agency it reached as up', () => {
    const health = adapterHealth([beat()], NOW, ['SC.card']);
    expect(health.adapter).toEqual({ status: 'up', data: { state: 'up', instances: 1, lastBeatAt: '2026-11-23T00:59:59.000Z' } });
    expect(health.agencies.get('SC.card')).toMatchObject({ status: 'up', data: { state: 'up' } });
  });

  it('shows an adapter down after three missed beats (a kill -9 says nothing), its agencies unknown', () => {
    const silent = beat({ receivedAt: NOW - 15_001, sentAt: NOW - 15_001 });
    const health = adapterHealth([silent], NOW, ['SC.card']);
    expect(health.adapter).toMatchObject({ status: 'degraded', data: { state: 'down', instances: 0, message: expect.stringContaining('no heartbeat for 15 s') } });
    expect(health.agencies.get('SC.card')).toMatchObject({ status: 'degraded', data: { state: 'unknown' } });
    // Two missed beats are not yet down.
    expect(adapterHealth([beat({ receivedAt: NOW - 14_000 })], NOW, []).adapter.data['state']).toBe('up');
  });

  it('shows an adapter that said it was stopping as down at once', () => {
    expect(adapterHealth([beat({ stoppedAt: NOW - 10 })], NOW, []).adapter).toMatchObject({ status: 'degraded', data: { state: 'down', message: expect.stringContaining('stopped') } });
  });

  it('shows down, not up, an adapter whose last beat waited in a queue longer than three beats', () => {
    const late = beat({ sentAt: NOW - 60_000, receivedAt: NOW - 100 });
    expect(adapterHealth([late], NOW, []).adapter.data['state']).toBe('down');
  });

  it('says no adapter ever beat, and lists every agency of the node as unknown', () => {
    const health = adapterHealth([], NOW, ['SC.card', 'SC.medical']);
    expect(health.adapter.data).toMatchObject({ state: 'down', lastBeatAt: null, message: expect.stringContaining('no adapter has sent a heartbeat') });
    expect([...health.agencies.keys()]).toEqual(['SC.card', 'SC.medical']);
  });

  it('shows an agency the live adapters cannot reach as down with the code they met, and one reached by any instance as up', () => {
    const down = { agency: 'SC.card', state: 'down', lastFailureAt: '2026-11-23T00:59:58.000Z', lastFailureCode: 'AGENCY_UNAVAILABLE' };
    expect(adapterHealth([beat({ agencies: [down] })], NOW, ['SC.card']).agencies.get('SC.card')).toEqual({
      status: 'degraded',
      data: { state: 'down', lastFailureAt: '2026-11-23T00:59:58.000Z', lastFailureCode: 'AGENCY_UNAVAILABLE', lastAnswerAt: null, message: expect.any(String) },
    });
    const mixed = adapterHealth([beat({ agencies: [down] }), beat({ adapterId: 'a2' })], NOW, ['SC.card']).agencies.get('SC.card');
    expect(mixed).toMatchObject({ status: 'up', data: { state: 'up', instancesNotReaching: 1 } });
  });
});

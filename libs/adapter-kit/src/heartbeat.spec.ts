import { ManualClock } from '#core';
import type { AgencyClient } from './agency-client.js';
import { AgencyCallError, UnmappedAgencyValue } from './agency-errors.js';
import { AgencyReachabilityLog, watchAgency } from './heartbeat.js';

function client(fetchEvents: AgencyClient['fetchEvents']): AgencyClient {
  const never = () => Promise.reject(new Error('not used'));
  return { agency: 'SC.card', submit: never, withdraw: never, supplement: never, lookUp: never, fetchEvents };
}

describe('what an adapter knows of its agencies', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 1, 0, 0));

  it('is unknown until the agency is called, up once it answered, down when it did not, with the code', async () => {
    const log = new AgencyReachabilityLog(['SC.card'], clock);
    expect(log.snapshot()).toEqual([{ agency: 'SC.card', state: 'unknown' }]);
    let answer: () => Promise<{ events: [] }> = () => Promise.resolve({ events: [] });
    const watched = watchAgency(client(() => answer()), log);
    await watched.fetchEvents(0, 10);
    expect(log.snapshot()).toEqual([{ agency: 'SC.card', state: 'up', lastAnswerAt: '2026-11-23T01:00:00.000Z' }]);
    clock.advance(1000);
    answer = () => Promise.reject(new AgencyCallError('AGENCY_UNAVAILABLE', 'the agency system did not answer'));
    await expect(watched.fetchEvents(0, 10)).rejects.toMatchObject({ code: 'AGENCY_UNAVAILABLE' });
    expect(log.snapshot()).toEqual([
      { agency: 'SC.card', state: 'down', lastAnswerAt: '2026-11-23T01:00:00.000Z', lastFailureAt: '2026-11-23T01:00:01.000Z', lastFailureCode: 'AGENCY_UNAVAILABLE' },
    ]);
  });

  it('counts a refusal by the agency as an answer, and a mapping failure of ours as nothing', async () => {
    const log = new AgencyReachabilityLog(['SC.card'], clock);
    const changes: string[] = [];
    log.onChange = () => changes.push(log.snapshot()[0].state);
    await expect(watchAgency(client(() => Promise.reject(new UnmappedAgencyValue('status', 'X', 1))), log).fetchEvents(0, 1)).rejects.toBeInstanceOf(UnmappedAgencyValue);
    expect(log.snapshot()[0].state).toBe('unknown');
    await expect(watchAgency(client(() => Promise.reject(new AgencyCallError('AGENCY_REFUSED', 'no'))), log).fetchEvents(0, 1)).rejects.toBeInstanceOf(AgencyCallError);
    expect(log.snapshot()[0].state).toBe('up');
    // A change of state calls onChange (the heartbeat goes at once); staying up does not.
    await watchAgency(client(() => Promise.resolve({ events: [] })), log).fetchEvents(0, 1);
    expect(changes).toEqual(['up']);
  });

  it('keeps the optional pension calls exactly when the client has them', () => {
    const log = new AgencyReachabilityLog(['SC.card'], clock);
    const plain = watchAgency(client(() => Promise.resolve({ events: [] })), log);
    expect(plain.contactLetter).toBeUndefined();
    expect(plain.transferReply).toBeUndefined();
  });
});

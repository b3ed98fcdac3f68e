import type { AgencyStatusAck } from '#contracts';
import type { GatewayStores } from '#persistence';
import { recordedAlone, ServiceHookRegistry, type ConversationReport } from './service-hook-registry.js';

describe('ServiceHookRegistry', () => {
  const tx = {} as GatewayStores;
  const report = (stage: string): ConversationReport =>
    ({ eventId: 'SC.pension:1', agency: 'SC.pension', caseId: 'CQ-20261123-00000000AB', stage, at: '2026-11-23T09:00:00.000+08:00', conversation: 1 }) as ConversationReport;

  it("routes a conversation report to the service whose catalogue lists its stage among the conversation's notes", async () => {
    const hooks = new ServiceHookRegistry();
    const taken: string[] = [];
    hooks.register('pension.transfer', {
      conversationReport: (_tx, r): Promise<AgencyStatusAck> => {
        taken.push(r.stage);
        return Promise.resolve({ eventId: r.eventId, duplicate: false });
      },
    });
    await expect(hooks.conversationReport(tx, report('contact-letter-issued'))).resolves.toEqual({ eventId: 'SC.pension:1', duplicate: false });
    expect(taken).toEqual(['contact-letter-issued']);
    await expect(hooks.conversationReport(tx, report('in-review'))).rejects.toMatchObject({ code: 'CASE_TRANSITION_INVALID' });
  });

  it('has no hooks for a service that registered none', () => {
    const hooks = new ServiceHookRegistry();
    hooks.register('pension.transfer', {});
    expect(hooks.of('ssc.apply')).toEqual({});
  });

  it('records a conversation report alone', () => {
    expect(recordedAlone(report('contact-letter-issued'))).toBe(true);
    const { conversation: _none, ...plain } = report('in-review');
    expect(recordedAlone(plain)).toBe(false);
  });
});

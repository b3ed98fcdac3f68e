import { isRequestMessageType } from '#contracts';
import type { DeliveryOutcome } from '#delivery';
import type { GatewayStores, OutboxRecord } from '#persistence';
import { DeliveryOutcomes } from './delivery-outcomes.js';

describe('DeliveryOutcomes', () => {
  const tx = {} as GatewayStores;
  const outcome: DeliveryOutcome = { proof: null };
  const message = (destination: string, messageType = 'status-update') => ({ messageId: 'm', destination, messageType }) as OutboxRecord;

  it('runs the handlers of the destination kind, in order, for the message types they take', async () => {
    const outcomes = new DeliveryOutcomes();
    const ran: string[] = [];
    outcomes.on('peer', (_tx, { destination }) => Promise.resolve(void ran.push(`receipt ${destination.node}`)));
    outcomes.on('peer', () => Promise.resolve(void ran.push('forwarded')), isRequestMessageType);
    outcomes.on('agency', (_tx, { destination }) => Promise.resolve(void ran.push(`agency ${destination.agency}`)));

    await outcomes.delivered(tx, message('peer:CQ', 'ssc.apply.request'), outcome);
    await outcomes.delivered(tx, message('peer:CQ'), outcome);
    await outcomes.delivered(tx, message('agency:SC.card', 'case.withdrawal'), outcome);
    await outcomes.delivered(tx, message('self', 'ssc.apply.request'), outcome);
    expect(ran).toEqual(['receipt CQ', 'forwarded', 'receipt CQ', 'agency SC.card']);
  });

  it('runs nothing for a destination that names none', async () => {
    const outcomes = new DeliveryOutcomes();
    let ran = 0;
    outcomes.on('peer', () => Promise.resolve(void (ran += 1)));
    await outcomes.delivered(tx, message('peer:XX'), outcome);
    expect(ran).toBe(0);
  });
});

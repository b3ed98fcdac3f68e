import { AgencyCallError, callAgency, type AgencyClient, type FeedEvent } from '#adapter-kit';
import type { AgencyDelivery } from '#contracts';
import { fromChongqingEvent, toChongqing, type ChongqingEvent } from './chongqing-mapping.js';

/** The Chongqing card service's HTTP interface, as this adapter calls it. */
export class ChongqingCardServiceClient implements AgencyClient {
  readonly agency = 'CQ.card' as const;

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async submit(delivery: AgencyDelivery): Promise<{ agencyRef: string; duplicate: boolean }> {
    const { status, body } = await callAgency<{ success?: boolean; orderNo?: string; repeated?: boolean; errCode?: string; errMsg?: string }>(
      `${this.baseUrl}/sim/cq/ssc/orders`,
      { method: 'POST', body: toChongqing(delivery.forwarded ?? missingRequest()), timeoutMs: this.timeoutMs },
    );
    if (status >= 400 || body.success !== true || typeof body.orderNo !== 'string') {
      throw new AgencyCallError('AGENCY_REFUSED', true, `Chongqing card service refused: ${body.errCode ?? status} ${body.errMsg ?? ''}`.trim());
    }
    return { agencyRef: body.orderNo, duplicate: body.repeated === true };
  }

  async fetchEvents(cursor: number, limit: number): Promise<{ events: FeedEvent[] }> {
    const { body } = await callAgency<{ success?: boolean; events?: ChongqingEvent[] }>(
      `${this.baseUrl}/sim/cq/ssc/orders/events?cursor=${cursor}&size=${limit}`,
      { method: 'GET', timeoutMs: this.timeoutMs },
    );
    if (body.success !== true || !Array.isArray(body.events)) {
      throw new AgencyCallError('AGENCY_UNAVAILABLE', false, 'unexpected event feed answer');
    }
    return { events: body.events.map((e) => ({ position: e.eventNo, toReport: () => fromChongqingEvent(e) })) };
  }
}

function missingRequest(): never {
  throw new AgencyCallError('AGENCY_REFUSED', true, 'the delivery carries no forwarded request');
}

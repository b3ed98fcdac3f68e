import { AgencyCallError, callAgency, type AgencyClient, type FeedEvent } from '#adapter-kit';
import type { AgencyDelivery } from '#contracts';
import { fromSichuanEvent, toSichuan, type SichuanEvent } from './sichuan-mapping.js';

/** The Sichuan card centre's HTTP interface, as this adapter calls it. */
export class SichuanCardCentreClient implements AgencyClient {
  readonly agency = 'SC.card' as const;

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async submit(delivery: AgencyDelivery): Promise<{ agencyRef: string; duplicate: boolean }> {
    const { status, body } = await callAgency<{ code?: string; msg?: string; data?: { slh?: string; cf?: boolean } }>(
      `${this.baseUrl}/sim/sc/card/applications`,
      { method: 'POST', body: toSichuan(delivery.forwarded ?? missingRequest()), timeoutMs: this.timeoutMs },
    );
    if (status >= 400 || body.code !== '0000' || typeof body.data?.slh !== 'string') {
      throw new AgencyCallError('AGENCY_REFUSED', true, `Sichuan card centre refused: ${body.code ?? status} ${body.msg ?? ''}`.trim());
    }
    return { agencyRef: body.data.slh, duplicate: body.data.cf === true };
  }

  async fetchEvents(cursor: number, limit: number): Promise<{ events: FeedEvent[] }> {
    const { body } = await callAgency<{ code?: string; data?: SichuanEvent[] }>(
      `${this.baseUrl}/sim/sc/card/events?after=${cursor}&limit=${limit}`,
      { method: 'GET', timeoutMs: this.timeoutMs },
    );
    if (body.code !== '0000' || !Array.isArray(body.data)) {
      throw new AgencyCallError('AGENCY_UNAVAILABLE', false, 'unexpected event feed answer');
    }
    return { events: body.data.map((e) => ({ position: e.xh, toReport: () => fromSichuanEvent(e) })) };
  }
}

function missingRequest(): never {
  throw new AgencyCallError('AGENCY_REFUSED', true, 'the delivery carries no forwarded request');
}

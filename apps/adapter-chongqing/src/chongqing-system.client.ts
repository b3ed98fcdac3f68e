import { AgencyCallError, callAgency, type AgencyClient, type AgencyHandOver, type FeedEvent } from '#adapter-kit';
import type { AgencyCode, CaseSupplement, CaseWithdrawal, ForwardedRequest, RejectionReason } from '#contracts';
import { fromChongqingEvent, toChongqingDocuments, type ChongqingEvent } from './chongqing-mapping.js';

interface ChongqingAnswer {
  success?: boolean;
  orderNo?: string;
  repeated?: boolean;
  errCode?: string;
  errMsg?: string;
}

/**
 * What Chongqing's agency systems share over HTTP: answers `{ success, orderNo, repeated }` or
 * `{ success: false, errCode, errMsg }`; withdraw and supplements at
 * `<cases path>/{bizSerialNo}/withdraw|supplements` keyed by `requestId` (the gateway's message
 * id); a case looked up at `<cases path>/{bizSerialNo}`; a feed paged by `cursor` and `size`. A follow-up for a case the system does not know yet
 * (ORDER_NOT_FOUND) is transient: the gateway retries.
 */
export abstract class ChongqingSystemClient implements AgencyClient {
  abstract readonly agency: AgencyCode;
  protected abstract readonly refusals: Readonly<Record<string, RejectionReason>>;

  constructor(
    private readonly baseUrl: string,
    private readonly paths: { readonly cases: string; readonly events: string },
    private readonly timeoutMs = 10_000,
  ) {}

  /** The system's request for a new case: its path and body. */
  protected abstract toRequest(forwarded: ForwardedRequest): {
    path: string;
    body: object;
  };

  async submit(forwarded: ForwardedRequest, messageId: string): Promise<AgencyHandOver> {
    const { path, body } = this.toRequest(forwarded);
    // requestId on a new case too: the system's logs then name the gateway message that brought it.
    return this.post(path, { ...body, requestId: messageId });
  }

  async withdraw(withdrawal: CaseWithdrawal, messageId: string): Promise<AgencyHandOver> {
    return this.post(`${this.paths.cases}/${encodeURIComponent(withdrawal.caseId)}/withdraw`, { requestId: messageId, reason: withdrawal.reason });
  }

  async supplement(supplement: CaseSupplement, messageId: string): Promise<AgencyHandOver> {
    return this.post(`${this.paths.cases}/${encodeURIComponent(supplement.caseId)}/supplements`, {
      requestId: messageId,
      documents: toChongqingDocuments(supplement.materials),
    });
  }

  /** `GET <cases path>/{bizSerialNo}`: the orderNo of a case the system has, ORDER_NOT_FOUND when it has none. */
  async lookUp(forwarded: ForwardedRequest): Promise<AgencyHandOver | null> {
    const { status, body } = await callAgency<ChongqingAnswer>(`${this.baseUrl}/${this.paths.cases}/${encodeURIComponent(forwarded.caseId)}`, {
      method: 'GET',
      timeoutMs: this.timeoutMs,
    });
    if (status === 404 && body.errCode === 'ORDER_NOT_FOUND') return null;
    if (status !== 200 || body.success !== true || typeof body.orderNo !== 'string') {
      // Neither "found" nor "not found": the hand-over stays in doubt and the gateway retries.
      throw new AgencyCallError('AGENCY_UNAVAILABLE', `${this.agency} look-up answered ${body.errCode ?? status}`);
    }
    return { agencyRef: body.orderNo, duplicate: true };
  }

  async fetchEvents(cursor: number, limit: number): Promise<{ events: FeedEvent[] }> {
    const { body } = await callAgency<{
      success?: boolean;
      events?: ChongqingEvent[];
    }>(`${this.baseUrl}/${this.paths.events}?cursor=${cursor}&size=${limit}`, {
      method: 'GET',
      timeoutMs: this.timeoutMs,
    });
    if (body.success !== true || !Array.isArray(body.events)) {
      throw new AgencyCallError('AGENCY_UNAVAILABLE', 'unexpected event feed answer');
    }
    return {
      events: body.events.map((e) => ({
        position: e.eventNo,
        toReport: () => fromChongqingEvent(e, this.refusals),
      })),
    };
  }

  protected async post(path: string, payload: object): Promise<AgencyHandOver> {
    const { status, body } = await callAgency<ChongqingAnswer>(`${this.baseUrl}/${path}`, {
      method: 'POST',
      body: payload,
      timeoutMs: this.timeoutMs,
    });
    if (status === 404 && body.errCode === 'ORDER_NOT_FOUND') {
      throw new AgencyCallError('AGENCY_CASE_UNKNOWN', `${this.agency} does not have the case yet`);
    }
    if (status >= 400 || body.success !== true || typeof body.orderNo !== 'string') {
      throw new AgencyCallError('AGENCY_REFUSED', `${this.agency} refused: ${body.errCode ?? status} ${body.errMsg ?? ''}`.trim());
    }
    return { agencyRef: body.orderNo, duplicate: body.repeated === true };
  }
}

/** The forwarded request's service does not belong to this agency. */
export function wrongService(agency: string, service: string): never {
  throw new AgencyCallError('AGENCY_REFUSED', `${agency} does not handle ${service}`);
}

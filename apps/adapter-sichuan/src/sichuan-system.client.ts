import { AgencyCallError, callAgency, type AgencyClient, type AgencyHandOver, type FeedEvent } from '#adapter-kit';
import type { AgencyCode, CaseSupplement, CaseWithdrawal, ForwardedRequest, RejectionReason } from '#contracts';
import { fromSichuanEvent, toSichuanMaterials, type SichuanEvent } from './sichuan-mapping.js';

interface SichuanAnswer {
  code?: string;
  msg?: string;
  data?: { slh?: string; cf?: boolean };
}

/**
 * What Sichuan's agency systems share over HTTP: each system lives under its own path
 * (`/sim/sc/card`, `/sim/sc/yb`, `/sim/sc/sb` on the simulator) with the same conventions —
 * answers `{ code: '0000', data: { slh 受理号, cf 重复 } }`, 撤回 at `chehui` and 补正 at
 * `buzheng` keyed by 请求流水号 qqlsh (the gateway's message id), 业务查询 at `ywcx`, a feed at `events`. A
 * follow-up for a case the system does not know yet (E0404) is transient: the gateway retries.
 */
export abstract class SichuanSystemClient implements AgencyClient {
  abstract readonly agency: AgencyCode;
  /** The system's reason codes (yydm → canonical). */
  protected abstract readonly reasons: Readonly<Record<string, RejectionReason>>;

  constructor(
    private readonly baseUrl: string,
    private readonly path: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** The system's request for a new case: where it goes and its body. */
  protected abstract toRequest(forwarded: ForwardedRequest): {
    endpoint: string;
    body: object;
  };

  async submit(forwarded: ForwardedRequest, messageId: string): Promise<AgencyHandOver> {
    const { endpoint, body } = this.toRequest(forwarded);
    // 请求流水号 on a new case too: the system's logs then name the gateway message that brought it.
    return this.post(endpoint, { ...body, qqlsh: messageId });
  }

  async withdraw(withdrawal: CaseWithdrawal, messageId: string): Promise<AgencyHandOver> {
    return this.post('chehui', {
      ywxtbh: withdrawal.caseId,
      qqlsh: messageId,
      chyy: withdrawal.reason,
    });
  }

  async supplement(supplement: CaseSupplement, messageId: string): Promise<AgencyHandOver> {
    return this.post('buzheng', {
      ywxtbh: supplement.caseId,
      qqlsh: messageId,
      cl: toSichuanMaterials(supplement.materials),
    });
  }

  /** 业务查询 `ywcx?ywxtbh=`: the 受理号 of a case the system has, E0404 when it has none. */
  async lookUp(forwarded: ForwardedRequest): Promise<AgencyHandOver | null> {
    const { status, body } = await callAgency<SichuanAnswer>(`${this.baseUrl}/${this.path}/ywcx?ywxtbh=${encodeURIComponent(forwarded.caseId)}`, {
      method: 'GET',
      timeoutMs: this.timeoutMs,
    });
    if (status === 404 && body.code === 'E0404') return null;
    if (status !== 200 || body.code !== '0000' || typeof body.data?.slh !== 'string') {
      // Neither "found" nor "not found": the hand-over stays in doubt and the gateway retries.
      throw new AgencyCallError('AGENCY_UNAVAILABLE', `${this.agency} look-up answered ${body.code ?? status}`);
    }
    return { agencyRef: body.data.slh, duplicate: true };
  }

  async fetchEvents(cursor: number, limit: number): Promise<{ events: FeedEvent[] }> {
    const { body } = await callAgency<{ code?: string; data?: SichuanEvent[] }>(
      `${this.baseUrl}/${this.path}/events?after=${cursor}&limit=${limit}`,
      {
        method: 'GET',
        timeoutMs: this.timeoutMs,
      },
    );
    if (body.code !== '0000' || !Array.isArray(body.data)) {
      throw new AgencyCallError('AGENCY_UNAVAILABLE', 'unexpected event feed answer');
    }
    return {
      events: body.data.map((e) => ({
        position: e.xh,
        toReport: () => fromSichuanEvent(e, this.reasons),
      })),
    };
  }

  protected async post(endpoint: string, payload: object): Promise<AgencyHandOver> {
    const { status, body } = await callAgency<SichuanAnswer>(`${this.baseUrl}/${this.path}/${endpoint}`, {
      method: 'POST',
      body: payload,
      timeoutMs: this.timeoutMs,
    });
    if (status === 404 && body.code === 'E0404') {
      throw new AgencyCallError('AGENCY_CASE_UNKNOWN', `${this.agency} does not have the case yet`);
    }
    if (status >= 400 || body.code !== '0000' || typeof body.data?.slh !== 'string') {
      throw new AgencyCallError('AGENCY_REFUSED', `${this.agency} refused: ${body.code ?? status} ${body.msg ?? ''}`.trim());
    }
    return { agencyRef: body.data.slh, duplicate: body.data.cf === true };
  }
}

/** The forwarded request's service does not belong to this agency. */
export function wrongService(agency: string, service: string): never {
  throw new AgencyCallError('AGENCY_REFUSED', `${agency} does not handle ${service}`);
}

import type { ForwardedRequest } from '#contracts';
import { CARD_YYDM, GNLX, GSLX, SQLX } from './sichuan-mapping.js';
import { SichuanSystemClient, wrongService } from './sichuan-system.client.js';

/**
 * Sichuan's card centre: card applications (`applications`) and loss reports and unblocks
 * (`guashi`), in 金保工程 field names.
 */
export class SichuanCardCentreClient extends SichuanSystemClient {
  readonly agency = 'SC.card' as const;
  protected readonly reasons = CARD_YYDM;

  constructor(baseUrl: string, timeoutMs?: number) {
    super(baseUrl, 'sim/sc/card', timeoutMs);
  }

  protected toRequest(forwarded: ForwardedRequest): {
    endpoint: string;
    body: object;
  } {
    const r = forwarded.request;
    if (r.service === 'ssc.apply') {
      return {
        endpoint: 'applications',
        body: {
          ywxtbh: forwarded.caseId,
          aac002: r.applicant.idNumber,
          aac003: r.applicant.name,
          aae005: r.applicant.phone,
          sqlx: SQLX[r.kind],
          fkdq: forwarded.route.region,
          yjdz: r.deliveryAddress.line,
          ...(r.deliveryAddress.postcode ? { yzbm: r.deliveryAddress.postcode } : {}),
          zpbh: r.photoRef,
        },
      };
    }
    if (r.service === 'ssc.loss') {
      return {
        endpoint: 'guashi',
        body: {
          ywxtbh: forwarded.caseId,
          aac002: r.applicant.idNumber,
          aac003: r.applicant.name,
          aae005: r.applicant.phone,
          czlx: r.action === 'report' ? '1' : '2',
          ...(r.lossType ? { gslx: GSLX[r.lossType] } : {}),
          gnlx: r.functions.map((f) => GNLX[f]),
          fkdq: forwarded.route.region,
          ...(r.cardNumber ? { aaz500: r.cardNumber } : {}),
        },
      };
    }
    return wrongService(this.agency, r.service);
  }
}

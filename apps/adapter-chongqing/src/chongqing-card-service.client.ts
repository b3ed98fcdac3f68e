import type { ForwardedRequest } from '#contracts';
import { APPLY_TYPE, CARD_REFUSE, LOSS_MODE, SCOPE } from './chongqing-mapping.js';
import { ChongqingSystemClient, wrongService } from './chongqing-system.client.js';

/** Chongqing's card service: card orders and loss reports (one feed for both). */
export class ChongqingCardServiceClient extends ChongqingSystemClient {
  readonly agency = 'CQ.card' as const;
  protected readonly refusals = CARD_REFUSE;

  constructor(baseUrl: string, timeoutMs?: number) {
    super(baseUrl, { cases: 'sim/cq/ssc/orders', events: 'sim/cq/ssc/orders/events' }, timeoutMs);
  }

  protected toRequest(forwarded: ForwardedRequest): {
    path: string;
    body: object;
  } {
    const r = forwarded.request;
    if (r.service === 'ssc.apply') {
      return {
        path: 'sim/cq/ssc/orders',
        body: {
          bizSerialNo: forwarded.caseId,
          certNo: r.applicant.idNumber,
          personName: r.applicant.name,
          mobile: r.applicant.phone,
          applyType: APPLY_TYPE[r.kind],
          cardAreaCode: forwarded.route.region,
          mailAddress: {
            detail: r.deliveryAddress.line,
            ...(r.deliveryAddress.postcode ? { zip: r.deliveryAddress.postcode } : {}),
          },
          photoId: r.photoRef,
        },
      };
    }
    if (r.service === 'ssc.loss') {
      return {
        path: 'sim/cq/ssc/loss-reports',
        body: {
          bizSerialNo: forwarded.caseId,
          certNo: r.applicant.idNumber,
          personName: r.applicant.name,
          mobile: r.applicant.phone,
          operation: r.action === 'report' ? 'REPORT_LOSS' : 'UNBLOCK',
          ...(r.lossType ? { lossMode: LOSS_MODE[r.lossType] } : {}),
          scopes: r.functions.map((f) => SCOPE[f]),
          cardAreaCode: forwarded.route.region,
          ...(r.cardNumber ? { cardNo: r.cardNumber } : {}),
        },
      };
    }
    return wrongService(this.agency, r.service);
  }
}

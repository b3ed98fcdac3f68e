import type { ForwardedRequest } from '#contracts';
import { FILING_ACTION, FILING_TYPE, MEDICAL_REFUSE, toChongqingDocuments } from './chongqing-mapping.js';
import { ChongqingSystemClient, wrongService } from './chongqing-system.client.js';

/** Chongqing's medical insurance (医保) filing service. */
export class ChongqingMedicalInsuranceClient extends ChongqingSystemClient {
  readonly agency = 'CQ.medical' as const;
  protected readonly refusals = MEDICAL_REFUSE;

  constructor(baseUrl: string, timeoutMs?: number) {
    super(
      baseUrl,
      {
        cases: 'sim/cq/medicare/filings',
        events: 'sim/cq/medicare/filings/events',
      },
      timeoutMs,
    );
  }

  protected toRequest(forwarded: ForwardedRequest): {
    path: string;
    body: object;
  } {
    const r = forwarded.request;
    if (r.service !== 'medical.filing') return wrongService(this.agency, r.service);
    return {
      path: 'sim/cq/medicare/filings',
      body: {
        bizSerialNo: forwarded.caseId,
        certNo: r.applicant.idNumber,
        personName: r.applicant.name,
        mobile: r.applicant.phone,
        action: FILING_ACTION[r.action],
        filingType: FILING_TYPE[r.filingType],
        insuredAreaCode: forwarded.route.region,
        careAreaCode: r.careRegion,
        beginDate: r.startDate,
        ...(r.endDate ? { endDate: r.endDate } : {}),
        ...(r.filingRef ? { originalSerialNo: r.filingRef } : {}),
        documents: toChongqingDocuments(r.materials),
      },
    };
  }
}

import type { ForwardedRequest } from '#contracts';
import { BALX, BA_CZLX, MEDICAL_YYDM, toSichuanDate, toSichuanMaterials } from './sichuan-mapping.js';
import { SichuanSystemClient, wrongService } from './sichuan-system.client.js';

/** Sichuan's medical insurance system (医保): 异地就医备案 at `ydjyba`. */
export class SichuanMedicalInsuranceClient extends SichuanSystemClient {
  readonly agency = 'SC.medical' as const;
  protected readonly reasons = MEDICAL_YYDM;

  constructor(baseUrl: string, timeoutMs?: number) {
    super(baseUrl, 'sim/sc/yb', timeoutMs);
  }

  protected toRequest(forwarded: ForwardedRequest): {
    endpoint: string;
    body: object;
  } {
    const r = forwarded.request;
    if (r.service !== 'medical.filing') return wrongService(this.agency, r.service);
    return {
      endpoint: 'ydjyba',
      body: {
        ywxtbh: forwarded.caseId,
        aac002: r.applicant.idNumber,
        aac003: r.applicant.name,
        aae005: r.applicant.phone,
        czlx: BA_CZLX[r.action],
        balx: BALX[r.filingType],
        cbdq: forwarded.route.region,
        jydq: r.careRegion,
        aae030: toSichuanDate(r.startDate),
        ...(r.endDate ? { aae031: toSichuanDate(r.endDate) } : {}),
        ...(r.filingRef ? { ybabh: r.filingRef } : {}),
        cl: toSichuanMaterials(r.materials),
      },
    };
  }
}

import type { ForwardedRequest } from '#contracts';
import { AAE140, GX, PENSION_YYDM, RZFS, SQRSF, ZMLX, toSichuanDate, toSichuanMaterials } from './sichuan-mapping.js';
import { SichuanSystemClient, wrongService } from './sichuan-system.client.js';

/** Sichuan's pension office (社保经办): 待遇认证 at `dyrz`, 死亡待遇申领 at `swdy`. */
export class SichuanPensionOfficeClient extends SichuanSystemClient {
  readonly agency = 'SC.pension' as const;
  protected readonly reasons = PENSION_YYDM;

  constructor(baseUrl: string, timeoutMs?: number) {
    super(baseUrl, 'sim/sc/sb', timeoutMs);
  }

  protected toRequest(forwarded: ForwardedRequest): {
    endpoint: string;
    body: object;
  } {
    const r = forwarded.request;
    if (r.service === 'pension.qualification') {
      return {
        endpoint: 'dyrz',
        body: {
          ywxtbh: forwarded.caseId,
          aac002: r.applicant.idNumber,
          aac003: r.applicant.name,
          aae005: r.applicant.phone,
          aae140: AAE140[r.pensionType],
          rzfs: RZFS[r.method],
          rznd: String(r.cycleYear),
          ffdq: forwarded.route.region,
          jzdq: r.residenceRegion,
        },
      };
    }
    if (r.service === 'pension.death-benefit') {
      return {
        endpoint: 'swdy',
        body: {
          ywxtbh: forwarded.caseId,
          swr: {
            aac002: r.deceased.idNumber,
            aac003: r.deceased.name,
            swrq: toSichuanDate(r.dateOfDeath),
          },
          swzm: { zmlx: ZMLX[r.deathProof.type], zmbh: r.deathProof.ref },
          sqr: {
            aac002: r.claimant.idNumber,
            aac003: r.claimant.name,
            aae005: r.claimant.phone,
            sqrsf: SQRSF[r.claimant.role],
            gx: GX[r.claimant.relation],
          },
          cbdq: forwarded.route.region,
          yhmc: r.payeeAccount.bankName,
          aae010: r.payeeAccount.accountNumber,
          cl: toSichuanMaterials(r.materials),
        },
      };
    }
    return wrongService(this.agency, r.service);
  }
}

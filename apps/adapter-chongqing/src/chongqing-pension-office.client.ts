import type { ForwardedRequest } from '#contracts';
import { CLAIMANT_ROLE, PENSION_REFUSE, PROOF_TYPE, RELATION, SCHEME_TYPE, VERIFY_MODE, toChongqingDocuments } from './chongqing-mapping.js';
import { ChongqingSystemClient, wrongService } from './chongqing-system.client.js';

/** Chongqing's pension office: certifications and death claims (one feed, told apart by bizType). */
export class ChongqingPensionOfficeClient extends ChongqingSystemClient {
  readonly agency = 'CQ.pension' as const;
  protected readonly refusals = PENSION_REFUSE;

  constructor(baseUrl: string, timeoutMs?: number) {
    super(baseUrl, { cases: 'sim/cq/pension/cases', events: 'sim/cq/pension/events' }, timeoutMs);
  }

  protected toRequest(forwarded: ForwardedRequest): {
    path: string;
    body: object;
  } {
    const r = forwarded.request;
    if (r.service === 'pension.qualification') {
      return {
        path: 'sim/cq/pension/certifications',
        body: {
          bizSerialNo: forwarded.caseId,
          certNo: r.applicant.idNumber,
          personName: r.applicant.name,
          mobile: r.applicant.phone,
          schemeType: SCHEME_TYPE[r.pensionType],
          verifyMode: VERIFY_MODE[r.method],
          cycleYear: r.cycleYear,
          payAreaCode: forwarded.route.region,
          residenceAreaCode: r.residenceRegion,
        },
      };
    }
    if (r.service === 'pension.death-benefit') {
      return {
        path: 'sim/cq/pension/death-claims',
        body: {
          bizSerialNo: forwarded.caseId,
          deceased: {
            certNo: r.deceased.idNumber,
            personName: r.deceased.name,
            deathDate: r.dateOfDeath,
          },
          deathProof: {
            proofType: PROOF_TYPE[r.deathProof.type],
            proofNo: r.deathProof.ref,
          },
          claimant: {
            certNo: r.claimant.idNumber,
            personName: r.claimant.name,
            mobile: r.claimant.phone,
            role: CLAIMANT_ROLE[r.claimant.role],
            relation: RELATION[r.claimant.relation],
          },
          insuredAreaCode: forwarded.route.region,
          payee: {
            bankName: r.payeeAccount.bankName,
            accountNo: r.payeeAccount.accountNumber,
          },
          documents: toChongqingDocuments(r.materials),
        },
      };
    }
    return wrongService(this.agency, r.service);
  }
}

import { AgencyCallError, type AgencyHandOver } from '#adapter-kit';
import type { Applicant, ForwardedRequest, TransferContactLetterMessage, TransferReplyMessage } from '#contracts';
import {
  CLAIMANT_ROLE,
  INSURANCE_KIND,
  PENSION_REFUSE,
  PROOF_TYPE,
  RELATION,
  SCHEME_TYPE,
  VERIFY_MODE,
  toChongqingDocuments,
  toChongqingSheet,
} from './chongqing-mapping.js';
import { ChongqingSystemClient, wrongService } from './chongqing-system.client.js';

/**
 * Chongqing's pension office: certifications, death claims and pension transfers (`transfers`,
 * then `transfers/{bizSerialNo}/contact-letters` at the transfer-out side and `…/info-sheets` at
 * the transfer-in side, each conversation told apart by seqNo); one feed, told apart by bizType.
 */
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
    if (r.service === 'pension.transfer') {
      return {
        path: 'sim/cq/pension/transfers',
        body: {
          bizSerialNo: forwarded.caseId,
          certNo: r.applicant.idNumber,
          personName: r.applicant.name,
          mobile: r.applicant.phone,
          insuranceKind: INSURANCE_KIND[r.insuranceType],
          transferInAreaCode: forwarded.route.region,
          outPlaces: r.transferOut.map((place, i) => ({
            seqNo: i + 1,
            areaCode: place.region,
            agencyName: place.agencyName,
            ...(place.agencyCreditCode ? { creditCode: place.agencyCreditCode } : {}),
            personNo: place.personNumber,
            tempAccount: place.temporaryAccount === true,
          })),
          certificateNo: r.contributionCertificateRef,
          documents: toChongqingDocuments(r.materials),
        },
      };
    }
    return wrongService(this.agency, r.service);
  }

  /** A contact letter for this office as the transfer-out side. */
  async contactLetter(letter: TransferContactLetterMessage & { readonly applicant: Applicant }): Promise<AgencyHandOver> {
    return this.post(`sim/cq/pension/transfers/${encodeURIComponent(letter.caseId)}/contact-letters`, {
      seqNo: letter.conversation,
      certNo: letter.applicant.idNumber,
      personName: letter.applicant.name,
      mobile: letter.applicant.phone,
      insuranceKind: INSURANCE_KIND[letter.insuranceType],
      transferInAreaCode: letter.transferIn.region,
      transferInAgency: letter.transferIn.agency,
      areaCode: letter.transferOut.region,
      agencyName: letter.transferOut.agencyName,
      personNo: letter.transferOut.personNumber,
      contactLetter: {
        letterNo: letter.letter.letterNo,
        bankName: letter.letter.fundAccount.bankName,
        accountName: letter.letter.fundAccount.accountName,
        accountNo: letter.letter.fundAccount.accountNumber,
        issueDate: letter.letter.issuedOn,
      },
    });
  }

  /** An information sheet for this office as the transfer-in side. */
  async transferReply(reply: TransferReplyMessage): Promise<AgencyHandOver> {
    if (reply.outcome !== 'information-sheet' || !reply.sheet) {
      throw new AgencyCallError('AGENCY_REFUSED', `${this.agency} takes information sheets only`);
    }
    return this.post(`sim/cq/pension/transfers/${encodeURIComponent(reply.caseId)}/info-sheets`, {
      seqNo: reply.conversation,
      infoSheet: toChongqingSheet(reply.sheet),
    });
  }
}

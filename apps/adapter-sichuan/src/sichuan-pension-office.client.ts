import { AgencyCallError, type AgencyHandOver } from '#adapter-kit';
import type { Applicant, ForwardedRequest, TransferContactLetterMessage, TransferReplyMessage } from '#contracts';
import { AAE140, GX, PENSION_YYDM, RZFS, SQRSF, ZMLX, ZYLX, toSichuanDate, toSichuanMaterials, toSichuanSheet } from './sichuan-mapping.js';
import { SichuanSystemClient, wrongService } from './sichuan-system.client.js';

/**
 * Sichuan's pension office (社保经办): 待遇认证 at `dyrz`, 死亡待遇申领 at `swdy`, and the pension
 * transfer: 转移接续申请 at `zyjx` (transfer-in), 联系函 at `lxh` (transfer-out), 信息表 at `xxb`
 * (transfer-in), each conversation told apart by 联系序号 lxxh.
 */
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
    if (r.service === 'pension.transfer') {
      return {
        endpoint: 'zyjx',
        body: {
          ywxtbh: forwarded.caseId,
          aac002: r.applicant.idNumber,
          aac003: r.applicant.name,
          aae005: r.applicant.phone,
          zylx: ZYLX[r.insuranceType],
          zrd: forwarded.route.region,
          zcd: r.transferOut.map((place, i) => ({
            lxxh: i + 1,
            zcdq: place.region,
            zcjgmc: place.agencyName,
            ...(place.agencyCreditCode ? { zcjgdm: place.agencyCreditCode } : {}),
            grbh: place.personNumber,
            lszh: place.temporaryAccount === true ? '1' : '0',
          })),
          jfpzbh: r.contributionCertificateRef,
          cl: toSichuanMaterials(r.materials),
        },
      };
    }
    return wrongService(this.agency, r.service);
  }

  /** 联系函 for this office as the transfer-out side (`lxh`). */
  async contactLetter(letter: TransferContactLetterMessage & { readonly applicant: Applicant }): Promise<AgencyHandOver> {
    return this.post('lxh', {
      ywxtbh: letter.caseId,
      lxxh: letter.conversation,
      aac002: letter.applicant.idNumber,
      aac003: letter.applicant.name,
      aae005: letter.applicant.phone,
      zylx: ZYLX[letter.insuranceType],
      zrd: letter.transferIn.region,
      zrjg: letter.transferIn.agency,
      zcdq: letter.transferOut.region,
      zcjgmc: letter.transferOut.agencyName,
      grbh: letter.transferOut.personNumber,
      lxh: {
        lxhbh: letter.letter.letterNo,
        khyh: letter.letter.fundAccount.bankName,
        hm: letter.letter.fundAccount.accountName,
        zh: letter.letter.fundAccount.accountNumber,
        kjrq: toSichuanDate(letter.letter.issuedOn),
      },
    });
  }

  /** 信息表 for this office as the transfer-in side (`xxb`). */
  async transferReply(reply: TransferReplyMessage): Promise<AgencyHandOver> {
    if (reply.outcome !== 'information-sheet' || !reply.sheet) {
      throw new AgencyCallError('AGENCY_REFUSED', `${this.agency} takes information sheets only`);
    }
    return this.post('xxb', { ywxtbh: reply.caseId, lxxh: reply.conversation, xxb: toSichuanSheet(reply.sheet) });
  }
}

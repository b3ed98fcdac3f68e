import { Body, Controller, Get, HttpCode, HttpException, Inject, Param, Post, Query } from '@nestjs/common';
import { SimCaseUnknown, type SimInformationSheet } from './agency-system.simulator.js';
import { PensionOfficeSimulator, type QualificationData, type TransferApplicationData } from './pension-office.simulator.js';
import { ChongqingFollowUps } from './chongqing-follow-ups.js';
import { materialsFrom, missingField } from './follow-up.simulator.js';
import { DOC_TYPE, toChongqingEvent } from './chongqing-vocabulary.js';

/**
 * SIMULATOR of Chongqing's pension office interface: certifications (schemeType EMPLOYEE /
 * RESIDENT, verifyMode COUNTER / HOME_VISIT / VIDEO, cycleYear) and death-claims (deceased,
 * deathProof, claimant, payee, documents), and pension transfers: `transfers` at the transfer-in
 * office (insuranceKind ENTERPRISE_EMPLOYEE / PUBLIC_INSTITUTION, transferInAreaCode, outPlaces
 * [{ seqNo, areaCode, agencyName, creditCode, personNo, tempAccount }], certificateNo),
 * `transfers/{bizSerialNo}/contact-letters` at the transfer-out office (seqNo, areaCode, personNo,
 * contactLetter { letterNo, bankName, accountName, accountNo, issueDate }) and
 * `transfers/{bizSerialNo}/info-sheets` back at the transfer-in office (seqNo, infoSheet { periods
 * [{ startMonth, endMonth, baseFen, months }], balanceFen, personalFen, pooledFen, totalFen,
 * relationEndDate, remitNo, remitDate }): amounts in integer fen. One event feed for all, told
 * apart by bizType.
 */
const KIND: Record<string, TransferApplicationData['insuranceType']> = {
  ENTERPRISE_EMPLOYEE: 'enterprise-employee',
  PUBLIC_INSTITUTION: 'public-institution',
};
const SCHEME: Record<string, QualificationData['pensionType']> = { EMPLOYEE: 'employee', RESIDENT: 'resident' };
const VERIFY: Record<string, QualificationData['method']> = { COUNTER: 'in-person', HOME_VISIT: 'home-visit', VIDEO: 'video' };

@Controller('sim/cq/pension')
export class ChongqingPensionOfficeController {
  private readonly followUps: ChongqingFollowUps;

  constructor(@Inject(PensionOfficeSimulator) private readonly sim: PensionOfficeSimulator) {
    this.followUps = new ChongqingFollowUps(sim);
  }

  @Post('certifications')
  @HttpCode(200)
  certify(@Body() body: Record<string, unknown>) {
    const missing = missingField(body, [
      'bizSerialNo',
      'certNo',
      'personName',
      'mobile',
      'schemeType',
      'verifyMode',
      'payAreaCode',
      'residenceAreaCode',
    ]);
    if (missing) throw new HttpException({ success: false, errCode: 'PARAM_MISSING', errMsg: `missing ${missing}` }, 400);
    const pensionType = SCHEME[body['schemeType'] as string];
    const method = VERIFY[body['verifyMode'] as string];
    if (!pensionType || !method || !Number.isInteger(body['cycleYear'])) {
      throw new HttpException({ success: false, errCode: 'PARAM_INVALID', errMsg: 'schemeType, verifyMode or cycleYear' }, 400);
    }
    if (!/^50\d{4}$/.test(body['payAreaCode'] as string))
      throw new HttpException({ success: false, errCode: 'AREA_NOT_LOCAL', errMsg: 'payAreaCode is not in Chongqing' }, 400);
    const result = this.sim.certify(body['bizSerialNo'] as string, body['certNo'] as string, {
      pensionType,
      method,
      cycleYear: body['cycleYear'] as number,
    });
    return { success: true, orderNo: result.ref, repeated: result.duplicate };
  }

  @Post('death-claims')
  @HttpCode(200)
  claim(@Body() body: Record<string, unknown>) {
    const deceased = (body['deceased'] ?? {}) as Record<string, unknown>;
    const proof = (body['deathProof'] ?? {}) as Record<string, unknown>;
    const claimant = (body['claimant'] ?? {}) as Record<string, unknown>;
    const payee = (body['payee'] ?? {}) as Record<string, unknown>;
    const missing =
      missingField(body, ['bizSerialNo', 'insuredAreaCode']) ??
      missingField(deceased, ['certNo', 'personName', 'deathDate']) ??
      missingField(proof, ['proofType', 'proofNo']) ??
      missingField(claimant, ['certNo', 'personName', 'mobile', 'role', 'relation']) ??
      missingField(payee, ['bankName', 'accountNo']);
    if (missing) throw new HttpException({ success: false, errCode: 'PARAM_MISSING', errMsg: `missing ${missing}` }, 400);
    const documents = materialsFrom(body['documents'], 'docType', 'sha256', DOC_TYPE);
    if (!documents) throw new HttpException({ success: false, errCode: 'PARAM_INVALID', errMsg: 'documents' }, 400);
    if (!/^50\d{4}$/.test(body['insuredAreaCode'] as string)) {
      throw new HttpException({ success: false, errCode: 'AREA_NOT_LOCAL', errMsg: 'insuredAreaCode is not in Chongqing' }, 400);
    }
    const result = this.sim.claimDeathBenefit(body['bizSerialNo'] as string, claimant['certNo'] as string, {
      deceasedIdNumber: deceased['certNo'] as string,
      dateOfDeath: deceased['deathDate'] as string,
      proofRef: proof['proofNo'] as string,
      materials: documents,
    });
    return { success: true, orderNo: result.ref, repeated: result.duplicate };
  }

  @Post('transfers')
  @HttpCode(200)
  applyTransfer(@Body() body: Record<string, unknown>) {
    const missing = missingField(body, ['bizSerialNo', 'certNo', 'personName', 'mobile', 'insuranceKind', 'transferInAreaCode', 'certificateNo']);
    if (missing) throw new HttpException({ success: false, errCode: 'PARAM_MISSING', errMsg: `missing ${missing}` }, 400);
    const insuranceType = KIND[body['insuranceKind'] as string];
    const outPlaces = body['outPlaces'];
    if (!insuranceType || !Array.isArray(outPlaces) || outPlaces.length === 0) {
      throw new HttpException({ success: false, errCode: 'PARAM_INVALID', errMsg: 'insuranceKind or outPlaces' }, 400);
    }
    if (!/^50\d{4}$/.test(body['transferInAreaCode'] as string)) {
      throw new HttpException({ success: false, errCode: 'AREA_NOT_LOCAL', errMsg: 'transferInAreaCode is not in Chongqing' }, 400);
    }
    const places = (outPlaces as Record<string, unknown>[]).map((p, i) => {
      const bad = missingField(p, ['areaCode', 'agencyName', 'personNo']);
      if (bad || p['seqNo'] !== i + 1 || typeof p['tempAccount'] !== 'boolean') {
        throw new HttpException({ success: false, errCode: 'PARAM_MISSING', errMsg: `missing outPlaces[${i}].${bad ?? 'seqNo/tempAccount'}` }, 400);
      }
      return { region: p['areaCode'] as string, agencyName: p['agencyName'] as string, personNumber: p['personNo'] as string, temporaryAccount: p['tempAccount'] };
    });
    const result = this.sim.applyTransfer(body['bizSerialNo'] as string, body['certNo'] as string, {
      insuranceType,
      transferInRegion: body['transferInAreaCode'] as string,
      places,
    });
    return { success: true, orderNo: result.ref, repeated: result.duplicate };
  }

  @Post('transfers/:bizSerialNo/contact-letters')
  @HttpCode(200)
  contactLetter(@Param('bizSerialNo') bizSerialNo: string, @Body() body: Record<string, unknown>) {
    const letter = (body['contactLetter'] ?? {}) as Record<string, unknown>;
    const missing =
      missingField(body, ['certNo', 'personName', 'insuranceKind', 'transferInAreaCode', 'transferInAgency', 'areaCode', 'personNo']) ??
      missingField(letter, ['letterNo', 'bankName', 'accountName', 'accountNo', 'issueDate']);
    if (missing || !Number.isInteger(body['seqNo'])) {
      throw new HttpException({ success: false, errCode: 'PARAM_MISSING', errMsg: `missing ${missing ?? 'seqNo'}` }, 400);
    }
    if (!KIND[body['insuranceKind'] as string] || !/^\d{4}-\d{2}-\d{2}$/.test(letter['issueDate'] as string)) {
      throw new HttpException({ success: false, errCode: 'PARAM_INVALID', errMsg: 'insuranceKind or issueDate' }, 400);
    }
    if (!/^50\d{4}$/.test(body['areaCode'] as string)) {
      throw new HttpException({ success: false, errCode: 'AREA_NOT_LOCAL', errMsg: 'areaCode is not in Chongqing' }, 400);
    }
    const result = this.sim.receiveContactLetter(bizSerialNo, body['seqNo'] as number, body['certNo'] as string, {
      transferInRegion: body['transferInAreaCode'] as string,
      region: body['areaCode'] as string,
      personNumber: body['personNo'] as string,
      letterNo: letter['letterNo'] as string,
    });
    return { success: true, orderNo: result.ref, repeated: result.duplicate };
  }

  @Post('transfers/:bizSerialNo/info-sheets')
  @HttpCode(200)
  informationSheet(@Param('bizSerialNo') bizSerialNo: string, @Body() body: Record<string, unknown>) {
    const sheet = chongqingSheet(body['infoSheet']);
    if (!sheet || !Number.isInteger(body['seqNo'])) throw new HttpException({ success: false, errCode: 'PARAM_INVALID', errMsg: 'infoSheet or seqNo' }, 400);
    try {
      const result = this.sim.receiveInformationSheet(bizSerialNo, body['seqNo'] as number, sheet);
      return { success: true, orderNo: result.ref, repeated: result.duplicate };
    } catch (error) {
      if (error instanceof SimCaseUnknown) throw new HttpException({ success: false, errCode: 'ORDER_NOT_FOUND', errMsg: 'no such bizSerialNo' }, 404);
      throw error;
    }
  }

  @Get('events')
  events(@Query('cursor') cursor = '0', @Query('size') size = '100') {
    const events = this.sim.eventsAfter(Number(cursor) || 0, Math.min(Number(size) || 100, 500));
    return { success: true, events: events.map((e) => toChongqingEvent('pension', e)), nextCursor: events.at(-1)?.seq ?? (Number(cursor) || 0) };
  }

  /** Whether the system has a case (bizSerialNo), and its orderNo. */
  @Get('cases/:bizSerialNo')
  lookUp(@Param('bizSerialNo') bizSerialNo: string) {
    return this.followUps.lookUp(bizSerialNo);
  }

  @Post('cases/:bizSerialNo/withdraw')
  @HttpCode(200)
  withdraw(@Param('bizSerialNo') bizSerialNo: string, @Body() body: Record<string, unknown>) {
    return this.followUps.withdraw(bizSerialNo, body);
  }

  @Post('cases/:bizSerialNo/supplements')
  @HttpCode(200)
  supplement(@Param('bizSerialNo') bizSerialNo: string, @Body() body: Record<string, unknown>) {
    return this.followUps.supplement(bizSerialNo, body);
  }
}

const fen = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isoDay = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);

/** infoSheet → the office's model, or undefined when a field is missing or malformed. */
function chongqingSheet(value: unknown): SimInformationSheet | undefined {
  const x = (value ?? {}) as Record<string, unknown>;
  if (!['balanceFen', 'personalFen', 'pooledFen', 'totalFen'].every((k) => fen(x[k])) || !Array.isArray(x['periods'])) return undefined;
  if (!isoDay(x['relationEndDate']) || !isoDay(x['remitDate']) || typeof x['remitNo'] !== 'string') return undefined;
  const periods = (x['periods'] as Record<string, unknown>[]).map((p) =>
    /^\d{4}-\d{2}$/.test(String(p['startMonth'])) && /^\d{4}-\d{2}$/.test(String(p['endMonth'])) && fen(p['baseFen']) && Number.isInteger(p['months'])
      ? { from: p['startMonth'] as string, to: p['endMonth'] as string, monthlyBaseFen: p['baseFen'], months: p['months'] as number }
      : undefined,
  );
  if (periods.some((p) => p === undefined)) return undefined;
  return {
    periods: periods as SimInformationSheet['periods'],
    personalAccountBalanceFen: x['balanceFen'] as number,
    personalTransferFen: x['personalFen'] as number,
    pooledTransferFen: x['pooledFen'] as number,
    totalTransferFen: x['totalFen'] as number,
    relationEndedOn: x['relationEndDate'],
    remittanceRef: x['remitNo'],
    remittedOn: x['remitDate'],
  };
}

import { Body, Controller, Get, HttpCode, HttpException, Inject, Param, Post, Query } from '@nestjs/common';
import { PensionOfficeSimulator, type QualificationData } from './pension-office.simulator.js';
import { ChongqingFollowUps } from './chongqing-follow-ups.js';
import { materialsFrom, missingField } from './follow-up.simulator.js';
import { DOC_TYPE, toChongqingEvent } from './chongqing-vocabulary.js';

/**
 * SIMULATOR of Chongqing's pension office interface: certifications (schemeType EMPLOYEE /
 * RESIDENT, verifyMode COUNTER / HOME_VISIT / VIDEO, cycleYear) and death-claims (deceased,
 * deathProof, claimant, payee, documents). One event feed for both, told apart by bizType.
 */
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

  @Get('events')
  events(@Query('cursor') cursor = '0', @Query('size') size = '100') {
    const events = this.sim.eventsAfter(Number(cursor) || 0, Math.min(Number(size) || 100, 500));
    return { success: true, events: events.map((e) => toChongqingEvent('pension', e)), nextCursor: events.at(-1)?.seq ?? (Number(cursor) || 0) };
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

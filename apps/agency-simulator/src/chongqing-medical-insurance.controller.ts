import { Body, Controller, Get, HttpCode, HttpException, Inject, Param, Post, Query } from '@nestjs/common';
import { MedicalInsuranceSimulator, type MedicalFilingData } from './medical-insurance.simulator.js';
import { ChongqingFollowUps } from './chongqing-follow-ups.js';
import { materialsFrom, missingField } from './follow-up.simulator.js';
import { DOC_TYPE, toChongqingEvent } from './chongqing-vocabulary.js';

/**
 * SIMULATOR of Chongqing's medical insurance (医保) filing interface: action NEW / CHANGE /
 * CANCEL; filingType LONG_TERM / TEMPORARY / EMERGENCY; ISO dates; originalSerialNo names the
 * filing to change or cancel.
 */
const ACTION: Record<string, MedicalFilingData['action']> = { NEW: 'file', CHANGE: 'change', CANCEL: 'cancel' };
const FILING_TYPE: Record<string, MedicalFilingData['filingType']> = {
  LONG_TERM: 'long-term-resident',
  TEMPORARY: 'temporary',
  EMERGENCY: 'emergency',
};
const DATE = /^\d{4}-\d{2}-\d{2}$/;

@Controller('sim/cq/medicare/filings')
export class ChongqingMedicalInsuranceController {
  private readonly followUps: ChongqingFollowUps;

  constructor(@Inject(MedicalInsuranceSimulator) private readonly sim: MedicalInsuranceSimulator) {
    this.followUps = new ChongqingFollowUps(sim);
  }

  @Post()
  @HttpCode(200)
  file(@Body() body: Record<string, unknown>) {
    const missing = missingField(body, [
      'bizSerialNo',
      'certNo',
      'personName',
      'mobile',
      'action',
      'filingType',
      'insuredAreaCode',
      'careAreaCode',
      'beginDate',
    ]);
    if (missing) throw new HttpException({ success: false, errCode: 'PARAM_MISSING', errMsg: `missing ${missing}` }, 400);
    const action = ACTION[body['action'] as string];
    const filingType = FILING_TYPE[body['filingType'] as string];
    const endDate = body['endDate'];
    const documents = materialsFrom(body['documents'], 'docType', 'sha256', DOC_TYPE);
    if (
      !action ||
      !filingType ||
      !DATE.test(body['beginDate'] as string) ||
      (endDate !== undefined && !(typeof endDate === 'string' && DATE.test(endDate))) ||
      !documents
    ) {
      throw new HttpException({ success: false, errCode: 'PARAM_INVALID', errMsg: 'action, filingType, dates or documents' }, 400);
    }
    if (!/^50\d{4}$/.test(body['insuredAreaCode'] as string)) {
      throw new HttpException({ success: false, errCode: 'AREA_NOT_LOCAL', errMsg: 'insuredAreaCode is not in Chongqing' }, 400);
    }
    if (action !== 'file' && typeof body['originalSerialNo'] !== 'string') {
      throw new HttpException({ success: false, errCode: 'PARAM_MISSING', errMsg: 'missing originalSerialNo' }, 400);
    }
    const result = this.sim.file(body['bizSerialNo'] as string, body['certNo'] as string, {
      action,
      filingType,
      startDate: body['beginDate'] as string,
      ...(typeof endDate === 'string' ? { endDate } : {}),
      ...(typeof body['originalSerialNo'] === 'string' ? { filingRef: body['originalSerialNo'] } : {}),
      materials: documents,
    });
    return { success: true, orderNo: result.ref, repeated: result.duplicate };
  }

  @Get('events')
  events(@Query('cursor') cursor = '0', @Query('size') size = '100') {
    const events = this.sim.eventsAfter(Number(cursor) || 0, Math.min(Number(size) || 100, 500));
    return { success: true, events: events.map((e) => toChongqingEvent('medical', e)), nextCursor: events.at(-1)?.seq ?? (Number(cursor) || 0) };
  }

  /** Whether the system has a case (bizSerialNo), and its orderNo. */
  @Get(':bizSerialNo')
  lookUp(@Param('bizSerialNo') bizSerialNo: string) {
    return this.followUps.lookUp(bizSerialNo);
  }

  @Post(':bizSerialNo/withdraw')
  @HttpCode(200)
  withdraw(@Param('bizSerialNo') bizSerialNo: string, @Body() body: Record<string, unknown>) {
    return this.followUps.withdraw(bizSerialNo, body);
  }

  @Post(':bizSerialNo/supplements')
  @HttpCode(200)
  supplement(@Param('bizSerialNo') bizSerialNo: string, @Body() body: Record<string, unknown>) {
    return this.followUps.supplement(bizSerialNo, body);
  }
}

import { Body, Controller, Get, HttpCode, HttpException, Inject, Post, Query } from '@nestjs/common';
import { MedicalInsuranceSimulator, type MedicalFilingData } from './medical-insurance.simulator.js';
import { SichuanFollowUps } from './sichuan-follow-ups.js';
import { materialsFrom, missingField } from './follow-up.simulator.js';
import { CLLX, fromSichuanDate, toSichuanEvent } from './sichuan-vocabulary.js';

/**
 * SIMULATOR of Sichuan's medical insurance interface for 异地就医备案 (ydjyba): czlx 1 新办,
 * 2 变更, 3 取消; balx 1 异地长期居住, 2 临时外出就医, 3 急诊抢救; aae030/aae031 start and end
 * (YYYYMMDD); ybabh 原备案的业务协同编号.
 */
const CZLX: Record<string, MedicalFilingData['action']> = { '1': 'file', '2': 'change', '3': 'cancel' };
const BALX: Record<string, MedicalFilingData['filingType']> = { '1': 'long-term-resident', '2': 'temporary', '3': 'emergency' };

@Controller('sim/sc/yb')
export class SichuanMedicalInsuranceController {
  private readonly followUps: SichuanFollowUps;

  constructor(@Inject(MedicalInsuranceSimulator) private readonly sim: MedicalInsuranceSimulator) {
    this.followUps = new SichuanFollowUps(sim);
  }

  @Post('ydjyba')
  @HttpCode(200)
  file(@Body() body: Record<string, unknown>) {
    const missing = missingField(body, ['ywxtbh', 'aac002', 'aac003', 'aae005', 'czlx', 'balx', 'cbdq', 'jydq', 'aae030']);
    if (missing) throw new HttpException({ code: 'E0001', msg: `必填项缺失或格式错误: ${missing}` }, 400);
    const action = CZLX[body['czlx'] as string];
    const filingType = BALX[body['balx'] as string];
    const startDate = fromSichuanDate(body['aae030']);
    const endDate = body['aae031'] === undefined ? undefined : fromSichuanDate(body['aae031']);
    const materials = materialsFrom(body['cl'], 'cllx', 'hash', CLLX);
    if (!action || !filingType || !startDate || (body['aae031'] !== undefined && !endDate) || !materials) {
      throw new HttpException({ code: 'E0002', msg: '操作类型、备案类型、日期或材料格式不正确' }, 400);
    }
    if (!/^51\d{4}$/.test(body['cbdq'] as string)) throw new HttpException({ code: 'E0003', msg: '参保地(cbdq)不属于本省' }, 400);
    if (action !== 'file' && typeof body['ybabh'] !== 'string') throw new HttpException({ code: 'E0001', msg: '必填项缺失或格式错误: ybabh' }, 400);
    const result = this.sim.file(body['ywxtbh'] as string, body['aac002'] as string, {
      action,
      filingType,
      startDate,
      ...(endDate ? { endDate } : {}),
      ...(typeof body['ybabh'] === 'string' ? { filingRef: body['ybabh'] } : {}),
      materials,
    });
    return { code: '0000', msg: '成功', data: { slh: result.ref, cf: result.duplicate } };
  }

  /** 业务查询: whether the system has a case (ywxtbh), and its 受理号. */
  @Get('ywcx')
  lookUp(@Query('ywxtbh') ywxtbh: unknown) {
    return this.followUps.lookUp(ywxtbh);
  }

  @Post('chehui')
  @HttpCode(200)
  withdraw(@Body() body: Record<string, unknown>) {
    return this.followUps.withdraw(body);
  }

  @Post('buzheng')
  @HttpCode(200)
  supplement(@Body() body: Record<string, unknown>) {
    return this.followUps.supplement(body);
  }

  @Get('events')
  events(@Query('after') after = '0', @Query('limit') limit = '100') {
    return {
      code: '0000',
      data: this.sim.eventsAfter(Number(after) || 0, Math.min(Number(limit) || 100, 500)).map((e) => toSichuanEvent('medical', e)),
    };
  }
}

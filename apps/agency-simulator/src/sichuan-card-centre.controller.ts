import { Body, Controller, Get, HttpCode, HttpException, Inject, Post, Query } from '@nestjs/common';
import { CardCentreSimulator, type CardApplicationKind } from './card-centre.simulator.js';
import { SichuanFollowUps } from './sichuan-follow-ups.js';
import { missingField } from './follow-up.simulator.js';
import { toSichuanEvent } from './sichuan-vocabulary.js';

/**
 * SIMULATOR of Sichuan's card centre interface, in the 金保工程 data-dictionary style
 * (aac002 ID number, aac003 name, ...). Status words and reason codes are Sichuan's own.
 */
const SQLX: Record<string, CardApplicationKind> = { '01': 'new', '02': 'reissue', '03': 'replace', '04': 'renew' };
const GSLX: Record<string, 'temporary' | 'formal'> = { '1': 'temporary', '2': 'formal' };
const GNLX: Record<string, 'social' | 'bank'> = { '1': 'social', '2': 'bank' };

@Controller('sim/sc/card')
export class SichuanCardCentreController {
  private readonly followUps: SichuanFollowUps;

  constructor(@Inject(CardCentreSimulator) private readonly sim: CardCentreSimulator) {
    this.followUps = new SichuanFollowUps(sim);
  }

  /** 社保卡申领: one application. */
  @Post('applications')
  @HttpCode(200)
  apply(@Body() body: Record<string, unknown>) {
    const missing = missingField(body, ['ywxtbh', 'aac002', 'aac003', 'aae005', 'sqlx', 'fkdq', 'yjdz', 'zpbh']);
    if (missing) throw new HttpException({ code: 'E0001', msg: `必填项缺失或格式错误: ${missing}` }, 400);
    const kind = SQLX[body['sqlx'] as string];
    if (!kind) throw new HttpException({ code: 'E0002', msg: '申请类型(sqlx)不正确' }, 400);
    this.assertLocal(body['fkdq']);
    const result = this.sim.apply(body['ywxtbh'] as string, body['aac002'] as string, { kind, photoRef: body['zpbh'] as string });
    return { code: '0000', msg: '成功', data: { slh: result.ref, cf: result.duplicate } };
  }

  /** 挂失/解挂: czlx 1 挂失, 2 解挂; gslx 1 临时, 2 正式; gnlx 1 社保功能, 2 金融功能. */
  @Post('guashi')
  @HttpCode(200)
  loss(@Body() body: Record<string, unknown>) {
    const missing = missingField(body, ['ywxtbh', 'aac002', 'aac003', 'aae005', 'czlx', 'fkdq']);
    if (missing) throw new HttpException({ code: 'E0001', msg: `必填项缺失或格式错误: ${missing}` }, 400);
    const action = body['czlx'] === '1' ? 'report' : body['czlx'] === '2' ? 'unblock' : undefined;
    const lossType = typeof body['gslx'] === 'string' ? GSLX[body['gslx']] : undefined;
    const functions = Array.isArray(body['gnlx']) ? (body['gnlx'] as unknown[]).map((g) => GNLX[String(g)]) : [];
    if (!action || (action === 'report' && !lossType) || functions.length === 0 || functions.some((f) => !f)) {
      throw new HttpException({ code: 'E0002', msg: '操作类型(czlx)、挂失类型(gslx)或功能类型(gnlx)不正确' }, 400);
    }
    this.assertLocal(body['fkdq']);
    const result = this.sim.reportLoss(body['ywxtbh'] as string, body['aac002'] as string, {
      action,
      ...(lossType ? { lossType } : {}),
      functions: functions,
      ...(typeof body['aaz500'] === 'string' ? { cardNumber: body['aaz500'] } : {}),
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
      data: this.sim.eventsAfter(Number(after) || 0, Math.min(Number(limit) || 100, 500)).map((e) => toSichuanEvent('card', e)),
    };
  }

  private assertLocal(region: unknown): void {
    if (typeof region !== 'string' || !/^51\d{4}$/.test(region)) throw new HttpException({ code: 'E0003', msg: '发卡地区(fkdq)不属于本省' }, 400);
  }
}

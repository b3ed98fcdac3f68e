import { Body, Controller, Get, HttpCode, HttpException, Inject, Post, Query } from '@nestjs/common';
import { CardCentreSimulator, type SimApplication, type SimEvent, type SimRefusal, type SimStage } from './card-centre.simulator.js';

/**
 * SIMULATOR of Sichuan's card centre interface, in the 金保工程 data-dictionary style
 * (aac002 ID number, aac003 name, ...). Status words and reason codes are Sichuan's own.
 */
const SQLX: Record<string, SimApplication['kind']> = { '01': 'new', '02': 'reissue', '03': 'replace', '04': 'renew' };
const ZT: Record<SimStage, string> = {
  audit: '资格审核',
  making: '制卡中',
  made: '制卡完成',
  posted: '已邮寄',
  received: '已领取',
  refused: '不予受理',
  'make-failed': '制卡失败',
};
const YYDM: Record<SimRefusal, [string, string]> = {
  'in-production': ['BZ01', '该人员已有社保卡在制卡中'],
  'not-insured': ['BZ02', '非本发卡地区参保人员'],
  photo: ['BZ03', '照片不符合制卡要求'],
  identity: ['BZ04', '身份信息与公安数据不符'],
  bank: ['BZ05', '银行预开户失败'],
  'no-loss-report': ['BZ06', '补卡前未办理正式挂失'],
};

interface SichuanApplication {
  ywxtbh?: unknown;
  aac002?: unknown;
  aac003?: unknown;
  aae005?: unknown;
  sqlx?: unknown;
  fkdq?: unknown;
  yjdz?: unknown;
  zpbh?: unknown;
}

@Controller('sim/sc/card')
export class SichuanCardCentreController {
  constructor(@Inject(CardCentreSimulator) private readonly sim: CardCentreSimulator) {}

  @Post('applications')
  @HttpCode(200)
  apply(@Body() body: SichuanApplication) {
    const missing = (['ywxtbh', 'aac002', 'aac003', 'aae005', 'sqlx', 'fkdq', 'yjdz', 'zpbh'] as const).find(
      (k) => typeof body?.[k] !== 'string' || body[k] === '',
    );
    if (missing) throw new HttpException({ code: 'E0001', msg: `必填项缺失或格式错误: ${missing}` }, 400);
    const kind = SQLX[body.sqlx as string];
    if (!kind) throw new HttpException({ code: 'E0002', msg: '申请类型(sqlx)不正确' }, 400);
    if (!/^\d{6}$/.test(body.fkdq as string) || !(body.fkdq as string).startsWith('51')) {
      throw new HttpException({ code: 'E0003', msg: '发卡地区(fkdq)不属于本省' }, 400);
    }
    const result = this.sim.submit({ businessKey: body.ywxtbh as string, idNumber: body.aac002 as string, kind, photoRef: body.zpbh as string });
    return { code: '0000', msg: '成功', data: { slh: result.ref, cf: result.duplicate } };
  }

  @Get('events')
  events(@Query('after') after = '0', @Query('limit') limit = '100') {
    return { code: '0000', data: this.sim.eventsAfter(Number(after) || 0, Math.min(Number(limit) || 100, 500)).map(toSichuan) };
  }
}

function toSichuan(e: SimEvent) {
  return {
    xh: e.seq,
    ywxtbh: e.businessKey,
    slh: e.ref,
    zt: ZT[e.stage],
    ...(e.refusal ? { yydm: YYDM[e.refusal][0], yysm: YYDM[e.refusal][1] } : {}),
    ...(e.stage === 'make-failed' ? { yydm: 'ZK01', yysm: '卡片制作失败' } : {}),
    ...(e.waybill ? { ydh: e.waybill } : {}),
    sj: beijingTime(e.at),
  };
}

/** 'YYYY-MM-DD HH:mm:ss' in Beijing time, as Sichuan's system writes times. */
function beijingTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

import { Body, Controller, Get, HttpCode, HttpException, Inject, Post, Query } from '@nestjs/common';
import { CardCentreSimulator, type SimApplication, type SimEvent, type SimRefusal, type SimStage } from './card-centre.simulator.js';

/**
 * SIMULATOR of Chongqing's card service interface: camelCase fields, English state words and
 * R- reason codes, different from Sichuan's on purpose (the adapters translate).
 */
const APPLY_TYPE: Record<string, SimApplication['kind']> = { NEW: 'new', LOSS_REISSUE: 'reissue', DAMAGE_REPLACE: 'replace', RENEW: 'renew' };
const STATE: Record<SimStage, string> = {
  audit: 'AUDITING',
  making: 'MAKING',
  made: 'MADE',
  posted: 'POSTED',
  received: 'RECEIVED',
  refused: 'REFUSED',
  'make-failed': 'MAKE_FAILED',
};
const REFUSE: Record<SimRefusal, [string, string]> = {
  'in-production': ['R-IN-PRODUCTION', '已有卡片正在制作'],
  'not-insured': ['R-NOT-INSURED', '非本市参保'],
  photo: ['R-PHOTO', '照片不合格'],
  identity: ['R-IDENTITY', '身份核验不通过'],
  bank: ['R-BANK', '银行预开户失败'],
  'no-loss-report': ['R-NO-LOSS-REPORT', '未正式挂失'],
};

interface ChongqingOrder {
  bizSerialNo?: unknown;
  certNo?: unknown;
  personName?: unknown;
  mobile?: unknown;
  applyType?: unknown;
  cardAreaCode?: unknown;
  mailAddress?: { detail?: unknown; zip?: unknown };
  photoId?: unknown;
}

@Controller('sim/cq/ssc/orders')
export class ChongqingCardCentreController {
  constructor(@Inject(CardCentreSimulator) private readonly sim: CardCentreSimulator) {}

  @Post()
  @HttpCode(200)
  order(@Body() body: ChongqingOrder) {
    const missing = (['bizSerialNo', 'certNo', 'personName', 'mobile', 'applyType', 'cardAreaCode', 'photoId'] as const).find(
      (k) => typeof body?.[k] !== 'string' || body[k] === '',
    );
    if (missing || typeof body.mailAddress?.detail !== 'string') {
      throw new HttpException({ success: false, errCode: 'PARAM_MISSING', errMsg: `missing ${missing ?? 'mailAddress.detail'}` }, 400);
    }
    const kind = APPLY_TYPE[body.applyType as string];
    if (!kind) throw new HttpException({ success: false, errCode: 'PARAM_INVALID', errMsg: 'applyType' }, 400);
    if (!(body.cardAreaCode as string).startsWith('50')) {
      throw new HttpException({ success: false, errCode: 'AREA_NOT_LOCAL', errMsg: 'cardAreaCode is not in Chongqing' }, 400);
    }
    const result = this.sim.submit({ businessKey: body.bizSerialNo as string, idNumber: body.certNo as string, kind, photoRef: body.photoId as string });
    return { success: true, orderNo: result.ref, repeated: result.duplicate };
  }

  @Get('events')
  events(@Query('cursor') cursor = '0', @Query('size') size = '100') {
    const events = this.sim.eventsAfter(Number(cursor) || 0, Math.min(Number(size) || 100, 500));
    return { success: true, events: events.map(toChongqing), nextCursor: events.at(-1)?.seq ?? (Number(cursor) || 0) };
  }
}

function toChongqing(e: SimEvent) {
  return {
    eventNo: e.seq,
    bizSerialNo: e.businessKey,
    orderNo: e.ref,
    state: STATE[e.stage],
    ...(e.refusal ? { refuseCode: REFUSE[e.refusal][0], refuseReason: REFUSE[e.refusal][1] } : {}),
    ...(e.waybill ? { expressNo: e.waybill } : {}),
    occurredAt: `${new Date(e.at + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`,
  };
}

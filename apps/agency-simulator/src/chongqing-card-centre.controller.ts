import { Body, Controller, Get, HttpCode, HttpException, Inject, Param, Post, Query } from '@nestjs/common';
import { CardCentreSimulator, type CardApplicationKind } from './card-centre.simulator.js';
import { ChongqingFollowUps } from './chongqing-follow-ups.js';
import { missingField } from './follow-up.simulator.js';
import { toChongqingEvent } from './chongqing-vocabulary.js';

/**
 * SIMULATOR of Chongqing's card service interface: camelCase fields, English state words and
 * R- reason codes, different from Sichuan's on purpose (the adapters translate).
 */
const APPLY_TYPE: Record<string, CardApplicationKind> = { NEW: 'new', LOSS_REISSUE: 'reissue', DAMAGE_REPLACE: 'replace', RENEW: 'renew' };
const LOSS_MODE: Record<string, 'temporary' | 'formal'> = { TEMPORARY: 'temporary', FORMAL: 'formal' };
const SCOPE: Record<string, 'social' | 'bank'> = { SOCIAL: 'social', FINANCE: 'bank' };

@Controller('sim/cq/ssc')
export class ChongqingCardCentreController {
  private readonly followUps: ChongqingFollowUps;

  constructor(@Inject(CardCentreSimulator) private readonly sim: CardCentreSimulator) {
    this.followUps = new ChongqingFollowUps(sim);
  }

  @Post('orders')
  @HttpCode(200)
  order(@Body() body: Record<string, unknown>) {
    const address = (body?.['mailAddress'] ?? {}) as Record<string, unknown>;
    const missing =
      missingField(body, ['bizSerialNo', 'certNo', 'personName', 'mobile', 'applyType', 'cardAreaCode', 'photoId']) ??
      missingField(address, ['detail']);
    if (missing) throw new HttpException({ success: false, errCode: 'PARAM_MISSING', errMsg: `missing ${missing}` }, 400);
    const kind = APPLY_TYPE[body['applyType'] as string];
    if (!kind) throw new HttpException({ success: false, errCode: 'PARAM_INVALID', errMsg: 'applyType' }, 400);
    this.assertLocal(body['cardAreaCode']);
    const result = this.sim.apply(body['bizSerialNo'] as string, body['certNo'] as string, { kind, photoRef: body['photoId'] as string });
    return { success: true, orderNo: result.ref, repeated: result.duplicate };
  }

  /** operation REPORT_LOSS or UNBLOCK; lossMode TEMPORARY or FORMAL; scopes SOCIAL and/or FINANCE. */
  @Post('loss-reports')
  @HttpCode(200)
  loss(@Body() body: Record<string, unknown>) {
    const missing = missingField(body, ['bizSerialNo', 'certNo', 'personName', 'mobile', 'operation', 'cardAreaCode']);
    if (missing) throw new HttpException({ success: false, errCode: 'PARAM_MISSING', errMsg: `missing ${missing}` }, 400);
    const action = body['operation'] === 'REPORT_LOSS' ? 'report' : body['operation'] === 'UNBLOCK' ? 'unblock' : undefined;
    const lossType = typeof body['lossMode'] === 'string' ? LOSS_MODE[body['lossMode']] : undefined;
    const functions = Array.isArray(body['scopes']) ? (body['scopes'] as unknown[]).map((s) => SCOPE[String(s)]) : [];
    if (!action || (action === 'report' && !lossType) || functions.length === 0 || functions.some((f) => !f)) {
      throw new HttpException({ success: false, errCode: 'PARAM_INVALID', errMsg: 'operation, lossMode or scopes' }, 400);
    }
    this.assertLocal(body['cardAreaCode']);
    const result = this.sim.reportLoss(body['bizSerialNo'] as string, body['certNo'] as string, {
      action,
      ...(lossType ? { lossType } : {}),
      functions: functions,
      ...(typeof body['cardNo'] === 'string' ? { cardNumber: body['cardNo'] } : {}),
    });
    return { success: true, orderNo: result.ref, repeated: result.duplicate };
  }

  @Get('orders/events')
  events(@Query('cursor') cursor = '0', @Query('size') size = '100') {
    const events = this.sim.eventsAfter(Number(cursor) || 0, Math.min(Number(size) || 100, 500));
    return { success: true, events: events.map((e) => toChongqingEvent('card', e)), nextCursor: events.at(-1)?.seq ?? (Number(cursor) || 0) };
  }

  /** Whether the system has a case (bizSerialNo), and its orderNo. */
  @Get('orders/:bizSerialNo')
  lookUp(@Param('bizSerialNo') bizSerialNo: string) {
    return this.followUps.lookUp(bizSerialNo);
  }

  @Post('orders/:bizSerialNo/withdraw')
  @HttpCode(200)
  withdraw(@Param('bizSerialNo') bizSerialNo: string, @Body() body: Record<string, unknown>) {
    return this.followUps.withdraw(bizSerialNo, body);
  }

  @Post('orders/:bizSerialNo/supplements')
  @HttpCode(200)
  supplement(@Param('bizSerialNo') bizSerialNo: string, @Body() body: Record<string, unknown>) {
    return this.followUps.supplement(bizSerialNo, body);
  }

  private assertLocal(region: unknown): void {
    if (typeof region !== 'string' || !/^50\d{4}$/.test(region)) {
      throw new HttpException({ success: false, errCode: 'AREA_NOT_LOCAL', errMsg: 'cardAreaCode is not in Chongqing' }, 400);
    }
  }
}

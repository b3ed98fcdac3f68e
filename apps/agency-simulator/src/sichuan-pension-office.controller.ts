import { Body, Controller, Get, HttpCode, HttpException, Inject, Post, Query } from '@nestjs/common';
import { PensionOfficeSimulator, type QualificationData } from './pension-office.simulator.js';
import { SichuanFollowUps } from './sichuan-follow-ups.js';
import { materialsFrom, missingField } from './follow-up.simulator.js';
import { CLLX, fromSichuanDate, toSichuanEvent } from './sichuan-vocabulary.js';

/**
 * SIMULATOR of Sichuan's pension office interface (社保经办): 待遇认证 (dyrz: aae140 险种 110
 * 企业职工基本养老保险 / 170 城乡居民基本养老保险, rzfs 认证方式 1 窗口 / 2 上门 / 3 视频, rznd 认证年度)
 * and 死亡待遇申领 (swdy: swr 逝者, swzm 死亡证明, sqr 申领人, aae010 银行账号).
 */
const AAE140: Record<string, QualificationData['pensionType']> = { '110': 'employee', '170': 'resident' };
const RZFS: Record<string, QualificationData['method']> = { '1': 'in-person', '2': 'home-visit', '3': 'video' };

@Controller('sim/sc/sb')
export class SichuanPensionOfficeController {
  private readonly followUps: SichuanFollowUps;

  constructor(@Inject(PensionOfficeSimulator) private readonly sim: PensionOfficeSimulator) {
    this.followUps = new SichuanFollowUps(sim);
  }

  @Post('dyrz')
  @HttpCode(200)
  certify(@Body() body: Record<string, unknown>) {
    const missing = missingField(body, ['ywxtbh', 'aac002', 'aac003', 'aae005', 'aae140', 'rzfs', 'rznd', 'ffdq', 'jzdq']);
    if (missing) throw new HttpException({ code: 'E0001', msg: `必填项缺失或格式错误: ${missing}` }, 400);
    const pensionType = AAE140[body['aae140'] as string];
    const method = RZFS[body['rzfs'] as string];
    if (!pensionType || !method || !/^\d{4}$/.test(body['rznd'] as string))
      throw new HttpException({ code: 'E0002', msg: '险种、认证方式或认证年度不正确' }, 400);
    if (!/^51\d{4}$/.test(body['ffdq'] as string)) throw new HttpException({ code: 'E0003', msg: '待遇发放地(ffdq)不属于本省' }, 400);
    const result = this.sim.certify(body['ywxtbh'] as string, body['aac002'] as string, { pensionType, method, cycleYear: Number(body['rznd']) });
    return { code: '0000', msg: '成功', data: { slh: result.ref, cf: result.duplicate } };
  }

  @Post('swdy')
  @HttpCode(200)
  claim(@Body() body: Record<string, unknown>) {
    const swr = (body['swr'] ?? {}) as Record<string, unknown>;
    const swzm = (body['swzm'] ?? {}) as Record<string, unknown>;
    const sqr = (body['sqr'] ?? {}) as Record<string, unknown>;
    const missing =
      missingField(body, ['ywxtbh', 'cbdq', 'yhmc', 'aae010']) ??
      missingField(swr, ['aac002', 'aac003', 'swrq']) ??
      missingField(swzm, ['zmlx', 'zmbh']) ??
      missingField(sqr, ['aac002', 'aac003', 'aae005', 'sqrsf', 'gx']);
    if (missing) throw new HttpException({ code: 'E0001', msg: `必填项缺失或格式错误: ${missing}` }, 400);
    const dateOfDeath = fromSichuanDate(swr['swrq']);
    const materials = materialsFrom(body['cl'], 'cllx', 'hash', CLLX);
    if (!dateOfDeath || !materials) throw new HttpException({ code: 'E0002', msg: '死亡日期或材料格式不正确' }, 400);
    if (!/^51\d{4}$/.test(body['cbdq'] as string)) throw new HttpException({ code: 'E0003', msg: '参保地(cbdq)不属于本省' }, 400);
    const result = this.sim.claimDeathBenefit(body['ywxtbh'] as string, sqr['aac002'] as string, {
      deceasedIdNumber: swr['aac002'] as string,
      dateOfDeath,
      proofRef: swzm['zmbh'] as string,
      materials,
    });
    return { code: '0000', msg: '成功', data: { slh: result.ref, cf: result.duplicate } };
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
      data: this.sim.eventsAfter(Number(after) || 0, Math.min(Number(limit) || 100, 500)).map((e) => toSichuanEvent('pension', e)),
    };
  }
}

import { Body, Controller, Get, HttpCode, HttpException, Inject, Post, Query } from '@nestjs/common';
import { SimCaseUnknown, type SimInformationSheet } from './agency-system.simulator.js';
import { PensionOfficeSimulator, yuanStringToFen, type QualificationData, type TransferApplicationData } from './pension-office.simulator.js';
import { SichuanFollowUps } from './sichuan-follow-ups.js';
import { materialsFrom, missingField } from './follow-up.simulator.js';
import { CLLX, fromSichuanDate, toSichuanEvent } from './sichuan-vocabulary.js';

/**
 * SIMULATOR of Sichuan's pension office interface (社保经办): 待遇认证 (dyrz: aae140 险种 110
 * 企业职工基本养老保险 / 170 城乡居民基本养老保险, rzfs 认证方式 1 窗口 / 2 上门 / 3 视频, rznd 认证年度)
 * and 死亡待遇申领 (swdy: swr 逝者, swzm 死亡证明, sqr 申领人, aae010 银行账号), and 养老保险关系转移接续:
 * 转移接续申请 at the transfer-in office (zyjx: zylx 转移险种 110 企业职工 / 120 机关事业, zrd 转入地,
 * zcd 转出地列表 [{ lxxh 联系序号, zcdq 转出地区划, zcjgmc 转出机构名称, zcjgdm 转出机构信用代码, grbh
 * 个人编号, lszh 临时账户 0/1 }], jfpzbh 缴费凭证编号), 联系函 at the transfer-out office (lxh: lxxh,
 * zrd, zrjg 转入机构, zcdq, grbh, lxh { lxhbh 联系函编号, khyh 开户银行, hm 户名, zh 账号, kjrq 开具日期 })
 * and 信息表 back at the transfer-in office (xxb: lxxh, xxb { jfmx 缴费明细 [{ qsny 起始年月, zzny 终止年月,
 * jfjs 缴费基数, ys 月数 }], grzhye 个人账户余额, grzr 个人转移额, tczr 统筹转移额, zrhj 转移合计, zzrq
 * 终止日期, hkpzh 汇款凭证号, hkrq 汇款日期 }); amounts in yuan, months YYYYMM, dates YYYYMMDD.
 */
const ZYLX: Record<string, TransferApplicationData['insuranceType']> = { '110': 'enterprise-employee', '120': 'public-institution' };
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

  @Post('zyjx')
  @HttpCode(200)
  applyTransfer(@Body() body: Record<string, unknown>) {
    const missing = missingField(body, ['ywxtbh', 'aac002', 'aac003', 'aae005', 'zylx', 'zrd', 'jfpzbh']);
    if (missing) throw new HttpException({ code: 'E0001', msg: `必填项缺失或格式错误: ${missing}` }, 400);
    const insuranceType = ZYLX[body['zylx'] as string];
    const zcd = body['zcd'];
    if (!insuranceType || !Array.isArray(zcd) || zcd.length === 0) throw new HttpException({ code: 'E0002', msg: '转移险种或转出地不正确' }, 400);
    if (!/^51\d{4}$/.test(body['zrd'] as string)) throw new HttpException({ code: 'E0003', msg: '转入地(zrd)不属于本省' }, 400);
    const places = (zcd as Record<string, unknown>[]).map((p, i) => {
      const bad = missingField(p, ['zcdq', 'zcjgmc', 'grbh', 'lszh']);
      if (bad || p['lxxh'] !== i + 1) throw new HttpException({ code: 'E0001', msg: `必填项缺失或格式错误: zcd[${i}].${bad ?? 'lxxh'}` }, 400);
      return { region: p['zcdq'] as string, agencyName: p['zcjgmc'] as string, personNumber: p['grbh'] as string, temporaryAccount: p['lszh'] === '1' };
    });
    const result = this.sim.applyTransfer(body['ywxtbh'] as string, body['aac002'] as string, {
      insuranceType,
      transferInRegion: body['zrd'] as string,
      places,
    });
    return { code: '0000', msg: '成功', data: { slh: result.ref, cf: result.duplicate } };
  }

  @Post('lxh')
  @HttpCode(200)
  contactLetter(@Body() body: Record<string, unknown>) {
    const lxh = (body['lxh'] ?? {}) as Record<string, unknown>;
    const missing =
      missingField(body, ['ywxtbh', 'aac002', 'aac003', 'zylx', 'zrd', 'zrjg', 'zcdq', 'grbh']) ?? missingField(lxh, ['lxhbh', 'khyh', 'hm', 'zh', 'kjrq']);
    if (missing || !Number.isInteger(body['lxxh'])) throw new HttpException({ code: 'E0001', msg: `必填项缺失或格式错误: ${missing ?? 'lxxh'}` }, 400);
    if (!ZYLX[body['zylx'] as string] || !fromSichuanDate(lxh['kjrq'])) throw new HttpException({ code: 'E0002', msg: '转移险种或开具日期不正确' }, 400);
    if (!/^51\d{4}$/.test(body['zcdq'] as string)) throw new HttpException({ code: 'E0003', msg: '转出地(zcdq)不属于本省' }, 400);
    const result = this.sim.receiveContactLetter(body['ywxtbh'] as string, body['lxxh'] as number, body['aac002'] as string, {
      transferInRegion: body['zrd'] as string,
      region: body['zcdq'] as string,
      personNumber: body['grbh'] as string,
      letterNo: lxh['lxhbh'] as string,
    });
    return { code: '0000', msg: '成功', data: { slh: result.ref, cf: result.duplicate } };
  }

  @Post('xxb')
  @HttpCode(200)
  informationSheet(@Body() body: Record<string, unknown>) {
    const sheet = sichuanSheet(body['xxb']);
    if (!sheet || typeof body['ywxtbh'] !== 'string' || !Number.isInteger(body['lxxh'])) {
      throw new HttpException({ code: 'E0001', msg: '必填项缺失或格式错误: xxb' }, 400);
    }
    try {
      const result = this.sim.receiveInformationSheet(body['ywxtbh'], body['lxxh'] as number, sheet);
      return { code: '0000', msg: '成功', data: { slh: result.ref, cf: result.duplicate } };
    } catch (error) {
      if (error instanceof SimCaseUnknown) throw new HttpException({ code: 'E0404', msg: '业务协同编号不存在' }, 404);
      throw error;
    }
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
      data: this.sim.eventsAfter(Number(after) || 0, Math.min(Number(limit) || 100, 500)).map((e) => toSichuanEvent('pension', e)),
    };
  }
}

const YUAN = /^\d{1,12}\.\d{2}$/;

/** 信息表 xxb → the office's model (fen), or undefined when a field is missing or malformed. */
function sichuanSheet(value: unknown): SimInformationSheet | undefined {
  const x = (value ?? {}) as Record<string, unknown>;
  const amounts = ['grzhye', 'grzr', 'tczr', 'zrhj'].map((k) => x[k]);
  if (!amounts.every((a) => typeof a === 'string' && YUAN.test(a)) || !Array.isArray(x['jfmx'])) return undefined;
  const relationEndedOn = fromSichuanDate(x['zzrq']);
  const remittedOn = fromSichuanDate(x['hkrq']);
  if (!relationEndedOn || !remittedOn || typeof x['hkpzh'] !== 'string') return undefined;
  const periods = (x['jfmx'] as Record<string, unknown>[]).map((p) => {
    const ok = /^\d{6}$/.test(String(p['qsny'])) && /^\d{6}$/.test(String(p['zzny'])) && YUAN.test(String(p['jfjs'])) && Number.isInteger(p['ys']);
    if (!ok) return undefined;
    const month = (v: unknown) => `${String(v).slice(0, 4)}-${String(v).slice(4)}`;
    return { from: month(p['qsny']), to: month(p['zzny']), monthlyBaseFen: yuanStringToFen(p['jfjs'] as string), months: p['ys'] as number };
  });
  if (periods.some((p) => p === undefined)) return undefined;
  const [balance, personal, pooled, total] = (amounts as string[]).map(yuanStringToFen) as [number, number, number, number];
  return {
    periods: periods as SimInformationSheet['periods'],
    personalAccountBalanceFen: balance,
    personalTransferFen: personal,
    pooledTransferFen: pooled,
    totalTransferFen: total,
    relationEndedOn,
    remittanceRef: x['hkpzh'],
    remittedOn,
  };
}

import { HttpException } from '@nestjs/common';
import { followUp, materialsFrom, missingField, type FollowUpTarget } from './follow-up.simulator.js';
import { CLLX } from './sichuan-vocabulary.js';

/**
 * SIMULATOR: Sichuan's 撤回 (`chehui`: ywxtbh, qqlsh 请求流水号, chyy 撤回原因) and 补正
 * (`buzheng`: ywxtbh, qqlsh, cl [{cllx, hash}]) calls and its 业务查询 (`ywcx?ywxtbh=`: the
 * 受理号 of a case, or E0404), the same on every system.
 */
export class SichuanFollowUps {
  constructor(private readonly sim: FollowUpTarget) {}

  withdraw(body: Record<string, unknown>) {
    const missing = missingField(body, ['ywxtbh', 'qqlsh', 'chyy']);
    if (missing) throw new HttpException({ code: 'E0001', msg: `必填项缺失或格式错误: ${missing}` }, 400);
    return followUp(() => this.sim.withdraw(body['ywxtbh'] as string, body['qqlsh'] as string), answer, unknown);
  }

  lookUp(ywxtbh: unknown) {
    if (typeof ywxtbh !== 'string' || ywxtbh === '') throw new HttpException({ code: 'E0001', msg: '必填项缺失或格式错误: ywxtbh' }, 400);
    const found = this.sim.lookUp(ywxtbh);
    if (!found) throw unknown();
    return { code: '0000', msg: '成功', data: { slh: found.ref } };
  }

  supplement(body: Record<string, unknown>) {
    const missing = missingField(body, ['ywxtbh', 'qqlsh']);
    const materials = materialsFrom(body['cl'], 'cllx', 'hash', CLLX);
    if (missing || !materials || materials.length === 0)
      throw new HttpException({ code: 'E0001', msg: `必填项缺失或格式错误: ${missing ?? 'cl'}` }, 400);
    return followUp(() => this.sim.supplement(body['ywxtbh'] as string, body['qqlsh'] as string, materials), answer, unknown);
  }
}

function answer(result: { ref: string; duplicate: boolean }) {
  return { code: '0000', msg: '成功', data: { slh: result.ref, cf: result.duplicate } };
}

function unknown(): HttpException {
  return new HttpException({ code: 'E0404', msg: '业务协同编号不存在' }, 404);
}

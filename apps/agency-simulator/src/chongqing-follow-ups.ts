import { HttpException } from '@nestjs/common';
import { followUp, materialsFrom, missingField, type FollowUpTarget } from './follow-up.simulator.js';
import { DOC_TYPE } from './chongqing-vocabulary.js';

/**
 * SIMULATOR: Chongqing's withdraw (`POST …/{bizSerialNo}/withdraw` { requestId, reason }) and
 * supplement (`POST …/{bizSerialNo}/supplements` { requestId, documents: [{ docType, sha256 }] })
 * calls and its look-up (`GET …/{bizSerialNo}`: the orderNo of a case, or ORDER_NOT_FOUND), the
 * same on every system.
 */
export class ChongqingFollowUps {
  constructor(private readonly sim: FollowUpTarget) {}

  withdraw(bizSerialNo: string, body: Record<string, unknown>) {
    const missing = missingField(body, ['requestId', 'reason']);
    if (missing) throw new HttpException({ success: false, errCode: 'PARAM_MISSING', errMsg: `missing ${missing}` }, 400);
    return followUp(() => this.sim.withdraw(bizSerialNo, body['requestId'] as string), answer, unknown);
  }

  lookUp(bizSerialNo: string) {
    const found = this.sim.lookUp(bizSerialNo);
    if (!found) throw unknown();
    return { success: true, orderNo: found.ref };
  }

  supplement(bizSerialNo: string, body: Record<string, unknown>) {
    const missing = missingField(body, ['requestId']);
    const documents = materialsFrom(body['documents'], 'docType', 'sha256', DOC_TYPE);
    if (missing || !documents || documents.length === 0) {
      throw new HttpException({ success: false, errCode: 'PARAM_MISSING', errMsg: `missing ${missing ?? 'documents'}` }, 400);
    }
    return followUp(() => this.sim.supplement(bizSerialNo, body['requestId'] as string, documents), answer, unknown);
  }
}

function answer(result: { ref: string; duplicate: boolean }) {
  return { success: true, orderNo: result.ref, repeated: result.duplicate };
}

function unknown(): HttpException {
  return new HttpException({ success: false, errCode: 'ORDER_NOT_FOUND', errMsg: 'no such bizSerialNo' }, 404);
}

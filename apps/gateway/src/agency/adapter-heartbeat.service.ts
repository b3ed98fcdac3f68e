import { Inject, Injectable } from '@nestjs/common';
import { Clock, GatewayError, type FieldProblem } from '#core';
import { checkLinkProof } from '#delivery';
import { heartbeatProofId, type AdapterHeartbeat, type AdapterHeartbeatAck, type AgencyReachability } from '#contracts';
import { GatewayDatabase } from '#persistence';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';

/** An instance silent for this long is forgotten (a restarted adapter beats under a new id). */
const FORGET_AFTER_MS = 60 * 60_000;
const ID = /^[A-Za-z0-9-]{1,64}$/;
const AGENCY = /^[A-Z]{2}\.[a-z][a-z0-9-]{0,30}$/;
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const STATES: readonly string[] = ['up', 'down', 'unknown'];

/**
 * Adapter heartbeats (AGENCY_HEARTBEAT): 1. validated (names of the fields at fault), 2. checked
 * for the link proof, 3. stored as the instance's latest beat with this node's receiving time,
 * where every replica's `/health` reads it (in production the status queue gives each beat to one
 * replica only).
 */
@Injectable()
export class AdapterHeartbeatService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: GatewayDatabase,
    private readonly clock: Clock,
  ) {}

  async receive(payload: unknown): Promise<AdapterHeartbeatAck> {
    // 1. The shape, field by field.
    const beat = parseHeartbeat(payload);
    // 2. Only an adapter holding the province's link secret may speak for the adapters.
    if (!checkLinkProof(this.config.agencyLinkSecret, heartbeatProofId(beat), (payload as { proof?: unknown }).proof, this.config.cryptoSuite)) {
      throw new GatewayError('AGENCY_LINK_UNAUTHENTICATED', { detail: 'the heartbeat does not carry a valid link proof' });
    }
    // 3. Kept as this instance's latest beat, timed by this node's clock (the adapter's may differ).
    const now = this.clock.nowMs();
    await this.db.transaction((tx) =>
      tx.heartbeats.record(
        {
          adapterId: beat.adapterId,
          beat: beat.beat,
          sentAt: Date.parse(beat.sentAt),
          receivedAt: now,
          everyMs: beat.everyMs,
          stoppedAt: beat.stopping ? now : null,
          agenciesJson: JSON.stringify(beat.agencies),
        },
        now - FORGET_AFTER_MS,
      ),
    );
    return { adapterId: beat.adapterId, beat: beat.beat };
  }
}

/**
 * The heartbeat in `payload`, or CONTRACT_INVALID naming every field at fault. Unknown members
 * are ignored (a newer adapter may say more); agencies are codes and states, never free text.
 *
 * @example parseHeartbeat({ adapterId: 'a1', beat: 1, sentAt: '2026-11-23T01:00:00.000Z', everyMs: 5000, agencies: [] })
 */
export function parseHeartbeat(payload: unknown): AdapterHeartbeat {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new GatewayError('CONTRACT_INVALID', { detail: 'a heartbeat is an object' });
  }
  const p = payload as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const fault = (field: string, message: string) => problems.push({ field, code: 'CONTRACT_INVALID', message });
  if (typeof p['adapterId'] !== 'string' || !ID.test(p['adapterId'])) fault('adapterId', 'adapterId is 1 to 64 letters, digits or dashes');
  if (!Number.isSafeInteger(p['beat']) || (p['beat'] as number) < 1) fault('beat', 'beat is a whole number from 1');
  if (typeof p['sentAt'] !== 'string' || Number.isNaN(Date.parse(p['sentAt']))) fault('sentAt', 'sentAt is an ISO 8601 instant');
  if (!Number.isInteger(p['everyMs']) || (p['everyMs'] as number) < 100 || (p['everyMs'] as number) > 3_600_000) fault('everyMs', 'everyMs is 100 to 3600000');
  if (p['stopping'] !== undefined && typeof p['stopping'] !== 'boolean') fault('stopping', 'stopping is true or false');
  const agencies: AgencyReachability[] = [];
  if (!Array.isArray(p['agencies']) || p['agencies'].length > 32) {
    fault('agencies', 'agencies is a list of at most 32 entries');
  } else {
    for (const [i, raw] of (p['agencies'] as unknown[]).entries()) {
      const a = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
      const at = (name: string) => `agencies[${i}].${name}`;
      const instant = (name: string) => a[name] === undefined || (typeof a[name] === 'string' && !Number.isNaN(Date.parse(a[name])));
      if (typeof a['agency'] !== 'string' || !AGENCY.test(a['agency'])) fault(at('agency'), 'an agency code, e.g. SC.card');
      if (typeof a['state'] !== 'string' || !STATES.includes(a['state'])) fault(at('state'), 'up, down or unknown');
      if (!instant('lastAnswerAt')) fault(at('lastAnswerAt'), 'an ISO 8601 instant');
      if (!instant('lastFailureAt')) fault(at('lastFailureAt'), 'an ISO 8601 instant');
      if (a['lastFailureCode'] !== undefined && (typeof a['lastFailureCode'] !== 'string' || !CODE.test(a['lastFailureCode']))) fault(at('lastFailureCode'), 'an error code');
      agencies.push({
        agency: a['agency'] as AgencyReachability['agency'],
        state: a['state'] as AgencyReachability['state'],
        ...(typeof a['lastAnswerAt'] === 'string' ? { lastAnswerAt: a['lastAnswerAt'] } : {}),
        ...(typeof a['lastFailureAt'] === 'string' ? { lastFailureAt: a['lastFailureAt'] } : {}),
        ...(typeof a['lastFailureCode'] === 'string' ? { lastFailureCode: a['lastFailureCode'] } : {}),
      });
    }
  }
  if (problems.length > 0) throw new GatewayError('CONTRACT_INVALID', { detail: `${problems.length} field(s) at fault`, fields: problems });
  return {
    adapterId: p['adapterId'] as string,
    beat: p['beat'] as number,
    sentAt: p['sentAt'] as string,
    everyMs: p['everyMs'] as number,
    ...(p['stopping'] === true ? { stopping: true } : {}),
    agencies,
  };
}

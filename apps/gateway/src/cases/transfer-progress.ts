import { serviceDefinition, type ForwardedRequest, type PensionTransferRequest, type TransferConversationStage } from '#contracts';
import type { CaseEventRecord, CaseRecord } from '#persistence';
import { routeRegion } from '#routing';
import { toShanghaiIso } from '#core';
import type { CaseClock, TimeLimitView } from './case-clock.js';

/** One pension transfer conversation as a window or operator reads it. */
export interface ConversationView {
  readonly conversation: number;
  /** The transfer-out place (GB/T 2260). */
  readonly region: string;
  /** 1 contact letter, 2 information sheet and funds, 3 merge; 0 once it has ended. */
  readonly leg: number;
  readonly outcome: 'open' | 'merged' | 'refused';
  /** The node where the next step happens, and since when (the start of the leg). */
  readonly heldBy: string;
  readonly heldSince: string;
  /** The leg's own clock (15 working days), while the conversation is open. */
  readonly timeLimit: TimeLimitView | null;
}

export interface TransferProgress {
  readonly conversations: readonly ConversationView[];
  /** The open conversation due first: the case is held where it is, on its leg clock. */
  readonly current: ConversationView | null;
}

const LEG_AFTER: Readonly<Partial<Record<TransferConversationStage, number>>> = {
  'contact-letter-issued': 2,
  'information-sheet-received': 3,
  'funds-received': 3,
  'account-merged': 0,
  'transfer-refused': 0,
};

/**
 * Where each conversation of a pension transfer stands, read from the case's own timeline (so the
 * accepting node knows it even when another node holds the conversations): its leg, the node that
 * holds it (the transfer-in node at legs 1 and 3, the transfer-out place's node at leg 2), since
 * when, and the leg's clock. Null for a case of another service.
 */
export function transferProgress(record: CaseRecord, events: readonly CaseEventRecord[], clock: CaseClock): TransferProgress | null {
  if (record.service !== 'pension.transfer') return null;
  const request = (JSON.parse(record.requestJson) as Partial<ForwardedRequest>).request as Partial<PensionTransferRequest> | undefined;
  const places = request?.transferOut ?? [];
  const limits = serviceDefinition(record.service)?.limits ?? [];
  const handedOver = events.find((e) => e.stage === 'agency-received' || e.stage === 'received')?.at ?? record.acceptedAt;
  const conversations = places.map((place, i): ConversationView => {
    const n = i + 1;
    const steps = events.filter((e) => e.detailJson !== null && (JSON.parse(e.detailJson) as { conversation?: number }).conversation === n);
    const last = steps.filter((e) => LEG_AFTER[e.stage as TransferConversationStage] !== undefined).at(-1);
    const leg = last ? (LEG_AFTER[last.stage as TransferConversationStage] ?? 1) : 1;
    const since = last?.at ?? handedOver;
    const outcome = leg !== 0 ? 'open' : last?.stage === 'account-merged' ? 'merged' : 'refused';
    const outNode = safeNode(place.region) ?? record.handlingNode;
    const limit = limits[leg - 1];
    return {
      conversation: n,
      region: place.region ?? '',
      leg,
      outcome,
      heldBy: leg === 2 ? outNode : record.handlingNode,
      heldSince: toShanghaiIso(since),
      timeLimit: outcome === 'open' && limit ? clock.leg(limit.leg, limit.workingDays, since) : null,
    };
  });
  const open = conversations.filter((c) => c.timeLimit !== null);
  const current = open.sort((a, b) => (a.timeLimit!.dueBy < b.timeLimit!.dueBy ? -1 : a.timeLimit!.dueBy > b.timeLimit!.dueBy ? 1 : 0))[0] ?? null;
  return { conversations, current };
}

function safeNode(region: string | undefined): string | undefined {
  if (!region) return undefined;
  try {
    return routeRegion({ region, agencyFunction: 'pension', field: 'transferOut' }).node;
  } catch {
    return undefined;
  }
}

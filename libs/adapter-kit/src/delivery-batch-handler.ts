import { RpcException } from '@nestjs/microservices';
import {
  AGENCY_BATCH_LIMITS,
  batchItems,
  type AgencyBatchOutcome,
  type AgencyDeliveryAck,
  type AgencyDeliveryBatchAck,
  type AgencyLinkError,
} from '#contracts';
import type { AgencyLinkKey } from '#delivery';
import type { AgencyClient } from './agency-client.js';
import { handleDelivery } from './delivery-handler.js';
import type { SealedDataOpener } from './sealed-data-opener.js';

/**
 * Hands every delivery of a batch (AGENCY_DELIVER_BATCH) to its agency and answers one outcome
 * per delivery, in the order sent. Each delivery goes through `handleDelivery` exactly as if it
 * had come alone: its own link proof, its own validation, its own idempotence at the agency; a
 * delivery that is refused or fails is answered as that error and does not stop the others.
 *
 * Deliveries for different cases run concurrently; deliveries for the same case run in batch
 * order (a withdrawal sent after its case must not overtake it at the agency).
 *
 * Only a payload that is not a batch of 1 to AGENCY_BATCH_LIMITS.deliveries items is refused as
 * a whole (CONTRACT_INVALID, permanent).
 *
 * @example await handleDeliveryBatch({ items: [d1, d2] }, clients, link, opener) // { results: [{ ok: true, ack }, { ok: false, error }] }
 */
export async function handleDeliveryBatch(
  payload: unknown,
  clients: ReadonlyMap<string, AgencyClient>,
  link: AgencyLinkKey,
  opener: SealedDataOpener,
): Promise<AgencyDeliveryBatchAck> {
  const items = batchItems(payload, AGENCY_BATCH_LIMITS.deliveries);
  if (!items) {
    throw new RpcException({
      code: 'CONTRACT_INVALID',
      message: `an agency delivery batch holds 1 to ${AGENCY_BATCH_LIMITS.deliveries} items`,
      permanent: true,
    } satisfies AgencyLinkError);
  }
  // One chain per case: the same case's deliveries in order, different cases side by side.
  const chains = new Map<string, Promise<unknown>>();
  const results = items.map((item, i) => {
    const key = caseKeyOf(item, i);
    const previous = chains.get(key) ?? Promise.resolve();
    const outcome = previous.then(() => outcomeOf(item, clients, link, opener));
    chains.set(key, outcome);
    return outcome;
  });
  return { results: await Promise.all(results) };
}

async function outcomeOf(
  item: unknown,
  clients: ReadonlyMap<string, AgencyClient>,
  link: AgencyLinkKey,
  opener: SealedDataOpener,
): Promise<AgencyBatchOutcome<AgencyDeliveryAck>> {
  try {
    return { ok: true, ack: await handleDelivery(item, clients, link, opener) };
  } catch (error) {
    return { ok: false, error: asLinkError(error) };
  }
}

/** The case an item names, used only to order items of one case; an item without one is on its own. */
function caseKeyOf(item: unknown, index: number): string {
  const caseId = (item as { caseId?: unknown } | null)?.caseId;
  return typeof caseId === 'string' ? `case:${caseId}` : `item:${index}`;
}

function asLinkError(error: unknown): AgencyLinkError {
  const inner = error instanceof RpcException ? error.getError() : null;
  const candidate = inner as Partial<AgencyLinkError> | null;
  if (candidate && typeof candidate.code === 'string' && typeof candidate.permanent === 'boolean') {
    const fields = Array.isArray(candidate.fields) ? candidate.fields.filter((f): f is string => typeof f === 'string') : [];
    return {
      code: candidate.code,
      message: typeof candidate.message === 'string' ? candidate.message : candidate.code,
      permanent: candidate.permanent,
      ...(fields.length > 0 ? { fields } : {}),
    };
  }
  return { code: 'AGENCY_UNAVAILABLE', message: 'adapter failure', permanent: false };
}

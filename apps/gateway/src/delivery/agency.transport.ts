import type { ClientProxy } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants.js';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import {
  AGENCY_BATCH_LIMITS,
  AGENCY_DELIVER,
  AGENCY_DELIVER_BATCH,
  type AgencyBatchOutcome,
  type AgencyDelivery,
  type AgencyDeliveryAck,
  type AgencyDeliveryBatch,
  type AgencyDeliveryBatchAck,
  type AgencyLinkError,
} from '#contracts';
import { DeliveryFailure, type BatchItemResult, type DeliveryOutcome, type DestinationTransport } from '#delivery';
import type { OutboxRecord } from '#persistence';

/**
 * Hands forwarded requests and follow-ups to this province's agency adapter over the agency link
 * (@nestjs/microservices: TCP on the embedded default, RabbitMQ in production) and waits for its
 * acknowledgement: one message per request (`send`), or many in one request (`sendBatch`,
 * AGENCY_DELIVER_BATCH) answered with one acknowledgement or error per message.
 */
export class AgencyTransport implements DestinationTransport {
  /** One batch request carries at most this much (the adapter refuses a larger batch as a whole). */
  readonly batchLimit = { messages: AGENCY_BATCH_LIMITS.deliveries, bytes: 512 * 1024 };
  /** Set when the adapter has no batch handler (an older version): messages then go one by one. */
  private batchUnsupported = false;

  constructor(
    private readonly client: ClientProxy,
    private readonly timeoutMs: number,
  ) {}

  async send(message: OutboxRecord): Promise<DeliveryOutcome> {
    const delivery = JSON.parse(message.payload) as AgencyDelivery;
    let ack: AgencyDeliveryAck;
    try {
      ack = await firstValueFrom(this.client.send<AgencyDeliveryAck>(AGENCY_DELIVER, delivery).pipe(timeout(this.timeoutMs)));
    } catch (error) {
      throw classify(error);
    }
    return outcomeOf(ack, delivery.messageId);
  }

  /**
   * 1. One AGENCY_DELIVER_BATCH request for all the messages (each keeps its own link proof).
   * 2. An answer that does not match the batch fails the batch as a whole (nothing is marked).
   * 3. Each message is then delivered or failed on its own, by its own acknowledgement or error.
   */
  async sendBatch(messages: readonly OutboxRecord[]): Promise<readonly BatchItemResult[]> {
    if (this.batchUnsupported) return this.oneByOne(messages);
    const batch: AgencyDeliveryBatch = { items: messages.map((m) => JSON.parse(m.payload) as AgencyDelivery) };
    let answer: AgencyDeliveryBatchAck;
    try {
      answer = await firstValueFrom(this.client.send<AgencyDeliveryBatchAck>(AGENCY_DELIVER_BATCH, batch).pipe(timeout(this.timeoutMs)));
    } catch (error) {
      if (error === NO_MESSAGE_HANDLER) {
        // An adapter of an older version: it takes deliveries one at a time.
        this.batchUnsupported = true;
        return this.oneByOne(messages);
      }
      throw classify(error);
    }
    const results = (answer as Partial<AgencyDeliveryBatchAck> | undefined)?.results;
    if (!Array.isArray(results) || results.length !== messages.length) {
      throw DeliveryFailure.transient('AGENCY_BAD_ACK', 'the adapter answered a batch acknowledgement that does not match the batch');
    }
    return batch.items.map((delivery, i): BatchItemResult => {
      const result = results[i] as AgencyBatchOutcome<AgencyDeliveryAck> | undefined;
      try {
        if (result?.ok === true) return { ok: true, outcome: outcomeOf(result.ack, delivery.messageId) };
        if (result?.ok === false) return { ok: false, failure: classify(result.error) };
        return { ok: false, failure: DeliveryFailure.transient('AGENCY_BAD_ACK', 'the adapter answered no outcome for this message') };
      } catch (error) {
        return { ok: false, failure: classify(error) };
      }
    });
  }

  private oneByOne(messages: readonly OutboxRecord[]): Promise<readonly BatchItemResult[]> {
    return Promise.all(
      messages.map((m) =>
        this.send(m).then(
          (outcome): BatchItemResult => ({ ok: true, outcome }),
          (error: unknown): BatchItemResult => ({ ok: false, failure: classify(error) }),
        ),
      ),
    );
  }
}

/** An acknowledgement is proof only for the message it names, with the agency's reference. */
function outcomeOf(ack: AgencyDeliveryAck | undefined, messageId: string): DeliveryOutcome {
  if (!ack || ack.messageId !== messageId || typeof ack.agencyRef !== 'string') {
    throw DeliveryFailure.transient('AGENCY_BAD_ACK', 'the adapter answered an acknowledgement for another message');
  }
  return { proof: JSON.stringify(ack), result: ack };
}

function classify(error: unknown): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  if (error instanceof TimeoutError) return DeliveryFailure.transient('AGENCY_TIMEOUT', 'no acknowledgement in time', error);
  const linkError = error as Partial<AgencyLinkError> | undefined;
  if (linkError && typeof linkError.code === 'string' && typeof linkError.permanent === 'boolean') {
    const detail = typeof linkError.message === 'string' ? linkError.message.slice(0, 200) : 'adapter error';
    return linkError.permanent ? DeliveryFailure.permanent(linkError.code, detail) : DeliveryFailure.transient(linkError.code, detail);
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  return DeliveryFailure.transient('ADAPTER_UNREACHABLE', typeof code === 'string' ? code : 'agency link failed', error);
}

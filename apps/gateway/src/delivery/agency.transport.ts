import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants.js';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { SystemClock, type Clock } from '#core';
import {
  AGENCY_BATCH_LIMITS,
  AGENCY_BATCH_RETRY_MS,
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
  private readonly logger = new Logger('AgencyLink');
  /** One batch request carries at most this much (the adapter refuses a larger batch as a whole). */
  readonly batchLimit = { messages: AGENCY_BATCH_LIMITS.deliveries, bytes: 512 * 1024 };
  /**
   * Until when messages go one by one because the adapter had no batch handler (an older
   * version); after AGENCY_BATCH_RETRY_MS a batch is tried again, so an adapter upgraded in
   * place gets batches back.
   */
  private oneByOneUntil = 0;

  constructor(
    private readonly client: ClientProxy,
    private readonly timeoutMs: number,
    private readonly clock: Clock = new SystemClock(),
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
   * 2. An adapter without the batch handler, or one that refuses the batch as a whole for good
   *    (CONTRACT_INVALID: e.g. a smaller batch limit), gets the messages one by one: a refusal of
   *    the batch says nothing about any one message, so none is failed for it.
   * 3. An answer that does not match the batch fails the batch as a whole (nothing is marked).
   * 4. Each message is then delivered or failed on its own, by its own acknowledgement or error.
   */
  async sendBatch(messages: readonly OutboxRecord[]): Promise<readonly BatchItemResult[]> {
    if (this.clock.nowMs() < this.oneByOneUntil) return this.oneByOne(messages);
    const batch: AgencyDeliveryBatch = { items: messages.map((m) => JSON.parse(m.payload) as AgencyDelivery) };
    let answer: AgencyDeliveryBatchAck;
    try {
      answer = await firstValueFrom(this.client.send<AgencyDeliveryBatchAck>(AGENCY_DELIVER_BATCH, batch).pipe(timeout(this.timeoutMs)));
    } catch (error) {
      if (error === NO_MESSAGE_HANDLER) {
        // An adapter of an older version: it takes deliveries one at a time (for a while).
        this.oneByOneUntil = this.clock.nowMs() + AGENCY_BATCH_RETRY_MS;
        return this.oneByOne(messages);
      }
      const failure = classify(error);
      if (!failure.permanent) throw failure;
      this.logger.warn({ msg: 'adapter refused a delivery batch as a whole; sending its messages one by one', code: failure.reason, size: messages.length });
      return this.oneByOne(messages);
    }
    const results = (answer as Partial<AgencyDeliveryBatchAck> | undefined)?.results;
    if (!Array.isArray(results) || results.length !== messages.length) {
      throw DeliveryFailure.of('AGENCY_BAD_ACK', 'the adapter answered a batch acknowledgement that does not match the batch');
    }
    return batch.items.map((delivery, i): BatchItemResult => {
      const result = results[i] as AgencyBatchOutcome<AgencyDeliveryAck> | undefined;
      try {
        if (result?.ok === true) return { ok: true, outcome: outcomeOf(result.ack, delivery.messageId) };
        if (result?.ok === false) return { ok: false, failure: classify(result.error) };
        return { ok: false, failure: DeliveryFailure.of('AGENCY_BAD_ACK', 'the adapter answered no outcome for this message') };
      } catch (error) {
        return { ok: false, failure: classify(error) };
      }
    });
  }

  /**
   * One AGENCY_DELIVER request per message, answered in the order given: different cases side
   * by side, one case's messages one after another in batch order (a withdrawal must not
   * overtake its case at the agency), as the adapter's batch handler does.
   */
  private oneByOne(messages: readonly OutboxRecord[]): Promise<readonly BatchItemResult[]> {
    const chains = new Map<string, Promise<unknown>>();
    return Promise.all(
      messages.map((m) => {
        // A message without a case is ordered after nothing.
        const key = m.caseId === null ? `message:${m.messageId}` : `case:${m.caseId}`;
        const previous = chains.get(key) ?? Promise.resolve();
        const result = previous.then(() =>
          this.send(m).then(
            (outcome): BatchItemResult => ({ ok: true, outcome }),
            (error: unknown): BatchItemResult => ({ ok: false, failure: classify(error) }),
          ),
        );
        chains.set(key, result);
        return result;
      }),
    );
  }
}

/** An acknowledgement is proof only for the message it names, with the agency's reference. */
function outcomeOf(ack: AgencyDeliveryAck | undefined, messageId: string): DeliveryOutcome {
  if (!ack || ack.messageId !== messageId || typeof ack.agencyRef !== 'string') {
    throw DeliveryFailure.of('AGENCY_BAD_ACK', 'the adapter answered an acknowledgement for another message');
  }
  return { proof: JSON.stringify(ack), result: ack };
}

function classify(error: unknown): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  if (error instanceof TimeoutError) return DeliveryFailure.of('AGENCY_TIMEOUT', 'no acknowledgement in time', error);
  const linkError = error as Partial<AgencyLinkError> | undefined;
  if (linkError && typeof linkError.code === 'string' && typeof linkError.permanent === 'boolean') {
    const message = typeof linkError.message === 'string' ? linkError.message.slice(0, 200) : 'adapter error';
    // Field names only (the adapter never sends values): they say what to fix in a dead letter.
    const fields = Array.isArray(linkError.fields) ? linkError.fields.filter((f): f is string => typeof f === 'string').slice(0, 20) : [];
    const detail = fields.length > 0 ? `${message} (fields: ${fields.join(', ')})` : message;
    // The table decides, not the flag the adapter sent; an unknown code keeps the adapter's word.
    return DeliveryFailure.answered(linkError.code, detail, linkError.permanent ? 'AGENCY_REFUSED' : 'AGENCY_UNAVAILABLE');
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  return DeliveryFailure.of('ADAPTER_UNREACHABLE', typeof code === 'string' ? code : 'agency link failed', error);
}

import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { AGENCY_DELIVER, type AgencyDelivery, type AgencyDeliveryAck, type AgencyLinkError } from '#contracts';
import { DeliveryFailure, type DeliveryOutcome, type DestinationTransport } from '#delivery';
import type { OutboxRecord } from '#persistence';

/**
 * Hands a forwarded request to this province's agency adapter over the agency link
 * (@nestjs/microservices: TCP on the embedded default) and waits for its acknowledgement.
 */
export class AgencyTransport implements DestinationTransport {
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
    if (!ack || ack.messageId !== delivery.messageId || typeof ack.agencyRef !== 'string') {
      throw DeliveryFailure.transient('AGENCY_BAD_ACK', 'the adapter answered an acknowledgement for another message');
    }
    return { proof: JSON.stringify(ack), result: ack };
  }
}

function classify(error: unknown): DeliveryFailure {
  if (error instanceof TimeoutError) return DeliveryFailure.transient('AGENCY_TIMEOUT', 'no acknowledgement in time', error);
  const linkError = error as Partial<AgencyLinkError> | undefined;
  if (linkError && typeof linkError.code === 'string' && typeof linkError.permanent === 'boolean') {
    const detail = typeof linkError.message === 'string' ? linkError.message.slice(0, 200) : 'adapter error';
    return linkError.permanent ? DeliveryFailure.permanent(linkError.code, detail) : DeliveryFailure.transient(linkError.code, detail);
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  return DeliveryFailure.transient('ADAPTER_UNREACHABLE', typeof code === 'string' ? code : 'agency link failed', error);
}

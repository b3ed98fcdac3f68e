import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '#core';
import { GatewayDatabase, type OutboxRecord } from '#persistence';
import { signatureAlgOf, suiteOfAlg, TrustStore } from '#signing';
import { parseDestination } from '../cases/destinations.js';
import { EnvelopeFactory } from '../cases/envelope-factory.js';

/**
 * The relay's last step before it sends envelopes (Relay `beforeSend`): an envelope of this node
 * still waiting in the outbox in a suite the federation no longer accepts (signed EdDSA before a
 * move to gm whose overlap has ended, say, while its receiver was away) is signed again with the
 * key this node signs with now, same message id and claims, stored, audited, and then sent. Sent
 * as it was, every peer would refuse it (SUITE_NOT_ACCEPTED, retried) until it dead-lettered.
 *
 * During the overlap nothing is re-signed: a retry then carries the very bytes first sent, so a
 * peer that took them but whose receipt was lost answers with its receipt (not ENVELOPE_CONFLICT).
 */
@Injectable()
export class StaleSuiteResigner {
  private readonly logger = new Logger('Relay');

  constructor(
    private readonly trust: TrustStore,
    private readonly envelopes: EnvelopeFactory,
    private readonly db: GatewayDatabase,
    private readonly clock: Clock,
  ) {}

  /** The messages to send, in order, stale ones signed again (the others untouched). */
  async prepare(messages: readonly OutboxRecord[]): Promise<readonly OutboxRecord[]> {
    const accepted = this.trust.acceptedAlgs(this.clock.nowMs());
    // Only an envelope of a known suite: anything else goes as it is, and its receiver says why not.
    const stale = messages.filter((m) => {
      const alg = signatureAlgOf(m.payload);
      return carriesEnvelope(m) && suiteOfAlg(alg) !== undefined && !accepted.includes(alg);
    });
    if (stale.length === 0) return messages;
    const resigned = new Map<string, { readonly payload: string; readonly previousAlg: string }>();
    for (const message of stale) {
      const payload = await this.envelopes.resignInForce(message.payload).catch((error: unknown) => {
        // Sent as it is, it is refused and retried until it dead-letters, where an operator sees it.
        this.logger.warn({ msg: 'stale-suite envelope could not be signed again', messageId: message.messageId, error: error instanceof Error ? error.message : String(error) });
        return null;
      });
      if (payload !== null) resigned.set(message.messageId, { payload, previousAlg: signatureAlgOf(message.payload) });
    }
    const key = this.envelopes.signingKey();
    const lost = new Set<string>();
    await this.db.transaction(async (tx) => {
      for (const [messageId, { payload, previousAlg }] of resigned) {
        // Stored before it leaves: the receipt names the hash of these bytes, and the log keeps them.
        if (!(await tx.outbox.replaceInFlightPayload(messageId, payload))) {
          lost.add(messageId);
          continue;
        }
        const message = stale.find((m) => m.messageId === messageId);
        await tx.audit.append({
          action: 'envelope-resigned',
          subject: messageId,
          operatorId: 'relay',
          reason: `signed in ${previousAlg}, which the federation no longer accepts`,
          detailJson: JSON.stringify({ destination: message?.destination, messageType: message?.messageType, previousAlg, alg: key.alg, kid: key.kid }),
          at: this.clock.nowMs(),
        });
      }
    });
    const done = [...resigned.keys()].filter((id) => !lost.has(id));
    if (done.length > 0) this.logger.log({ msg: 'envelopes signed again in the suite in force', count: done.length, alg: key.alg, messageIds: done });
    return messages
      .filter((m) => !lost.has(m.messageId))
      .map((m) => {
        const again = resigned.get(m.messageId);
        return again === undefined ? m : { ...m, payload: again.payload };
      });
  }
}

/** Envelopes go to peers and to this node itself; agency destinations carry JSON. */
function carriesEnvelope(message: OutboxRecord): boolean {
  const kind = parseDestination(message.destination)?.kind;
  return kind === 'self' || kind === 'peer';
}

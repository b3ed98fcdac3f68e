import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, GatewayError, isGatewayError, newMessageId, type NodeCode } from '#core';
import { isRequestMessageType } from '#contracts';
import { batchProofs, batchReceiptSubject, batchRoot, type BatchEntry } from '#delivery';
import { GatewayDatabase } from '#persistence';
import { FileKeyStore, INTL_SUITE, signReceipt, suiteOfSignatureAlg, TrustStore, verifyEnvelope, type VerifiedEnvelope } from '#signing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { OutboxSignal } from '../runtime/outbox-signal.js';
import { IntakeLoad } from '../runtime/intake-load.js';
import { InboundService } from './inbound.service.js';

/** At most this many envelopes in one batch request (the body limit bounds the bytes). */
export const MAX_BATCH_ENVELOPES = 100;

/**
 * One envelope's answer in a batch, in request order:
 * - `received`: proven by the batch receipt (its leaf is in the signed Merkle root, in the order
 *   of the `received` entries);
 * - `proof`: taken on its own through `receive`, with its own receipt (types other than requests
 *   and status updates);
 * - `refused`: the code and HTTP status a single envelope would have been refused with.
 */
export type BatchResult =
  | { readonly status: 'received' }
  | { readonly status: 'proof'; readonly proof: string }
  | { readonly status: 'refused'; readonly code: string; readonly httpStatus: number; readonly detail?: string };

export interface BatchAnswer {
  /** Batch id: the receipt's `msg` is `batch:<batch>`. */
  readonly batch: string;
  /** One signed receipt over every `received` envelope, or null when none was. */
  readonly receipt: string | null;
  readonly results: readonly BatchResult[];
}

interface Candidate {
  readonly position: number;
  readonly compact: string;
  readonly verified: VerifiedEnvelope;
}

/** Thrown inside the batch transaction to roll it back and take the batch again without `position`. */
class RedoWithout extends Error {
  constructor(
    readonly position: number,
    readonly refusal: unknown,
  ) {
    super('redo the batch without one envelope');
  }
}

/**
 * Takes a batch of envelopes from one peer in one request: each is verified on its own (step 1 of
 * `InboundService.receive`), then all of them take effect in ONE transaction through
 * `InboundService.acceptVerifiedInBatch` (steps 2 and 4), and ONE receipt is signed for the lot:
 * a Merkle root over each message's id and the SHA-256 of exactly its bytes (libs/delivery
 * batch-proof.ts), so every message can still be proven on its own.
 *
 * An envelope refused inside the transaction (a conflict, a status the case does not allow) rolls
 * the transaction back and the batch is taken again without it, so the signed root names exactly
 * what was committed.
 */
@Injectable()
export class BatchInboundService {
  private readonly logger = new Logger('BatchInbound');

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: GatewayDatabase,
    private readonly keys: FileKeyStore,
    private readonly trust: TrustStore,
    private readonly clock: Clock,
    private readonly inbound: InboundService,
    private readonly outbox: OutboxSignal,
    private readonly load: IntakeLoad,
  ) {}

  /**
   * Takes a batch (compact JWS separated by line feeds, exactly as received); while the windows
   * keep this node busy, one batch at a time (IntakeLoad).
   */
  receiveBatch(body: string): Promise<BatchAnswer> {
    return this.load.background(() => this.take(body));
  }

  private async take(body: string): Promise<BatchAnswer> {
    // Each line is taken as it came, never trimmed: its SHA-256 is a leaf of the signed root. A
    // blank line (a trailing newline included) is a framing error of the whole batch.
    const envelopes = body.split('\n');
    if (envelopes.length > MAX_BATCH_ENVELOPES || envelopes.some((line) => line.length === 0)) {
      throw new GatewayError('ENVELOPE_MALFORMED', {
        detail: `a batch holds 1 to ${MAX_BATCH_ENVELOPES} compact JWS separated by single line feeds, with no blank or trailing line`,
      });
    }
    const results: BatchResult[] = envelopes.map(() => ({ status: 'refused', code: 'INTERNAL', httpStatus: 500 }));

    // 1. Verify each envelope before trusting anything in it. The signatures are checked by
    //    node:crypto on this thread, one after another; Promise.all only lets the JWKS fetches of
    //    kids not yet known (TrustStore.ensure) overlap, and keeps each refusal beside its line.
    const verified = await Promise.all(
      envelopes.map((compact) =>
        verifyEnvelope(compact, {
          trust: this.trust,
          self: this.config.node,
          nowMs: this.clock.nowMs(),
          maxSkewSeconds: this.config.maxClockSkewSeconds,
          maxLifetimeSeconds: this.config.envelopeTtlSeconds,
        }).catch((error: unknown) => error),
      ),
    );
    let batched: Candidate[] = [];
    const single: Candidate[] = [];
    let sender: NodeCode | null = null;
    verified.forEach((v, position) => {
      if (!isVerified(v)) {
        results[position] = refusal(v);
        return;
      }
      sender ??= v.claims.iss;
      if (v.claims.iss !== sender) {
        results[position] = refusal(new GatewayError('ENVELOPE_SENDER_MISMATCH', { detail: 'a batch comes from one sender' }));
        return;
      }
      const candidate = { position, compact: envelopes[position], verified: v };
      if (isRequestMessageType(v.claims.mtype) || v.claims.mtype === 'status-update') batched.push(candidate);
      else single.push(candidate);
    });

    // 2. One receipt for the lot, then every effect in one transaction; redone without any refused.
    const batch = newMessageId(this.clock.nowMs());
    let receipt: string | null = null;
    while (batched.length > 0 && sender) {
      const entries: BatchEntry[] = batched.map((c) => ({ messageId: c.verified.claims.jti, sha256: c.verified.sha256 }));
      // The tree is hashed in the suite of the key that signs the receipt (SM3 under gm): the
      // sender reads it from the receipt's alg.
      const key = this.keys.current();
      const hash = (suiteOfSignatureAlg(key.alg) ?? INTL_SUITE).hash;
      receipt = await signReceipt(key, {
        jti: newMessageId(this.clock.nowMs()),
        iss: this.config.node,
        aud: sender,
        iat: Math.floor(this.clock.nowMs() / 1000),
        msg: batchReceiptSubject(batch),
        sha256: batchRoot(entries, hash),
        result: 'accepted',
      });
      const proofs = batchProofs(entries, receipt, hash);
      const current = batched;
      try {
        await this.db.transaction(async (tx) => {
          // The batch's cases, locked first and in one order (see CaseStore.lockAll).
          await tx.cases.lockAll(current.map((c) => c.verified.claims.case));
          for (const [i, c] of current.entries()) {
            try {
              await this.inbound.acceptVerifiedInBatch(tx, c.compact, c.verified, JSON.stringify(proofs[i]));
            } catch (error) {
              throw new RedoWithout(c.position, error);
            }
          }
        });
        for (const c of current) results[c.position] = { status: 'received' };
        break;
      } catch (error) {
        if (!(error instanceof RedoWithout)) throw error;
        results[error.position] = refusal(error.refusal);
        if (!isGatewayError(error.refusal)) {
          this.logger.error({ msg: 'envelope in a batch failed unexpectedly', error: error.refusal instanceof Error ? error.refusal.name : 'unknown' });
        }
        batched = current.filter((c) => c.position !== error.position);
        receipt = null;
      }
    }

    // 3. Other message types, each on its own (its own transaction and receipt), after the batch.
    for (const c of single) {
      try {
        results[c.position] = { status: 'proof', proof: (await this.inbound.receive(c.compact)).receipt };
      } catch (error) {
        results[c.position] = refusal(error);
      }
    }

    // 4. Whatever the batch caused (agency hand-overs, status updates) goes out now.
    const received = results.filter((r) => r.status === 'received').length;
    if (received > 0) this.outbox.notify();
    this.logger.log({ msg: 'envelope batch taken', batch, sender, envelopes: envelopes.length, received, refused: results.filter((r) => r.status === 'refused').length });
    return { batch, receipt, results };
  }
}

function isVerified(value: unknown): value is VerifiedEnvelope {
  return typeof value === 'object' && value !== null && 'claims' in value && 'sha256' in value;
}

function refusal(error: unknown): BatchResult {
  if (isGatewayError(error)) return { status: 'refused', code: error.code, httpStatus: error.status, ...(error.detail ? { detail: error.detail } : {}) };
  return { status: 'refused', code: 'INTERNAL', httpStatus: 500 };
}

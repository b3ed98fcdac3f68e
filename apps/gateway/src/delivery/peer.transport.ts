import { Clock, isGatewayError, type NodeCode } from '#core';
import {
  batchProofs,
  batchReceiptSubject,
  batchRoot,
  DeliveryFailure,
  parseBatchProof,
  rootFromProof,
  type BatchItemResult,
  type DeliveryOutcome,
  type DestinationTransport,
} from '#delivery';
import type { OutboxRecord } from '#persistence';
import { evidenceHash, evidenceSuite, verifyReceipt, TrustStore } from '#signing';

/**
 * What a receipt is checked against: the federation's keys, this node (the receipt's audience)
 * and the clock. (Whether a peer's refusal is retried is the error table's `retryable`, through
 * DeliveryFailure, not a list here.)
 */
export interface ReceiptCheck {
  readonly trust: TrustStore;
  readonly self: NodeCode;
  readonly clock: Clock;
  readonly maxSkewSeconds: number;
}

/**
 * Verifies a receipt against what was sent: signed by the receiver, addressed to us, naming our
 * message id and the suite's hash of exactly the bytes we sent. A message the peer first took in a
 * batch is proven by its batch proof instead (the batch receipt and its Merkle path).
 */
export async function checkReceipt(receipt: string, message: OutboxRecord, receiver: NodeCode, check: ReceiptCheck): Promise<DeliveryOutcome> {
  const batch = parseBatchProof(receipt);
  const sha256 = evidenceHash(message.payload);
  try {
    if (batch) {
      // The tree's hash is the batch receipt's suite (SM3 for an SM2 receipt), read from its alg;
      // the receipt's check then allows only the algorithms the federation accepts.
      const root = rootFromProof({ messageId: message.messageId, sha256 }, batch, evidenceSuite(batch.receipt).hash);
      const subject = receiptSubject(batch.receipt);
      if (!root || !subject?.startsWith('batch:')) throw DeliveryFailure.of('RECEIPT_INVALID', 'the batch proof does not lead to a batch receipt');
      await verifyReceipt(batch.receipt, { ...receiptOptions(check, receiver), messageId: subject, sha256: root });
    } else {
      await verifyReceipt(receipt, { ...receiptOptions(check, receiver), messageId: message.messageId, sha256 });
    }
  } catch (error) {
    if (error instanceof DeliveryFailure) throw error;
    const detail = isGatewayError(error) ? (error.detail ?? error.code) : 'receipt check failed';
    throw DeliveryFailure.of('RECEIPT_INVALID', detail, error);
  }
  return { proof: receipt };
}

function receiptOptions(check: ReceiptCheck, receiver: NodeCode) {
  return { trust: check.trust, expectedSigner: receiver, expectedAudience: check.self, nowMs: check.clock.nowMs(), maxSkewSeconds: check.maxSkewSeconds };
}

/** The `msg` claim of a receipt, read before verification only to know what to verify it against. */
function receiptSubject(compact: string): string | null {
  try {
    const claims = JSON.parse(Buffer.from(compact.split('.')[1] ?? '', 'base64url').toString('utf8')) as { msg?: unknown };
    return typeof claims.msg === 'string' ? claims.msg : null;
  } catch {
    return null;
  }
}

/** The peer's answer to a batch (apps/gateway/src/peer/batch-inbound.service.ts). */
interface BatchAnswer {
  readonly batch?: unknown;
  readonly receipt?: unknown;
  readonly results?: readonly { readonly status?: unknown; readonly proof?: unknown; readonly code?: unknown; readonly httpStatus?: unknown }[];
}

/** POSTs a signed envelope to a peer node and verifies the signed receipt it answers. */
export class PeerTransport implements DestinationTransport {
  /** One batch request carries at most this much (the peer's body limit is 256 KB by default). */
  readonly batchLimit = { messages: 50, bytes: 192 * 1024 };
  /** Set when the peer has no batch face (an older version): messages then go one by one. */
  private batchUnsupported = false;

  constructor(
    private readonly receiver: NodeCode,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly check: ReceiptCheck,
  ) {}

  async send(message: OutboxRecord): Promise<DeliveryOutcome> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/peer/v1/envelopes`, {
        method: 'POST',
        headers: { 'content-type': 'application/jose', accept: 'application/jose' },
        body: message.payload,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw unreachable(error);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      // application/json: a message first taken in a batch, answered with its batch proof.
      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith('application/jose') && !type.startsWith('application/json')) {
        throw DeliveryFailure.of('PEER_BAD_RESPONSE', `unexpected content type with status ${response.status}`);
      }
      return checkReceipt(text.trim(), message, this.receiver, this.check);
    }
    throw peerRefusal(problemCode(text), response.status);
  }

  /** Many envelopes in one request, one signed receipt for all (falls back to one by one). */
  async sendBatch(messages: readonly OutboxRecord[]): Promise<readonly BatchItemResult[]> {
    if (!this.batchUnsupported) {
      const results = await sendBatchTo(this.baseUrl, this.timeoutMs, this.receiver, this.check, messages);
      if (typeof results !== 'number') return results;
      if (results === 404 || results === 405) this.batchUnsupported = true;
    }
    return Promise.all(
      messages.map((m) =>
        this.send(m).then(
          (outcome): BatchItemResult => ({ ok: true, outcome }),
          (error: unknown): BatchItemResult => ({ ok: false, failure: error instanceof DeliveryFailure ? error : DeliveryFailure.of('INTERNAL', 'send failed', error) }),
        ),
      ),
    );
  }
}

/**
 * The batch face of PeerTransport: POSTs many envelopes in one request and verifies the one batch
 * receipt against the SHA-256 of each envelope sent. Answers the HTTP status instead when the
 * peer would not take the batch as a whole (4xx).
 */
async function sendBatchTo(url: string, timeoutMs: number, receiver: NodeCode, check: ReceiptCheck, messages: readonly OutboxRecord[]): Promise<readonly BatchItemResult[] | number> {
  let response: Response;
  try {
    response = await fetch(`${url}/peer/v1/envelope-batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose', accept: 'application/json' },
      body: messages.map((m) => m.payload).join('\n'),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw unreachable(error);
  }
  const text = await response.text().catch(() => '');
  if (response.status === 429 || response.status >= 500) throw peerRefusal(problemCode(text), response.status);
  // No batch face (404), or the batch as a whole refused (too large, …): the caller sends one by one.
  if (!response.ok) return response.status;
  let answer: BatchAnswer;
  try {
    answer = JSON.parse(text) as BatchAnswer;
  } catch {
    throw DeliveryFailure.of('PEER_BAD_RESPONSE', 'the batch answer is not JSON');
  }
  const results = (Array.isArray(answer.results) ? answer.results : []) as NonNullable<BatchAnswer['results']>;
  if (results.length !== messages.length || typeof answer.batch !== 'string') {
    throw DeliveryFailure.of('PEER_BAD_RESPONSE', 'the batch answer does not match the batch');
  }
  // The received ones, in order, are the leaves of the signed root: recompute it from what WE sent.
  const received = messages.filter((_, i) => results[i].status === 'received');
  let proofs: string[] = [];
  let receiptFailure: DeliveryFailure | null = null;
  if (received.length > 0) {
    const entries = received.map((m) => ({ messageId: m.messageId, sha256: evidenceHash(m.payload) }));
    try {
      if (typeof answer.receipt !== 'string') throw DeliveryFailure.of('RECEIPT_INVALID', 'no batch receipt');
      const hash = evidenceSuite(answer.receipt).hash;
      await verifyReceipt(answer.receipt, { ...receiptOptions(check, receiver), messageId: batchReceiptSubject(answer.batch), sha256: batchRoot(entries, hash) });
      proofs = batchProofs(entries, answer.receipt, hash).map((p) => JSON.stringify(p));
    } catch (error) {
      const detail = isGatewayError(error) ? (error.detail ?? error.code) : 'batch receipt check failed';
      receiptFailure = error instanceof DeliveryFailure ? error : DeliveryFailure.of('RECEIPT_INVALID', detail, error);
    }
  }
  let next = 0;
  return Promise.all(
    messages.map(async (message, i): Promise<BatchItemResult> => {
      const result = results[i];
      if (result.status === 'received') {
        const proof = proofs[next++];
        return receiptFailure || proof === undefined ? { ok: false, failure: receiptFailure ?? DeliveryFailure.of('RECEIPT_INVALID', 'no proof') } : { ok: true, outcome: { proof } };
      }
      if (result.status === 'proof' && typeof result.proof === 'string') {
        return checkReceipt(result.proof, message, receiver, check).then(
          (outcome): BatchItemResult => ({ ok: true, outcome }),
          (error: unknown): BatchItemResult => ({ ok: false, failure: error instanceof DeliveryFailure ? error : DeliveryFailure.of('RECEIPT_INVALID', 'receipt check failed', error) }),
        );
      }
      return { ok: false, failure: peerRefusal(typeof result.code === 'string' ? result.code : undefined, typeof result.httpStatus === 'number' ? result.httpStatus : 500) };
    }),
  );
}

/**
 * What a peer's refusal of one envelope means, by the one error table: a code of ours is retried
 * or dead-lettered as the table says; a code this node does not know (a newer peer) is retried
 * for a while, as the peer being down (5xx, 429) always is.
 */
function peerRefusal(code: string | undefined, status: number): DeliveryFailure {
  return DeliveryFailure.answered(code, `peer answered ${status}`, status >= 500 || status === 429 ? 'PEER_UNAVAILABLE' : 'PEER_ANSWERED_ERROR');
}

/** No answer: the connection failed or the peer did not answer within PEER_TIMEOUT_MS. */
function unreachable(error: unknown): DeliveryFailure {
  const timeout = error instanceof Error && error.name === 'TimeoutError';
  return timeout ? DeliveryFailure.of('PEER_TIMEOUT', 'no answer in time', error) : DeliveryFailure.of('PEER_UNREACHABLE', 'connection failed', error);
}

function problemCode(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { code?: unknown };
    return typeof parsed.code === 'string' ? parsed.code : undefined;
  } catch {
    return undefined;
  }
}

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
    throw receiptFailure(error, 'receipt check failed');
  }
  return { proof: receipt };
}

/** A failed receipt check as a DeliveryFailure: RECEIPT_INVALID with the check's detail. */
function receiptFailure(error: unknown, fallbackDetail: string): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const detail = isGatewayError(error) ? (error.detail ?? error.code) : fallbackDetail;
  return DeliveryFailure.of('RECEIPT_INVALID', detail, error);
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
    const answer = await postToPeer(`${this.baseUrl}/peer/v1/envelopes`, 'application/jose', message.payload, this.timeoutMs);
    if (!answer.ok) throw peerRefusal(problemCode(answer.text), answer.status);
    // application/json: a message first taken in a batch, answered with its batch proof.
    if (!answer.type.startsWith('application/jose') && !answer.type.startsWith('application/json')) {
      throw DeliveryFailure.of('PEER_BAD_RESPONSE', `unexpected content type with status ${answer.status}`);
    }
    return checkReceipt(answer.text.trim(), message, this.receiver, this.check);
  }

  /** Many envelopes in one request, one signed receipt for all (falls back to one by one). */
  async sendBatch(messages: readonly OutboxRecord[]): Promise<readonly BatchItemResult[]> {
    if (!this.batchUnsupported) {
      const results = await sendBatchTo(this.baseUrl, this.timeoutMs, this.receiver, this.check, messages);
      if (typeof results !== 'number') return results;
      if (results === 404 || results === 405) this.batchUnsupported = true;
    }
    return Promise.all(messages.map((m) => settled(this.send(m), 'INTERNAL', 'send failed')));
  }
}

/** One message's outcome as a batch item: delivered, or the DeliveryFailure it failed with. */
function settled(outcome: Promise<DeliveryOutcome>, code: 'INTERNAL' | 'RECEIPT_INVALID', detail: string): Promise<BatchItemResult> {
  return outcome.then(
    (delivered): BatchItemResult => ({ ok: true, outcome: delivered }),
    (error: unknown): BatchItemResult => ({ ok: false, failure: error instanceof DeliveryFailure ? error : DeliveryFailure.of(code, detail, error) }),
  );
}

/**
 * The batch face of PeerTransport: POSTs many envelopes in one request and verifies the one batch
 * receipt against the SHA-256 of each envelope sent. Answers the HTTP status instead when the
 * peer would not take the batch as a whole (4xx).
 */
async function sendBatchTo(url: string, timeoutMs: number, receiver: NodeCode, check: ReceiptCheck, messages: readonly OutboxRecord[]): Promise<readonly BatchItemResult[] | number> {
  const reply = await postToPeer(`${url}/peer/v1/envelope-batches`, 'application/json', messages.map((m) => m.payload).join('\n'), timeoutMs);
  // No batch face (404), or the batch as a whole refused (too large, …): the caller sends one by one.
  if (!reply.ok) return reply.status;
  let answer: BatchAnswer;
  try {
    answer = JSON.parse(reply.text) as BatchAnswer;
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
  let batchFailure: DeliveryFailure | null = null;
  if (received.length > 0) {
    const entries = received.map((m) => ({ messageId: m.messageId, sha256: evidenceHash(m.payload) }));
    try {
      if (typeof answer.receipt !== 'string') throw DeliveryFailure.of('RECEIPT_INVALID', 'no batch receipt');
      const hash = evidenceSuite(answer.receipt).hash;
      await verifyReceipt(answer.receipt, { ...receiptOptions(check, receiver), messageId: batchReceiptSubject(answer.batch), sha256: batchRoot(entries, hash) });
      proofs = batchProofs(entries, answer.receipt, hash).map((p) => JSON.stringify(p));
    } catch (error) {
      batchFailure = receiptFailure(error, 'batch receipt check failed');
    }
  }
  let next = 0;
  return Promise.all(
    messages.map(async (message, i): Promise<BatchItemResult> => {
      const result = results[i];
      if (result.status === 'received') {
        const proof = proofs[next++];
        return batchFailure || proof === undefined ? { ok: false, failure: batchFailure ?? DeliveryFailure.of('RECEIPT_INVALID', 'no proof') } : { ok: true, outcome: { proof } };
      }
      if (result.status === 'proof' && typeof result.proof === 'string') {
        return settled(checkReceipt(result.proof, message, receiver, check), 'RECEIPT_INVALID', 'receipt check failed');
      }
      return { ok: false, failure: peerRefusal(typeof result.code === 'string' ? result.code : undefined, typeof result.httpStatus === 'number' ? result.httpStatus : 500) };
    }),
  );
}

/** What the peer answered: its status, content type and body. */
interface PeerReply {
  readonly ok: boolean;
  readonly status: number;
  readonly type: string;
  readonly text: string;
}

/**
 * POSTs envelopes (application/jose) to the peer and classifies what comes back. No answer is
 * PEER_TIMEOUT or PEER_UNREACHABLE; an answer that says the peer is down or busy (5xx, 429) is
 * its refusal, retried (`peerRefusal`). Anything else is the caller's to read: a receipt, a batch
 * answer, or a refusal of what was sent.
 */
async function postToPeer(url: string, accept: 'application/jose' | 'application/json', body: string, timeoutMs: number): Promise<PeerReply> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/jose', accept },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw unreachable(error);
  }
  const text = await response.text().catch(() => '');
  if (response.status === 429 || response.status >= 500) throw peerRefusal(problemCode(text), response.status);
  return { ok: response.ok, status: response.status, type: response.headers.get('content-type') ?? '', text };
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

import { Clock, isGatewayError, type NodeCode } from '#core';
import { DeliveryFailure, type DeliveryOutcome, type DestinationTransport } from '#delivery';
import type { OutboxRecord } from '#persistence';
import { sha256Base64url, verifyReceipt, TrustStore } from '#signing';

/** Problem codes from a peer that will not change on retry. */
const PERMANENT_PEER_CODES = new Set([
  'ENVELOPE_MALFORMED',
  'ENVELOPE_ALG_REFUSED',
  'ENVELOPE_KEY_UNKNOWN',
  'ENVELOPE_SIGNATURE_INVALID',
  'ENVELOPE_SENDER_MISMATCH',
  'ENVELOPE_WRONG_RECEIVER',
  'ENVELOPE_EXPIRED',
  'ENVELOPE_CLAIMS_INVALID',
  'ENVELOPE_CONFLICT',
  'CONTRACT_UNKNOWN',
  'CONTRACT_VERSION_UNSUPPORTED',
  'CONTRACT_INVALID',
  'STATUS_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
]);

export interface ReceiptCheck {
  readonly trust: TrustStore;
  readonly self: NodeCode;
  readonly clock: Clock;
  readonly maxSkewSeconds: number;
}

/**
 * Verifies a receipt against what was sent: signed by the receiver, addressed to us, naming our
 * message id and the SHA-256 of exactly the bytes we sent.
 */
export async function checkReceipt(receipt: string, message: OutboxRecord, receiver: NodeCode, check: ReceiptCheck): Promise<DeliveryOutcome> {
  try {
    await verifyReceipt(receipt, {
      trust: check.trust,
      expectedSigner: receiver,
      expectedAudience: check.self,
      messageId: message.messageId,
      sha256: sha256Base64url(message.payload),
      nowMs: check.clock.nowMs(),
      maxSkewSeconds: check.maxSkewSeconds,
    });
  } catch (error) {
    const detail = isGatewayError(error) ? (error.detail ?? error.code) : 'receipt check failed';
    throw DeliveryFailure.permanent('RECEIPT_INVALID', detail, error);
  }
  return { proof: receipt };
}

/** POSTs a signed envelope to a peer node and verifies the signed receipt it answers. */
export class PeerTransport implements DestinationTransport {
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
      const timeout = error instanceof Error && error.name === 'TimeoutError';
      throw DeliveryFailure.transient(timeout ? 'PEER_TIMEOUT' : 'PEER_UNREACHABLE', timeout ? 'no answer in time' : 'connection failed', error);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      if (!(response.headers.get('content-type') ?? '').startsWith('application/jose')) {
        throw DeliveryFailure.transient('PEER_BAD_RESPONSE', `unexpected content type with status ${response.status}`);
      }
      return checkReceipt(text.trim(), message, this.receiver, this.check);
    }
    const code = problemCode(text);
    if (response.status === 429 || response.status === 503 || response.status >= 500) {
      throw DeliveryFailure.transient(code ?? `PEER_${response.status}`, `peer answered ${response.status}`);
    }
    if (code && PERMANENT_PEER_CODES.has(code)) {
      throw DeliveryFailure.permanent(code, `peer refused the envelope (${response.status})`);
    }
    // Any other 4xx: the peer is misconfigured or not yet upgraded; worth retrying for a while.
    throw DeliveryFailure.transient(code ?? `PEER_${response.status}`, `peer answered ${response.status}`);
  }
}

function problemCode(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { code?: unknown };
    return typeof parsed.code === 'string' ? parsed.code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every error the gateway can report, with its stable machine code. Codes are public: windows,
 * agencies and operators match on them, so a code is never renamed or reused for another meaning.
 *
 * `origin` says whose fault it is (after X-Road's ErrorOrigin): the window (client input), the
 * peer node, the agency side, or the gateway itself.
 */
export type ErrorOrigin = 'window' | 'peer' | 'agency' | 'operator' | 'internal';

export interface ErrorCodeInfo {
  readonly status: number;
  readonly origin: ErrorOrigin;
  readonly title: string;
  /**
   * Whether the same message sent again may succeed (the destination was down, busy, or the case
   * is still on its way). Every transport classifies a failure by this alone: a retryable code is
   * retried with backoff, any other goes to the dead letters at once.
   */
  readonly retryable: boolean;
}

export const ERROR_CODES = {
  // Window input (intake API)
  VALIDATION_FAILED: { status: 400, origin: 'window', retryable: false, title: 'The request is not valid' },
  MALFORMED_JSON: { status: 400, origin: 'window', retryable: false, title: 'The request body is not valid JSON' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, origin: 'window', retryable: false, title: 'Unsupported content type' },
  PAYLOAD_TOO_LARGE: { status: 413, origin: 'window', retryable: false, title: 'The request body is too large' },
  ID_NUMBER_INVALID: { status: 400, origin: 'window', retryable: false, title: 'The citizen ID number is not valid (GB 11643)' },
  REGION_UNKNOWN: { status: 400, origin: 'window', retryable: false, title: 'The region code is not a known division code (GB/T 2260)' },
  TEXT_CHARACTERS_INVALID: {
    status: 400,
    origin: 'window',
    retryable: false,
    title: 'A text field holds a control, replacement or bidirectional-override character',
  },
  REGION_NOT_SERVED: {
    status: 422,
    origin: 'window',
    retryable: false,
    title: 'The handling region is outside Sichuan and Chongqing',
  },
  SERVICE_UNKNOWN: { status: 400, origin: 'window', retryable: false, title: 'The service is not one this gateway carries' },
  UNAUTHENTICATED: { status: 401, origin: 'window', retryable: false, title: 'A valid window credential is required' },
  FORBIDDEN: { status: 403, origin: 'window', retryable: false, title: 'This credential may not do that' },
  CASE_NOT_FOUND: { status: 404, origin: 'window', retryable: true, title: 'No such case' },
  NOT_FOUND: { status: 404, origin: 'window', retryable: false, title: 'No such resource' },
  RATE_LIMITED: { status: 429, origin: 'window', retryable: true, title: 'Too many requests' },
  // Credential lifecycle. EXPIRED and DISABLED are told only to a caller that gave the right secret.
  AUTH_LOCKED_OUT: { status: 429, origin: 'window', retryable: true, title: 'Too many failed authentications; retry after the time given' },
  CREDENTIAL_EXPIRED: { status: 401, origin: 'window', retryable: false, title: 'The credential has expired; an operator can reissue it' },
  CREDENTIAL_DISABLED: { status: 401, origin: 'window', retryable: false, title: 'The credential has been disabled by an operator' },
  // Service rules a schema cannot express (libs/contracts/src/service-rules.ts)
  CLAIM_WINDOW_EXPIRED: { status: 422, origin: 'window', retryable: false, title: 'The claim is made after the claim window closed' },
  FILING_PERIOD_TOO_SHORT: { status: 422, origin: 'window', retryable: false, title: 'A temporary medical filing covers at least six months' },
  DATE_INVALID: { status: 400, origin: 'window', retryable: false, title: 'A date is not a real calendar date or is out of order' },
  // Follow-ups on a case (withdrawal, supplement)
  CASE_ALREADY_DECIDED: { status: 409, origin: 'window', retryable: false, title: 'The handling side has already decided this case' },
  CASE_NOT_AWAITING_SUPPLEMENT: { status: 409, origin: 'window', retryable: false, title: 'No supplementary material is awaited for this case' },
  OVERLOADED: { status: 503, origin: 'internal', retryable: true, title: 'The gateway is busy; retry later' },
  // Any HTTP caller (window, peer, operator), refused before a route is chosen
  // (apps/gateway/src/http/framework-errors.ts): the caller's fault, so `window` like the rest of client input.
  URL_MALFORMED: { status: 400, origin: 'window', retryable: false, title: 'The request URL is not valid (bad percent-encoding)' },
  URL_TOO_LONG: { status: 414, origin: 'window', retryable: false, title: 'A segment of the request URL is longer than the router accepts' },
  REQUEST_MALFORMED: { status: 400, origin: 'window', retryable: false, title: 'The request is not well-formed HTTP' },
  HEADERS_TOO_LARGE: { status: 431, origin: 'window', retryable: false, title: 'The request line and headers are larger than accepted' },
  REQUEST_TIMEOUT: { status: 408, origin: 'window', retryable: true, title: 'The request did not arrive in time' },
  // Idempotency-Key (draft-ietf-httpapi-idempotency-key-header §2.7): a window's retry of a state-changing request
  IDEMPOTENCY_KEY_INVALID: { status: 400, origin: 'window', retryable: false, title: 'The Idempotency-Key header is not a string of 1 to 255 characters' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, origin: 'window', retryable: false, title: 'The Idempotency-Key was already used for a different request' },
  IDEMPOTENCY_KEY_IN_FLIGHT: { status: 409, origin: 'window', retryable: true, title: 'A request with this Idempotency-Key is still being processed' },

  // Peer envelopes (RFC 7515 JWS)
  ENVELOPE_MALFORMED: { status: 400, origin: 'peer', retryable: false, title: 'The envelope is not a compact JWS' },
  ENVELOPE_ALG_REFUSED: { status: 400, origin: 'peer', retryable: false, title: 'The signing algorithm is not allowed' },
  ENVELOPE_KEY_UNKNOWN: { status: 401, origin: 'peer', retryable: false, title: 'The signing key is not in the federation' },
  ENVELOPE_SIGNATURE_INVALID: { status: 401, origin: 'peer', retryable: false, title: 'The envelope signature does not verify' },
  // Retryable: during a suite migration a peer that has not yet reloaded the federation refuses
  // the new suite for a while; the message waits for it instead of dead-lettering.
  SUITE_NOT_ACCEPTED: {
    status: 400,
    origin: 'peer',
    retryable: true,
    title: 'The message is signed in a cryptographic suite (intl or gm) that the federation does not accept now',
  },
  ENVELOPE_SENDER_MISMATCH: {
    status: 401,
    origin: 'peer',
    retryable: false,
    title: 'The signing key does not belong to the claimed sender',
  },
  ENVELOPE_WRONG_RECEIVER: { status: 400, origin: 'peer', retryable: false, title: 'The envelope is addressed to another node' },
  ENVELOPE_EXPIRED: { status: 400, origin: 'peer', retryable: false, title: 'The envelope has expired' },
  ENVELOPE_NOT_YET_VALID: { status: 400, origin: 'peer', retryable: true, title: 'The envelope was issued too far in the future' },
  ENVELOPE_CLAIMS_INVALID: { status: 400, origin: 'peer', retryable: false, title: 'The envelope claims are not valid' },
  ENVELOPE_CONFLICT: {
    status: 409,
    origin: 'peer',
    retryable: false,
    title: 'A different envelope with this message id was already received',
  },
  CONTRACT_UNKNOWN: { status: 400, origin: 'peer', retryable: false, title: 'The message type is not known' },
  CONTRACT_VERSION_UNSUPPORTED: { status: 400, origin: 'peer', retryable: false, title: 'The contract major version is not supported' },
  CONTRACT_INVALID: { status: 400, origin: 'peer', retryable: false, title: 'The message body does not match its contract' },
  // Who a message speaks for: a case's accepting node creates it and sends its follow-ups, its
  // handling node sends its status updates, and a route names the receiver and one of its agencies.
  CASE_PARTY_MISMATCH: { status: 403, origin: 'peer', retryable: false, title: 'The sender is not the party of this case that may send this message' },
  ROUTE_NOT_RECEIVER: { status: 400, origin: 'peer', retryable: false, title: 'The message is routed to a node or agency other than the receiver' },
  RECEIPT_INVALID: { status: 502, origin: 'peer', retryable: false, title: 'The receipt from the peer does not verify' },
  // Message-log checkpoints (libs/signing log-checkpoint.ts): a node's signed word on its log's length and head.
  CHECKPOINT_INVALID: { status: 400, origin: 'peer', retryable: false, title: 'The log checkpoint or its countersignature does not verify' },
  PEER_UNAVAILABLE: { status: 503, origin: 'peer', retryable: true, title: 'The peer node cannot be reached or did not answer as expected' },
  CHECKPOINT_REGRESSED: {
    status: 409,
    origin: 'peer',
    retryable: false,
    title: 'The log checkpoint goes back on one already countersigned (shorter, older, or another head at the same length)',
  },
  ROUTE_UNKNOWN: { status: 422, origin: 'internal', retryable: false, title: 'No route to the destination' },
  STATUS_NOT_ALLOWED: { status: 403, origin: 'agency', retryable: false, title: 'This agency may not report on this case' },
  CASE_TRANSITION_INVALID: { status: 409, origin: 'agency', retryable: false, title: 'The case cannot move to that stage from where it is' },
  STATUS_SEQUENCE_INVALID: { status: 400, origin: 'peer', retryable: false, title: 'The status update sequence is not valid' },
  SEALED_DATA_INVALID: { status: 400, origin: 'peer', retryable: false, title: 'Sealed personal data cannot be opened' },

  // Operator actions and the federation configuration
  FEDERATION_SIGNATURE_INVALID: {
    status: 400,
    origin: 'operator',
    retryable: false,
    title: 'The federation configuration is not signed by the federation authority',
  },
  FEDERATION_INVALID: {
    status: 422,
    origin: 'operator',
    retryable: false,
    title: 'The federation configuration is signed but cannot be used by this node',
  },
  // Issue 17: a gm federation lists SM2 keys only (signing and sealing), an intl one Ed25519 and
  // X25519 only; during a suite overlap both, with each node and agency holding one of the suite declared.
  FEDERATION_KEY_SUITE_MISMATCH: {
    status: 422,
    origin: 'operator',
    retryable: false,
    title: 'A key the federation lists is not of the cryptographic suite it declares',
  },
  CREDENTIAL_NOT_FOUND: { status: 404, origin: 'operator', retryable: false, title: 'No such credential on this node' },
  KEY_ROTATION_REFUSED: { status: 409, origin: 'operator', retryable: false, title: 'The key rotation step does not fit the current key states' },
  FEDERATION_ROLLBACK: {
    status: 409,
    origin: 'operator',
    retryable: false,
    title: 'The federation configuration is older than the one already accepted',
  },
  HOLIDAYS_INVALID: {
    status: 422,
    origin: 'operator',
    retryable: false,
    title: "The holiday arrangement is not a whole, valid year of the State Council's calendar",
  },
  MESSAGE_NOT_ALLOWED: {
    status: 403,
    origin: 'peer',
    retryable: false,
    title: 'The federation does not allow this sender to send this message type to this recipient',
  },

  // Agency side
  AGENCY_UNAVAILABLE: { status: 503, origin: 'agency', retryable: true, title: 'The agency system cannot be reached' },
  AGENCY_REFUSED: { status: 422, origin: 'agency', retryable: false, title: 'The agency system refused the request' },
  AGENCY_LINK_UNAUTHENTICATED: { status: 401, origin: 'agency', retryable: false, title: 'The agency link message does not carry a valid proof' },
  // Transient (5xx): the gateway retries, the follow-up's case may still be on its way to the agency.
  AGENCY_CASE_UNKNOWN: { status: 503, origin: 'agency', retryable: true, title: 'The agency system does not have this case yet' },
  AGENCY_BAD_ACK: {
    status: 502,
    origin: 'agency',
    retryable: true,
    title: 'The adapter answered an acknowledgement that does not match what was sent',
  },

  // An adapter's own durable state: a line of its hand-over journal that cannot be read (not the
  // last one, which a crash may cut short) stops the start rather than forget a hand-over in doubt.
  ADAPTER_STATE_CORRUPT: { status: 500, origin: 'internal', retryable: true, title: 'The adapter’s hand-over journal is unreadable' },

  // The agency link, answered by the gateway (the adapter is the caller)
  GATEWAY_BAD_ACK: {
    status: 502,
    origin: 'internal',
    retryable: true,
    title: 'The gateway answered an acknowledgement that does not match what was sent',
  },
  // Transient (5xx): an earlier report of the batch failed for a reason that may pass.
  BATCH_ITEM_NOT_ATTEMPTED: { status: 503, origin: 'internal', retryable: true, title: 'Not attempted after an earlier report of the batch failed' },

  // Delivery failures seen by the sending side (the relay's dead-letter reasons)
  PEER_UNREACHABLE: { status: 503, origin: 'peer', retryable: true, title: 'The peer node cannot be reached' },
  PEER_TIMEOUT: { status: 504, origin: 'peer', retryable: true, title: 'The peer node did not answer in time' },
  PEER_BAD_RESPONSE: { status: 502, origin: 'peer', retryable: true, title: 'The peer node answered something that is not a receipt or a problem' },
  PEER_ANSWERED_ERROR: { status: 502, origin: 'peer', retryable: true, title: 'The peer node refused with a code this node does not know' },
  RETRIES_EXHAUSTED: {
    status: 504,
    origin: 'internal',
    retryable: false,
    title: 'Not delivered within the retry policy (maxAttempts, or maxAgeMs since acceptance); an operator may replay it',
  },
  BATCH_ANSWER_INVALID: { status: 502, origin: 'internal', retryable: true, title: 'The batch answer does not match the batch sent' },
  SELF_DELIVERY_FAILED: { status: 500, origin: 'internal', retryable: true, title: 'Handing the message to this node’s own inbound side failed' },
  AGENCY_TIMEOUT: { status: 504, origin: 'agency', retryable: true, title: 'The agency adapter did not acknowledge in time' },
  ADAPTER_UNREACHABLE: { status: 503, origin: 'agency', retryable: true, title: 'The agency adapter cannot be reached' },
  GATEWAY_UNREACHABLE: { status: 503, origin: 'internal', retryable: true, title: 'The adapter cannot reach its gateway' },
  AGENCY_UNKNOWN: { status: 422, origin: 'agency', retryable: false, title: 'The adapter does not serve this agency' },
  AGENCY_VALUE_UNMAPPED: { status: 422, origin: 'agency', retryable: false, title: 'A value has no mapping to the agency system’s vocabulary' },

  // Gateway itself
  CONFIG_INVALID: { status: 500, origin: 'internal', retryable: true, title: 'The configuration is not valid' },
  // Transient (5xx, with Retry-After): the node's database cannot be reached or is too busy to answer in time.
  DATABASE_UNAVAILABLE: { status: 503, origin: 'internal', retryable: true, title: "The node's database is unavailable; retry later" },
  INTERNAL: { status: 500, origin: 'internal', retryable: true, title: 'Internal error' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Whether `code` is one of ours (a peer or an adapter may send any string). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/**
 * Whether a failure with `code` is worth retrying, by the table. A code this node does not know
 * (a newer peer's) is retried for a while: the message's age limit still ends it.
 *
 * @example isRetryable('PEER_UNREACHABLE') // true
 * @example isRetryable('CONTRACT_INVALID') // false
 */
export function isRetryable(code: string): boolean {
  return isErrorCode(code) ? ERROR_CODES[code].retryable : true;
}


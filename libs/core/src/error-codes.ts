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
}

export const ERROR_CODES = {
  // Window input (intake API)
  VALIDATION_FAILED: { status: 400, origin: 'window', title: 'The request is not valid' },
  MALFORMED_JSON: { status: 400, origin: 'window', title: 'The request body is not valid JSON' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, origin: 'window', title: 'Unsupported content type' },
  PAYLOAD_TOO_LARGE: { status: 413, origin: 'window', title: 'The request body is too large' },
  ID_NUMBER_INVALID: { status: 400, origin: 'window', title: 'The citizen ID number is not valid (GB 11643)' },
  REGION_UNKNOWN: { status: 400, origin: 'window', title: 'The region code is not a known division code (GB/T 2260)' },
  TEXT_CHARACTERS_INVALID: {
    status: 400,
    origin: 'window',
    title: 'A text field holds a control, replacement or bidirectional-override character',
  },
  REGION_NOT_SERVED: {
    status: 422,
    origin: 'window',
    title: 'The handling region is outside Sichuan and Chongqing',
  },
  SERVICE_UNKNOWN: { status: 400, origin: 'window', title: 'The service is not one this gateway carries' },
  UNAUTHENTICATED: { status: 401, origin: 'window', title: 'A valid window credential is required' },
  FORBIDDEN: { status: 403, origin: 'window', title: 'This credential may not do that' },
  CASE_NOT_FOUND: { status: 404, origin: 'window', title: 'No such case' },
  NOT_FOUND: { status: 404, origin: 'window', title: 'No such resource' },
  RATE_LIMITED: { status: 429, origin: 'window', title: 'Too many requests' },
  // Credential lifecycle. EXPIRED and DISABLED are told only to a caller that gave the right secret.
  AUTH_LOCKED_OUT: { status: 429, origin: 'window', title: 'Too many failed authentications; retry after the time given' },
  CREDENTIAL_EXPIRED: { status: 401, origin: 'window', title: 'The credential has expired; an operator can reissue it' },
  CREDENTIAL_DISABLED: { status: 401, origin: 'window', title: 'The credential has been disabled by an operator' },
  // Service rules a schema cannot express (libs/contracts/src/service-rules.ts)
  CLAIM_WINDOW_EXPIRED: { status: 422, origin: 'window', title: 'The claim is made after the claim window closed' },
  FILING_PERIOD_TOO_SHORT: { status: 422, origin: 'window', title: 'A temporary medical filing covers at least six months' },
  DATE_INVALID: { status: 400, origin: 'window', title: 'A date is not a real calendar date or is out of order' },
  // Follow-ups on a case (withdrawal, supplement)
  CASE_ALREADY_DECIDED: { status: 409, origin: 'window', title: 'The handling side has already decided this case' },
  CASE_NOT_AWAITING_SUPPLEMENT: { status: 409, origin: 'window', title: 'No supplementary material is awaited for this case' },
  OVERLOADED: { status: 503, origin: 'internal', title: 'The gateway is busy; retry later' },
  // Any HTTP caller (window, peer, operator), refused before a route is chosen
  // (apps/gateway/src/http/framework-errors.ts): the caller's fault, so `window` like the rest of client input.
  URL_MALFORMED: { status: 400, origin: 'window', title: 'The request URL is not valid (bad percent-encoding)' },
  URL_TOO_LONG: { status: 414, origin: 'window', title: 'A segment of the request URL is longer than the router accepts' },
  REQUEST_MALFORMED: { status: 400, origin: 'window', title: 'The request is not well-formed HTTP' },
  HEADERS_TOO_LARGE: { status: 431, origin: 'window', title: 'The request line and headers are larger than accepted' },
  REQUEST_TIMEOUT: { status: 408, origin: 'window', title: 'The request did not arrive in time' },

  // Peer envelopes (RFC 7515 JWS)
  ENVELOPE_MALFORMED: { status: 400, origin: 'peer', title: 'The envelope is not a compact JWS' },
  ENVELOPE_ALG_REFUSED: { status: 400, origin: 'peer', title: 'The signing algorithm is not allowed' },
  ENVELOPE_KEY_UNKNOWN: { status: 401, origin: 'peer', title: 'The signing key is not in the federation' },
  ENVELOPE_SIGNATURE_INVALID: { status: 401, origin: 'peer', title: 'The envelope signature does not verify' },
  SUITE_NOT_ACCEPTED: {
    status: 400,
    origin: 'peer',
    title: 'The message is signed in a cryptographic suite (intl or gm) that the federation does not accept now',
  },
  ENVELOPE_SENDER_MISMATCH: {
    status: 401,
    origin: 'peer',
    title: 'The signing key does not belong to the claimed sender',
  },
  ENVELOPE_WRONG_RECEIVER: { status: 400, origin: 'peer', title: 'The envelope is addressed to another node' },
  ENVELOPE_EXPIRED: { status: 400, origin: 'peer', title: 'The envelope has expired' },
  ENVELOPE_NOT_YET_VALID: { status: 400, origin: 'peer', title: 'The envelope was issued too far in the future' },
  ENVELOPE_CLAIMS_INVALID: { status: 400, origin: 'peer', title: 'The envelope claims are not valid' },
  ENVELOPE_CONFLICT: {
    status: 409,
    origin: 'peer',
    title: 'A different envelope with this message id was already received',
  },
  CONTRACT_UNKNOWN: { status: 400, origin: 'peer', title: 'The message type is not known' },
  CONTRACT_VERSION_UNSUPPORTED: { status: 400, origin: 'peer', title: 'The contract major version is not supported' },
  CONTRACT_INVALID: { status: 400, origin: 'peer', title: 'The message body does not match its contract' },
  // Who a message speaks for: a case's accepting node creates it and sends its follow-ups, its
  // handling node sends its status updates, and a route names the receiver and one of its agencies.
  CASE_PARTY_MISMATCH: { status: 403, origin: 'peer', title: 'The sender is not the party of this case that may send this message' },
  ROUTE_NOT_RECEIVER: { status: 400, origin: 'peer', title: 'The message is routed to a node or agency other than the receiver' },
  RECEIPT_INVALID: { status: 502, origin: 'peer', title: 'The receipt from the peer does not verify' },
  // Message-log checkpoints (libs/signing log-checkpoint.ts): a node's signed word on its log's length and head.
  CHECKPOINT_INVALID: { status: 400, origin: 'peer', title: 'The log checkpoint or its countersignature does not verify' },
  PEER_UNAVAILABLE: { status: 503, origin: 'peer', title: 'The peer node cannot be reached or did not answer as expected' },
  CHECKPOINT_REGRESSED: {
    status: 409,
    origin: 'peer',
    title: 'The log checkpoint goes back on one already countersigned (shorter, older, or another head at the same length)',
  },
  ROUTE_UNKNOWN: { status: 422, origin: 'internal', title: 'No route to the destination' },
  STATUS_NOT_ALLOWED: { status: 403, origin: 'agency', title: 'This agency may not report on this case' },
  CASE_TRANSITION_INVALID: { status: 409, origin: 'agency', title: 'The case cannot move to that stage from where it is' },
  STATUS_SEQUENCE_INVALID: { status: 400, origin: 'peer', title: 'The status update sequence is not valid' },
  SEALED_DATA_INVALID: { status: 400, origin: 'peer', title: 'Sealed personal data cannot be opened' },

  // Operator actions and the federation configuration
  FEDERATION_SIGNATURE_INVALID: {
    status: 400,
    origin: 'operator',
    title: 'The federation configuration is not signed by the federation authority',
  },
  FEDERATION_INVALID: {
    status: 422,
    origin: 'operator',
    title: 'The federation configuration is signed but cannot be used by this node',
  },
  CREDENTIAL_NOT_FOUND: { status: 404, origin: 'operator', title: 'No such credential on this node' },
  KEY_ROTATION_REFUSED: { status: 409, origin: 'operator', title: 'The key rotation step does not fit the current key states' },
  FEDERATION_ROLLBACK: {
    status: 409,
    origin: 'operator',
    title: 'The federation configuration is older than the one already accepted',
  },
  HOLIDAYS_INVALID: {
    status: 422,
    origin: 'operator',
    title: "The holiday arrangement is not a whole, valid year of the State Council's calendar",
  },
  MESSAGE_NOT_ALLOWED: {
    status: 403,
    origin: 'peer',
    title: 'The federation does not allow this sender to send this message type to this recipient',
  },

  // Agency side
  AGENCY_UNAVAILABLE: { status: 503, origin: 'agency', title: 'The agency system cannot be reached' },
  AGENCY_REFUSED: { status: 422, origin: 'agency', title: 'The agency system refused the request' },
  AGENCY_LINK_UNAUTHENTICATED: { status: 401, origin: 'agency', title: 'The agency link message does not carry a valid proof' },
  // Transient (5xx): the gateway retries, the follow-up's case may still be on its way to the agency.
  AGENCY_CASE_UNKNOWN: { status: 503, origin: 'agency', title: 'The agency system does not have this case yet' },
  AGENCY_BAD_ACK: {
    status: 502,
    origin: 'agency',
    title: 'The adapter answered an acknowledgement that does not match what was sent',
  },

  // The agency link, answered by the gateway (the adapter is the caller)
  GATEWAY_BAD_ACK: {
    status: 502,
    origin: 'internal',
    title: 'The gateway answered an acknowledgement that does not match what was sent',
  },
  // Transient (5xx): an earlier report of the batch failed for a reason that may pass.
  BATCH_ITEM_NOT_ATTEMPTED: { status: 503, origin: 'internal', title: 'Not attempted after an earlier report of the batch failed' },

  // Gateway itself
  CONFIG_INVALID: { status: 500, origin: 'internal', title: 'The configuration is not valid' },
  INTERNAL: { status: 500, origin: 'internal', title: 'Internal error' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

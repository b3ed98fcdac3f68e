import { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { CASE_NUMBER_PATTERN, ERROR_CODES, isGatewayError, MESSAGE_ID_PATTERN, type ErrorCode } from '#core';
import { checkLinkProof, type AgencyLinkKey } from '#delivery';
import type { AgencyDelivery, AgencyDeliveryAck, AgencyLinkError, ForwardedRequest } from '#contracts';
import type { AgencyClient, AgencyHandOver } from './agency-client.js';
import { AgencyCallError, UnmappedAgencyValue } from './agency-errors.js';
import type { HandOverJournal } from './hand-over-journal.js';
import type { SealedDataOpener } from './sealed-data-opener.js';

const logger = new Logger('AgencyDelivery');

/**
 * Which new cases the adapter asks the agency about before handing them over
 * (ADAPTER_LOOK_UP_BEFORE_CREATE): `in-doubt`, those whose earlier hand-over this adapter
 * recorded without an outcome (one adapter per province, the embedded default); `always`, every
 * new case whose outcome this adapter does not know (competing adapter instances on RabbitMQ,
 * where a redelivery may reach an instance that never saw the first attempt).
 */
export const LOOK_UP_POLICIES = ['in-doubt', 'always'] as const;
export type LookUpPolicy = (typeof LOOK_UP_POLICIES)[number];

/** What a delivery needs besides its payload: the agencies' clients, the link secret, the opener of sealed data, the hand-over journal. */
export interface DeliveryContext {
  readonly clients: ReadonlyMap<string, AgencyClient>;
  /** The link's shared secret and the suite whose HMAC proves each message (HMAC-SHA-256 or HMAC-SM3). */
  readonly link: AgencyLinkKey;
  readonly opener: SealedDataOpener;
  readonly journal: HandOverJournal;
  readonly lookUp: LookUpPolicy;
}

/**
 * Hands one delivery to the agency it names and answers the acknowledgement. The adapter serves
 * several agencies (`SC.card`, `SC.medical`, ...): the delivery goes to the client of
 * `delivery.agency`, and a delivery for an agency this adapter does not serve is refused for
 * good. Every hand-over is recorded in the adapter's journal before the agency is called and
 * its outcome after, so a repeated delivery (after a lost acknowledgement or a crash) is
 * answered from the journal, and a new case whose hand-over was cut short is looked up at the
 * agency before it is handed over again: the agency does nothing twice even if it is not
 * idempotent. Follow-ups whose outcome is not known are sent again, relying on the agency's
 * idempotence on the message id (请求流水号 / requestId).
 *
 * @example await handleDelivery(payload, { clients, link: { secret, suite }, opener, journal, lookUp: 'in-doubt' }) // { messageId, agencyRef, duplicate }
 */
export async function handleDelivery(payload: unknown, context: DeliveryContext): Promise<AgencyDeliveryAck> {
  const { clients, link, opener } = context;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw linkError({ code: 'CONTRACT_INVALID', message: 'not an agency delivery: the body must be an object' });
  }
  const delivery = payload as Partial<AgencyDelivery>;
  if (typeof delivery.messageId !== 'string' || !MESSAGE_ID_PATTERN.test(delivery.messageId)) {
    throw notADelivery(['messageId']);
  }
  // Only this province's gateway (which holds the link secret) may hand work to the agency:
  // checked before anything else in the delivery is trusted.
  if (!checkLinkProof(link.secret, delivery.messageId, delivery.proof, link.suite)) {
    throw linkError({ code: 'AGENCY_LINK_UNAUTHENTICATED', message: 'the delivery does not carry a valid link proof' });
  }
  const caseIdValid = typeof delivery.caseId === 'string' && CASE_NUMBER_PATTERN.test(delivery.caseId);
  if (!caseIdValid || typeof delivery.agency !== 'string' || typeof delivery.messageType !== 'string') {
    throw notADelivery([
      ...(caseIdValid ? [] : ['caseId']),
      ...(typeof delivery.agency === 'string' ? [] : ['agency']),
      ...(typeof delivery.messageType === 'string' ? [] : ['messageType']),
    ]);
  }
  const client = clients.get(delivery.agency);
  if (!client) {
    throw linkError({ code: 'AGENCY_UNKNOWN', message: `this adapter does not serve ${delivery.agency}` });
  }
  const { messageId, caseId, messageType } = delivery;
  let whole: AgencyDelivery;
  try {
    // The personal fields were sealed for this agency: open them before anything is mapped.
    whole = await opener.open(delivery as AgencyDelivery);
  } catch (error) {
    const code = isGatewayError(error) ? error.code : 'SEALED_DATA_INVALID';
    logger.error({ msg: 'sealed personal data could not be opened', agency: client.agency, caseNumber: delivery.caseId, messageId: delivery.messageId, code });
    throw linkError({ code, message: 'the personal data sealed for this agency cannot be opened or is not valid' });
  }
  try {
    const result = await context.journal.exclusive(messageId, () => handOver(client, whole, context));
    logger.log({ msg: result.how, agency: client.agency, caseNumber: caseId, messageId, messageType, duplicate: result.duplicate });
    return { messageId, agencyRef: result.agencyRef, duplicate: result.duplicate };
  } catch (error) {
    if (error instanceof AgencyCallError) {
      logger.warn({ msg: 'agency call failed', agency: client.agency, caseNumber: caseId, messageId, messageType, code: error.code });
      throw linkError({ code: error.code, message: error.message.slice(0, 200) });
    }
    if (error instanceof UnmappedAgencyValue) {
      // A canonical value this agency has no word for: sending it again cannot succeed.
      logger.error({ msg: 'no agency vocabulary for the request', agency: client.agency, caseNumber: caseId, messageId, field: error.field });
      throw linkError({ code: error.code, message: error.message.slice(0, 200) });
    }
    if (error instanceof RpcException) throw error;
    throw linkError({ code: 'AGENCY_UNAVAILABLE', message: 'adapter failure' });
  }
}

/**
 * One hand-over, under the journal:
 * 1. an outcome on record is answered as it is, without calling the agency;
 * 2. the intent is recorded (on disk) before the agency is called;
 * 3. a new case whose hand-over is in doubt (an intent without outcome, or any unknown one under
 *    the `always` policy) is looked up at the agency: found, its reference is recorded and
 *    answered, and nothing is created;
 * 4. otherwise it is handed over, and the agency's answer recorded; a refusal (the agency does
 *    not have it) is dropped from the journal, a transient failure leaves the hand-over in doubt.
 */
async function handOver(
  client: AgencyClient,
  delivery: AgencyDelivery,
  context: DeliveryContext,
): Promise<AgencyHandOver & { how: 'handed to agency' | 'answered from the hand-over journal' | 'found at the agency by look-up' }> {
  const { journal } = context;
  const { messageId, caseId, messageType } = delivery;
  // 1.
  const known = journal.known(messageId);
  if (known?.outcome) return { agencyRef: known.outcome.agencyRef, duplicate: true, how: 'answered from the hand-over journal' };
  // 2.
  if (!known) journal.intend({ messageId, agency: client.agency, caseId, messageType });
  // 3.
  const forwarded = newCaseOf(delivery);
  if (forwarded && (known !== undefined || context.lookUp === 'always')) {
    const found = await client.lookUp(forwarded);
    if (found) {
      journal.settle(messageId, found.agencyRef);
      return { agencyRef: found.agencyRef, duplicate: true, how: 'found at the agency by look-up' };
    }
  }
  // 4.
  try {
    const result = await dispatch(client, delivery);
    journal.settle(messageId, result.agencyRef);
    return { ...result, how: 'handed to agency' };
  } catch (error) {
    if (notHandedOver(error)) journal.drop(messageId);
    throw error;
  }
}

/** The new case a delivery carries, if it is one (`<service>.request`). */
function newCaseOf(delivery: AgencyDelivery): ForwardedRequest | undefined {
  return delivery.messageType.endsWith('.request') && delivery.forwarded?.caseId === delivery.caseId ? delivery.forwarded : undefined;
}

/** A refusal: the agency answered that it does not take it, or the adapter never sent it. */
function notHandedOver(error: unknown): boolean {
  if (error instanceof AgencyCallError) return error.permanent;
  return error instanceof UnmappedAgencyValue || error instanceof RpcException;
}

/**
 * 1. a new case; 2. a withdrawal; 3. supplementary material; 4. a pension transfer's contact
 * letter (transfer-out agency) or 5. its information sheet (transfer-in agency), for a client that
 * speaks them; anything else is not a delivery.
 */
async function dispatch(client: AgencyClient, delivery: AgencyDelivery): Promise<AgencyHandOver> {
  const { messageType, messageId, caseId } = delivery;
  const forwarded = newCaseOf(delivery);
  if (forwarded) return client.submit(forwarded, messageId);
  if (messageType === 'case.withdrawal' && delivery.withdrawal?.caseId === caseId) {
    return client.withdraw(delivery.withdrawal, messageId);
  }
  if (messageType === 'case.supplement' && delivery.supplement?.caseId === caseId) {
    return client.supplement(delivery.supplement, messageId);
  }
  if (messageType === 'pension.transfer.contact-letter' && delivery.contactLetter?.caseId === caseId) {
    const letter = delivery.contactLetter;
    if (!client.contactLetter) throw linkError({ code: 'AGENCY_UNKNOWN', message: `${client.agency} does not take contact letters` });
    // The opener put the applicant and this place's person number back: a letter without them cannot be handled.
    if (!letter.applicant || letter.transferOut.personNumber === undefined || letter.transferOut.agency !== client.agency) {
      throw linkError({ code: 'CONTRACT_INVALID', message: 'a contact letter without its applicant or person number, or for another agency' });
    }
    return client.contactLetter({ ...letter, applicant: letter.applicant }, messageId);
  }
  if (messageType === 'pension.transfer.reply' && delivery.reply?.caseId === caseId) {
    if (!client.transferReply) throw linkError({ code: 'AGENCY_UNKNOWN', message: `${client.agency} does not take transfer replies` });
    return client.transferReply(delivery.reply, messageId);
  }
  throw linkError({ code: 'CONTRACT_INVALID', message: `a ${messageType} delivery without its content` });
}

/** The link's refusal; whether the gateway retries it is the error table's word for the code. */
function linkError(error: Omit<AgencyLinkError, 'permanent' | 'code'> & { readonly code: ErrorCode }): RpcException {
  return new RpcException({ ...error, permanent: !ERROR_CODES[error.code].retryable } satisfies AgencyLinkError);
}

/** CONTRACT_INVALID naming the fields at fault (names only: the values may be personal data). */
function notADelivery(fields: readonly string[]): RpcException {
  return linkError({ code: 'CONTRACT_INVALID', message: `not an agency delivery: ${fields.join(', ')} missing or malformed`, fields });
}

import { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { CASE_NUMBER_PATTERN, isGatewayError, MESSAGE_ID_PATTERN } from '#core';
import { checkLinkProof, type AgencyLinkKey } from '#delivery';
import type { AgencyDelivery, AgencyDeliveryAck, AgencyLinkError } from '#contracts';
import type { AgencyClient, AgencyHandOver } from './agency-client.js';
import { AgencyCallError, UnmappedAgencyValue } from './agency-errors.js';
import type { SealedDataOpener } from './sealed-data-opener.js';

const logger = new Logger('AgencyDelivery');

/**
 * Hands one delivery to the agency it names and answers the acknowledgement. The adapter serves
 * several agencies (`SC.card`, `SC.medical`, ...): the delivery goes to the client of
 * `delivery.agency`, and a delivery for an agency this adapter does not serve is refused for
 * good. The agency is idempotent on the case number (业务协同编号) for a new case and on the
 * message id for a follow-up, so a repeated delivery (after a lost acknowledgement or a crash)
 * returns the same reference and does nothing twice.
 *
 * @example await handleDelivery(payload, new Map([['SC.card', cardClient]]), { secret, suite }, opener) // { messageId, agencyRef, duplicate }
 */
export async function handleDelivery(
  payload: unknown,
  clients: ReadonlyMap<string, AgencyClient>,
  link: AgencyLinkKey,
  opener: SealedDataOpener,
): Promise<AgencyDeliveryAck> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw linkError({ code: 'CONTRACT_INVALID', message: 'not an agency delivery: the body must be an object', permanent: true });
  }
  const delivery = payload as Partial<AgencyDelivery>;
  if (typeof delivery.messageId !== 'string' || !MESSAGE_ID_PATTERN.test(delivery.messageId)) {
    throw notADelivery(['messageId']);
  }
  // Only this province's gateway (which holds the link secret) may hand work to the agency:
  // checked before anything else in the delivery is trusted.
  if (!checkLinkProof(link.secret, delivery.messageId, delivery.proof, link.suite)) {
    throw linkError({ code: 'AGENCY_LINK_UNAUTHENTICATED', message: 'the delivery does not carry a valid link proof', permanent: true });
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
    throw linkError({ code: 'AGENCY_UNKNOWN', message: `this adapter does not serve ${delivery.agency}`, permanent: true });
  }
  const { messageId, caseId, messageType } = delivery;
  let whole: AgencyDelivery;
  try {
    // The personal fields were sealed for this agency: open them before anything is mapped.
    whole = await opener.open(delivery as AgencyDelivery);
  } catch (error) {
    const code = isGatewayError(error) ? error.code : 'SEALED_DATA_INVALID';
    logger.error({ msg: 'sealed personal data could not be opened', agency: client.agency, caseId: delivery.caseId, messageId: delivery.messageId, code });
    throw linkError({ code, message: 'the personal data sealed for this agency cannot be opened or is not valid', permanent: true });
  }
  try {
    const result = await dispatch(client, whole);
    logger.log({ msg: 'handed to agency', agency: client.agency, caseId, messageId, messageType, duplicate: result.duplicate });
    return { messageId, agencyRef: result.agencyRef, duplicate: result.duplicate };
  } catch (error) {
    if (error instanceof AgencyCallError) {
      logger.warn({ msg: 'agency call failed', agency: client.agency, caseId, messageId, messageType, code: error.code });
      throw linkError({ code: error.code, message: error.message.slice(0, 200), permanent: error.permanent });
    }
    if (error instanceof UnmappedAgencyValue) {
      // A canonical value this agency has no word for: sending it again cannot succeed.
      logger.error({ msg: 'no agency vocabulary for the request', agency: client.agency, caseId, messageId, field: error.field });
      throw linkError({ code: error.code, message: error.message.slice(0, 200), permanent: true });
    }
    if (error instanceof RpcException) throw error;
    throw linkError({ code: 'AGENCY_UNAVAILABLE', message: 'adapter failure', permanent: false });
  }
}

/**
 * 1. a new case; 2. a withdrawal; 3. supplementary material; 4. a pension transfer's contact
 * letter (transfer-out agency) or 5. its information sheet (transfer-in agency), for a client that
 * speaks them; anything else is not a delivery.
 */
async function dispatch(client: AgencyClient, delivery: AgencyDelivery): Promise<AgencyHandOver> {
  const { messageType, messageId, caseId } = delivery;
  if (messageType.endsWith('.request') && delivery.forwarded?.caseId === caseId) {
    return client.submit(delivery.forwarded, messageId);
  }
  if (messageType === 'case.withdrawal' && delivery.withdrawal?.caseId === caseId) {
    return client.withdraw(delivery.withdrawal, messageId);
  }
  if (messageType === 'case.supplement' && delivery.supplement?.caseId === caseId) {
    return client.supplement(delivery.supplement, messageId);
  }
  if (messageType === 'pension.transfer.contact-letter' && delivery.contactLetter?.caseId === caseId) {
    const letter = delivery.contactLetter;
    if (!client.contactLetter) throw linkError({ code: 'AGENCY_UNKNOWN', message: `${client.agency} does not take contact letters`, permanent: true });
    // The opener put the applicant and this place's person number back: a letter without them cannot be handled.
    if (!letter.applicant || letter.transferOut.personNumber === undefined || letter.transferOut.agency !== client.agency) {
      throw linkError({ code: 'CONTRACT_INVALID', message: 'a contact letter without its applicant or person number, or for another agency', permanent: true });
    }
    return client.contactLetter({ ...letter, applicant: letter.applicant }, messageId);
  }
  if (messageType === 'pension.transfer.reply' && delivery.reply?.caseId === caseId) {
    if (!client.transferReply) throw linkError({ code: 'AGENCY_UNKNOWN', message: `${client.agency} does not take transfer replies`, permanent: true });
    return client.transferReply(delivery.reply, messageId);
  }
  throw linkError({ code: 'CONTRACT_INVALID', message: `a ${messageType} delivery without its content`, permanent: true });
}

function linkError(error: AgencyLinkError): RpcException {
  return new RpcException(error);
}

/** CONTRACT_INVALID naming the fields at fault (names only: the values may be personal data). */
function notADelivery(fields: readonly string[]): RpcException {
  return linkError({ code: 'CONTRACT_INVALID', message: `not an agency delivery: ${fields.join(', ')} missing or malformed`, permanent: true, fields });
}

import { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { MESSAGE_ID_PATTERN } from '#core';
import { checkLinkProof } from '#delivery';
import type { AgencyDelivery, AgencyDeliveryAck, AgencyLinkError } from '#contracts';
import type { AgencyClient } from './agency-client.js';
import { AgencyCallError } from './agency-errors.js';

const logger = new Logger('AgencyDelivery');

/**
 * Hands one delivery to the agency and answers the acknowledgement. The agency is idempotent on
 * the case number (业务协同编号), so a repeated delivery (after a lost acknowledgement or a
 * crash) returns the same reference and creates nothing twice.
 */
export async function handleDelivery(payload: unknown, client: AgencyClient, linkSecret: string): Promise<AgencyDeliveryAck> {
  const delivery = payload as Partial<AgencyDelivery> | null;
  if (
    !delivery ||
    typeof delivery.messageId !== 'string' ||
    !MESSAGE_ID_PATTERN.test(delivery.messageId) ||
    typeof delivery.forwarded?.caseId !== 'string' ||
    delivery.agency !== client.agency
  ) {
    throw linkError({ code: 'CONTRACT_INVALID', message: 'not a delivery for this adapter', permanent: true });
  }
  // Only this province's gateway (which holds the link secret) may hand work to the agency.
  if (!checkLinkProof(linkSecret, delivery.messageId, delivery.proof)) {
    throw linkError({ code: 'AGENCY_LINK_UNAUTHENTICATED', message: 'the delivery does not carry a valid link proof', permanent: true });
  }
  try {
    const result = await client.submit(delivery as AgencyDelivery);
    logger.log({ msg: 'handed to agency', caseId: delivery.forwarded.caseId, messageId: delivery.messageId, duplicate: result.duplicate });
    return { messageId: delivery.messageId, agencyRef: result.agencyRef, duplicate: result.duplicate };
  } catch (error) {
    if (error instanceof AgencyCallError) {
      logger.warn({ msg: 'agency call failed', caseId: delivery.forwarded.caseId, messageId: delivery.messageId, code: error.code });
      throw linkError({ code: error.code, message: error.message.slice(0, 200), permanent: error.permanent });
    }
    throw linkError({ code: 'AGENCY_UNAVAILABLE', message: 'adapter failure', permanent: false });
  }
}

function linkError(error: AgencyLinkError): RpcException {
  return new RpcException(error);
}

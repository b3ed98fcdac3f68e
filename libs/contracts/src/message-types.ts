import type { ClassConstructor } from 'class-transformer';
import { SERVICE_CODES, type ServiceCode, type ServiceRequest } from './canonical.js';
import { CaseSupplementDto, CaseWithdrawalDto, forwardedRequestDto, sealedForwardedRequestDto, StatusUpdateDto } from './peer-messages.dto.js';
import { SERVICE_CATALOGUE } from './service-catalogue.js';
import { TransferContactLetterDto, TransferReplyDto } from './pension-transfer.dto.js';

/** The forwarded request of a service: `<service>.request`. */
export type RequestMessageType = `${ServiceCode}.request`;
/** Every message type nodes exchange. */
export type PeerMessageType =
  | RequestMessageType
  | 'status-update'
  | 'case.withdrawal'
  | 'case.supplement'
  | 'pension.transfer.contact-letter'
  | 'pension.transfer.reply';

/**
 * Every message type nodes exchange, with the major versions this code understands and the
 * validator of each. A receiver refuses an unknown type (CONTRACT_UNKNOWN) or major version
 * (CONTRACT_VERSION_UNSUPPORTED), and tolerates unknown optional fields of a known version.
 */
export const PEER_MESSAGE_TYPES: Readonly<Record<PeerMessageType, { readonly versions: Readonly<Record<number, ClassConstructor<object>>> }>> = {
  ...(Object.fromEntries(
    SERVICE_CODES.map((code) => {
      const dto = SERVICE_CATALOGUE[code].dto as ClassConstructor<ServiceRequest>;
      return [`${code}.request`, { versions: { 1: forwardedRequestDto(code, dto), 2: sealedForwardedRequestDto(code, dto) } }];
    }),
  ) as unknown as Record<RequestMessageType, { versions: Record<number, ClassConstructor<object>> }>),
  'status-update': { versions: { 1: StatusUpdateDto } },
  'case.withdrawal': { versions: { 1: CaseWithdrawalDto } },
  'case.supplement': { versions: { 1: CaseSupplementDto } },
  'pension.transfer.contact-letter': { versions: { 1: TransferContactLetterDto } },
  'pension.transfer.reply': { versions: { 1: TransferReplyDto } },
};

/** The version this node sends of each message type. */
export function currentVersion(type: PeerMessageType): number {
  const versions = Object.keys(PEER_MESSAGE_TYPES[type].versions).map(Number);
  return Math.max(...versions);
}

export function isPeerMessageType(value: string): value is PeerMessageType {
  return Object.prototype.hasOwnProperty.call(PEER_MESSAGE_TYPES, value);
}

/** Whether a message type is a service's forwarded request. */
export function isRequestMessageType(value: string): value is RequestMessageType {
  return value.endsWith('.request') && isPeerMessageType(value);
}

/**
 * The message type of a service's forwarded request.
 *
 * @example requestTypeOf('ssc.apply') // 'ssc.apply.request'
 */
export function requestTypeOf(service: ServiceCode): RequestMessageType {
  return `${service}.request`;
}

/**
 * The message types each kind of recipient takes, for a federation's access rules: by agency
 * function, the requests and documents handed to an agency of that function; and the node-to-node
 * types that reach no agency.
 *
 * @example federationMessageTypes().agencyTypes.card // ['ssc.apply.request', 'ssc.loss.request']
 */
export function federationMessageTypes(): { agencyTypes: Record<string, string[]>; nodeTypes: string[] } {
  const agencyTypes: Record<string, string[]> = {};
  for (const code of SERVICE_CODES) (agencyTypes[SERVICE_CATALOGUE[code].agencyFunction] ??= []).push(requestTypeOf(code));
  (agencyTypes['pension'] ??= []).push('pension.transfer.contact-letter');
  return { agencyTypes, nodeTypes: ['status-update', 'case.withdrawal', 'case.supplement', 'pension.transfer.reply'] };
}

/**
 * Who a peer message is for, as the federation's access rules name recipients: the agency a
 * request or contact letter is handed to, or the receiving node for node-to-node messages.
 *
 * @example recipientOf('ssc.apply.request', body, 'SC') // body.route.agency, e.g. 'SC.card'
 */
export function recipientOf(type: PeerMessageType, body: object, self: string): string {
  if (isRequestMessageType(type)) return (body as { route: { agency: string } }).route.agency;
  if (type === 'pension.transfer.contact-letter') return (body as { transferOut: { agency: string } }).transferOut.agency;
  return self;
}

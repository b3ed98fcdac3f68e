import type { ClassConstructor } from 'class-transformer';
import { ForwardedRequestDto, StatusUpdateDto } from './peer-messages.dto.js';

/**
 * Every message type nodes exchange, with the major versions this code understands and the
 * validator of each. A receiver refuses an unknown type (CONTRACT_UNKNOWN) or major version
 * (CONTRACT_VERSION_UNSUPPORTED), and tolerates unknown optional fields of a known version.
 */
export const PEER_MESSAGE_TYPES = {
  'ssc.apply.request': { versions: { 1: ForwardedRequestDto } },
  'status-update': { versions: { 1: StatusUpdateDto } },
} as const satisfies Record<string, { versions: Record<number, ClassConstructor<object>> }>;

export type PeerMessageType = keyof typeof PEER_MESSAGE_TYPES;

export const CURRENT_VERSION: Record<PeerMessageType, number> = {
  'ssc.apply.request': 1,
  'status-update': 1,
};

export function isPeerMessageType(value: string): value is PeerMessageType {
  return Object.prototype.hasOwnProperty.call(PEER_MESSAGE_TYPES, value);
}

/** The message type of a service's forwarded request, e.g. `ssc.apply.request`. */
export function requestTypeOf(service: string): PeerMessageType | undefined {
  const type = `${service}.request`;
  return isPeerMessageType(type) ? type : undefined;
}

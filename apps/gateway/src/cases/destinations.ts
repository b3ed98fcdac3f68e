import { GatewayError, isNodeCode, type NodeCode } from '#core';
import type { AgencyCode } from '#contracts';

/**
 * Where an outbox message goes. `peer` is another node over HTTP; `self` is this node's own
 * inbound path (a case accepted and handled in one province takes the same path without the peer
 * hop); `agency` is an agency adapter over the agency link.
 *
 * The outbox keeps the text form (`peer:CQ`, `self`, `agency:SC.card`: retry policies, metrics,
 * the console and operators' filters use it); code reads the union, parsed once where the text
 * comes out of the database (the relay) and written back with `destinationText`.
 */
export type Destination =
  | { readonly kind: 'peer'; readonly node: NodeCode }
  | { readonly kind: 'self' }
  | { readonly kind: 'agency'; readonly agency: AgencyCode };

export type DestinationKind = Destination['kind'];

/** An agency code as destinations carry it: `<node>.<function>` (`SC.card`, `CQ.pension`). */
const AGENCY_FUNCTION = /^[a-z][a-z-]*$/;

/**
 * The destination a text names, or undefined when it names none.
 *
 * @example parseDestination('peer:CQ') // { kind: 'peer', node: 'CQ' }
 * @example parseDestination('agency:SC.card') // { kind: 'agency', agency: 'SC.card' }
 * @example parseDestination('peer:XX') // undefined
 */
export function parseDestination(text: string): Destination | undefined {
  if (text === 'self') return { kind: 'self' };
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const kind = text.slice(0, colon);
  const target = text.slice(colon + 1);
  if (kind === 'peer') return isNodeCode(target) ? { kind: 'peer', node: target } : undefined;
  if (kind === 'agency') {
    const dot = target.indexOf('.');
    const node = target.slice(0, dot);
    return dot > 0 && isNodeCode(node) && AGENCY_FUNCTION.test(target.slice(dot + 1)) ? { kind: 'agency', agency: target as AgencyCode } : undefined;
  }
  return undefined;
}

/** The destination a text names; ROUTE_UNKNOWN when it names none. */
export function destinationOf(text: string): Destination {
  const destination = parseDestination(text);
  if (!destination) throw new GatewayError('ROUTE_UNKNOWN', { detail: `not an outbox destination: ${JSON.stringify(text)}` });
  return destination;
}

/** The text form the outbox keeps. */
export function destinationText(destination: Destination): string {
  switch (destination.kind) {
    case 'peer':
      return `peer:${destination.node}`;
    case 'self':
      return 'self';
    case 'agency':
      return `agency:${destination.agency}`;
  }
}

/** Another node, or this node's own inbound path when the receiver is this node. */
export function peerDestination(receiver: NodeCode, self: NodeCode): Destination {
  return receiver === self ? { kind: 'self' } : { kind: 'peer', node: receiver };
}

export function agencyDestination(agency: AgencyCode): Destination {
  return { kind: 'agency', agency };
}

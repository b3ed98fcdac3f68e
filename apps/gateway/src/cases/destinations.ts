import type { NodeCode } from '#core';

/**
 * Outbox destinations. `peer:<node>` is another node over HTTP; `self` is this node's own inbound
 * path (a case accepted and handled in one province takes the same path without the peer hop);
 * `agency:<agency>` is an agency adapter over the agency link.
 */
export function peerDestination(receiver: NodeCode, self: NodeCode): string {
  return receiver === self ? 'self' : `peer:${receiver}`;
}

export function agencyDestination(agency: string): string {
  return `agency:${agency}`;
}

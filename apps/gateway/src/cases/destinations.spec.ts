import { agencyDestination, destinationOf, destinationText, parseDestination, peerDestination, type Destination } from './destinations.js';

describe('outbox destinations', () => {
  it.each<[string, Destination]>([
    ['peer:CQ', { kind: 'peer', node: 'CQ' }],
    ['peer:SC', { kind: 'peer', node: 'SC' }],
    ['self', { kind: 'self' }],
    ['agency:SC.card', { kind: 'agency', agency: 'SC.card' }],
    ['agency:CQ.pension', { kind: 'agency', agency: 'CQ.pension' }],
  ])('reads %s and writes it back as it was', (text, destination) => {
    expect(parseDestination(text)).toEqual(destination);
    expect(destinationText(destination)).toBe(text);
  });

  it.each(['', 'peer', 'peer:', 'peer:XX', 'peer:cq', 'peer:CQ:x', 'self:CQ', 'Self', 'agency:', 'agency:SC', 'agency:SC.', 'agency:XX.card', 'agency:SC.Card', 'agency:.card', 'node:CQ', ' peer:CQ'])(
    'refuses %j',
    (text) => {
      expect(parseDestination(text)).toBeUndefined();
      expect(() => destinationOf(text)).toThrow(expect.objectContaining({ code: 'ROUTE_UNKNOWN' }));
    },
  );

  it('sends a message for this node to its own inbound path', () => {
    expect(peerDestination('SC', 'SC')).toEqual({ kind: 'self' });
    expect(peerDestination('CQ', 'SC')).toEqual({ kind: 'peer', node: 'CQ' });
    expect(destinationText(agencyDestination('SC.medical'))).toBe('agency:SC.medical');
  });
});

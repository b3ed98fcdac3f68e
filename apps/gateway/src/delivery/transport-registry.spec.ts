import { ManualClock } from '#core';
import type { Federation, TrustStore } from '#signing';
import type { GatewayConfig } from '../config/gateway.config.js';
import { FederationHolder } from '../trust/federation-holder.js';
import { PeerTransport } from './peer.transport.js';
import { SelfTransport } from './self.transport.js';
import { TransportRegistry } from './transport-registry.js';

const federationWith = (cqUrl: string): Federation => ({ version: 1, nodes: [{ node: 'SC' }, { node: 'CQ', url: cqUrl }] }) as unknown as Federation;

function registry(holder: FederationHolder): TransportRegistry {
  const config = { node: 'SC', peerTimeoutMs: 1000, maxClockSkewSeconds: 120 } as GatewayConfig;
  return new TransportRegistry(config, holder, {} as TrustStore, new ManualClock(0));
}

describe('TransportRegistry', () => {
  it('has no transport for self until the peer face registers its inbound checks', () => {
    const transports = registry(new FederationHolder(federationWith('http://cq.example')));
    expect(transports.forDestination('self')).toBeUndefined();
    transports.registerSelf({ receive: () => Promise.resolve({ receipt: 'r' }) });
    expect(transports.forDestination('self')).toBeInstanceOf(SelfTransport);
  });

  it('keeps one transport per peer until the federation in force changes', () => {
    const holder = new FederationHolder(federationWith('http://cq.example'));
    const transports = registry(holder);
    const first = transports.forDestination('peer:CQ');
    expect(first).toBeInstanceOf(PeerTransport);
    expect(transports.forDestination('peer:CQ')).toBe(first);
    holder.replace(federationWith('http://cq-new.example'));
    const next = transports.forDestination('peer:CQ');
    expect(next).toBeInstanceOf(PeerTransport);
    expect(next).not.toBe(first);
  });

  it("has no transport for itself as a peer, nor for the other province's agencies", () => {
    const transports = registry(new FederationHolder(federationWith('http://cq.example')));
    expect(transports.forDestination('peer:SC')).toBeUndefined();
    expect(transports.forDestination('agency:CQ.card')).toBeUndefined();
  });
});

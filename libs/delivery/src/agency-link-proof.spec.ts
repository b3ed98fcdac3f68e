import { createHmac } from 'node:crypto';
import { checkLinkProof, linkProof } from './agency-link-transport.js';

const SECRET = 'agency-link-proof-spec-secret-0123456789';
const INTL = { hash: 'sha256' } as const;
const GM = { hash: 'sm3' } as const;

describe('agency-link proofs', () => {
  it('is an HMAC-SHA-256 of the message id under intl and an HMAC-SM3 under gm', () => {
    expect(linkProof(SECRET, 'SC.card:1042', INTL)).toBe(createHmac('sha256', SECRET).update('cytb-agency-link:SC.card:1042').digest('base64url'));
    expect(linkProof(SECRET, 'SC.card:1042', GM)).toBe(createHmac('sm3', SECRET).update('cytb-agency-link:SC.card:1042').digest('base64url'));
  });

  it('checks a proof under its own suite only: a gateway and an adapter on different suites refuse each other', () => {
    expect(checkLinkProof(SECRET, 'SC.card:1', linkProof(SECRET, 'SC.card:1', GM), GM)).toBe(true);
    expect(checkLinkProof(SECRET, 'SC.card:1', linkProof(SECRET, 'SC.card:1', INTL), GM)).toBe(false);
    expect(checkLinkProof(SECRET, 'SC.card:1', linkProof(SECRET, 'SC.card:1', GM), INTL)).toBe(false);
    expect(checkLinkProof(SECRET, 'SC.card:2', linkProof(SECRET, 'SC.card:1', GM), GM)).toBe(false);
    expect(checkLinkProof(SECRET, 'SC.card:1', undefined, GM)).toBe(false);
  });
});

import { chainHash, GENESIS_HASH, verifyChain, type ChainedFields } from './hash-chain.js';

function build(n: number): (ChainedFields & { hash: string })[] {
  const out: (ChainedFields & { hash: string })[] = [];
  let previous = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq += 1) {
    const fields: ChainedFields = { seq, at: 1_000 * seq, direction: seq % 2 ? 'sent' : 'received', kind: 'envelope', messageId: `m-${seq}`, sha256: `h-${seq}` };
    previous = chainHash(previous, fields);
    out.push({ ...fields, hash: previous });
  }
  return out;
}

describe('hash chain', () => {
  it('verifies a 1,000-entry chain', () => {
    expect(verifyChain(build(1000))).toEqual({ ok: true, count: 1000 });
  });

  it('names a changed entry', () => {
    const chain = build(50);
    chain[19] = { ...chain[19], messageId: 'forged' };
    expect(verifyChain(chain)).toEqual({ ok: false, brokenAt: 20, reason: 'HASH_MISMATCH' });
  });

  it('names the entry after a removed one', () => {
    const chain = build(50);
    chain.splice(29, 1);
    expect(verifyChain(chain)).toEqual({ ok: false, brokenAt: 31, reason: 'SEQ_GAP' });
  });

  it('finds two swapped entries', () => {
    const chain = build(50);
    [chain[9], chain[10]] = [chain[10], chain[9]];
    expect(verifyChain(chain)).toMatchObject({ ok: false, brokenAt: 11 });
  });
});

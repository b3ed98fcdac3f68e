import { createHash } from 'node:crypto';
import { chainHash, GENESIS_HASH, verifyChain, type ChainedFields, type ChainHashAlg } from './hash-chain.js';

type Entry = ChainedFields & { hash: string; hashAlg: string };

/** `n` entries, entry `seq` chained with `algOf(seq)` (SHA-256 throughout by default). */
function build(n: number, algOf: (seq: number) => ChainHashAlg = () => 'sha256'): Entry[] {
  const out: Entry[] = [];
  let previous = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq += 1) {
    const fields: ChainedFields = { seq, at: 1_000 * seq, direction: seq % 2 ? 'sent' : 'received', kind: 'envelope', messageId: `m-${seq}`, sha256: `h-${seq}` };
    const hashAlg = algOf(seq);
    previous = chainHash(previous, fields, hashAlg);
    out.push({ ...fields, hash: previous, hashAlg });
  }
  return out;
}

/** The entry's hash computed here by hand: the suite's hash (hex) of the fixed JSON encoding. */
function byHand(alg: ChainHashAlg, previous: string, f: ChainedFields): string {
  return createHash(alg).update(JSON.stringify(['cytb-log-v1', previous, f.seq, f.at, f.direction, f.kind, f.messageId, f.sha256])).digest('hex');
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

// Issue 17.1/4: the chain follows the suite in force, and each entry says which hash it was chained with.
describe('hash chain under each suite', () => {
  it.each(['sha256', 'sm3'] as const)('chains an entry with %s over the same fixed encoding', (alg) => {
    // Fails before the fix for sm3: every entry was SHA-256 whatever the suite.
    const [first, second] = build(2, () => alg);
    expect(first.hash).toBe(byHand(alg, GENESIS_HASH, first));
    expect(second.hash).toBe(byHand(alg, first.hash, second));
  });

  it('keeps the SHA-256 chain of the logs written before the suites, byte for byte', () => {
    const fields: ChainedFields = { seq: 1, at: 0, direction: 'sent', kind: 'envelope', messageId: 'm', sha256: 's' };
    expect(chainHash(GENESIS_HASH, fields, 'sha256')).toBe(byHand('sha256', GENESIS_HASH, fields));
  });

  it('verifies a gm log, and a log that moved from intl to gm part-way, entry by entry', () => {
    expect(verifyChain(build(40, () => 'sm3'))).toEqual({ ok: true, count: 40 });
    expect(verifyChain(build(40, (seq) => (seq <= 25 ? 'sha256' : 'sm3')))).toEqual({ ok: true, count: 40 });
  });

  it('names a changed entry of a gm log, and a removed one', () => {
    const changed = build(30, () => 'sm3');
    changed[11] = { ...changed[11], sha256: 'forged' };
    expect(verifyChain(changed)).toEqual({ ok: false, brokenAt: 12, reason: 'HASH_MISMATCH' });
    const removed = build(30, () => 'sm3');
    removed.splice(7, 1);
    expect(verifyChain(removed)).toEqual({ ok: false, brokenAt: 9, reason: 'SEQ_GAP' });
  });

  it('names an entry whose recorded hash algorithm was changed, or is none it knows', () => {
    // Fails before the fix: the recorded algorithm was not read, so a relabelled entry passed.
    const relabelled = build(10, (seq) => (seq <= 5 ? 'sha256' : 'sm3'));
    relabelled[6] = { ...relabelled[6], hashAlg: 'sha256' };
    expect(verifyChain(relabelled)).toEqual({ ok: false, brokenAt: 7, reason: 'HASH_MISMATCH' });
    const unknown = build(10, () => 'sm3');
    unknown[2] = { ...unknown[2], hashAlg: 'md5' };
    expect(verifyChain(unknown)).toEqual({ ok: false, brokenAt: 3, reason: 'HASH_MISMATCH' });
  });
});

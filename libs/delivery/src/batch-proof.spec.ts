import { createHash } from 'node:crypto';
import { batchProofs, batchRoot, parseBatchProof, rootFromProof, type BatchEntry } from './batch-proof.js';

const sha = (text: string) => createHash('sha256').update(text).digest('base64url');
const entries = (n: number): BatchEntry[] => Array.from({ length: n }, (_, i) => ({ messageId: `019a0000-0000-7000-8000-${String(i).padStart(12, '0')}`, sha256: sha(`envelope ${i}`) }));

describe('batch proofs', () => {
  it.each([1, 2, 3, 5, 8, 9, 50])('leads every one of %i messages to the signed root', (n) => {
    const list = entries(n);
    const root = batchRoot(list, 'sha256');
    const proofs = batchProofs(list, 'receipt', 'sha256');
    list.forEach((entry, i) => expect(rootFromProof(entry, proofs[i], 'sha256')).toBe(root));
  });

  it('does not prove a message whose bytes differ from what was received', () => {
    const list = entries(5);
    const proofs = batchProofs(list, 'receipt', 'sha256');
    expect(rootFromProof({ ...list[2], sha256: sha('other bytes') }, proofs[2], 'sha256')).not.toBe(batchRoot(list, 'sha256'));
  });

  it('does not prove a message under another message id or at another place', () => {
    const list = entries(4);
    const proofs = batchProofs(list, 'receipt', 'sha256');
    expect(rootFromProof({ ...list[1], messageId: list[0].messageId }, proofs[1], 'sha256')).not.toBe(batchRoot(list, 'sha256'));
    expect(rootFromProof(list[1], { ...proofs[1], index: 0 }, 'sha256')).not.toBe(batchRoot(list, 'sha256'));
  });

  it('refuses a path whose length does not fit the count', () => {
    const list = entries(4);
    const proof = batchProofs(list, 'receipt', 'sha256')[0];
    expect(rootFromProof(list[0], { ...proof, path: proof.path.slice(1) }, 'sha256')).toBeNull();
    expect(rootFromProof(list[0], { ...proof, index: 4 }, 'sha256')).toBeNull();
  });

  it('reads a stored batch proof and tells a compact receipt apart', () => {
    const proof = batchProofs(entries(2), 'eyJ.a.b', 'sha256')[1];
    expect(parseBatchProof(JSON.stringify(proof))).toEqual(proof);
    expect(parseBatchProof('eyJhbGciOiJFZERTQSJ9.e30.sig')).toBeNull();
  });
});

describe('batch proofs under each suite', () => {
  /** An independent Merkle root: leaf H(0x00 ‖ "cytb-batch-leaf" ‖ 0x00 ‖ id ‖ 0x00 ‖ hash), inner H(0x01 ‖ l ‖ r), odd node moved up. */
  function expectedRoot(list: readonly BatchEntry[], hash: 'sha256' | 'sm3'): string {
    let level: Buffer[] = list.map((e) => createHash(hash).update(Buffer.concat([Buffer.from([0]), Buffer.from(`cytb-batch-leaf\u0000${e.messageId}\u0000${e.sha256}`)])).digest());
    while (level.length > 1) {
      const next: Buffer[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? createHash(hash).update(Buffer.concat([Buffer.from([1]), level[i], level[i + 1]])).digest() : level[i]);
      level = next;
    }
    return level[0].toString('base64url');
  }

  it.each(['sha256', 'sm3'] as const)('hashes the leaves and the inner nodes with %s, and proves every message under it', (hash) => {
    // Fails before issue 17.1/4: the tree was SHA-256 whatever the suite.
    const list = entries(5);
    const root = batchRoot(list, hash);
    expect(root).toBe(expectedRoot(list, hash));
    const proofs = batchProofs(list, 'receipt', hash);
    list.forEach((entry, i) => expect(rootFromProof(entry, proofs[i], hash)).toBe(root));
  });

  it('does not prove under SM3 a path computed with SHA-256, nor the reverse', () => {
    const list = entries(4);
    const sha = batchProofs(list, 'receipt', 'sha256');
    const sm3 = batchProofs(list, 'receipt', 'sm3');
    expect(rootFromProof(list[1], sha[1], 'sm3')).not.toBe(batchRoot(list, 'sm3'));
    expect(rootFromProof(list[1], sm3[1], 'sha256')).not.toBe(batchRoot(list, 'sha256'));
    expect(batchRoot(list, 'sm3')).not.toBe(batchRoot(list, 'sha256'));
  });
});

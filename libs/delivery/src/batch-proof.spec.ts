import { createHash } from 'node:crypto';
import { batchProofs, batchRoot, parseBatchProof, rootFromProof, type BatchEntry } from './batch-proof.js';

const sha = (text: string) => createHash('sha256').update(text).digest('base64url');
const entries = (n: number): BatchEntry[] => Array.from({ length: n }, (_, i) => ({ messageId: `019a0000-0000-7000-8000-${String(i).padStart(12, '0')}`, sha256: sha(`envelope ${i}`) }));

describe('batch proofs', () => {
  it.each([1, 2, 3, 5, 8, 9, 50])('leads every one of %i messages to the signed root', (n) => {
    const list = entries(n);
    const root = batchRoot(list);
    const proofs = batchProofs(list, 'receipt');
    list.forEach((entry, i) => expect(rootFromProof(entry, proofs[i])).toBe(root));
  });

  it('does not prove a message whose bytes differ from what was received', () => {
    const list = entries(5);
    const proofs = batchProofs(list, 'receipt');
    expect(rootFromProof({ ...list[2], sha256: sha('other bytes') }, proofs[2])).not.toBe(batchRoot(list));
  });

  it('does not prove a message under another message id or at another place', () => {
    const list = entries(4);
    const proofs = batchProofs(list, 'receipt');
    expect(rootFromProof({ ...list[1], messageId: list[0].messageId }, proofs[1])).not.toBe(batchRoot(list));
    expect(rootFromProof(list[1], { ...proofs[1], index: 0 })).not.toBe(batchRoot(list));
  });

  it('refuses a path whose length does not fit the count', () => {
    const list = entries(4);
    const proof = batchProofs(list, 'receipt')[0];
    expect(rootFromProof(list[0], { ...proof, path: proof.path.slice(1) })).toBeNull();
    expect(rootFromProof(list[0], { ...proof, index: 4 })).toBeNull();
  });

  it('reads a stored batch proof and tells a compact receipt apart', () => {
    const proof = batchProofs(entries(2), 'eyJ.a.b')[1];
    expect(parseBatchProof(JSON.stringify(proof))).toEqual(proof);
    expect(parseBatchProof('eyJhbGciOiJFZERTQSJ9.e30.sig')).toBeNull();
  });
});

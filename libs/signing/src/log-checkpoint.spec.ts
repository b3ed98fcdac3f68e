import type { Ed25519SigningKey } from './signing-key.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign } from 'jose';
import { isGatewayError, ManualClock } from '#core';
import { FileKeyStore } from './file-key-store.js';
import { GENESIS_HASH } from './hash-chain.js';
import {
  CHECKPOINT_TYP,
  countersignCheckpoint,
  readCheckpointClaims,
  signCheckpoint,
  verifyCheckpoint,
  verifyCountersignature,
  type CheckpointClaims,
} from './log-checkpoint.js';
import { signReceipt } from './receipt.js';
import { sha256Base64url } from './sha256.js';
import { TrustStore } from './trust-store.js';
import { NOW, NOW_MS } from './claims.fixtures.js';

const HEAD = 'a'.repeat(64);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isGatewayError(error) ? `${error.code}: ${error.detail ?? ''}` : String(error);
  }
  return 'resolved';
}

describe('log checkpoints', () => {
  let dir: string;
  let sc: FileKeyStore<Ed25519SigningKey>;
  let cq: FileKeyStore<Ed25519SigningKey>;
  let trust: TrustStore;
  const claims = (over: Partial<CheckpointClaims> = {}): CheckpointClaims => ({ node: 'SC', peer: 'CQ', count: 42, headHash: HEAD, hashAlg: 'sha256', at: NOW_MS, ...over });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cytb-checkpoint-'));
    const clock = new ManualClock(NOW_MS);
    sc = await FileKeyStore.open(join(dir, 'sc'), 'SC', clock);
    cq = await FileKeyStore.open(join(dir, 'cq'), 'CQ', clock);
    trust = await TrustStore.create([sc, cq].flatMap((s) => s.publicJwks().keys.map((publicJwk) => ({ kid: publicJwk.kid, node: s.node, publicJwk }))));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies a checkpoint signed by the node whose log it is, and the countersignature bound to it', async () => {
    const checkpoint = await signCheckpoint(sc.current(), claims());
    const header = JSON.parse(Buffer.from(checkpoint.split('.')[0], 'base64url').toString('utf8'));
    expect(header).toEqual({ alg: 'EdDSA', kid: sc.current().kid, typ: CHECKPOINT_TYP });
    await expect(verifyCheckpoint(checkpoint, { trust, expectedPeer: 'CQ', nowMs: NOW_MS, maxSkewSeconds: 60 })).resolves.toEqual(claims());

    const countersignature = await countersignCheckpoint(cq.current(), checkpoint, claims(), NOW_MS + 5);
    await expect(verifyCountersignature(countersignature, { trust, checkpoint, expectedSigner: 'CQ' })).resolves.toEqual({
      node: 'CQ',
      of: 'SC',
      checkpoint: sha256Base64url(checkpoint),
      count: 42,
      headHash: HEAD,
      hashAlg: 'sha256',
      at: NOW_MS,
      countersignedAt: NOW_MS + 5,
    });
    expect(readCheckpointClaims(checkpoint)).toEqual(claims());
  });

  it('verifies the checkpoint of an empty log (count 0, the genesis hash)', async () => {
    const checkpoint = await signCheckpoint(sc.current(), claims({ count: 0, headHash: GENESIS_HASH }));
    await expect(verifyCheckpoint(checkpoint, { trust })).resolves.toMatchObject({ count: 0 });
  });

  it('refuses a checkpoint about one node signed with the key of another', async () => {
    const forged = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'EdDSA', kid: cq.current().kid, typ: CHECKPOINT_TYP })
      .sign(cq.current().privateKey);
    expect(await codeOf(verifyCheckpoint(forged, { trust }))).toMatch(/^CHECKPOINT_INVALID: sender mismatch/);
  });

  it('refuses a checkpoint with a changed count (the signature no longer verifies)', async () => {
    const [h, , s] = (await signCheckpoint(sc.current(), claims())).split('.');
    const changed = `${h}.${Buffer.from(JSON.stringify(claims({ count: 41 }))).toString('base64url')}.${s}`;
    expect(await codeOf(verifyCheckpoint(changed, { trust }))).toMatch(/^CHECKPOINT_INVALID: signature invalid/);
  });

  it('refuses a receipt passed off as a checkpoint (explicit typ, RFC 8725 §3.11)', async () => {
    const receipt = await signReceipt(sc.current(), { jti: 'r-1', iss: 'SC', aud: 'CQ', iat: NOW, msg: 'm-1', sha256: sha256Base64url('x'), result: 'accepted' });
    expect(await codeOf(verifyCheckpoint(receipt, { trust }))).toMatch(/^CHECKPOINT_INVALID: malformed: typ must be/);
  });

  it('refuses a checkpoint addressed to another peer, or dated in the future', async () => {
    const checkpoint = await signCheckpoint(sc.current(), claims({ at: NOW_MS + 600_000 }));
    expect(await codeOf(verifyCheckpoint(checkpoint, { trust, expectedPeer: 'SC' }))).toMatch(/^CHECKPOINT_INVALID: wrong receiver/);
    expect(await codeOf(verifyCheckpoint(checkpoint, { trust, nowMs: NOW_MS, maxSkewSeconds: 120 }))).toMatch(/^CHECKPOINT_INVALID: not yet valid/);
  });

  it('refuses a checkpoint of the wrong shape, naming each bad claim', async () => {
    const bad = await new CompactSign(new TextEncoder().encode(JSON.stringify({ node: 'SC', peer: 'SC', count: -1, headHash: 'x', at: 1.5 })))
      .setProtectedHeader({ alg: 'EdDSA', kid: sc.current().kid, typ: CHECKPOINT_TYP })
      .sign(sc.current().privateKey);
    try {
      await verifyCheckpoint(bad, { trust });
      throw new Error('accepted');
    } catch (error) {
      expect(isGatewayError(error) && error.code).toBe('CHECKPOINT_INVALID');
      expect(isGatewayError(error) && error.fields?.map((f) => f.field)).toEqual(['peer', 'count', 'headHash', 'at']);
    }
  });

  it('refuses a countersignature of another checkpoint, or one by the log owner itself', async () => {
    const checkpoint = await signCheckpoint(sc.current(), claims());
    const other = await signCheckpoint(sc.current(), claims({ count: 43 }));
    const countersignature = await countersignCheckpoint(cq.current(), other, claims({ count: 43 }), NOW_MS);
    expect(await codeOf(verifyCountersignature(countersignature, { trust, checkpoint }))).toMatch(/^CHECKPOINT_INVALID: claims invalid: it names the SHA-256 of another checkpoint/);
    expect(await codeOf(verifyCountersignature(countersignature, { trust, checkpoint: other, expectedSigner: 'SC' }))).toMatch(/^CHECKPOINT_INVALID: sender mismatch/);
    await expect(countersignCheckpoint(sc.current(), checkpoint, claims(), NOW_MS)).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('refuses to sign a checkpoint in the name of another node', async () => {
    await expect(signCheckpoint(sc.current(), claims({ node: 'CQ', peer: 'SC' }))).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  // Issue 17.1/4: the head hash is the log's chain hash, SHA-256 or SM3; the checkpoint says which.
  describe('the hash of the log head', () => {
    const unsigned = (payload: object) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'EdDSA', kid: sc.current().kid, typ: CHECKPOINT_TYP }).sign(sc.current().privateKey);

    it('says which hash the head was chained with, in the checkpoint and in its countersignature', async () => {
      // Fails before the fix: the checkpoint did not say, so an SM3 head read as a SHA-256 one.
      const checkpoint = await signCheckpoint(sc.current(), claims({ hashAlg: 'sm3' }));
      expect(JSON.parse(Buffer.from(checkpoint.split('.')[1], 'base64url').toString('utf8'))).toMatchObject({ headHash: HEAD, hashAlg: 'sm3' });
      const verified = await verifyCheckpoint(checkpoint, { trust });
      expect(verified.hashAlg).toBe('sm3');
      const countersignature = await countersignCheckpoint(cq.current(), checkpoint, verified, NOW_MS);
      await expect(verifyCountersignature(countersignature, { trust, checkpoint })).resolves.toMatchObject({ headHash: HEAD, hashAlg: 'sm3' });
    });

    it('reads a checkpoint signed before the suites (no hashAlg) as SHA-256', async () => {
      const old = await unsigned({ node: 'SC', peer: 'CQ', count: 42, headHash: HEAD, at: NOW_MS });
      await expect(verifyCheckpoint(old, { trust })).resolves.toMatchObject({ hashAlg: 'sha256' });
      expect(readCheckpointClaims(old)).toMatchObject({ hashAlg: 'sha256' });
    });

    it('refuses a checkpoint naming a hash no suite uses, naming the claim', async () => {
      const bad = await unsigned({ node: 'SC', peer: 'CQ', count: 42, headHash: HEAD, hashAlg: 'md5', at: NOW_MS });
      await expect(verifyCheckpoint(bad, { trust })).rejects.toMatchObject({ code: 'CHECKPOINT_INVALID', fields: [expect.objectContaining({ field: 'hashAlg' })] });
    });

    it('refuses a countersignature that names another head hash algorithm than its checkpoint', async () => {
      const checkpoint = await signCheckpoint(sc.current(), claims({ hashAlg: 'sm3' }));
      const forged = await new CompactSign(
        new TextEncoder().encode(JSON.stringify({ node: 'CQ', of: 'SC', checkpoint: sha256Base64url(checkpoint), count: 42, headHash: HEAD, hashAlg: 'sha256', at: NOW_MS, countersignedAt: NOW_MS })),
      )
        .setProtectedHeader({ alg: 'EdDSA', kid: cq.current().kid, typ: 'cytb-log-countersignature+jws' })
        .sign(cq.current().privateKey);
      expect(await codeOf(verifyCountersignature(forged, { trust, checkpoint }))).toMatch(/^CHECKPOINT_INVALID: claims invalid: its count, head/);
    });
  });
});

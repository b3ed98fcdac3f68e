/**
 * `npm run bench:crypto`: the cryptography of one intake and one delivery, one operation at a time,
 * on this machine. For each hot-path operation it times jose 6 (WebCrypto) called directly, and the
 * library function the gateway calls (`signEnvelope`, `verifyEnvelope`, `sealFor`, `openSealed`,
 * which include every check they make). Prints ops/s and p50/p99 in µs.
 *
 * The gm rows (issue 17): SM2 signatures through node:crypto (OpenSSL) against Ed25519 on the same
 * 1 KB, gm sealing (`sealFor`/`openSealed` with an SM2 agency key: SM2-ECDH-ES + SM4-CTR-HS3),
 * SM3 and SM4 of 1 KB against SHA-256 and AES-256-GCM, and, for comparison, the same SM
 * operations in sm-crypto (pure JavaScript, a devDependency: the bench is not shipped).
 *
 * BENCH_CRYPTO_N (default 5000) operations per row, after a tenth as many to warm up; sm-crypto's
 * rows run a twentieth as many (at least 50): its SM2 takes milliseconds. Every loop is bounded;
 * nothing is written to disk except the keys, in a temporary folder removed at the end.
 */
import { createCipheriv, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactEncrypt, CompactSign, compactDecrypt, compactVerify, importJWK, type CryptoKey, type JWK } from 'jose';
import { ManualClock } from '#core';
import {
  AgencyKeyStore,
  ENVELOPE_TYP,
  GM_SUITE,
  FileKeyStore,
  importSealingKey,
  openSealed,
  SEALED_TYP,
  sealFor,
  signEnvelope,
  TrustStore,
  verifyEnvelope,
  type EnvelopeClaims,
} from '#signing';
import { percentile } from './bench-kit.js';

/** jose's importJWK answers a CryptoKey for an OKP key; the Uint8Array of its type is for `oct` keys. */
async function importKey(jwk: JWK, alg: string): Promise<CryptoKey> {
  const key = await importJWK(jwk, alg);
  if (key instanceof Uint8Array) throw new TypeError('expected an asymmetric key');
  return key;
}

/** The few sm-crypto calls the comparison rows make (the package has no types). */
interface SmCrypto {
  sm2: {
    doSignature(msg: number[], privateKey: string, options: { der: boolean; hash: boolean; publicKey: string }): string;
    doVerifySignature(msg: number[], signature: string, publicKey: string, options: { der: boolean; hash: boolean }): boolean;
  };
  sm3(input: number[]): string;
  sm4: { encrypt(input: number[], key: number[], options: { padding: 'none'; output: 'array' }): number[] };
}

const N = Number(process.env['BENCH_CRYPTO_N'] ?? 5000);
const N_INDEPENDENT = Math.max(50, Math.floor(N / 20));
const NOW_MS = Date.UTC(2026, 10, 22, 2, 0, 0);
const NOW = NOW_MS / 1000;
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Row {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
}

/** Runs `op` `count` times one after another (as one request does) and times each call. */
async function measure(name: string, op: () => unknown, count = N): Promise<Row> {
  for (let i = 0; i < Math.max(1, Math.floor(count / 10)); i += 1) await op();
  const micros: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) {
    const t0 = process.hrtime.bigint();
    await op();
    micros.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const totalSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  micros.sort((a, b) => a - b);
  return { name, opsPerSecond: count / totalSeconds, p50: percentile(micros, 50), p99: percentile(micros, 99) };
}

function claims(): EnvelopeClaims {
  // About 1 KB, like an application for a social security card.
  const body = { service: 'ssc.apply', note: '社保卡补领', items: Array.from({ length: 12 }, (_, i) => ({ i, code: `ITEM-${i}`, text: '材料齐全，已核验' })) };
  return {
    jti: '019aa8c4-1a00-7000-8000-000000000001',
    iss: 'CQ',
    aud: 'SC',
    iat: NOW,
    exp: NOW + 3600,
    case: 'CQ-20261122-7K3F9ZQ2M8',
    mtype: 'ssc.apply.request',
    ver: 1,
    body,
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cytb-crypto-bench-'));
  try {
    const clock = new ManualClock(NOW_MS);
    const keys = await FileKeyStore.open(join(dir, 'cq'), 'CQ', clock);
    const key = keys.current();
    const trust = await TrustStore.create([{ kid: key.kid, node: 'CQ', publicJwk: key.publicJwk }]);
    const agency = await AgencyKeyStore.open(join(dir, 'sc-card'), 'SC.card', clock);
    const sealing = await importSealingKey(agency.current().publicJwk);
    const personal = { idNumber: '51010419900307123X', name: '张三', phone: '13800000000', address: '四川省成都市武侯区' };

    // jose's own keys, imported once as the library does.
    const josePublic = await importKey({ ...key.publicJwk }, 'EdDSA');
    const joseAgencyPublic = await importKey({ ...agency.current().publicJwk }, 'ECDH-ES+A256KW');
    const joseAgencyPrivate = agency.decryptionKey(agency.current().kid) as CryptoKey | undefined; // an intl store: X25519
    if (joseAgencyPrivate === undefined) throw new Error('the agency key did not load');

    const c = claims();
    const payload = new TextEncoder().encode(JSON.stringify(c));
    const envelope = await signEnvelope(key, c);
    const sealed = await sealFor(sealing.key, personal, { kid: sealing.kid });
    const plaintext = new TextEncoder().encode(JSON.stringify(personal));
    const sealHeader = { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: sealing.kid, typ: SEALED_TYP, cty: 'json' };
    const verifyOptions = { trust, self: 'SC' as const, nowMs: NOW_MS, maxSkewSeconds: 60, maxLifetimeSeconds: 7 * 86_400 };

    say(`crypto micro-benchmark: ${N} operations per row, one at a time; envelope ${envelope.length} characters, sealed ${sealed.length}`);
    say(`node ${process.version}`);
    const rows: Row[] = [];
    rows.push(await measure('sign    jose CompactSign', () => new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: ENVELOPE_TYP }).sign(key.privateKey)));
    rows.push(await measure('sign    signEnvelope (ours)', () => signEnvelope(key, c)));
    rows.push(await measure('verify  jose compactVerify', () => compactVerify(envelope, josePublic, { algorithms: ['EdDSA'] })));
    rows.push(await measure('verify  verifyEnvelope (ours)', () => verifyEnvelope(envelope, verifyOptions)));
    rows.push(await measure('seal    jose CompactEncrypt', () => new CompactEncrypt(plaintext).setProtectedHeader(sealHeader).encrypt(joseAgencyPublic)));
    rows.push(await measure('seal    sealFor (ours)', () => sealFor(sealing.key, personal, { kid: sealing.kid })));
    rows.push(await measure('open    jose compactDecrypt', () => compactDecrypt(sealed, joseAgencyPrivate)));
    rows.push(await measure('open    openSealed (ours)', () => openSealed(sealed, agency)));
    rows.push(...(await gmRows(dir, clock, payload, personal)));

    say('');
    say(`${'operation'.padEnd(40)}${'ops/s'.padStart(10)}${'p50 µs'.padStart(10)}${'p99 µs'.padStart(10)}`);
    for (const r of rows) {
      say(`${r.name.padEnd(40)}${Math.round(r.opsPerSecond).toString().padStart(10)}${r.p50.toFixed(1).padStart(10)}${r.p99.toFixed(1).padStart(10)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The gm suite's rows. SM2 keys are re-imported from DER: on Node 20 that gives OpenSSL's SM2 key
 * type, whose signatures are SM2 (GB/T 32918.2, sm3 with Z_A) rather than ECDSA on the SM2 curve.
 */
async function gmRows(dir: string, clock: ManualClock, payload: Uint8Array, personal: object): Promise<Row[]> {
  const sm = createRequire(import.meta.url)('sm-crypto') as SmCrypto;
  const rows: Row[] = [];
  const kilobyte = randomBytes(1024);

  // 1. Signatures over the same 1 KB: Ed25519 and SM2 through node:crypto, SM2 in sm-crypto.
  const ed = generateKeyPairSync('ed25519');
  const edSignature = sign(null, payload, ed.privateKey);
  const generated = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  const sm2Private = createPrivateKey({ key: generated.privateKey.export({ format: 'der', type: 'pkcs8' }), format: 'der', type: 'pkcs8' });
  const spki = generated.publicKey.export({ format: 'der', type: 'spki' });
  const sm2Public = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const sm2Signature = sign('sm3', payload, sm2Private);
  rows.push(await measure('sign    Ed25519 node:crypto', () => sign(null, payload, ed.privateKey)));
  rows.push(await measure('verify  Ed25519 node:crypto', () => verify(null, payload, ed.publicKey, edSignature)));
  rows.push(await measure('sign    SM2 node:crypto', () => sign('sm3', payload, sm2Private)));
  rows.push(await measure('verify  SM2 node:crypto', () => verify('sm3', payload, sm2Public, sm2Signature)));
  const publicHex = spki.subarray(spki.length - 65).toString('hex');
  const privateHex = generated.privateKey.export({ format: 'der', type: 'sec1' }).subarray(7, 39).toString('hex');
  const message = [...payload];
  const smSignature = sm.sm2.doSignature(message, privateHex, { der: true, hash: true, publicKey: publicHex });
  rows.push(await measure('sign    SM2 sm-crypto', () => sm.sm2.doSignature(message, privateHex, { der: true, hash: true, publicKey: publicHex }), N_INDEPENDENT));
  rows.push(await measure('verify  SM2 sm-crypto', () => sm.sm2.doVerifySignature(message, smSignature, publicHex, { der: true, hash: true }), N_INDEPENDENT));

  // 2. gm sealing of the same personal fields, for an SM2 agency key.
  const agency = await AgencyKeyStore.open(join(dir, 'sc-card-gm'), 'SC.card', clock, { suite: 'gm' });
  const sealing = await importSealingKey(agency.current().publicJwk);
  const sealed = await sealFor(sealing.key, personal, { kid: sealing.kid });
  rows.push(await measure('seal    sealFor gm (ours)', () => sealFor(sealing.key, personal, { kid: sealing.kid })));
  rows.push(await measure('open    openSealed gm (ours)', () => openSealed(sealed, agency, { suite: GM_SUITE })));

  // 3. Hash and cipher of 1 KB: SM3 and SM4 against SHA-256 and AES-256-GCM, and sm-crypto's.
  const key16 = randomBytes(16);
  const key32 = randomBytes(32);
  const iv = randomBytes(16);
  rows.push(await measure('hash    SHA-256 1 KB node:crypto', () => createHash('sha256').update(kilobyte).digest()));
  rows.push(await measure('hash    SM3 1 KB node:crypto', () => createHash('sm3').update(kilobyte).digest()));
  rows.push(await measure('hash    SM3 1 KB sm-crypto', () => sm.sm3([...kilobyte]), N_INDEPENDENT));
  const once = (cipher: ReturnType<typeof createCipheriv>) => Buffer.concat([cipher.update(kilobyte), cipher.final()]);
  rows.push(await measure('encrypt AES-256-GCM 1 KB node:crypto', () => once(createCipheriv('aes-256-gcm', key32, iv.subarray(0, 12)))));
  rows.push(await measure('encrypt SM4-CTR 1 KB node:crypto', () => once(createCipheriv('sm4-ctr', key16, iv))));
  rows.push(await measure('encrypt SM4-ECB 1 KB sm-crypto', () => sm.sm4.encrypt([...kilobyte], [...key16], { padding: 'none', output: 'array' }), N_INDEPENDENT));
  return rows;
}

await main();

/**
 * `npm run bench:crypto`: the cryptography of one intake and one delivery, one operation at a time,
 * on this machine. For each hot-path operation it times jose 6 (WebCrypto) called directly, and the
 * library function the gateway calls (`signEnvelope`, `verifyEnvelope`, `sealFor`, `openSealed`,
 * which include every check they make). Prints ops/s and p50/p99 in µs.
 *
 * BENCH_CRYPTO_N (default 5000) operations per row, after a tenth as many to warm up. Every loop is
 * bounded; nothing is written to disk except the keys, in a temporary folder removed at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactEncrypt, CompactSign, compactDecrypt, compactVerify, importJWK, type CryptoKey, type JWK } from 'jose';
import { ManualClock } from '#core';
import {
  AgencyKeyStore,
  ENVELOPE_TYP,
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

const N = Number(process.env['BENCH_CRYPTO_N'] ?? 5000);
const NOW_MS = Date.UTC(2026, 10, 22, 2, 0, 0);
const NOW = NOW_MS / 1000;
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Row {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
}

/** Runs `op` N times one after another (as one request does) and times each call. */
async function measure(name: string, op: () => Promise<unknown>): Promise<Row> {
  for (let i = 0; i < Math.max(1, Math.floor(N / 10)); i += 1) await op();
  const micros: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i += 1) {
    const t0 = process.hrtime.bigint();
    await op();
    micros.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const totalSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  micros.sort((a, b) => a - b);
  return { name, opsPerSecond: N / totalSeconds, p50: percentile(micros, 50), p99: percentile(micros, 99) };
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

    say('');
    say(`${'operation'.padEnd(32)}${'ops/s'.padStart(10)}${'p50 µs'.padStart(10)}${'p99 µs'.padStart(10)}`);
    for (const r of rows) {
      say(`${r.name.padEnd(32)}${Math.round(r.opsPerSecond).toString().padStart(10)}${r.p50.toFixed(1).padStart(10)}${r.p99.toFixed(1).padStart(10)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

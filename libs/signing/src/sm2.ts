import { createECDH, createHash } from 'node:crypto';

/**
 * SM2 digital signatures (GB/T 32918.2-2016 §6, §7) with SM3 (GB/T 32905-2016) and the user ID
 * the standard's applications use by default, `1234567812345678` (GB/T 35276-2017 §10, GM/T 0009
 * §10). The curve is the recommended one of GB/T 32918.5-2017.
 *
 * Why not `crypto.sign('sm3', data, sm2Key)` alone: Node 20's OpenSSL 3 computes the signer's
 * hash Z with an EMPTY user ID (ENTL = 0) unless the ID is set, and Node has no way to set it
 * (checked in sm-crypto-interop.spec.ts: its signatures verify in sm-crypto with `userId: ''`
 * only). Signatures made that way would not verify in any implementation that applies the
 * default ID, which is what Chinese CAs, UKeys and sm-crypto do. So the ID is applied here:
 *
 *   - the secret scalar multiplication k·G of signing is OpenSSL's (an ECDH key pair on the SM2
 *     curve, `createECDH('SM2')`), not JavaScript's, so the nonce never meets BigInt arithmetic
 *     whose timing depends on it;
 *   - e = SM3(Z ‖ M), r = (e + x₁) mod n, s = (1 + d)⁻¹·(k − r·d) mod n (§6.1) use BigInt; the
 *     inverse (1 + d)⁻¹ is computed once per key, at import;
 *   - verification (§7.1) is public data only: s·G + t·P in BigInt Jacobian coordinates.
 *
 * Signatures are the 64 bytes r ‖ s, each 32 bytes big-endian (as ES256 in RFC 7518 §3.4): the
 * JWS form. DER (GB/T 35276 §7.3, SM2Signature ::= SEQUENCE { R INTEGER, S INTEGER }) is refused
 * where the raw form is expected, so one signature has one spelling (and one hash).
 */

const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
const A = 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn;
const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const GX = 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n;
const GY = 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n;

/** The default user ID of SM2 signatures (GB/T 35276-2017 §10; GM/T 0009-2012 §10). */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

/** An SM2 signature in its JWS form: r ‖ s, 32 bytes each. */
export const SM2_SIGNATURE_BYTES = 64;

/** An SM2 public key: the point (x, y) on the curve, with its uncompressed encoding 04 ‖ x ‖ y. */
export class Sm2PublicKey {
  private constructor(
    readonly x: bigint,
    readonly y: bigint,
  ) {}

  /**
   * The key of the 32-byte big-endian coordinates `x` and `y`, or `undefined` when they are not a
   * point of the curve (GB/T 32918.1 §6.2.1: a public key is checked before it is used).
   *
   * @example Sm2PublicKey.fromCoordinates(Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url'))
   */
  static fromCoordinates(x: Uint8Array, y: Uint8Array): Sm2PublicKey | undefined {
    if (x.length !== 32 || y.length !== 32) return undefined;
    const px = toBigInt(x);
    const py = toBigInt(y);
    if (px >= P || py >= P) return undefined;
    if (mod(py * py - (px * px * px + A * px + B), P) !== 0n) return undefined;
    // The cofactor of the curve is 1: every point of the curve but O is of order n.
    return new Sm2PublicKey(px, py);
  }

  /** 04 ‖ x ‖ y (GB/T 32918.1 §4.2.9), 65 bytes. */
  uncompressed(): Buffer {
    return Buffer.concat([Buffer.from([4]), toBytes32(this.x), toBytes32(this.y)]);
  }

  /** The coordinates, 32 bytes each: what a JWK's `x` and `y` carry (RFC 7518 §6.2.1.2, §6.2.1.3). */
  coordinates(): { readonly x: Buffer; readonly y: Buffer } {
    return { x: toBytes32(this.x), y: toBytes32(this.y) };
  }
}

/**
 * An SM2 private key. The scalar is held in a private field: no method returns it; the one
 * export is `toPrivateScalar()`, used once, to write the key file.
 */
export class Sm2PrivateKey {
  readonly #d: bigint;
  /** (1 + d)⁻¹ mod n, computed once (GB/T 32918.2 §6.1 A6). */
  readonly #inverse: bigint;

  private constructor(
    d: bigint,
    readonly publicKey: Sm2PublicKey,
  ) {
    this.#d = d;
    this.#inverse = modInverse(d + 1n, N);
  }

  /**
   * The key of the 32-byte scalar `d`, or `undefined` when d is not in [1, n − 2] (GB/T 32918.1
   * §6.1: (1 + d) must be invertible mod n).
   *
   * @example const key = Sm2PrivateKey.fromScalar(Buffer.from(file.d, 'base64url'));
   */
  static fromScalar(d: Uint8Array): Sm2PrivateKey | undefined {
    if (d.length !== 32) return undefined;
    const scalar = toBigInt(d);
    if (scalar < 1n || scalar > N - 2n) return undefined;
    const ecdh = createECDH('SM2');
    ecdh.setPrivateKey(Buffer.from(d));
    const point = ecdh.getPublicKey();
    const publicKey = Sm2PublicKey.fromCoordinates(point.subarray(1, 33), point.subarray(33, 65));
    return publicKey === undefined ? undefined : new Sm2PrivateKey(scalar, publicKey);
  }

  /** A new key from OpenSSL's generator. */
  static generate(): Sm2PrivateKey {
    for (;;) {
      const ecdh = createECDH('SM2');
      ecdh.generateKeys();
      const key = Sm2PrivateKey.fromScalar(ecdh.getPrivateKey());
      if (key !== undefined) return key; // d = n − 1 is possible, and unusable for SM2 signatures
    }
  }

  /** The 32-byte scalar, for the key file only. */
  toPrivateScalar(): Buffer {
    return toBytes32(this.#d);
  }

  /**
   * Signs `message` (GB/T 32918.2 §6.1) with the user ID `userId`; returns r ‖ s (64 bytes).
   *
   * @example const signature = key.sign(Buffer.from(signingInput, 'latin1'));
   */
  sign(message: Uint8Array, userId: string = SM2_DEFAULT_USER_ID): Buffer {
    const e = toBigInt(sm2Digest(this.publicKey, message, userId));
    for (;;) {
      // A3, A4: k random in [1, n − 1] and (x₁, y₁) = k·G, both from OpenSSL.
      const ecdh = createECDH('SM2');
      ecdh.generateKeys();
      const k = toBigInt(ecdh.getPrivateKey());
      const x1 = toBigInt(ecdh.getPublicKey().subarray(1, 33));
      // A5: r = (e + x₁) mod n; a new k when r = 0 or r + k = n.
      const r = mod(e + x1, N);
      if (r === 0n || r + k === N) continue;
      // A6: s = (1 + d)⁻¹ · (k − r·d) mod n; a new k when s = 0.
      const s = mod(this.#inverse * mod(k - r * this.#d, N), N);
      if (s === 0n) continue;
      return Buffer.concat([toBytes32(r), toBytes32(s)]);
    }
  }
}

/**
 * Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GB/T 32918.2 §5.5), and
 * e = SM3(Z_A ‖ M) (§6.1 A1, A2): the digest an SM2 signature signs.
 *
 * @example sm2Digest(publicKey, Buffer.from('message digest'), '1234567812345678')
 */
export function sm2Digest(publicKey: Sm2PublicKey, message: Uint8Array, userId: string = SM2_DEFAULT_USER_ID): Buffer {
  const id = Buffer.from(userId, 'utf8');
  if (id.length > 8191) throw new RangeError('the SM2 user ID is longer than 65535 bits');
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(id.length * 8);
  const z = createHash('sm3')
    .update(entl)
    .update(id)
    .update(toBytes32(A))
    .update(toBytes32(B))
    .update(toBytes32(GX))
    .update(toBytes32(GY))
    .update(toBytes32(publicKey.x))
    .update(toBytes32(publicKey.y))
    .digest();
  return createHash('sm3').update(z).update(message).digest();
}

/**
 * Verifies an SM2 signature r ‖ s (64 bytes) on `message` (GB/T 32918.2 §7.1). `false` for any
 * other length (a DER signature included), for r or s outside [1, n − 1], and for a signature that
 * does not verify.
 *
 * @example sm2Verify(publicKey, Buffer.from(signingInput, 'latin1'), signature) // true
 */
export function sm2Verify(publicKey: Sm2PublicKey, message: Uint8Array, signature: Uint8Array, userId: string = SM2_DEFAULT_USER_ID): boolean {
  if (signature.length !== SM2_SIGNATURE_BYTES) return false;
  const r = toBigInt(signature.subarray(0, 32));
  const s = toBigInt(signature.subarray(32, 64));
  // B1, B2: r and s in [1, n − 1].
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  // B3, B4: e = SM3(Z ‖ M).
  const e = toBigInt(sm2Digest(publicKey, message, userId));
  // B5: t = (r + s) mod n, not 0.
  const t = mod(r + s, N);
  if (t === 0n) return false;
  // B6: (x₁, y₁) = s·G + t·P.
  const point = toAffine(twoScalars(s, { x: GX, y: GY }, t, { x: publicKey.x, y: publicKey.y }));
  if (point === undefined) return false;
  // B7: R = (e + x₁) mod n must be r.
  return mod(e + point.x, N) === r;
}

// --- arithmetic on the curve: public values only (verification) ---

interface Affine {
  readonly x: bigint;
  readonly y: bigint;
}

/** Jacobian coordinates (X, Y, Z) for x = X/Z², y = Y/Z³; Z = 0 is the point at infinity. */
interface Jacobian {
  readonly x: bigint;
  readonly y: bigint;
  readonly z: bigint;
}

const INFINITY: Jacobian = { x: 1n, y: 1n, z: 0n };

/** u·U + v·V by Shamir's trick (one doubling per bit for both products). */
function twoScalars(u: bigint, U: Affine, v: bigint, V: Affine): Jacobian {
  const j = (p: Affine): Jacobian => ({ x: p.x, y: p.y, z: 1n });
  const sum = add(j(U), j(V));
  let acc = INFINITY;
  const bits = Math.max(u.toString(2).length, v.toString(2).length);
  for (let i = bits - 1; i >= 0; i -= 1) {
    acc = double(acc);
    const bu = (u >> BigInt(i)) & 1n;
    const bv = (v >> BigInt(i)) & 1n;
    if (bu === 1n && bv === 1n) acc = add(acc, sum);
    else if (bu === 1n) acc = add(acc, j(U));
    else if (bv === 1n) acc = add(acc, j(V));
  }
  return acc;
}

/** dbl-2001-b, for a = −3 (the SM2 curve's a is p − 3). */
function double(p: Jacobian): Jacobian {
  if (p.z === 0n || p.y === 0n) return INFINITY;
  const delta = mod(p.z * p.z, P);
  const gamma = mod(p.y * p.y, P);
  const beta = mod(p.x * gamma, P);
  const alpha = mod(3n * (p.x - delta) * (p.x + delta), P);
  const x3 = mod(alpha * alpha - 8n * beta, P);
  const z3 = mod((p.y + p.z) * (p.y + p.z) - gamma - delta, P);
  const y3 = mod(alpha * (4n * beta - x3) - 8n * gamma * gamma, P);
  return { x: x3, y: y3, z: z3 };
}

/** add-2007-bl. */
function add(p: Jacobian, q: Jacobian): Jacobian {
  if (p.z === 0n) return q;
  if (q.z === 0n) return p;
  const z1z1 = mod(p.z * p.z, P);
  const z2z2 = mod(q.z * q.z, P);
  const u1 = mod(p.x * z2z2, P);
  const u2 = mod(q.x * z1z1, P);
  const s1 = mod(p.y * q.z * z2z2, P);
  const s2 = mod(q.y * p.z * z1z1, P);
  const h = mod(u2 - u1, P);
  const r = mod(2n * (s2 - s1), P);
  if (h === 0n) return r === 0n ? double(p) : INFINITY;
  const i = mod(4n * h * h, P);
  const j = mod(h * i, P);
  const v = mod(u1 * i, P);
  const x3 = mod(r * r - j - 2n * v, P);
  const y3 = mod(r * (v - x3) - 2n * s1 * j, P);
  const z3 = mod(((p.z + q.z) * (p.z + q.z) - z1z1 - z2z2) * h, P);
  return { x: x3, y: y3, z: z3 };
}

function toAffine(p: Jacobian): Affine | undefined {
  if (p.z === 0n) return undefined;
  const zi = modPow(p.z, P - 2n, P);
  const zi2 = mod(zi * zi, P);
  return { x: mod(p.x * zi2, P), y: mod(p.y * zi2 * zi, P) };
}

// --- integers ---

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function modPow(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exponent;
  while (e > 0n) {
    if ((e & 1n) === 1n) result = mod(result * b, m);
    b = mod(b * b, m);
    e >>= 1n;
  }
  return result;
}

/** a⁻¹ mod m for a prime m (Fermat). */
function modInverse(a: bigint, m: bigint): bigint {
  return modPow(a, m - 2n, m);
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`);
}

function toBytes32(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}


import { createECDH, ECDH } from 'node:crypto';

/**
 * SM2 key-agreement keys (GB/T 32918.1, the curve of GB/T 32918.5) for the `gm` suite's sealing,
 * held in node:crypto's ECDH class, and their JWK `{ kty: 'EC', crv: 'SM2', x, y, d }` (RFC 7518
 * §6.2 members, the gm suite's curve name), written and read here by hand.
 *
 * Why the ECDH class and not KeyObjects: Node refuses `format: 'jwk'` for SM2
 * (ERR_CRYPTO_JWK_UNSUPPORTED_CURVE), and an SM2 key imported from DER on Node 20 comes back as
 * OpenSSL's separate SM2 key type, which Node names `undefined` and which `crypto.diffieHellman`
 * refuses ("Incompatible key types"). `createECDH('SM2')` takes the raw point and scalar and
 * checks, on every `computeSecret`, that the peer's point lies on the curve; SM2's cofactor is 1,
 * so a point on the curve is in the group and no small-subgroup check is left to make.
 */

const CURVE = 'SM2';
const COORDINATE_BYTES = 32;
/** SEC 1 §2.3.3 uncompressed point: 04 || x || y. */
const POINT_BYTES = 1 + 2 * COORDINATE_BYTES;

/** base64url of exactly 32 bytes (43 characters, the last one carrying 4 bits). */
const COORDINATE_B64 = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** Whether `value` is the base64url form of a 32-byte SM2 coordinate or scalar. */
export function isSm2Coordinate(value: unknown): value is string {
  return typeof value === 'string' && COORDINATE_B64.test(value);
}

/** The public point of an SM2 key, as the JWK members `x` and `y` (base64url, 32 bytes each). */
export interface Sm2Point {
  readonly x: string;
  readonly y: string;
}

/**
 * An SM2 public key: its uncompressed point, checked to be on the curve when made.
 *
 * @example const recipient = Sm2PublicKey.fromJwk({ x, y }); recipient.jwk() // { x, y }
 */
export class Sm2PublicKey {
  private constructor(private readonly point: Buffer) {}

  /**
   * The key of a JWK point; throws (TypeError or ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY) when a
   * coordinate is not 32 bytes or the point is not on the curve.
   */
  static fromJwk(jwk: Sm2Point): Sm2PublicKey {
    if (!isSm2Coordinate(jwk.x) || !isSm2Coordinate(jwk.y)) throw new TypeError('an SM2 coordinate is not 32 bytes of base64url');
    return Sm2PublicKey.fromPoint(Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]));
  }

  /** The key of an uncompressed point (04 || x || y); throws when it is not one on the curve. */
  static fromPoint(point: Uint8Array): Sm2PublicKey {
    if (point.byteLength !== POINT_BYTES || point[0] !== 4) throw new TypeError('not an uncompressed SM2 point');
    const copy = Buffer.from(point);
    // OpenSSL decodes the point (EC_POINT_oct2point), which refuses one off the curve, as every
    // later agreement does again; a decode costs some 35 µs, a trial agreement milliseconds.
    ECDH.convertKey(copy, CURVE, undefined, undefined, 'uncompressed');
    return new Sm2PublicKey(copy);
  }

  /** The uncompressed point, a copy. */
  bytes(): Buffer {
    return Buffer.from(this.point);
  }

  /** The JWK members `x` and `y`. */
  jwk(): Sm2Point {
    return { x: this.point.subarray(1, 1 + COORDINATE_BYTES).toString('base64url'), y: this.point.subarray(1 + COORDINATE_BYTES).toString('base64url') };
  }
}

/**
 * An SM2 private key for key agreement. The scalar stays inside node:crypto's ECDH object; `d()`
 * gives it only to write the key's file once, at creation.
 *
 * @example const ephemeral = Sm2PrivateKey.generate(); const z = ephemeral.agree(recipient);
 */
export class Sm2PrivateKey {
  private constructor(
    private readonly ecdh: ECDH,
    readonly publicKey: Sm2PublicKey,
  ) {}

  /** A fresh key pair from OpenSSL's generator. */
  static generate(): Sm2PrivateKey {
    const ecdh = createECDH(CURVE);
    ecdh.generateKeys();
    return new Sm2PrivateKey(ecdh, Sm2PublicKey.fromPoint(ecdh.getPublicKey()));
  }

  /**
   * The key of a JWK `{ x, y, d }`; throws when `d` is not a scalar in [1, n-1] or does not belong
   * to the point `x`, `y` (a file whose halves differ would publish a key nobody can open).
   */
  static fromJwk(jwk: Sm2Point & { readonly d: string }): Sm2PrivateKey {
    if (!isSm2Coordinate(jwk.d)) throw new TypeError('the SM2 private scalar is not 32 bytes of base64url');
    const scalar = Buffer.from(jwk.d, 'base64url');
    const ecdh = createECDH(CURVE);
    try {
      // OpenSSL refuses 0 and scalars of n or more (ERR_CRYPTO_INVALID_KEYTYPE).
      ecdh.setPrivateKey(scalar);
    } finally {
      scalar.fill(0);
    }
    const own = Sm2PublicKey.fromPoint(ecdh.getPublicKey());
    const stated = own.jwk();
    if (stated.x !== jwk.x || stated.y !== jwk.y) throw new TypeError('the public point (x, y) does not belong to the private scalar (d)');
    return new Sm2PrivateKey(ecdh, own);
  }

  /**
   * Z, the x coordinate of [d]P (GB/T 32918.3 §6.1's shared point, SEC 1 §3.3.1): 32 bytes. The
   * caller zeroes it. Throws when `peer` is not on the curve (already checked when it was made).
   */
  agree(peer: Sm2PublicKey): Buffer {
    return this.ecdh.computeSecret(peer.bytes());
  }

  /** The scalar `d`, base64url of 32 bytes (left-padded: OpenSSL drops leading zero bytes). */
  d(): string {
    const raw = this.ecdh.getPrivateKey();
    const padded = Buffer.alloc(COORDINATE_BYTES);
    raw.copy(padded, COORDINATE_BYTES - raw.length);
    raw.fill(0);
    const text = padded.toString('base64url');
    padded.fill(0);
    return text;
  }
}

import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { GatewayError } from '#core';
import type { CryptoSuite } from './crypto-suite.js';
import { prepareKeyDir, readPrivateKeyFile, writeFileSafely } from './key-files.js';

/**
 * A keyed hash of a citizen ID number, so that a node can find an applicant's cases by ID number
 * without storing it. An unkeyed SHA-256 is no protection for ID numbers: with a region code, a
 * birth date, three digits and a check character there are only some 10^10 candidates, which a
 * laptop hashes in hours. HMAC-SHA-256 (RFC 2104) under a per-node secret of 32 random bytes makes
 * that search impossible for whoever has the database but not the secret file. Under the `gm`
 * suite the HMAC is HMAC-SM3 (GB/T 32905 in RFC 2104's construction): same block, same output size.
 */

/** The secret file's `alg`, per suite hash: the index stays searchable only under the HMAC it was built with. */
const SECRET_ALG: Readonly<Record<CryptoSuite['hash'], string>> = { sha256: 'HS256', sm3: 'HMAC-SM3' };

/** The secret is 32 random bytes: the HMAC-SHA-256 and HMAC-SM3 blocks are 64 and their output 32 (RFC 2104 §3). */
const SECRET_BYTES = 32;
const MIN_SECRET_BYTES = 16;

/**
 * The suite's HMAC (HMAC-SHA-256 under `intl`, HMAC-SM3 under `gm`) of the ID number (trimmed,
 * check character upper-cased so `x` and `X` match) under `secret`, as 64 lowercase hex
 * characters. Refuses with CONFIG_INVALID a secret shorter than 16 bytes.
 *
 * @example personalDataHash('51010419900307123X', secret, INTL_SUITE) // '3b1f…' (64 hex), the same for '…123x'
 */
export function personalDataHash(idNumber: string, secret: Uint8Array, suite: Pick<CryptoSuite, 'hash'>): string {
  if (!(secret instanceof Uint8Array) || secret.byteLength < MIN_SECRET_BYTES) {
    throw new GatewayError('CONFIG_INVALID', { detail: `the personal data hash secret must be at least ${MIN_SECRET_BYTES} bytes` });
  }
  return createHmac(suite.hash, secret).update(idNumber.trim().toUpperCase(), 'utf8').digest('hex');
}

/**
 * Reads this node's hash secret from `<dir>/personal-data-hash.secret.json`, creating it (32
 * random bytes, mode 0600, directory 0700, and the HMAC of `suite` as its `alg`) on first start.
 * Refuses with CONFIG_INVALID a file that others can read, that does not hold a secret, or that
 * was made for the other suite's HMAC: the cases stored so far are indexed under that one, and the
 * ID numbers to index them again are not kept. Keep the file with the database's backups: a lost
 * secret makes every stored hash unsearchable.
 *
 * @example const secret = await openPersonalDataSecret(config.keyDir, suite); personalDataHash(id, secret, suite);
 */
export async function openPersonalDataSecret(dir: string, suite: Pick<CryptoSuite, 'hash'>): Promise<Uint8Array> {
  const name = 'personal-data-hash.secret.json';
  await prepareKeyDir(dir);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const parsed = await readPrivateKeyFile(join(dir, name), 'personal-data-hash');
    if (parsed !== undefined) {
      const secret = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).secret : undefined;
      const bytes = typeof secret === 'string' && /^[A-Za-z0-9_-]+$/.test(secret) ? Buffer.from(secret, 'base64url') : undefined;
      if (bytes === undefined || bytes.byteLength < MIN_SECRET_BYTES) {
        throw new GatewayError('CONFIG_INVALID', { detail: `key store: ${name} does not hold a secret of at least ${MIN_SECRET_BYTES} bytes` });
      }
      // A file from before the suites has no other alg than HS256 (what it was created with).
      const stated = (parsed as Record<string, unknown>).alg ?? SECRET_ALG.sha256;
      const alg = typeof stated === 'string' ? stated.slice(0, 32) : '(not a name)';
      if (alg !== SECRET_ALG[suite.hash]) {
        throw new GatewayError('CONFIG_INVALID', {
          detail: `key store: the applicant index was built with ${alg} and this node's suite uses ${SECRET_ALG[suite.hash]}: the stored hashes would no longer match (keep the suite, or start the index afresh)`,
        });
      }
      return new Uint8Array(bytes);
    }
    // Exclusive: two processes starting at once keep the one secret written first.
    const content = { secret: randomBytes(SECRET_BYTES).toString('base64url'), alg: SECRET_ALG[suite.hash] };
    await writeFileSafely(dir, name, `${JSON.stringify(content)}\n`, { exclusive: true });
  }
  throw new GatewayError('INTERNAL', { detail: 'the personal data hash secret did not persist' });
}

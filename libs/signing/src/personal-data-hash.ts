import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { GatewayError } from '#core';
import { prepareKeyDir, readPrivateKeyFile, writeFileSafely } from './key-files.js';

/**
 * A keyed hash of a citizen ID number, so that a node can find an applicant's cases by ID number
 * without storing it. An unkeyed SHA-256 is no protection for ID numbers: with a region code, a
 * birth date, three digits and a check character there are only some 10^10 candidates, which a
 * laptop hashes in hours. HMAC-SHA-256 (RFC 2104) under a per-node secret of 32 random bytes makes
 * that search impossible for whoever has the database but not the secret file.
 */

/** The secret is 32 random bytes: the HMAC-SHA-256 block is 64 and its output 32 (RFC 2104 §3). */
const SECRET_BYTES = 32;
const MIN_SECRET_BYTES = 16;

/**
 * HMAC-SHA-256 of the ID number (trimmed, check character upper-cased so `x` and `X` match) under
 * `secret`, as 64 lowercase hex characters. Refuses with CONFIG_INVALID a secret shorter than 16
 * bytes.
 *
 * @example personalDataHash('51010419900307123X', secret) // '3b1f…' (64 hex), the same for '…123x'
 */
export function personalDataHash(idNumber: string, secret: Uint8Array): string {
  if (!(secret instanceof Uint8Array) || secret.byteLength < MIN_SECRET_BYTES) {
    throw new GatewayError('CONFIG_INVALID', { detail: `the personal data hash secret must be at least ${MIN_SECRET_BYTES} bytes` });
  }
  return createHmac('sha256', secret).update(idNumber.trim().toUpperCase(), 'utf8').digest('hex');
}

/**
 * Reads this node's hash secret from `<dir>/personal-data-hash.secret.json`, creating it (32
 * random bytes, mode 0600, directory 0700) on first start. Refuses with CONFIG_INVALID a file that
 * others can read or that does not hold a secret. Keep the file with the database's backups: a
 * lost secret makes every stored hash unsearchable.
 *
 * @example const secret = await openPersonalDataSecret(config.keyDir); personalDataHash(id, secret);
 */
export async function openPersonalDataSecret(dir: string): Promise<Uint8Array> {
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
      return new Uint8Array(bytes);
    }
    // Exclusive: two processes starting at once keep the one secret written first.
    const content = { secret: randomBytes(SECRET_BYTES).toString('base64url'), alg: 'HS256' };
    await writeFileSafely(dir, name, `${JSON.stringify(content)}\n`, { exclusive: true });
  }
  throw new GatewayError('INTERNAL', { detail: 'the personal data hash secret did not persist' });
}

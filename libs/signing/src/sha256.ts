import { createHash } from 'node:crypto';

/**
 * SHA-256 of `data`, base64url without padding (43 characters). A string is hashed as its UTF-8
 * bytes; a compact JWS is ASCII, so its string and its bytes hash the same. Receipts carry this
 * hash of exactly what was received (X-Road binds a response to the hash of its request).
 *
 * @example sha256Base64url('abc') // 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0'
 */
export function sha256Base64url(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('base64url');
}

/**
 * base64url without padding (RFC 7515 §2, RFC 4648 §5), decoded strictly: only the one spelling
 * that encoding the bytes gives back is accepted. Buffer's decoder alone would also accept a
 * length of 4n+1 and stray bits in the last character, so the same signature or ciphertext could
 * travel under several spellings, and the same message under several SHA-256 hashes.
 *
 * @example decodeBase64url('AQID') // Buffer [1, 2, 3];  decodeBase64url('AQIE') // Buffer [1, 2, 4]
 */
export function decodeBase64url(segment: string): Buffer | undefined {
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

/** base64url without padding of `data` (a string is taken as UTF-8). */
export function encodeBase64url(data: string | Uint8Array): string {
  return (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength)).toString('base64url');
}

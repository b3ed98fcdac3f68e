import type { FastifyInstance, onRequestHookHandler, RouteOptions } from 'fastify';
import { GatewayError } from '#core';

/** The media type of a compact JWS (RFC 7515 §9.2.1). Its registration defines no parameters. */
export const JOSE_MEDIA_TYPE = 'application/jose';

/** Every route under this prefix is the peer face: its bodies are application/jose only. */
export const PEER_FACE_PREFIX = '/peer/v1/';

/** The methods whose requests carry a body. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The bytes of a compact JWS (RFC 7515 §7.1): base64url segments joined by dots. A line feed is
 * added only where a body holds several, one per line.
 */
const COMPACT_BYTE = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.') COMPACT_BYTE[c.charCodeAt(0)] = 1;
const LINE_FEED = 0x0a;

/**
 * Makes application/jose bodies reach their handlers as the raw Buffer that arrived (nothing
 * trimmed, decoded or re-encoded, so a receipt can hash exactly those bytes), and makes every
 * route of the peer face refuse any other content type with 415 UNSUPPORTED_MEDIA_TYPE before a
 * byte of the body is read. Call it on the Fastify instance before the routes are registered: it
 * applies to every peer route, whichever controller declares it.
 *
 * Only `application/jose` itself is accepted, in any letter case (RFC 9110 §8.3.1), and without
 * parameters: RFC 7515 §9.2.1 registers none, and a `charset` would suggest the body is text to
 * decode, when it is hashed as the bytes it is.
 *
 * @example registerJoseBodies(adapter.getInstance(), { bodyLimit: config.peerBodyLimitBytes });
 */
export function registerJoseBodies(instance: FastifyInstance, options: { readonly bodyLimit: number }): void {
  instance.addContentTypeParser(JOSE_MEDIA_TYPE, { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) => done(null, body));
  instance.addHook('onRoute', (route) => {
    if (!route.url.startsWith(PEER_FACE_PREFIX) || !methodsOf(route).some((m) => BODY_METHODS.has(m))) return;
    route.onRequest = [refuseOtherMediaTypes, ...hooksOf(route.onRequest)];
  });
}

/** True when the content-type header is exactly application/jose (any case, no parameters). */
export function isJoseMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.trim().toLowerCase() === JOSE_MEDIA_TYPE;
}

/**
 * The compact JWS an application/jose body holds, as text whose UTF-8 bytes are exactly the bytes
 * received: every byte must be of the compact serialisation's alphabet (RFC 7515 §7.1), so that
 * nothing is decoded, replaced or trimmed on the way. With `lines`, line feeds may separate
 * several (the batch face); every other byte outside the alphabet, a space, a CR or a trailing
 * newline included, is ENVELOPE_MALFORMED. A body that is not a Buffer did not come through the
 * application/jose parser: UNSUPPORTED_MEDIA_TYPE.
 *
 * @example compactJwsText(Buffer.from('eyJh.eyJp.c2ln')) // 'eyJh.eyJp.c2ln'
 * @example compactJwsText(Buffer.from('eyJh.eyJp.c2ln\n')) // throws ENVELOPE_MALFORMED
 */
export function compactJwsText(body: unknown, options: { readonly lines?: boolean } = {}): string {
  if (!Buffer.isBuffer(body)) {
    throw new GatewayError('UNSUPPORTED_MEDIA_TYPE', { detail: `send ${JOSE_MEDIA_TYPE}` });
  }
  for (let i = 0; i < body.length; i += 1) {
    const byte = body[i];
    if (COMPACT_BYTE[byte] === 1 || (options.lines === true && byte === LINE_FEED)) continue;
    throw new GatewayError('ENVELOPE_MALFORMED', {
      detail: `byte ${i} is outside the compact JWS alphabet (RFC 7515 §7.1); nothing is trimmed`,
    });
  }
  // Every byte is ASCII: this text's UTF-8 encoding is the body, byte for byte.
  return body.toString('latin1');
}

const refuseOtherMediaTypes: onRequestHookHandler = (request, _reply, done) => {
  if (isJoseMediaType(request.headers['content-type'])) {
    done();
    return;
  }
  done(new GatewayError('UNSUPPORTED_MEDIA_TYPE', { detail: `the peer face takes ${JOSE_MEDIA_TYPE} only (RFC 7515 §9.2.1)` }));
};

function methodsOf(route: RouteOptions): string[] {
  return (Array.isArray(route.method) ? route.method : [route.method]).map((m) => m.toUpperCase());
}

function hooksOf(hooks: RouteOptions['onRequest']): onRequestHookHandler[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}

import Fastify from 'fastify';
import { isGatewayError } from '#core';
import { compactJwsText, isJoseMediaType, registerJoseBodies } from './jose-body.js';

describe('application/jose bodies', () => {
  it('hands the text of a compact JWS over byte for byte and refuses anything around it', () => {
    expect(compactJwsText(Buffer.from('eyJh.eyJp.c2ln'))).toBe('eyJh.eyJp.c2ln');
    expect(compactJwsText(Buffer.from('a.b.c\nd.e.f'), { lines: true })).toBe('a.b.c\nd.e.f');
    for (const bad of ['a.b.c\n', ' a.b.c', 'a.b.c\r', 'a.b=.c', 'a.b.ç']) {
      expect(() => compactJwsText(Buffer.from(bad))).toThrow(expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }));
    }
    expect(() => compactJwsText(Buffer.from('a.b.c\r\nd.e.f'), { lines: true })).toThrow(expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }));
    expect(() => compactJwsText('a.b.c')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE' }));
  });

  it('takes application/jose in any letter case and without parameters only', () => {
    expect(isJoseMediaType('application/jose')).toBe(true);
    expect(isJoseMediaType('Application/JOSE')).toBe(true);
    expect(isJoseMediaType('application/jose; charset=utf-8')).toBe(false);
    expect(isJoseMediaType('application/jose+json')).toBe(false);
    expect(isJoseMediaType(undefined)).toBe(false);
  });

  it('applies to every peer route, whoever declares it, and to no other route', async () => {
    const app = Fastify();
    registerJoseBodies(app, { bodyLimit: 1024 });
    app.setErrorHandler((error, _request, reply) => void reply.status(isGatewayError(error) ? error.status : 500).send({ code: isGatewayError(error) ? error.code : 'other' }));
    // Registered after the parser, as a controller added later (a checkpoint face, say) would be.
    app.post('/peer/v1/checkpoints', async (request) => ({ raw: Buffer.isBuffer(request.body), length: (request.body as Buffer).length }));
    app.post('/api/v1/things', async (request) => ({ type: typeof request.body }));
    // light-my-request (inject) cannot load in Jest's ESM mode: a real socket on a free port.
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const post = (url: string, contentType: string, body: string) => fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': contentType }, body });
      expect(await (await post('/peer/v1/checkpoints', 'application/jose', 'a.b.c\n')).json()).toEqual({ raw: true, length: 6 });
      const refused = await post('/peer/v1/checkpoints', 'text/plain', 'a.b.c');
      expect({ status: refused.status, ...((await refused.json()) as object) }).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(await (await post('/api/v1/things', 'text/plain', 'a.b.c')).json()).toEqual({ type: 'string' });
    } finally {
      await app.close();
    }
  });
});

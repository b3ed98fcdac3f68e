import { connect } from 'node:net';
import { GatewayPair } from './support/gateway-pair.js';

interface RawAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/**
 * Sends a request exactly as written (fetch would normalise the URL and refuse bad headers) and
 * reads the answer until the connection closes.
 */
function sendRaw(port: number, head: string, body = ''): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(`${head}\r\nconnection: close\r\n\r\n${body}`));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const answer = Buffer.concat(chunks).toString('utf8');
      const [headers, ...rest] = answer.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0);
      const contentType = /^content-type: *(.*)$/im.exec(headers)?.[1] ?? '';
      resolve({ status, contentType, text: rest.join('\r\n\r\n') });
    });
  });
}

/**
 * Issue 14, point 7: every error is a problem. What Fastify and Node's HTTP parser answer on
 * their own, before a route or Nest's filters are reached, is application/problem+json with a
 * stable code too, and never echoes the URL or any other input.
 */
describe('errors raised before a route is reached are problems too', () => {
  let pair: GatewayPair;
  let port: number;
  const MARKER = 'Zq7Marker510104';

  beforeAll(async () => {
    pair = await GatewayPair.start();
    port = pair.sc.config.http.port;
  }, 30_000);

  afterAll(async () => {
    await pair?.stop();
  });

  function expectProblem(answer: RawAnswer, status: number, code: string): void {
    expect({ status: answer.status, contentType: answer.contentType }).toEqual({ status, contentType: 'application/problem+json; charset=utf-8' });
    const problem = JSON.parse(answer.text) as Record<string, unknown>;
    expect(problem).toMatchObject({ status, code });
    expect(problem['instance']).toBeUndefined();
    expect(answer.text).not.toContain(MARKER);
    expect(answer.text).not.toContain('/api/v1/applications');
  }

  it('answers a URL with broken percent-encoding with 400 URL_MALFORMED, without the URL', async () => {
    expectProblem(await sendRaw(port, `GET /api/v1/applications/${MARKER}%E0%A4%A HTTP/1.1\r\nhost: x`), 400, 'URL_MALFORMED');
  });

  it('answers a path parameter over the router limit with 414 URL_TOO_LONG, without the URL', async () => {
    expectProblem(await sendRaw(port, `GET /api/v1/applications/${MARKER}${'x'.repeat(200)} HTTP/1.1\r\nhost: x`), 414, 'URL_TOO_LONG');
  });

  it('answers an unknown route, or a known path with another method, with 404 NOT_FOUND, without the path', async () => {
    expectProblem(await sendRaw(port, `GET /api/v1/applications-${MARKER}/x HTTP/1.1\r\nhost: x`), 404, 'NOT_FOUND');
    // Fastify routes by method and path: a method the path does not serve is a route that does not exist.
    const wrongMethod = await sendRaw(port, 'DELETE /peer/v1/envelopes HTTP/1.1\r\nhost: x');
    expect({ status: wrongMethod.status, code: (JSON.parse(wrongMethod.text) as { code: string }).code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(wrongMethod.text).not.toContain('/peer/v1');
  });

  it('names the endpoint by its route, never by the URL as sent, in a problem from a route', async () => {
    const answer = await sendRaw(port, `GET /api/v1/applications/SC-20261123-${MARKER.slice(0, 10).toUpperCase()} HTTP/1.1\r\nhost: x\r\nauthorization: ${pair.sc.window}`);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.text).not.toContain(MARKER.slice(0, 10).toUpperCase());
  });

  it('answers a Content-Length that is not a number with 400 REQUEST_MALFORMED', async () => {
    expectProblem(await sendRaw(port, 'POST /api/v1/applications HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: abc', '{}'), 400, 'REQUEST_MALFORMED');
  });

  it('answers headers over the size limit with 431 HEADERS_TOO_LARGE', async () => {
    expectProblem(await sendRaw(port, `GET /health/live HTTP/1.1\r\nhost: x\r\nx-filler: ${MARKER}${'y'.repeat(20_000)}`), 431, 'HEADERS_TOO_LARGE');
  });

  it('answers bytes that are not HTTP with 400 REQUEST_MALFORMED', async () => {
    expectProblem(await sendRaw(port, `${MARKER} \u0001\u0002 nonsense`), 400, 'REQUEST_MALFORMED');
  });

  it.each([
    ['invalid JSON', 'application/json', `{"name":"${MARKER}",`, 400, 'MALFORMED_JSON'],
    ['an empty JSON body', 'application/json', '', 400, 'MALFORMED_JSON'],
    ['a content type no parser takes', 'application/x-unknown', MARKER, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a body over the intake limit', 'application/json', `"${MARKER}${'z'.repeat(70_000)}"`, 413, 'PAYLOAD_TOO_LARGE'],
  ])('answers %s with its code and without the input', async (_name, contentType, body, status, code) => {
    const answer = await sendRaw(
      port,
      `POST /api/v1/applications HTTP/1.1\r\nhost: x\r\nauthorization: ${pair.sc.window}\r\ncontent-type: ${contentType}\r\ncontent-length: ${Buffer.byteLength(body)}`,
      body,
    );
    expect({ status: answer.status, contentType: answer.contentType }).toEqual({ status, contentType: 'application/problem+json; charset=utf-8' });
    expect(JSON.parse(answer.text)).toMatchObject({ status, code, instance: '/api/v1/applications' });
    expect(answer.text).not.toContain(MARKER);
  });
});

import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type FaultMode = 'pass' | 'slow' | 'error500' | 'garbage' | 'reset';

/**
 * An HTTP proxy in front of a peer node that misbehaves on demand: passes through, answers
 * slowly (after forwarding), answers 500 (without forwarding), answers 200 with garbage (after
 * forwarding, so the peer did receive it), or drops the connection. Loopback only.
 */
export class FaultProxy {
  mode: FaultMode = 'pass';
  readonly counts: Record<FaultMode, number> = { pass: 0, slow: 0, error500: 0, garbage: 0, reset: 0 };
  /** When each request arrived (ms since the epoch), whatever the mode. */
  readonly arrivals: number[] = [];
  /** When the peer's own successful answers (2xx) were passed back in `pass` mode. */
  readonly answered: number[] = [];
  /**
   * Every error code the peer answered with (a refusal's problem+json, or a batch answer's
   * per-message codes), in order: what a refusal looked like on the wire, whatever the sender
   * then did with it.
   */
  readonly answeredCodes: string[] = [];
  private server: Server | null = null;
  private readonly holds = new Set<() => void>();

  constructor(
    /** Where requests go; may be switched (the proxy then acts as a load balancer's front door). */
    public targetPort: number,
    private readonly slowMs: number,
  ) {}

  async listen(port: number): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    // Answers still held back by `slow` are dropped, so no timer outlives the suite.
    for (const drop of this.holds) drop();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const mode = this.mode;
    this.counts[mode] += 1;
    this.arrivals.push(Date.now());
    const body = await readBody(req);
    if (mode === 'error500') {
      res.writeHead(500, { 'content-type': 'application/problem+json' }).end('{"code":"INTERNAL"}');
      return;
    }
    if (mode === 'reset') {
      req.socket.destroy();
      return;
    }
    const upstream = await forward(this.targetPort, req, body).catch(() => null);
    if (!upstream) {
      res.writeHead(502).end();
      return;
    }
    if (mode === 'slow') await this.hold();
    if (mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/jose' }).end('garbage.not-a.receipt');
      return;
    }
    if (mode === 'pass' && upstream.status < 300) this.answered.push(Date.now());
    for (const match of upstream.body.toString('utf8').matchAll(/"code":"([A-Z0-9_]{1,64})"/g)) this.answeredCodes.push(match[1]);
    res.writeHead(upstream.status, upstream.headers).end(upstream.body);
  }

  private hold(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.holds.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.slowMs);
      this.holds.add(done);
    });
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(port: number, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: { 'content-type': req.headers['content-type'] ?? '', 'content-length': body.length } },
      (res) => {
        void readBody(res).then((b) =>
          resolve({ status: res.statusCode ?? 502, headers: { 'content-type': String(res.headers['content-type'] ?? '') }, body: b }),
        );
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

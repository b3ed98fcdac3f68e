import { cardApplication } from '../e2e/support/applications.js';
import { GatewayPair } from '../e2e/support/gateway-pair.js';

/**
 * Bounded fuzzing of the public endpoints with malformed and hostile payloads. Every answer must
 * be a 4xx problem+json with a stable code; nothing may be stored; the process must survive.
 */
const ROUNDS = 400;

/** A small seeded generator so a failure can be reproduced from the printed seed. */
function rng(seed: number): () => number {
  let t = seed;
  return () => {
    t += 0x6d2b79f5;
    let x = Math.imul(t ^ (t >>> 15), t | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function deepNesting(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  -1,
  1e308,
  '',
  'x'.repeat(100_000),
  '\u0000\u0001\u0002',
  '\ud800',
  '<script>alert(1)</script>',
  "'; DROP TABLE cases; --",
  [],
  [[[[[]]]]],
  {},
  { $gt: '' },
  '510104198503121230',
];

function mutateApplication(random: () => number): string {
  const app = cardApplication() as unknown as Record<string, unknown>;
  const paths: (string[])[] = [['service'], ['kind'], ['applicant'], ['applicant', 'idNumber'], ['applicant', 'name'], ['applicant', 'phone'], ['issuingRegion'], ['deliveryAddress'], ['deliveryAddress', 'region'], ['photoRef'], ['materials'], ['__proto__'], ['constructor'], ['applicant', '__proto__']];
  const path = paths[Math.floor(random() * paths.length)];
  const value = HOSTILE_VALUES[Math.floor(random() * HOSTILE_VALUES.length)];
  let target = app;
  for (const key of path.slice(0, -1)) {
    if (typeof target[key] !== 'object' || target[key] === null) target[key] = {};
    target = target[key] as Record<string, unknown>;
  }
  const last = path.at(-1)!;
  if (last === '__proto__' || last === 'constructor') {
    // Written into the JSON text itself: JSON.stringify would drop a real __proto__ key.
    return JSON.stringify(app).replace(/^\{/, `{"${last}":{"polluted":true,"isAdmin":true},`);
  }
  target[last] = value;
  return JSON.stringify(app);
}

function hostileEnvelope(random: () => number): string {
  const pick = Math.floor(random() * 8);
  const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
  switch (pick) {
    case 0:
      return 'eyJhbGciOiJub25lIn0.e30.';
    case 1:
      return `${b64({ alg: 'HS256', kid: 'SC-1', typ: 'cytb-envelope+jws' })}.${b64({ iss: 'CQ' })}.${b64('sig')}`;
    case 2:
      return 'a.b';
    case 3:
      return `${b64({ alg: 'EdDSA', kid: 'x'.repeat(5000) })}.${b64({})}.${b64('s')}`;
    case 4:
      return `${b64(deepNesting(2000))}.${b64({})}.AAAA`;
    case 5:
      return `\xff\xfe${'A'.repeat(200)}`;
    case 6:
      return `${b64({ alg: 'EdDSA', kid: 'CQ-20261123-abcdef', typ: 'cytb-envelope+jws', crit: ['exp'] })}.${b64({ iss: 'CQ' })}.${b64('x')}`;
    default:
      return 'x'.repeat(Math.floor(random() * 400_000));
  }
}

/** Marks every hostile URL: no answer may quote it back. */
const URL_MARKER = 'fuzzmark';

/** A URL the router must refuse or not find: broken percent-encoding, over-long segments, traversal. */
function hostilePath(random: () => number): string {
  // A case number over the router's parameter limit (414).
  if (random() < 0.2) return `/api/v1/applications/${URL_MARKER}${'x'.repeat(101 + Math.floor(random() * 300))}`;
  const pieces = ['%E0%A4%A', '%', '%G1', '%FF', '%00', '%C0%AF', '..%2F..%2Fetc%2Fpasswd', '//', ';x=1', '%2e%2e', '\u00e9'];
  const piece = () => pieces[Math.floor(random() * pieces.length)];
  const base = ['/api/v1/applications/', '/peer/v1/', '/api/v1/operator/cases/', '/'][Math.floor(random() * 4)];
  return `${base}${URL_MARKER}${piece()}${random() < 0.5 ? piece() : ''}`;
}

describe('hostile input at the intake and peer endpoints (bounded fuzz)', () => {
  let pair: GatewayPair;
  const seed = Number(process.env['FUZZ_SEED'] ?? 20261122);

  beforeAll(async () => {
    pair = await GatewayPair.start();
  }, 30_000);

  afterAll(async () => {
    await pair?.stop();
  });

  it(`answers every malformed or hostile request with a 4xx problem and stores nothing (seed ${seed})`, async () => {
    const random = rng(seed);
    const codes = new Map<string, number>();
    const before = await pair.cq.gateway.db.read((s) => s.outbox.countsByState());
    let tried = 0;
    let lastSent: unknown = '';
    for (let i = 0; i < ROUNDS; i += 1) {
      const kind = i % 5;
      let response: Response;
      if (kind === 4) {
        // fetch keeps a percent sign that starts no valid escape as it is: the router sees it raw.
        const path = hostilePath(random);
        lastSent = path;
        response = await fetch(pair.sc.url(path), { headers: { authorization: pair.sc.window } });
      } else if (kind === 0 || kind === 1) {
        const body = kind === 0 ? mutateApplication(random) : [deepNesting(5000), '{"service":', '\u0000', '[]', '"string"', '{"service":"ssc.apply"}'][i % 6];
        lastSent = body;
        response = await fetch(pair.cq.url('/api/v1/applications'), {
          method: 'POST',
          headers: { authorization: pair.cq.window, 'content-type': 'application/json' },
          body,
        });
      } else if (kind === 2) {
        response = await fetch(pair.sc.url('/peer/v1/envelopes'), {
          method: 'POST',
          headers: { 'content-type': 'application/jose' },
          body: hostileEnvelope(random),
        });
      } else {
        const types = ['text/plain', 'application/xml', 'application/jose', 'multipart/form-data; boundary=x'];
        response = await fetch(pair.sc.url(i % 8 === 3 ? '/peer/v1/envelopes' : '/api/v1/applications'), {
          method: 'POST',
          headers: { authorization: pair.sc.window, 'content-type': types[Math.floor(random() * types.length)] },
          body: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22]),
        });
      }
      tried += 1;
      const text = await response.text();
      const problem = JSON.parse(text) as { code?: string; status?: number };
      const ok = response.status === 201 || (response.status >= 400 && response.status < 500 && typeof problem.code === 'string');
      if (!ok) throw new Error(`round ${i}: status ${response.status}, body ${text.slice(0, 200)}, sent ${String(lastSent).slice(0, 300)}`);
      expect(response.headers.get('content-type')).toMatch(response.status === 201 ? /json/ : /application\/problem\+json/);
      expect(text).not.toMatch(/\bat \w+ \(|node_modules/); // no stack traces
      expect(text).not.toContain(URL_MARKER); // no URL echoed
      codes.set(problem.code ?? 'accepted', (codes.get(problem.code ?? 'accepted') ?? 0) + 1);
    }
    // Nothing refused was stored: the outbox grew by exactly the mutations that were still valid
    // applications (a script tag is a valid name; it is data, never markup, to the gateway).
    const accepted = codes.get('accepted') ?? 0;
    const after = await pair.cq.gateway.db.read((s) => s.outbox.countsByState());
    const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    expect(total(after) - total(before)).toBe(accepted);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined(); // no prototype pollution in this process
    console.log(`fuzz: ${tried} inputs tried, answers by code: ${JSON.stringify(Object.fromEntries(codes))}`);
    // The node is still alive and correct after the barrage.
    expect((await fetch(pair.cq.url('/health/live'))).status).toBe(200);
  }, 120_000);
});

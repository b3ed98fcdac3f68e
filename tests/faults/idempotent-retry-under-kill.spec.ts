import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_NAMES, SystemClock } from '#core';
import { FederationAuthorityKeyStore, issueLocalFederation, writeTextAtomically } from '#signing';
import { federationMessageTypes } from '#contracts';
import { freePort } from '../e2e/support/free-port.js';
import { harnessSuite } from '../e2e/support/harness-suite.js';
import { cardApplication, freshIdNumber } from '../e2e/support/applications.js';
import { AppProcess, waitForHttp } from './support/processes.js';

/**
 * Issue 15 point 3 under kill -9: windows stream applications, each with its own
 * Idempotency-Key, into the accepting node, which is killed with SIGKILL twelve times while
 * requests are being committed. Every request that got no answer (reset, refused) is sent again
 * with its key once the node is back. Each applicant must then have exactly one case: an
 * application committed just before a kill (its window got a reset, not a 201) is answered its
 * original receipt on the retry, never made twice.
 */
const APPLICATIONS = 950;
const CONCURRENCY = 32;
const KILLS = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Submission {
  readonly key: string;
  readonly idNumber: string;
  readonly body: string;
  /** The case number of the first 201 this submission got, and who answered it. */
  caseId: string | null;
  firstOutcome: 'accepted' | 'no-answer' | 'refused' | null;
  replayed: boolean;
}

describe('idempotent retries while the accepting node is killed (real processes, kill -9)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cytb-idem-faults-'));
  let gateway: AppProcess;
  let http = 0;
  let window = '';

  beforeAll(async () => {
    if (!existsSync(join(process.cwd(), 'dist/apps/gateway/src/main.js'))) {
      throw new Error('dist/ is missing: `npm test` builds first; run `npm run build` before this suite alone');
    }
    const clock = new SystemClock();
    http = await freePort();
    const [status, adapter, peer] = [await freePort(), await freePort(), await freePort()];
    // Only the accepting node runs: intake does not wait for the peer (the outbox keeps the envelopes).
    const issued = await issueLocalFederation({
      nodes: (['SC', 'CQ'] as const).map((code) => ({
        node: code,
        name: NODE_NAMES[code],
        url: `http://127.0.0.1:${code === 'CQ' ? http : peer}`,
        keyDir: join(dir, code.toLowerCase(), 'keys'),
        agencyKeyDir: join(dir, code.toLowerCase(), 'agency-keys'),
        agencyFunctions: ['card', 'medical', 'pension'],
      })),
      types: federationMessageTypes(),
      authorityDir: join(dir, 'federation-authority'),
      // CYTB_SUITE=gm: the federation in the gm suite (SM2 signatures, SM3), as `npm run test:e2e:gm`.
      suite: harnessSuite(),
      clock,
      serial: 1,
    });
    writeTextAtomically(join(dir, 'federation.jws'), issued.signed);
    const authority = await FederationAuthorityKeyStore.open(join(dir, 'federation-authority'), clock, { suite: harnessSuite() });
    writeTextAtomically(join(dir, 'federation-authority.jwks.json'), JSON.stringify(authority.publicJwks()));
    mkdirSync(join(dir, 'logs'), { recursive: true });
    gateway = new AppProcess('cq-gateway', 'apps/gateway/src/main.js', {
      AGENCY_LINK_SECRET: 'idempotency-fault-suite-agency-link-secret-0123456789',
      RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_BURST: '100000',
      NODE_CODE: 'CQ', HTTP_PORT: String(http), STATUS_PORT: String(status), ADAPTER_PORT: String(adapter), DATA_DIR: dir,
      FEDERATION_FILE: join(dir, 'federation.jws'), FEDERATION_AUTHORITY_JWKS: join(dir, 'federation-authority.jwks.json'), DEMO_CREDENTIALS_FILE: join(dir, 'cq', 'demo-credentials.json'),
      PEER_TIMEOUT_MS: '1000', RELAY_IDLE_MS: '200', LOG_LEVEL: 'warn',
    }, join(dir, 'logs'));
    gateway.start();
    await waitForHttp(`http://127.0.0.1:${http}/health/live`, 30_000);
    const creds = JSON.parse(readFileSync(join(dir, 'cq', 'demo-credentials.json'), 'utf8')) as { credentials: { role: string; token: string }[] };
    window = `Bearer ${creds.credentials.find((c) => c.role === 'window')!.token}`;
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    if (process.env['KEEP_FAULT_DIR']) console.log(`fault suite data kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });

  /** One POST: 'accepted' with the receipt, 'refused' with another status, or 'no-answer' when the connection failed. */
  const send = async (s: Submission): Promise<{ outcome: 'accepted' | 'refused' | 'no-answer'; caseId?: string; replayed?: boolean }> => {
    try {
      const response = await fetch(`http://127.0.0.1:${http}/api/v1/applications`, {
        method: 'POST',
        headers: { authorization: window, 'content-type': 'application/json', 'idempotency-key': `"${s.key}"` },
        body: s.body,
        signal: AbortSignal.timeout(5000),
      });
      const text = await response.text();
      if (response.status !== 201) return { outcome: 'refused' };
      return { outcome: 'accepted', caseId: (JSON.parse(text) as { caseId: string }).caseId, replayed: response.headers.get('idempotent-replayed') === 'true' };
    } catch {
      return { outcome: 'no-answer' };
    }
  };

  it('leaves each applicant one case when every unanswered application is retried with its key', async () => {
    const submissions: Submission[] = Array.from({ length: APPLICATIONS }, () => {
      const idNumber = freshIdNumber();
      return { key: randomUUID(), idNumber, body: JSON.stringify(cardApplication({ idNumber, issuingRegion: '510104' })), caseId: null, firstOutcome: null, replayed: false };
    });

    // 1. The stream: CONCURRENCY windows at once, each submission sent once. A window whose
    //    request got no answer waits until the node is back, as a clerk would, before the next.
    let next = 0;
    let done = false;
    let up = true;
    let answered = 0;
    let kills = 0;
    let restarted: () => void = () => undefined;
    // 2. The node is killed at the very moment a receipt arrives (after every 40 more): the
    //    other applications of its group commit are committed, and their answers may still be
    //    on their way out. Then it is started again.
    const killAfterThisReceipt = () => {
      if (!up || kills >= KILLS || answered < (kills + 1) * 40) return;
      up = false;
      gateway.kill9();
      kills += 1;
      restarted();
    };
    const windows = Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < submissions.length; i = next++) {
        const s = submissions[i];
        const answer = await send(s);
        s.firstOutcome = answer.outcome;
        if (answer.caseId) {
          s.caseId = answer.caseId;
          answered += 1;
          killAfterThisReceipt();
        }
        while (answer.outcome === 'no-answer' && !up) await sleep(20);
      }
    });
    const killer = (async () => {
      for (;;) {
        await new Promise<void>((resolve) => (restarted = resolve));
        if (up) break; // the stream ended
        await sleep(300);
        gateway.start();
        await waitForHttp(`http://127.0.0.1:${http}/health/live`, 30_000);
        up = true;
      }
      done = true;
    })();
    await Promise.all(windows);
    while (!up) await sleep(20);
    restarted();
    await killer;
    expect(done).toBe(true);
    await waitForHttp(`http://127.0.0.1:${http}/health/live`, 30_000);

    // 3. Every submission without an answer is sent again with its own key until answered.
    const unanswered = submissions.filter((s) => s.firstOutcome !== 'accepted');
    let retries = 0;
    for (const s of unanswered) {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        retries += 1;
        const answer = await send(s);
        if (answer.outcome === 'accepted') {
          s.caseId = answer.caseId!;
          s.replayed = answer.replayed === true;
          break;
        }
        await sleep(200);
      }
    }

    // 4. Count each applicant's cases at the node.
    let duplicates = 0;
    let mismatched = 0;
    let withoutCase = 0;
    for (const s of submissions) {
      const r = await fetch(`http://127.0.0.1:${http}/api/v1/applications?idNumber=${s.idNumber}`, { headers: { authorization: window } });
      const items = ((await r.json()) as { items: { caseId: string }[] }).items;
      if (items.length === 0) withoutCase += 1;
      if (items.length > 1) duplicates += items.length - 1;
      if (items.length === 1 && items[0].caseId !== s.caseId) mismatched += 1;
    }
    const report = {
      submitted: APPLICATIONS,
      kills,
      answeredFirstTime: submissions.filter((s) => s.firstOutcome === 'accepted').length,
      noAnswer: submissions.filter((s) => s.firstOutcome === 'no-answer').length,
      refusedFirstTime: submissions.filter((s) => s.firstOutcome === 'refused').length,
      retriedSubmissions: unanswered.length,
      retryRequests: retries,
      ghostCasesResolvedByKey: unanswered.filter((s) => s.replayed).length,
      acceptedOnRetry: unanswered.filter((s) => s.caseId !== null && !s.replayed).length,
      secondCases: duplicates,
      answerNotTheCaseKept: mismatched,
      applicantsWithoutCase: withoutCase,
    };
    console.log(`idempotent retries under kill -9:\n${JSON.stringify(report, null, 2)}`);
    writeFileSync(join(process.cwd(), 'tests', 'faults', 'last-idempotency-report.json'), `${JSON.stringify(report, null, 2)}\n`);

    expect(kills).toBe(KILLS);
    expect(report.noAnswer).toBeGreaterThan(0); // the kills did hit requests
    expect(duplicates).toBe(0);
    expect(mismatched).toBe(0);
    expect(withoutCase).toBe(0);
    expect(submissions.every((s) => s.caseId !== null)).toBe(true);
  }, 180_000);
});

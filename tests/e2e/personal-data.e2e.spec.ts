import { existsSync, readFileSync } from 'node:fs';
import { cardApplication, freshIdNumber } from './support/applications.js';
import { TwoNodeHarness } from './support/two-node-harness.js';
import { submitApplication } from './support/window-api.js';

/**
 * Issue 6, point 4: personal data is sealed end to end. After real cases of several services
 * have gone both ways and been completed, neither node's database (WAL included) nor its logs
 * hold any applicant's ID number, phone, address, card number or bank account: not in clear, and
 * not inside any signed envelope stored there (whose payload is only base64url, not secret).
 */
const COMPACT_JWS = /eyJ[A-Za-z0-9_-]+\.(eyJ[A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+/g;

/** What a file says, and what every JWS payload stored in it says once decoded. */
function readable(file: string): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file).toString('latin1');
  const payloads = [...text.matchAll(COMPACT_JWS)].map((m) => Buffer.from(m[1], 'base64url').toString('utf8'));
  return `${Buffer.from(text, 'latin1').toString('utf8')}\n${payloads.join('\n')}`;
}

describe('personal data stays sealed in both gateways (databases and logs)', () => {
  let h: TwoNodeHarness;
  const secrets: string[] = [];
  const caseIds: string[] = [];

  beforeAll(async () => {
    h = await TwoNodeHarness.start({ gatewayLogs: true });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  const submit = submitApplication;

  it('carries a card application, a loss report and a death benefit claim both ways to their end', async () => {
    const card = cardApplication({ idNumber: freshIdNumber(), issuingRegion: '510104' });
    secrets.push(card.applicant.idNumber, card.applicant.phone, card.deliveryAddress.line);
    caseIds.push(await submit(h.cq, card));

    const lossId = freshIdNumber();
    secrets.push(lossId, '13655556666', 'A12345678');
    caseIds.push(
      await submit(h.sc, {
        service: 'ssc.loss',
        action: 'report',
        lossType: 'formal',
        functions: ['social', 'bank'],
        applicant: { idNumber: lossId, name: '赵六', phone: '13655556666' },
        issuingRegion: '500103',
        cardNumber: 'A12345678',
        materials: [],
      }),
    );

    const deceased = freshIdNumber();
    const claimant = freshIdNumber();
    secrets.push(deceased, claimant, '13677778888', '6222020200099988877');
    caseIds.push(
      await submit(h.cq, {
        service: 'pension.death-benefit',
        deceased: { idNumber: deceased, name: '钱七' },
        dateOfDeath: '2026-11-10',
        deathProof: { type: 'death-certificate', ref: 'SWZM-2026-0777' },
        claimant: { idNumber: claimant, name: '钱小七', phone: '13677778888', role: 'legal-heir', relation: 'child' },
        insuredRegion: '510104',
        payeeAccount: { bankName: '中国工商银行', accountNumber: '6222020200099988877' },
        materials: [{ type: 'death-certificate-copy', sha256: 'c'.repeat(64) }],
      }),
    );

    const ends = await Promise.all([h.runToEnd(h.cq, caseIds[0]), h.runToEnd(h.sc, caseIds[1]), h.runToEnd(h.cq, caseIds[2])]);
    expect(ends.map((v) => v.status)).toEqual(['completed', 'completed', 'completed']);
    // The agencies did get the personal data, once each: the adapters opened it for them.
    expect(h.sc.simulator.caseCount(caseIds[0])).toBe(1);
    expect(h.cq.simulator.caseCount(caseIds[1])).toBe(1);
    expect(h.sc.simulator.caseCount(caseIds[2])).toBe(1);
  }, 120_000);

  it("finds none of it in either node's database or logs, where the case numbers are plain to see", () => {
    // Both gateways run in this one process, where Nest's static loggers write through one of
    // them: the two files together hold every line both nodes logged.
    const logs = `${readable(h.gatewayLogFile('SC'))}\n${readable(h.gatewayLogFile('CQ'))}`;
    expect(logs).toContain('application accepted');
    for (const caseId of caseIds) expect(logs).toContain(caseId);
    for (const node of [h.sc, h.cq]) {
      const database = node.config.database.kind === 'sqlite' ? node.config.database.file : '';
      const stored = `${readable(database)}\n${readable(`${database}-wal`)}`;
      // The scan reads what it should: the cases and their sealed envelopes are there.
      for (const caseId of caseIds) expect(stored).toContain(caseId);
      expect(stored).toMatch(/"sealed":\{"(SC|CQ)\.(card|pension)":"eyJ/);
      for (const secret of secrets) {
        expect({ node: node.node, secret, inDatabase: stored.includes(secret) }).toEqual({ node: node.node, secret, inDatabase: false });
      }
    }
    for (const secret of secrets) expect({ secret, inLogs: logs.includes(secret) }).toEqual({ secret, inLogs: false });
  });
});

import request from 'supertest';
import { checkInformationSheet, pooledTransfer } from '#pension';
import type { TransferInformationSheet } from '#contracts';
import type { NodeCode } from '#core';
import { idNumber, pensionTransferApplication } from '../support/applications.js';
import { eventually } from '../support/free-port.js';
import { TwoNodeHarness, type NodeUnderTest } from '../support/two-node-harness.js';
import { submitApplication, stagesOf } from '../support/window-api.js';

/** Seeded people and places (the simulators' transfer-out conditions and leg-1 refusals). */
const NOT_INSURED_PLACE = 'NOINS0001';
const DRAWING = idNumber('51010419580101002');
const WRONG_SUMS = idNumber('50010619800505003');
const TERMINATED = idNumber('50010619790404004');
const UNSUSPENDED = idNumber('51010419700303005');
const ARREARS = idNumber('50010619750707006');
const TEMPORARY_ACCOUNT = idNumber('51010419650808007');

/** An employee pension transfer as a window of the transfer-in province would submit it. */
const transfer = pensionTransferApplication;

interface Entry {
  stage: string;
  side: string;
  at: string;
  reason?: { code: string };
  detail?: { conversation?: number; amounts?: Record<string, string> };
}
interface View {
  status: string;
  stage: string;
  heldBy: string;
  heldSince: string;
  timeLimit: { leg: string; workingDays: number; dueBy: string; overdue: boolean } | null;
  timeline: Entry[];
}

describe('养老保险关系转移接续 across Sichuan and Chongqing (two nodes, real transports)', () => {
  let h: TwoNodeHarness;

  beforeAll(async () => {
    h = await TwoNodeHarness.start({
      notInsured: [NOT_INSURED_PLACE],
      transfer: { drawingPension: [DRAWING], wrongSums: [WRONG_SUMS], terminated: [TERMINATED], unsuspended: [UNSUSPENDED], arrears: [ARREARS], temporaryAccountOnly: [TEMPORARY_ACCOUNT] },
    });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  const submit = submitApplication;

  const view = async (n: NodeUnderTest, caseId: string) => (await h.caseAt(n, caseId)) as unknown as View;
  const stages = stagesOf;
  const notes = (v: View, stage: string) => v.timeline.filter((e) => e.stage === stage);

  /** Every message about the case on both nodes has been delivered (or given up): the nodes are quiet. */
  async function settle(caseId: string): Promise<void> {
    await eventually(
      async () => Promise.all([h.sc, h.cq].map((n) => n.gateway.db.read((s) => s.outbox.list({ caseId })))),
      (lists) => lists.flat().every((m) => m.state === 'delivered' || m.state === 'dead'),
      10_000,
    );
  }

  /** Moves the agencies on, one stage at a time with the nodes quiet in between, until the case is done at its window. */
  async function drive(accepting: NodeUnderTest, caseId: string, maxSteps = 8): Promise<View> {
    await eventually(() => view(accepting, caseId), (c) => stages(c).includes('agency-received'));
    for (let step = 0; step < maxSteps; step += 1) {
      await settle(caseId);
      const now = await view(accepting, caseId);
      if (now.status !== 'in-progress') return now;
      await h.advanceAgencies();
    }
    await settle(caseId);
    return view(accepting, caseId);
  }

  const conversationsAt = (n: NodeUnderTest, caseId: string) => n.gateway.db.read((s) => s.conversations.listByCase(caseId));
  const node = (code: NodeCode) => h.nodes[code];

  /** The transfer's events in one office's feed as `<conversation>:<stage>`: each agency action appears once. */
  const actions = (code: NodeCode, caseId: string) => node(code).simulator.pension.transferEvents(caseId).map((e) => `${e.conversation}:${e.stage}`);

  it('completes a transfer accepted at a Chongqing window out of Sichuan: contact letter, sheet and funds, account merged, each agency action once', async () => {
    const caseId = await submit(h.cq, transfer({ transferInRegion: '500106', places: [{ region: '510104' }] }));
    const done = await drive(h.cq, caseId);
    expect(done.status).toBe('completed');
    expect(done.stage).toBe('completed');
    expect(done.heldBy).toBe('CQ');
    expect(done.timeLimit).toBeNull();
    expect(done.timeline.map((e) => `${e.stage}@${e.side}`)).toEqual([
      'submitted@CQ',
      'received@CQ',
      'agency-received@CQ',
      'in-review@CQ',
      'contact-letter-issued@CQ',
      'awaiting-transfer-out@CQ',
      'information-sheet-received@CQ',
      'merging@CQ',
      'funds-received@CQ',
      'account-merged@CQ',
      'completed@CQ',
    ]);
    for (const stage of ['contact-letter-issued', 'information-sheet-received', 'funds-received', 'account-merged']) {
      expect(notes(done, stage)).toHaveLength(1);
      expect(notes(done, stage)[0]?.detail?.conversation).toBe(1);
    }
    // The amounts on the timeline are the sheet's, and the sheet adds up (12 % from 1998-01, no interest).
    const [inSide] = (await conversationsAt(h.cq, caseId)).filter((c) => c.side === 'in');
    const sheet = JSON.parse(inSide?.sheetJson ?? 'null') as TransferInformationSheet;
    expect(checkInformationSheet(sheet)).toEqual([]);
    expect(sheet.pooledTransfer).toBe(pooledTransfer(sheet.periods));
    expect(sheet.periods[0]?.from < '2002-01').toBe(true);
    const amounts = notes(done, 'information-sheet-received')[0]?.detail?.amounts;
    expect(amounts).toEqual({ personalTransfer: sheet.personalTransfer, pooledTransfer: sheet.pooledTransfer, totalTransfer: sheet.totalTransfer });
    expect(notes(done, 'funds-received')[0]?.detail?.amounts).toEqual({ totalTransfer: sheet.totalTransfer });
    // The contact letter carries the Chongqing fund's account.
    const letter = JSON.parse(inSide?.letterJson ?? 'null') as { letterNo: string; fundAccount: { accountName: string } };
    expect(letter.letterNo).toMatch(/^CQ-ZYLXH-2026-\d{8}$/);
    expect(letter.fundAccount.accountName).toContain('重庆市社会保险局');
    // Each agency action once: the application, the conversation at each side, each step.
    expect(h.cq.simulator.caseCount(caseId)).toBe(1);
    expect(h.cq.simulator.caseCount(`${caseId}#1`)).toBe(1);
    expect(h.sc.simulator.caseCount(`${caseId}#1@out`)).toBe(1);
    expect(actions('CQ', caseId)).toEqual(['1:contact-letter-issued', '1:funds-received', '1:account-merged']);
    expect(actions('SC', caseId)).toEqual(['1:information-sheet-issued']);
    const [outSide] = await conversationsAt(h.sc, caseId);
    expect(outSide).toMatchObject({ side: 'out', state: 'sheet-issued', inNode: 'CQ', outAgency: 'SC.pension' });
    // The letter reached the Sichuan office with the applicant sealed for it: nothing personal in clear at either node.
    const applicantId = (JSON.parse((await h.cq.gateway.db.read((s) => s.cases.get(caseId)))?.requestJson ?? '{}') as { sealed?: Record<string, string> }).sealed;
    expect(Object.keys(applicantId ?? {}).sort()).toEqual(['CQ.pension', 'SC.pension']);
    const letters = await h.sc.gateway.db.read((s) => s.outbox.list({ caseId, destination: 'agency:SC.pension' }));
    expect(letters.map((m) => m.messageType)).toEqual(['pension.transfer.contact-letter']);
    expect(outSide?.placeJson).not.toContain('personNumber');
  }, 90_000);

  it('completes the same transfer the other way: a Sichuan window, transferring out of Chongqing', async () => {
    const caseId = await submit(h.sc, transfer({ transferInRegion: '510104', places: [{ region: '500106' }] }));
    const done = await drive(h.sc, caseId);
    expect(done.status).toBe('completed');
    expect(stages(done).slice(4)).toEqual([
      'contact-letter-issued',
      'awaiting-transfer-out',
      'information-sheet-received',
      'merging',
      'funds-received',
      'account-merged',
      'completed',
    ]);
    const amounts = notes(done, 'information-sheet-received')[0]?.detail?.amounts ?? {};
    // Chongqing speaks integer fen: the yuan on the timeline are exact.
    expect(Object.values(amounts).every((a) => /^\d+\.\d{2}$/.test(a))).toBe(true);
    expect(notes(done, 'funds-received')[0]?.detail?.amounts).toEqual({ totalTransfer: amounts['totalTransfer'] });
    expect(h.sc.simulator.caseCount(caseId)).toBe(1);
    expect(h.cq.simulator.caseCount(`${caseId}#1@out`)).toBe(1);
    expect(actions('SC', caseId)).toEqual(['1:contact-letter-issued', '1:funds-received', '1:account-merged']);
    expect(actions('CQ', caseId)).toEqual(['1:information-sheet-issued']);
  }, 90_000);

  it('brings a refusal at leg 1 (NOT_INSURED_AT_REGION) to the window: the case is rejected and no letter leaves', async () => {
    const caseId = await submit(h.cq, transfer({ transferInRegion: '500106', places: [{ region: '510104', personNumber: NOT_INSURED_PLACE }] }));
    const done = await drive(h.cq, caseId);
    expect(done.status).toBe('rejected');
    const refused = notes(done, 'transfer-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ side: 'CQ', reason: { code: 'NOT_INSURED_AT_REGION' }, detail: { conversation: 1 } });
    expect(stages(done)).not.toContain('contact-letter-issued');
    expect(await conversationsAt(h.sc, caseId)).toEqual([]);
    expect(h.sc.simulator.caseCount(`${caseId}#1@out`)).toBe(0);
    expect(actions('CQ', caseId)).toEqual(['1:transfer-refused']);
  }, 90_000);

  it('brings a refusal at leg 1 (TEMPORARY_ACCOUNT_RULES) from the Chongqing office, where the applicant holds only a temporary account, to the window', async () => {
    const caseId = await submit(h.cq, transfer({ transferInRegion: '500106', places: [{ region: '510104' }], applicantId: TEMPORARY_ACCOUNT }));
    const done = await drive(h.cq, caseId);
    expect(done.status).toBe('rejected');
    expect(notes(done, 'transfer-refused')[0]).toMatchObject({ side: 'CQ', reason: { code: 'TEMPORARY_ACCOUNT_RULES' }, detail: { conversation: 1 } });
    expect(stages(done)).not.toContain('contact-letter-issued');
    expect(await conversationsAt(h.sc, caseId)).toEqual([]);
    expect(actions('CQ', caseId)).toEqual(['1:transfer-refused']);
  }, 90_000);

  it('brings a refusal at leg 2 (ALREADY_DRAWING_PENSION) from the Sichuan office back to the Chongqing window', async () => {
    const caseId = await submit(h.cq, transfer({ transferInRegion: '500106', places: [{ region: '510104' }], applicantId: DRAWING }));
    const done = await drive(h.cq, caseId);
    expect(done.status).toBe('rejected');
    expect(stages(done)).toContain('contact-letter-issued');
    const refused = notes(done, 'transfer-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ reason: { code: 'ALREADY_DRAWING_PENSION' }, detail: { conversation: 1 } });
    expect(stages(done)).not.toContain('information-sheet-received');
    const [outSide] = await conversationsAt(h.sc, caseId);
    expect(outSide).toMatchObject({ side: 'out', state: 'refused' });
    expect(actions('SC', caseId)).toEqual(['1:transfer-refused']);
    expect(actions('CQ', caseId)).toEqual(['1:contact-letter-issued']);
  }, 90_000);

  it.each([
    ['ACCOUNT_TERMINATED', TERMINATED],
    ['CONTRIBUTIONS_NOT_SUSPENDED', UNSUSPENDED],
    ['CONTRIBUTIONS_IN_ARREARS', ARREARS],
  ])('brings a refusal at leg 2 (%s) from the Chongqing office, in its own vocabulary, back to the Sichuan window', async (code, applicantId) => {
    const caseId = await submit(h.sc, transfer({ transferInRegion: '510104', places: [{ region: '500106' }], applicantId }));
    const done = await drive(h.sc, caseId);
    expect(done.status).toBe('rejected');
    expect(stages(done)).toContain('contact-letter-issued');
    const refused = notes(done, 'transfer-refused');
    expect(refused).toHaveLength(1);
    // The transfer-in node (SC here), which handles the case, records the transfer-out office's answer.
    expect(refused[0]).toMatchObject({ side: 'SC', reason: { code }, detail: { conversation: 1 } });
    expect(stages(done)).not.toContain('information-sheet-received');
    const [outSide] = await conversationsAt(h.cq, caseId);
    expect(outSide).toMatchObject({ side: 'out', state: 'refused' });
    // Each office acted once: the letter at the transfer-in side, the refusal at the transfer-out side.
    expect(actions('CQ', caseId)).toEqual(['1:transfer-refused']);
    expect(actions('SC', caseId)).toEqual(['1:contact-letter-issued']);
  }, 90_000);

  it('holds a sheet whose pooled part is one fen off at the transfer-out node: never forwarded, never reaches the transfer-in agency', async () => {
    const caseId = await submit(h.sc, transfer({ transferInRegion: '510104', places: [{ region: '500106' }], applicantId: WRONG_SUMS }));
    await drive(h.sc, caseId, 4);
    const [held] = await conversationsAt(h.cq, caseId);
    expect(held).toMatchObject({ side: 'out', state: 'sheet-invalid' });
    const problem = JSON.parse(held?.problemJson ?? '{}') as { code: string; problems: { code: string; expected: string; stated: string }[] };
    expect(problem.code).toBe('SHEET_INVALID');
    expect(problem.problems.map((p) => p.code)).toEqual(['SHEET_POOLED_MISMATCH']);
    const [pooled] = problem.problems;
    expect(Math.round(Number(pooled?.stated) * 100) - Math.round(Number(pooled?.expected) * 100)).toBe(1);
    // Nothing left the transfer-out node: no reply in its outbox, nothing new at the window, nothing for the agency.
    const cqOut = await h.cq.gateway.db.read((s) => s.outbox.list({ caseId }));
    expect(cqOut.map((m) => m.messageType)).not.toContain('pension.transfer.reply');
    const waiting = await view(h.sc, caseId);
    expect(waiting.status).toBe('in-progress');
    expect(waiting.stage).toBe('awaiting-transfer-out');
    expect(stages(waiting)).not.toContain('information-sheet-received');
    const scOut = await h.sc.gateway.db.read((s) => s.outbox.list({ caseId, destination: 'agency:SC.pension' }));
    expect(scOut.map((m) => m.messageType)).toEqual(['pension.transfer.request']);
    expect(actions('SC', caseId)).toEqual(['1:contact-letter-issued']);
    expect(actions('CQ', caseId)).toEqual(['1:information-sheet-issued']);
    // The transfer-out node's operators see the held sheet and why.
    const listed = (await (await fetch(h.cq.url('/api/v1/operator/conversations?state=sheet-invalid'), { headers: { authorization: h.cq.operator } })).json()) as {
      items: { caseId: string; side: string; leg: number; problem: { code: string }; timeLimit: { leg: string } }[];
    };
    expect(listed.items.find((i) => i.caseId === caseId)).toMatchObject({ side: 'out', leg: 2, problem: { code: 'SHEET_INVALID' }, timeLimit: { leg: 'information-sheet' } });
  }, 90_000);

  it('completes a case with two transfer-out places, one in Sichuan and one in Chongqing itself: both conversations end', async () => {
    const caseId = await submit(h.cq, transfer({ transferInRegion: '500106', places: [{ region: '510104' }, { region: '500112' }] }));
    const done = await drive(h.cq, caseId);
    expect(done.status).toBe('completed');
    for (const stage of ['contact-letter-issued', 'information-sheet-received', 'funds-received', 'account-merged']) {
      expect(notes(done, stage).map((e) => e.detail?.conversation).sort()).toEqual([1, 2]);
    }
    expect(h.cq.simulator.caseCount(caseId)).toBe(1);
    expect(h.sc.simulator.caseCount(`${caseId}#1@out`)).toBe(1);
    expect(h.cq.simulator.caseCount(`${caseId}#2@out`)).toBe(1);
    expect(actions('SC', caseId)).toEqual(['1:information-sheet-issued']);
    expect([...actions('CQ', caseId)].sort()).toEqual(
      ['1:contact-letter-issued', '1:funds-received', '1:account-merged', '2:contact-letter-issued', '2:information-sheet-issued', '2:funds-received', '2:account-merged'].sort(),
    );
    const sides = (await conversationsAt(h.cq, caseId)).map((c) => `${c.conversation}:${c.side}:${c.state}`).sort();
    expect(sides).toEqual(['1:in:merged', '2:in:merged', '2:out:sheet-issued']);
  }, 90_000);

  it('survives a restart of the transfer-out gateway in the middle of leg 2: completes, and no agency action repeats', async () => {
    const caseId = await submit(h.cq, transfer({ transferInRegion: '500106', places: [{ region: '510104' }] }));
    await eventually(() => view(h.cq, caseId), (c) => stages(c).includes('agency-received'));
    await settle(caseId);
    await h.advanceAgencies(); // leg 1: the contact letter
    await settle(caseId);
    // The Sichuan office has the letter; the sheet is not issued yet.
    expect(h.sc.simulator.caseCount(`${caseId}#1@out`)).toBe(1);
    expect(actions('SC', caseId)).toEqual([]);
    await h.restartGateway('SC');
    const done = await drive(h.cq, caseId);
    expect(done.status).toBe('completed');
    expect(h.sc.simulator.caseCount(`${caseId}#1@out`)).toBe(1);
    expect(actions('SC', caseId)).toEqual(['1:information-sheet-issued']);
    expect(actions('CQ', caseId)).toEqual(['1:contact-letter-issued', '1:funds-received', '1:account-merged']);
    for (const stage of ['contact-letter-issued', 'information-sheet-received', 'funds-received', 'account-merged']) expect(notes(done, stage)).toHaveLength(1);
  }, 90_000);

  it('shows the window the transfer at leg 2: awaiting-transfer-out since the letter, on the leg clock', async () => {
    const caseId = await submit(h.cq, transfer({ transferInRegion: '500106', places: [{ region: '510104' }] }));
    await eventually(() => view(h.cq, caseId), (c) => stages(c).includes('agency-received'));
    await settle(caseId);
    const review = await view(h.cq, caseId);
    expect(review.stage).toBe('in-review');
    expect(review.heldBy).toBe('CQ');
    await h.advanceAgencies();
    await settle(caseId);
    const leg2 = await view(h.cq, caseId);
    expect(leg2.stage).toBe('awaiting-transfer-out');
    const letterAt = notes(leg2, 'contact-letter-issued')[0]?.at;
    expect(leg2.heldSince).toBe(leg2.timeline.find((e) => e.stage === 'awaiting-transfer-out')?.at);
    expect(Date.parse(leg2.heldSince)).toBeGreaterThanOrEqual(Date.parse(letterAt ?? ''));
    // The window sees the clock of the leg under way, not the whole case's 45 working days.
    expect(leg2.timeLimit).toMatchObject({ leg: 'information-sheet', workingDays: 15, overdue: false });
  }, 90_000);

  // During leg 2 the next step happens at the transfer-out node: the window sees who holds the
  // conversation and since when, on that leg's clock (15 working days), conversation by conversation.
  it('shows the window leg 2 held by the transfer-out node, on the information-sheet leg clock', async () => {
    const caseId = await submit(h.cq, transfer({ transferInRegion: '500106', places: [{ region: '510104' }] }));
    await eventually(() => view(h.cq, caseId), (c) => stages(c).includes('agency-received'));
    await settle(caseId);
    await h.advanceAgencies();
    await settle(caseId);
    const leg2 = await view(h.cq, caseId);
    expect(leg2.stage).toBe('awaiting-transfer-out');
    expect({ heldBy: leg2.heldBy, timeLimit: leg2.timeLimit }).toMatchObject({
      heldBy: 'SC',
      timeLimit: { leg: 'information-sheet', workingDays: 15, overdue: false },
    });
    expect((leg2 as unknown as { conversations: unknown[] }).conversations).toEqual([
      expect.objectContaining({ conversation: 1, region: '510104', leg: 2, outcome: 'open', heldBy: 'SC', heldSince: leg2.heldSince }),
    ]);
  }, 90_000);

  it('runs the temporary-account variant the other way round: the paying office in Sichuan writes to the Chongqing temporary account, though the window is in Chongqing', async () => {
    // A man born 1965, hukou in Chengdu, insured there until 2014, then in Chongqing from 50 on: a
    // temporary account there (国办发〔2009〕66号 第五条（二）). Retiring while living in Chongqing,
    // his pension is paid by Chengdu (第六条), which gathers the Chongqing temporary account.
    const plan = await request(h.cq.url(''))
      .post('/api/v1/pension/transfer-plan')
      .set('authorization', h.cq.window)
      .send({
        hukouRegion: '510104',
        birthDate: '1965-03-01',
        sex: 'M',
        occasion: 'retirement',
        places: [
          { region: '510104', periods: [{ from: '1990-01-01', to: '2014-12-31' }] },
          { region: '500106', periods: [{ from: '2015-06-01', to: '2026-10-31' }] },
        ],
      });
    expect(plan.status).toBe(200);
    const { transferIn, transferInBasis, senders, letters } = plan.body as {
      transferIn: string;
      transferInBasis: string;
      senders: { region: string; role: string }[];
      letters: { kind: string; from: string; to: string }[];
    };
    expect({ transferIn, transferInBasis, senders }).toEqual({
      transferIn: '510104',
      transferInBasis: 'PAYING_PLACE',
      senders: [{ region: '500106', role: 'temporary-account' }],
    });
    expect(letters.map((l) => `${l.kind}:${l.from}->${l.to}`)).toEqual(['contact-letter:510104->500106', 'information-sheet:500106->510104']);

    // The Chongqing window submits the transfer as planned: Sichuan is the transfer-in side.
    const request_ = transfer({ transferInRegion: transferIn, places: senders.map((x) => ({ region: x.region })) });
    const caseId = await submit(h.cq, { ...request_, transferOut: request_.transferOut.map((p) => ({ ...p, temporaryAccount: true })) });
    await eventually(() => view(h.cq, caseId), (c) => stages(c).includes('agency-received'));
    await settle(caseId);
    expect((await view(h.cq, caseId)).heldBy).toBe('SC');
    await h.advanceAgencies();
    await settle(caseId);
    const leg2 = await view(h.cq, caseId);
    expect({ stage: leg2.stage, heldBy: leg2.heldBy }).toEqual({ stage: 'awaiting-transfer-out', heldBy: 'CQ' });
    const done = await drive(h.cq, caseId);
    expect(done.status).toBe('completed');
    expect(notes(done, 'contact-letter-issued')[0]?.side).toBe('SC');
    expect(actions('SC', caseId)).toEqual(['1:contact-letter-issued', '1:funds-received', '1:account-merged']);
    expect(actions('CQ', caseId)).toEqual(['1:information-sheet-issued']);
  }, 90_000);

  // Last in the file: it moves the clock on by weeks.
  it('lists a leg that has run past its 15 working days as overdue to the operators of the node that holds it', async () => {
    const caseId = await submit(h.sc, transfer({ transferInRegion: '510104', places: [{ region: '500106' }], applicantId: WRONG_SUMS }));
    await drive(h.sc, caseId, 4);
    const listed = async (query: string) =>
      ((await (await fetch(h.cq.url(`/api/v1/operator/conversations?${query}`), { headers: { authorization: h.cq.operator } })).json()) as {
        items: { caseId: string; timeLimit: { overdue: boolean; workingDaysLeft: number } }[];
      }).items.filter((i) => i.caseId === caseId);
    expect(await listed('overdue=true')).toEqual([]);
    expect((await listed('overdue=false'))[0]?.timeLimit.workingDaysLeft).toBe(15);
    h.clock.advance(30 * 86_400_000); // a month on: past 15 working days
    const late = await listed('overdue=true');
    expect(late).toHaveLength(1);
    expect(late[0]?.timeLimit.overdue).toBe(true);
    const refused = await fetch(h.cq.url('/api/v1/operator/conversations?overdue=maybe'), { headers: { authorization: h.cq.operator } });
    expect({ status: refused.status, code: ((await refused.json()) as { code: string }).code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  }, 90_000);
});

import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ManualClock } from '#core';
import type { GatewayDatabase } from '#persistence';
import { CaseTimeline } from './case-timeline.js';
import { CaseClock } from './case-clock.js';
import { HolidayCalendar } from '../calendar/holiday-calendar.js';
import { orderTimeline } from './case-view.js';
import { caseRecord, temporarySqlite } from '../../../../libs/persistence/src/records.fixtures.js';

describe('CaseTimeline (the one writer of a case timeline and stage)', () => {
  const caseId = 'SC-20261123-00000000AB';
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 1));
  const timeline = new CaseTimeline('SC', clock, new CaseClock(clock, new HolidayCalendar({ holidaysFile: join(tmpdir(), `no-holidays-${process.pid}.json`) }, clock)));
  let db: GatewayDatabase;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ db, dispose } = await temporarySqlite('timeline-'));
  });

  afterEach(() => dispose());

  const rows = async () => orderTimeline(await db.read((s) => s.events.listByCase(caseId))).map((e) => `${e.seq ?? '-'}:${e.stage}:${e.side}`);
  const stored = () => db.read((s) => s.cases.get(caseId));
  /** A handling-side card case at Sichuan, received (seq 1 issued). */
  const handled = caseRecord(caseId, { role: 'handling', acceptingNode: 'CQ', handlingNode: 'SC', stage: 'received', lastIssuedSeq: 1, acceptedAt: clock.nowMs(), updatedAt: clock.nowMs() });

  it('opens a case with its first entry', async () => {
    const record = caseRecord(caseId, { acceptingNode: 'SC', handlingNode: 'CQ', acceptedAt: clock.nowMs(), updatedAt: clock.nowMs() });
    await db.transaction((tx) => timeline.open(tx, record, 'intake'));
    expect(await rows()).toEqual(['-:submitted:SC']);
    expect(await stored()).toMatchObject({ stage: 'submitted', status: 'in-progress' });
  });

  it('numbers a stage it decides and advances the case', async () => {
    await db.transaction((tx) => tx.cases.insert(handled));
    const decided = await db.transaction((tx) => timeline.decide(tx, handled, { stage: 'agency-received', at: clock.nowMs(), sourceId: 'handover:1' }));
    expect(decided.seq).toBe(2);
    expect(await rows()).toEqual(['2:agency-received:SC']);
    expect(await stored()).toMatchObject({ stage: 'agency-received', lastIssuedSeq: 2 });
  });

  it('refuses a stage that cannot follow, and writes nothing', async () => {
    await db.transaction((tx) => tx.cases.insert(handled));
    await expect(db.transaction((tx) => timeline.decide(tx, handled, { stage: 'collected', at: clock.nowMs(), sourceId: 'agency:9' }))).rejects.toMatchObject({
      code: 'CASE_TRANSITION_INVALID',
    });
    expect(await rows()).toEqual([]);
    expect(await stored()).toMatchObject({ stage: 'received', lastIssuedSeq: 1 });
  });

  it('answers a repeat of a recorded event as one, even where its stage could no longer follow', async () => {
    await db.transaction((tx) => tx.cases.insert(handled));
    const event = { stage: 'agency-received', at: clock.nowMs(), sourceId: 'handover:1' } as const;
    const first = await db.transaction((tx) => timeline.decide(tx, handled, event));
    const again = await db.transaction((tx) => timeline.decide(tx, first.record, event, { also: { agencyRef: 'R-1' } }));
    expect(again.seq).toBeNull();
    expect(await rows()).toEqual(['2:agency-received:SC']);
    expect(await stored()).toMatchObject({ lastIssuedSeq: 2, agencyRef: 'R-1' });
  });

  it("mirrors the handling side's numbered entry as decided there", async () => {
    const accepting = caseRecord(caseId, { acceptedAt: clock.nowMs(), updatedAt: clock.nowMs() });
    await db.transaction((tx) => tx.cases.insert(accepting));
    await db.transaction((tx) => timeline.mirror(tx, accepting, { stage: 'received', at: clock.nowMs(), side: 'SC', seq: 1, detail: { agencyRef: 'R-2' } }));
    expect(await rows()).toEqual(['1:received:SC']);
    expect(await stored()).toMatchObject({ stage: 'received', lastAppliedSeq: 1, agencyRef: 'R-2' });
  });

  it('moves the stage with an unnumbered entry only where the state machine allows', async () => {
    const submitted = caseRecord(caseId, { acceptedAt: clock.nowMs(), updatedAt: clock.nowMs() });
    await db.transaction((tx) => tx.cases.insert(submitted));
    await db.transaction((tx) => timeline.pass(tx, submitted, { stage: 'forwarded', at: clock.nowMs(), sourceId: 'msg:1' }, 'CQ'));
    expect(await stored()).toMatchObject({ stage: 'forwarded' });

    // The handling node's `received` came first: the entry is written, the stage stays.
    await db.transaction((tx) => tx.cases.update(caseId, { stage: 'received' }));
    const received = (await stored())!;
    await db.transaction((tx) => timeline.pass(tx, received, { stage: 'forwarded', at: clock.nowMs(), sourceId: 'msg:2' }, 'CQ'));
    expect(await rows()).toEqual(['-:forwarded:CQ', '-:forwarded:CQ']);
    expect(await stored()).toMatchObject({ stage: 'received' });
  });

  it('is the only code of the gateway that writes a timeline row or a case row with its stage', () => {
    const root = join(import.meta.dirname, '..');
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [join(dir, e.name)] : [],
      );
    const writers: string[] = [];
    for (const file of sources(root)) {
      const text = readFileSync(file, 'utf8');
      const name = relative(root, file);
      if (/\.events\.insert/.test(text) || /\.cases\.insert\(/.test(text)) writers.push(name);
      // A case row's other columns may be written elsewhere (an agency's reference), its stage and status not.
      if (/\.cases\.update\([^;]*\b(stage|status|lastIssuedSeq|lastAppliedSeq)\b/.test(text)) writers.push(name);
    }
    expect([...new Set(writers)]).toEqual(['cases/case-timeline.ts']);
  });
});
